"""The toolkit's own user-facing words (Chinese), in one place.

Rule: widgets take every built-in label from a :class:`UiStrings` passed in
the build context; a role may pass its own instance (e.g. another dialect).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class UiStrings:
    # paging says "turn the page", never 上一…: right above the frame's 上一步 it must not read as "back"
    prev_page: str = "往前翻"
    next_page: str = "往后翻"
    page_of: str = "第 {page}/{pages} 页"
    delete: str = "删除"
    clear: str = "清空"
    confirm: str = "确定"
    countdown: str = "{seconds} 秒后返回首页"
    level_ok: str = "正常"
    level_info: str = "提示"
    level_warning: str = "注意"
    level_error: str = "故障"
    empty_entry: str = "请输入"
