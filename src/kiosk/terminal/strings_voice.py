"""Every Chinese word of the citizen's-voice screens — 评价 (好差评), 办不成事反映 and 政府信息公开申请 — in one
place, and the registry keys of those screens.

Rule: as ``strings.py`` for the rest of the terminal: screens take all user-facing text from a
:class:`VoiceStrings`; templates use ``str.format`` fields named after what they hold. The five
evaluation levels and the reasons for a bad rating are not here: they are the official wording in
``kiosk.core.evaluation`` and are shown exactly as written there. Nothing here praises or nudges towards
a level (严禁强制好评).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Registry keys (base.py holds the other screens' keys; home names these to open them).
EVALUATE, FEEDBACK, DISCLOSURE = "evaluate", "feedback", "disclosure"


@dataclass(frozen=True, slots=True, kw_only=True)
class VoiceStrings:
    # ---- home ----
    menu_evaluate: str = "办事评价"
    menu_feedback: str = "办不成事反映"
    menu_apply: str = "政府信息公开申请"
    icon_evaluate: str = "star-o"          # names of kiosk.ui.icons
    icon_feedback: str = "exclamation-circle"
    icon_apply: str = "file-text-o"

    # ---- shared ----
    sending: str = "正在提交，请稍候…"
    skip: str = "跳过"
    next: str = "下一步"
    selected: str = "■ {label}\n（已选择）"
    unselected: str = "□ {label}"
    optional: str = "（可不填）"
    failed_phone: str = "如有疑问请拨打：{phone}"
    retry: str = "重试"
    phone_bad: str = "电话号码不对，请输入11位手机号或带区号的固定电话"
    phone_note: str = "电话只用于回访；提交后，屏幕和小票上只显示部分号码"
    errors: dict[str, str] = field(default_factory=lambda: {
        "not_served": "办理完成后才能评价（严禁先评价、后办事）",
        "already_rated": "这个号码已经评价过了，每次办事只能评价一次",
        "unknown_ticket": "没有找到这个号码，请核对小票上的号码",
        "too_late": "这个号码办结时间太久，已不能在本机评价",
        "missing_field": "还有必填的内容没有填写",
        "bad_phone": "电话号码格式不正确",
        "no_window": "暂时没有办不成事反映窗口，请到咨询台",
        "hall_closed": "现在不办理现场取号",
        "store_unavailable": "系统暂时故障",
        "unsupported_op": "系统版本不一致",
        "timeout": "系统暂未响应",
        "offline": "网络未连接",
    })
    error_other: str = "系统暂时无法办理（{code}）"
    pinyin_hint: str = "输入拼音字母后，在这里点选汉字"
    pinyin_no_match: str = "没有对应的字，请检查拼音，或按“删除”"

    # ---- 评价 ----
    eval_ticket_title: str = "办事评价：请输入小票上的号码"
    eval_ticket_hint: str = "号码如 C012，也可以把小票上的二维码对准扫码口"
    eval_ticket_bad: str = "号码是1个字母加数字，如 C012，请核对后重新输入"
    eval_checking: str = "正在查询号码…"
    eval_level_title: str = "请对本次办事进行评价"
    eval_level_for: str = "号码 {number}：请选择一项，再点“确认评价”"
    eval_level_note: str = "评价自愿、如实，不影响办理结果"
    eval_confirm: str = "确认评价"
    eval_review_title: str = "请核对评价内容"
    eval_confirm_wait: str = "请先选择一项评价"
    eval_reasons_title: str = "请选择不满意的原因（可多选）"
    eval_reason_need: str = "请至少选择一项原因"
    eval_text_title: str = "想说的话（可不填）"
    eval_text_hint: str = "用拼音输入，可跳过"
    eval_phone_title: str = "留下电话，便于回访（可不填）"
    eval_done_title: str = "评价已提交"
    eval_done: str = "号码 {number}：{label}"
    eval_done_case: str = "您反映的问题已登记，我们会核实整改{callback}。"
    eval_done_callback: str = "，并电话回访 {phone}"
    eval_thanks: str = "感谢您的评价。"
    eval_failed_title: str = "暂时无法评价"

    # ---- 办不成事反映 ----
    fb_item_title: str = "办不成事反映：想办什么事？"
    fb_item_other: str = "其他 / 不确定"
    fb_search: str = "按拼音首字母找事项"
    fb_search_title: str = "输入事项的拼音首字母，如“社保卡”输入 SBK"
    fb_search_hint: str = "输入字母后，事项显示在这里"
    fb_search_none: str = "没有找到，请换个说法，或选“其他 / 不确定”"
    fb_item_text_title: str = "请写下想办的事（可不填）"
    fb_problem_title: str = "遇到了什么问题？"
    fb_problems: tuple[str, ...] = ("不知道去哪里办", "材料不全、不知道要什么材料", "跑了多次没办成",
                                    "窗口说办不了", "系统或设备出故障", "其他问题")
    fb_text_title: str = "补充说明（可不填）"
    fb_phone_title: str = "联系电话，便于回复（可不填）"
    fb_ticket_title: str = "还在大厅吗？"
    fb_ticket_on: str = "■ 取号到办不成事反映窗口：要"
    fb_ticket_off: str = "□ 取号到办不成事反映窗口：不要"
    fb_ticket_note: str = "选“要”会同时取一个号，到办不成事反映窗口当面处理"
    fb_confirm_title: str = "请核对反映内容"
    fb_line_item: str = "事项：{item}"
    fb_line_problem: str = "问题：{problem}"
    fb_line_text: str = "说明：{text}"
    fb_line_phone: str = "电话：{phone}"
    fb_line_ticket: str = "取号：{answer}"
    yes: str = "要"
    no: str = "不要"
    none: str = "未填"
    fb_submit: str = "提交反映"
    fb_done_title: str = "反映已登记"
    fb_case: str = "登记编号 {case}\n我们会在 {deadline} 前核实处理。"
    fb_ticket_number: str = "您的号码"
    fb_ahead: str = "前面还有 {n} 人"
    fb_where: str = "请到 {windows} 等候叫号"
    fb_failed_title: str = "暂时无法登记"

    # ---- 政府信息公开申请 ----
    gk_type_title: str = "政府信息公开申请：申请人是？"
    gk_types: dict[str, str] = field(default_factory=lambda: {"citizen": "公民", "organisation": "法人或其他组织"})
    gk_intro: str = "依据《中华人民共和国政府信息公开条例》，申请登记后会给您一个申请编号，我们在规定期限内答复。"
    gk_name_title: str = "姓名（用拼音输入）"
    gk_org_name_title: str = "单位名称（用拼音输入）"
    gk_id_type_title: str = "证件类型"
    gk_id_types: dict[str, dict[str, str]] = field(default_factory=lambda: {
        "citizen": {"resident_id": "居民身份证", "passport": "护照", "other": "其他证件"},
        "organisation": {"org_code": "统一社会信用代码", "other": "其他证照"}})
    gk_id_title: str = "{id_type}号码"
    gk_id_hint: str = "请输入证件号码"
    gk_id_problems: dict[str, str] = field(default_factory=lambda: {
        "length": "居民身份证号码应为18位，请核对",
        "chars": "居民身份证号码只能是数字，最后一位可以是X",
        "birth_date": "身份证号码中的出生日期不对，请核对",
        "check_digit": "身份证号码校验位不正确，请核对后重新输入",
        "uscc": "统一社会信用代码应为18位，且校验位正确，请核对",
        "passport": "护照号码应为5至20位字母或数字",
        "empty": "请输入证件号码",
    })
    gk_phone_title: str = "联系电话"
    gk_address_title: str = "联系地址（用拼音输入，可输入数字）"
    gk_desc_title: str = "所需信息的内容描述"
    gk_desc_hint: str = "例如：文件名称、文号，或信息的内容"
    gk_purpose_title: str = "所需信息的用途（可不填）"
    gk_form_title: str = "信息的提供形式"
    gk_forms: dict[str, str] = field(default_factory=lambda: {"paper": "纸质", "electronic": "电子"})
    gk_delivery_title: str = "获取信息的方式"
    gk_deliveries: dict[str, str] = field(default_factory=lambda: {"collect": "自行领取", "post": "邮寄",
                                                                   "email": "电子邮件"})
    gk_paper_no_email: str = "纸质形式不能通过电子邮件获取"
    gk_email_title: str = "电子邮箱（字母键盘，@ 和 . 在最后一行）"
    gk_email_bad: str = "邮箱格式不正确，例如 name@example.com"
    gk_required: str = "请填写{field}"
    gk_review_title: str = "请核对申请内容"
    gk_line: str = "{label}：{value}"
    gk_labels: dict[str, str] = field(default_factory=lambda: {
        "applicant_type": "申请人类型", "name": "姓名/名称", "id_type": "证件类型", "id_number": "证件号码",
        "phone": "联系电话", "address": "联系地址", "info_description": "所需信息的内容描述",
        "purpose": "所需信息的用途", "form": "信息的提供形式", "delivery": "获取信息的方式", "email": "电子邮箱"})
    gk_edit: str = "从第一项改起"  # not a second 上一步: it starts the form over, keeping what was typed
    gk_submit: str = "提交申请"
    gk_done_title: str = "申请已登记"
    gk_number_label: str = "申请编号"
    gk_slip_title: str = "政府信息公开申请回执"
    gk_slip_qr: str = "凭申请编号查询办理进度"
    gk_slip_printed: str = "回执已打印，请取走保存"
    gk_received: str = "登记日期：{received}"
    gk_reply_due: str = "答复期限：{reply_due} 前"
    gk_extended: str = "如需延长答复期限，将另行告知，最迟不超过 {extended_due}"
    gk_statute: str = ("依据《中华人民共和国政府信息公开条例》第三十三条：自收到申请之日起20个工作日内答复；"
                       "需要延长的，延长期限最长不超过20个工作日。")
    gk_receipt_note: str = "请拍照或记下申请编号，凭编号查询办理进度。"
    gk_failed_title: str = "申请未能提交"

    def pinyin(self) -> dict[str, str]:
        """The pinyin keyboard's own words (its candidate area's hint and its no-match note)."""
        return {"candidate_hint": self.pinyin_hint, "no_match": self.pinyin_no_match}
