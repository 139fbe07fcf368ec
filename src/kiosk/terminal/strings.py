"""Every Chinese word the touchscreen terminal shows or speaks, in one place.

Rule: screens take all user-facing text from a :class:`TerminalStrings` (held by
the session); none is written inline in a screen. Templates use ``str.format``
fields named after what they hold. Names of categories, windows, items and
phone numbers come from the site config and the catalogue, not from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@dataclass(frozen=True, slots=True, kw_only=True)
class TerminalStrings:
    # ---- frame (every screen) ----
    date_time: str = "{month}月{day}日 {weekday} {hour:02d}:{minute:02d}"
    large_switch: str = "长辈模式"     # the switch on every screen: 长辈模式 [开] / 长辈模式 [关]
    switch_on: str = "开"
    switch_off: str = "关"
    home: str = "返回首页"
    back: str = "上一步"
    offline: str = "网络未连接（自 {since} 起），正在自动重连。取号请到咨询台。"
    offline_short: str = "网络未连接，正在自动重连。取号请到咨询台。"

    # words of the hall the pinyin keyboard offers first (with the villages, the site's name, the
    # categories and [terminal] lexicon): service words as residents say them
    lexicon: tuple[str, ...] = ("黄潭", "黄潭镇", "天门", "低保", "五保", "医保", "社保", "社保卡", "户口",
                                "身份证", "营业执照", "养老保险", "医疗保险", "残疾证", "结婚证", "出生证明",
                                "退休", "高龄补贴", "临时救助", "不动产", "便民服务中心")

    # ---- home ----
    welcome: str = "欢迎办事，请选择"
    mode_unknown: str = "正在获取大厅状态…"
    mode_next_open: str = "{label}　下次开放：{next}"
    mode_sessions: str = "{label}　今日办公 {sessions}"
    menu_take: str = "取号"
    menu_guides: str = "办事指南"
    menu_appointment: str = "预约办理"
    menu_checkin: str = "预约签到"
    menu_evaluation: str = "评价（即将开放）"
    menu_help: str = "帮办代办"
    menu_disclosure: str = "政务公开"
    menu_phones: str = "服务电话"
    take_note: str = "排队办事，请先取号"
    # pictures of the home tiles: names of kiosk.ui.icons
    icon_take: str = "ticket"
    icon_guides: str = "book"
    icon_help: str = "handshake-o"
    icon_phones: str = "phone"
    icon_appointment: str = "calendar"
    icon_checkin: str = "calendar-check-o"
    icon_open: str = "newspaper-o"
    icon_switch: str = "search-plus"

    # ---- home outside office hours (24小时自助服务区) ----
    after_title: str = "24小时自助服务区"
    after_banner: str = "现在非办公时间（{label}）\n暂停现场取号\n下次办公：{next}"
    after_banner_no_next: str = "现在非办公时间（{label}）\n暂停现场取号"
    after_appointment_only: str = "{label}\n暂停现场取号，已预约请点“预约签到”\n下次现场办公：{next}"
    after_phones: str = "值班电话：{on_duty}\n政务服务便民热线：{hotline}"
    after_hotline_only: str = "政务服务便民热线：{hotline}"
    after_online_caption: str = "手机扫码，“鄂汇办”网上办"

    # ---- take a number ----
    take_title: str = "取号：请选择业务"
    take_find: str = "不知道选哪个？按想办的事找"
    find_title: str = "想办什么事？点一下就行"
    group_names: dict[str, str] = field(default_factory=lambda: {
        "domain": "分领域综合窗口", "comprehensive": "无差别综合窗口", "complaint": "办不成事反映"})
    category_button: str = "{name}\n{waiting}"
    waiting_count: str = "等候 {n} 人"
    waiting_unknown: str = "等候人数更新中"
    confirm_title: str = "确认取号"
    confirm_category: str = "业务：{name}"
    confirm_waiting: str = "目前等候：{n} 人"
    green_on: str = "■ 绿色通道：已选择"
    green_off: str = "□ 绿色通道：未选择"
    green_note: str = "绿色通道：老年人、残疾人、孕妇优先"
    take_confirm: str = "确认取号"
    issuing: str = "正在取号，请稍候…"
    ticket_title: str = "取号成功"
    ticket_category: str = "{name}"
    ticket_priority: str = "（绿色通道）"
    people_ahead: str = "前面还有 {n} 人"
    eta: str = "预计等候约 {minutes} 分钟"
    eta_now: str = "请留意叫号，马上为您办理"
    eta_none: str = "暂无窗口办理，请留意叫号屏或咨询工作人员"
    where_wait: str = "请在等候区就座，留意叫号屏和语音叫号。办理窗口：{windows}"
    window_name: str = "{number}号{name}"
    window_sep: str = "、"
    ticket_qr_caption: str = "扫码查看排队进度"
    ticket_done: str = "完成"
    failed_title: str = "暂时无法取号"
    failed_body: str = "请到咨询台取号，工作人员会为您办理。"
    failed_phone: str = "咨询电话：{phone}"
    failed_reason: str = "原因：{reason}"
    retry: str = "重新取号"
    late_title: str = "今天可能办不完"
    late_accept: str = "仍然取号"
    late_book: str = "改为预约"
    late_note: str = "也可以改天再来，或向工作人员咨询。"
    error_codes: dict[str, str] = field(default_factory=lambda: {
        "unknown_category": "该业务暂不能取号",
        "no_window": "该业务暂无窗口办理",
        "no_day": "今日尚未开始办公",
        "unsupported_op": "系统版本不一致",
        "hall_closed": "现在不办理现场取号",
        "past_closing": "预计等候时间超过今天下班时间",
        "store_unavailable": "系统暂时故障",
        "timeout": "系统暂未响应",
        "offline": "网络未连接",
    })
    error_other: str = "系统暂时无法办理（{code}）"

    # ---- service guides ----
    guides_title: str = "办事指南"
    guides_how: str = "请选择查找方式"
    by_department: str = "按部门查找"
    by_life_event: str = "按人生事件查找"
    by_search: str = "输入拼音首字母搜索"
    departments_title: str = "请选择部门"
    events_title: str = "请选择人生事件"
    items_title: str = "{group}：请选择事项"
    search_title: str = "输入拼音首字母，如“社保卡”输入 SBK"
    search_none: str = "没有找到相关事项，请换个说法，或到咨询台询问"
    search_hint: str = "输入字母后，结果显示在这里"
    loading: str = "正在加载…"
    count_items: str = "{name}（{n}项）"
    guide_materials: str = "一、一次性告知：需要准备的材料"
    material_line: str = "{index}. {name}（{form}{copies}）"
    material_copies: str = "，{n}份"
    material_note: str = "　注：{note}"
    guide_steps: str = "二、办理流程"
    step_line: str = "{index}. {step}"
    guide_time: str = "三、办理时限"
    time_limit: str = "法定时限：{days}"
    time_promised: str = "承诺时限：{days}"
    days: str = "{n}个工作日"
    calendar_days: str = "{n}日"  # a limit the law counts in 日, not 工作日 (e.g. 居民身份证: 六十日)
    immediate: str = "即办（当场办结）"
    guide_fees: str = "四、收费标准：{fees}"
    guide_window: str = "五、办理窗口：{window}"
    guide_basis: str = "六、设定依据：{basis}"
    guide_appointment: str = "可预约办理"  # the hub's line from the configured sessions replaces it
    guide_online: str = "七、网上办理：可在“鄂汇办”办理，扫码直达"
    guide_qr_caption: str = "手机扫码网上办理"
    guide_offline_only: str = "七、网上办理：本事项需到窗口办理"

    # ---- 政务公开 (published pages and the built-in 政务服务事项清单) ----
    open_title: str = "政务公开：请选择要查看的内容"
    open_sections: dict[str, str] = field(default_factory=lambda: {
        "notice": "公示公告", "list": "权责清单", "policy": "政策文件", "image": "工作流程图",
        "catalog": "政务服务事项清单"})
    open_icons: dict[str, str] = field(default_factory=lambda: {
        "notice": "！", "list": "≡", "policy": "§", "image": "▦", "catalog": "◇"})
    open_choice: str = "{title}\n{section}　{date}"
    open_date: str = "{month}月{day}日发布"
    open_published: str = "{section}　发布日期：{year}年{month}月{day}日"
    open_catalog_choice: str = "{title}\n共{n}项：事项名称、实施部门、办理时限"
    open_catalog_intro: str = "本中心可办理的政务服务事项共{n}项，时限除注明“日”的以外按工作日计算。各事项的材料和流程请在“办事指南”查看。"
    open_catalog_item: str = "{index}. {name}\n实施部门：{department}\n法定时限：{limit}　承诺时限：{promised}"
    open_cell: str = "{header}：{cell}"
    open_cell_sep: str = "　"
    open_bullet: str = "· "
    open_empty: str = "目前还没有发布公示公告、权责清单、政策文件或工作流程图，请以后再来查看。"
    open_nothing: str = "目前还没有公开的内容，请以后再来查看，或到咨询台询问。"
    open_gone: str = "您刚才查看的内容已撤下，下面是现在公开的内容。"
    open_image_bad: str = "这张图片暂时无法显示，请到咨询台查看纸质版。"
    open_apply_note: str = "没有找到需要的政府信息？可以申请公开："

    # ---- 帮办代办 ----
    help_title: str = "帮办代办"
    help_intro: str = "需要帮助？工作人员可以帮您填表、代办。行动不便的老、弱、病、残、孕群众可登记上门服务。"
    help_call: str = "呼叫工作人员"
    help_home_visit: str = "上门服务登记"
    help_sending: str = "正在通知工作人员…"
    help_waiting: str = "已通知工作人员，请稍候"
    help_waiting_note: str = "请在本机旁稍候，工作人员会尽快过来。"
    help_acked: str = "工作人员（{by}）马上就到"
    help_staff: str = "咨询台"
    help_banner_waiting: str = "已呼叫工作人员，请在本机旁稍候"
    help_failed: str = "暂时无法通知工作人员，请到咨询台，或拨打 {phone}"
    visit_group_title: str = "上门服务登记：请选择服务对象"
    visit_groups: tuple[str, ...] = ("老年人", "体弱人员", "患病人员", "残疾人", "孕妇")
    visit_phone_title: str = "请输入联系电话（手机号11位）"
    visit_phone_bad: str = "电话号码不对，请输入11位手机号或带区号的固定电话"
    visit_address_title: str = "请选择所在村（社区）"
    visit_confirm_title: str = "请核对登记信息"
    visit_line_group: str = "服务对象：{group}"
    visit_line_phone: str = "联系电话：{phone}"
    visit_line_address: str = "地址：{address}"
    visit_submit: str = "提交登记"
    visit_sending: str = "正在提交…"
    visit_done_title: str = "登记成功"
    visit_done: str = "工作人员将电话联系 {phone}，与您约定上门时间。"

    # ---- phones ----
    phones_title: str = "服务电话"
    phone_consultation: str = "咨询服务电话"
    phone_complaint: str = "投诉监督电话"
    phone_hotline: str = "政务服务便民热线"
    phone_on_duty: str = "24小时自助区值班电话"
    phone_line: str = "{label}：{number}"
    phones_note: str = "工作时间以外，请拨打12345政务服务便民热线。"

    # ---- 预约办理 ----
    book_category_title: str = "预约办理：请选择业务"
    book_item_title: str = "请选择办理事项（用于提示所需材料）"
    book_skip_item: str = "暂不确定事项，跳过"
    book_loading: str = "正在查询可预约时段…"
    book_day_title: str = "请选择预约日期"
    book_slot_title: str = "{day}：请选择时段"
    day_text: str = "{month}月{day}日 {weekday}"
    day_choice: str = "{day}{special}\n{state}"
    day_free: str = "可约 {n} 个"
    day_full: str = "已约满"
    day_special: str = "（预约专场）"
    day_provisional: str = "（假期待定）"
    slot_free: str = "{start}-{end}　剩余 {n} 个"
    slot_full: str = "{start}-{end}　已约满"
    icon_free: str = "○"
    icon_full: str = "×"
    book_none: str = "近期没有可预约的时段，请拨打 {phone} 咨询"
    book_phone_title: str = "请输入联系电话（手机号11位）"
    book_phone_note: str = "电话仅用于预约联系；确认后，屏幕上只显示部分号码"
    book_confirm_title: str = "请核对预约信息"
    line_category: str = "业务：{name}"
    line_item: str = "事项：{name}"
    line_when: str = "时间：{when}"
    line_phone: str = "电话：{phone}"
    book_card_title: str = "把身份证关联到这次预约吗？"
    book_card_body: str = "身份证：{id}\n关联后，来中心时可直接刷身份证签到"
    book_card_use: str = "关联身份证"
    book_card_skip: str = "不关联"
    line_card: str = "身份证：已关联 {id}"
    book_when: str = "{day} {start}-{end}"
    book_submit: str = "确认预约"
    book_sending: str = "正在预约，请稍候…"
    book_done_title: str = "预约成功"
    code_label: str = "预约码"
    materials_head: str = "请携带以下材料："
    material_item: str = "{index}. {text}"
    materials_general: str = "请携带本人有效身份证件原件。所需材料可在“办事指南”查询，或拨打咨询电话 {phone}。"
    book_qr_caption: str = "请拍照保存，签到时扫码或输入预约码"
    full_title: str = "该时段刚刚约满"
    full_body: str = "{when} 的{category}刚被约满了。"
    full_suggest: str = "改约 {when}"
    full_suggest_note: str = "点上面的按钮即可改约，电话和事项不变。"
    full_none: str = "近期没有其他可约时段，请拨打 {phone} 咨询。"
    full_rechoose: str = "重新选择时段"
    book_failed_title: str = "暂时无法预约"
    retry_same: str = "重试"

    # ---- 预约签到 ----
    checkin_title: str = "预约签到：请输入预约码"
    checkin_hint: str = "预约码为6位字母和数字，也可把预约二维码对准扫码口"
    checkin_bad: str = "预约码是6位字母和数字，请核对后重新输入"
    checkin_bad_scan: str = "无法识别该二维码，请输入预约码"
    checkin_sending: str = "正在签到，请稍候…"
    checkin_done_title: str = "签到成功"
    checkin_failed_title: str = "暂时无法签到"
    checkin_slot: str = "预约码 {code}　预约时段 {start}-{end}"
    appointment_errors: dict[str, str] = field(default_factory=lambda: {
        "not_configured": "预约服务暂未开放",
        "not_bookable": "该业务暂不开放预约",
        "bad_slot": "该时段已不能预约，请重新选择",
        "slot_full": "该时段已约满，请重新选择",
        "already_booked": "该电话当天已预约过这项业务",
        "bad_phone": "电话号码不对，请重新输入",
        "unknown_item": "所选事项暂不能预约，请跳过事项",
        "unknown_appointment": "没有这个预约码，请核对",
        "appointment_used": "该预约码已签到取号",
        "id_card_off": "本中心暂不能凭身份证签到，请输入预约码",
        "bad_id_number": "身份证号码无效，请输入预约码",
        "appointment_cancelled": "该预约已取消",
        "appointment_expired": "该预约已过期（预约时间已过）",
        "not_today": "预约的不是今天，请在预约当天前来签到",
        "store_unavailable": "系统暂时故障",
        "unsupported_op": "系统版本不一致",
        "timeout": "系统暂未响应",
        "offline": "网络未连接",
    })

    # ---- ticket printer (取号单, 预约凭条) ----
    printer_checking: str = "正在准备打印取号单，请稍候…"
    printer_problem_title: str = "取号单暂时打印不出来"
    printer_problems: dict[str, str] = field(default_factory=lambda: {
        "paper_out": "打印机没有纸了", "offline": "打印机出了故障", "paper_low": "打印纸快用完了"})
    printer_problem_body: str = "{problem}，取号单打印不出来。\n您仍然可以取号：号码显示在屏幕上，请用手机拍下号码和二维码。"
    printer_on_screen: str = "在屏幕上取号（拍照保存）"
    printer_problem_desk: str = "没有手机也不要紧，请到咨询台，工作人员帮您取号。"
    printing: str = "正在打印取号单，请稍候…"
    printed_note: str = "请取走下方出纸口的取号单"
    on_screen_note: str = "请用手机拍下号码和二维码"
    print_failed_title: str = "取号单没有打印出来"
    print_failed_body: str = "您的号码是 {number}，但{problem}，取号单没有打印出来。"
    print_keep: str = "保留这个号（显示在屏幕上，请拍照）"
    print_cancel: str = "不要这个号了"
    print_cancel_note: str = "选“不要这个号了”，这个号会作废，可到咨询台重新取号。"
    print_cancelled_title: str = "这个号已作废"
    print_cancelled: str = "请到咨询台取号，工作人员会帮您办理。"
    reprint: str = "重新打印"
    reprint_closed: str = "重新打印（已超过1分钟）"
    reprinting: str = "正在重新打印…"
    reprint_failed: str = "没有打印出来（{problem}），请拍下屏幕上的号码"
    missed_rule: str = "叫号{calls}次未到即为过号，过号{minutes}分钟内可到咨询台重新排队"
    wait_at: str = "请在等候区就座，留意叫号。办理窗口：{windows}"
    slip_title: str = "预约凭条"
    slip_printed: str = "预约凭条已打印，请取走"
    slip_day: str = "日期：{day}"
    slip_time: str = "时间：{start}-{end}"
    slip_printed_at: str = "打印时间 {time}"
    # the technician's test ticket (printed when the 技术员 page asks; never a queue number)
    test_title: str = "测试票"
    test_subtitle: str = "非排队凭证"
    test_device: str = "设备：{device}"
    test_place: str = "位置：{place}"
    test_time: str = "时间：{time}"
    test_by: str = "申请：{by}"
    test_id: str = "编号：{id}"
    test_footer: str = "仅供检查打印机，不能排队办事"
    test_mark: str = "测试票 / 非排队凭证"

    # ---- 刷身份证 (the ID card reader) ----
    card_take_hint: str = "年满{age}周岁的老人，请把身份证放在读卡区，自动走绿色通道"
    card_aged: str = "已读身份证：已按年龄为您选择绿色通道"
    card_young: str = "已读身份证：未满{age}周岁，按普通顺序排队"
    card_problems: dict[str, str] = field(default_factory=lambda: {
        "pulled": "身份证没有读完，请放稳后再刷一次",
        "unreadable": "这张卡读不出来，请放第二代居民身份证",
        "invalid": "这张身份证读不出有效信息，请到咨询台"})
    checkin_card_hint: str = "也可以把身份证放在读卡区签到"
    checkin_card_sending: str = "正在按身份证查找今天的预约…"
    visit_card_hint: str = "可把身份证放在读卡区，自动填写姓名和住址"
    card_form_hint: str = "可把身份证放在读卡区，自动填写姓名、身份证号码和住址"
    card_use_title: str = "使用身份证上的信息吗？"
    card_use: str = "使用这些信息"
    card_skip: str = "不使用"
    card_line_name: str = "姓名：{name}"
    card_line_id: str = "身份证：{id}"
    card_line_address: str = "住址：{address}"

    # ---- idle ----
    idle_title: str = "还需要继续办理吗？"
    idle_countdown: str = "{seconds} 秒后返回首页"
    idle_continue: str = "继续"

    def day_count(self, n: int, unit: str = "working_days") -> str:
        """A time limit as a guide prints it: 即办, “20个工作日”, or “60日” when the law counts calendar days."""
        if n == 0:
            return self.immediate
        return (self.calendar_days if unit == "days" else self.days).format(n=n)
