"""Every Chinese word the evaluation pad shows, in one place.

Rule: the pad's screen takes its words from a :class:`PadStrings` instance; the level labels and reason
labels themselves are the official ones in ``kiosk.core.evaluation`` and are shown exactly as they are.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class PadStrings:
    window_title: str = "{number}号窗口"
    welcome: str = "办事完成后，请为我们的服务评价"
    staff_name: str = "{name}"
    staff_no: str = "工号 {staff_no}"
    rate_title: str = "请为本次服务评价"
    rate_ticket: str = "{number}号 · {window}号窗口"
    rate_ticket_short: str = "{number}号"
    rate_hint: str = "请选择一项，选好即提交"
    rate_hint_cell: str = "请选择一项，\n选好即提交"  # in the sixth cell of the landscape grid: one clause a line
    reasons_title: str = "不满意的原因（可多选）"
    reason_on: str = "■ {label}"
    reason_off: str = "□ {label}"
    reasons_status: str = "已选{n}项 · {page}/{pages}页"
    prev_page: str = "上一页"
    next_page: str = "下一页"
    back: str = "返回"
    submit: str = "提交评价"
    sending: str = "正在提交，请稍候…"
    thanks_title: str = "谢谢您的评价！"
    thanks_bad: str = "您的意见将由中心负责人\n核实整改"
    thanks_good: str = "欢迎您再来办事"
    failed_title: str = "评价没有提交成功"
    failed_timeout: str = "网络不通，请点“重试”\n或扫小票上的二维码评价"
    retry: str = "重试"
    close: str = "关闭"
    offline: str = "× 离线 自 {since} 起"
    closed: str = "暂停服务"
