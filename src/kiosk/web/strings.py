"""Every Chinese word the staff consoles show, in one place (templates read them as ``t.<key>``).

Rule: page modules and templates never spell user-facing Chinese themselves; a page module adds its own
words with :func:`add` at import (the keys are checked for clashes), so two engineers' pages never edit the
same table.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

_T: dict[str, str] = {
    "app_title": "黄潭镇便民服务中心 · 工作台",
    "login": "登录", "logout": "退出", "name": "用户名", "password": "密码",
    "login_title": "工作人员登录",
    "login_wrong": "用户名或密码错误",
    "login_locked": "密码错误次数过多，账户已暂时锁定。请{minutes}\u2060分钟后再试，或请技术人员重设密码",
    "login_throttled": "本机登录失败次数过多，请稍后再试",
    "csrf_refused": "页面已过期或来源不明，操作未执行。请刷新页面后重试。",
    "forbidden": "您的账户没有此页面的权限",
    "forbidden_window": "您未被分配到该窗口，不能在此窗口操作",
    "not_found": "没有这个页面",
    "bad_input": "输入有误：{reason}",
    "upload_too_large": "上传的文件太大，未作任何处理。请检查是否选对了文件。",
    "file_choose": "选择文件", "file_none": "未选择文件",
    # a ticket printer's state, as a terminal reports it (the 设备 page and the director's hall)
    "printer_ok": "正常", "printer_paper_low": "纸将用尽", "printer_paper_out": "缺纸", "printer_offline": "脱机",
    "printer_cover_open": "纸仓盖未关", "printer_error": "故障",
    "hub_offline": "与叫号主机的连接中断，操作未执行，请稍后重试",
    "hub_timeout": "叫号主机未及时响应，请稍后重试",
    "refused": "未执行：{message}",
    "done": "已执行",
    "online": "在线", "offline": "离线", "link_offline": "与叫号主机的连接中断（自 {since}）",
    "role_window": "窗口", "role_desk": "导办台", "role_director": "主任", "role_technician": "技术员",
    "home": "首页",
    "nobody": "无",
    "minutes": "{n} 分钟",
}

STRINGS: Mapping[str, str] = MappingProxyType(_T)


def add(words: dict[str, str]) -> None:
    """A page module's own words; a key used twice with different text is a mistake."""
    for k, v in words.items():
        if k in _T and _T[k] != v:
            raise ValueError(f"web string {k!r} is defined twice")
        _T[k] = v


def role_name(role: str) -> str:
    return _T.get(f"role_{role}", role)
