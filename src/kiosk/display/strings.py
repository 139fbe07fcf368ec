"""Every Chinese word the wall display and the announcer show or say, in one place.

Rule: screens and widgets take their words from a :class:`DisplayStrings` instance; nothing
user-facing is written inline elsewhere in the display package.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class DisplayStrings:
    hall_default: str = "便民服务中心"
    connecting: str = "正在连接服务中心…"
    offline: str = "离线 自 {since} 起 · 显示最后收到的状态"
    hub_offline: str = "叫号主机离线 自 {since} 起 · 显示最后收到的状态"
    clock: str = "{month}月{day}日 {weekday} {hh}:{mm}"
    weekdays: tuple[str, ...] = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
    hours: str = "办公时间 {sessions}"
    hours_unknown: str = "办公时间 以公告为准"
    # latest call
    call_please: str = "请"
    call_to_window: str = "到 {window} 号窗口办理"
    call_recall: str = "再次呼叫"
    call_none: str = "暂无叫号"
    recent_title: str = "最近叫号"
    recent_row: str = "{number} → {window}号窗口"
    # windows
    window_title: str = "{number}号窗口"
    window_idle: str = "等候叫号"
    window_called: str = "请到窗口"
    window_serving: str = "办理中"
    window_paused: str = "‖ 暂停 {reason}"
    window_paused_plain: str = "‖ 暂停服务"
    window_closed: str = "× 已关闭"
    window_no_ticket: str = "—"
    waiting_title: str = "等候人数"
    waiting_chip: str = "{category} {name} {waiting}人"
    # footer
    consultation: str = "咨询电话 {phone}"
    complaint: str = "投诉电话 {phone}"
    hotline: str = "政务服务热线 {phone}"
    on_duty: str = "值班电话 {phone}"
    evaluation: str = "一码通评\n扫码评价"
    ticker_gap: str = "　　◆　　"
    ticker_item: str = "{title}：{body}"
    # closed
    closed_title: str = "{label}"
    closed_next: str = "下次办公 {when}"
    closed_next_unknown: str = "下次办公时间请留意公告"
    # disclosure
    disclosure_title: str = "政务公开"
    section_notice: str = "公示公告"
    section_list: str = "权责清单"
    section_catalog: str = "办事事项"
    section_image: str = "办事流程"
    section_policy: str = "政策文件"
    page_of: str = "{section} · 第 {page}/{pages} 页"
    catalog_columns: tuple[str, ...] = ("事项名称", "部门", "承诺时限", "办理窗口")
    days_now: str = "即办"
    days_n: str = "{days}个工作日"
    nothing_published: str = "暂无公开信息"
    bullet: str = "· "
    # the screen above one counter (layout "window")
    counter_staff_no: str = "工号 {staff_no}"
    counter_offline: str = "× 离线 自 {since} 起"
