"""评价, 办不成事反映 and 政府信息公开申请 on the terminal against a real mosquitto and a real hub, driven
through the screens like a person; the window's presses come from a recording client."""

from __future__ import annotations

from kiosk.terminal.messages import ScanResult

from ..mqtt_helpers import wait_until
from .appointment_helpers import choose, type_keys
from .test_voice_screens import GOOD_ID, pinyin


def connected(p) -> bool:
    s = p.terminal.session
    return s.connected and s.board is not None and s.catalog is not None and s.mode is not None


def serve(staff, number: str, window: str = "w3") -> None:
    staff.press(window, "next")
    staff.wait_for(f"window/{window}/state", lambda s: (s["ticket"] or {}).get("number") == number)
    staff.press(window, "complete")
    staff.wait_for(f"window/{window}/state", lambda s: s["ticket"] is None and s["served"] >= 1)


def rate(p, number: str) -> None:
    choose(p, "menu", "evaluate")
    type_keys(p, "ticket-kb", number)
    p.run_until(lambda: p.app.top.stage in ("level", "failed"), what="the ticket looked up")


def test_rating_only_after_the_service_and_only_once(broker, hub, live_terminal, recorder):
    staff = recorder("window/+/state")
    p = live_terminal(broker.port)
    p.run_until(lambda: connected(p), what="connected")
    ticket = staff.call("ticket.issue", category="C")["result"]

    rate(p, ticket["number"])  # still waiting: 严禁先评价、后办事
    assert "办理完成后才能评价" in p.text_of("eval-error")
    assert not p.exists("level-5")
    p.tap("go-home")

    serve(staff, ticket["number"])
    rate(p, ticket["number"])
    assert p.app.top.stage == "level"
    assert not any(p.widget(f"level-{n}").label.startswith("■") for n in range(1, 6))
    p.tap("level-4")
    p.tap("eval-confirm")
    p.run_until(lambda: p.exists("eval-done"), what="the rating stored")
    assert p.text_of("eval-done") == f"号码 {ticket['number']}：满意"
    stats = staff.call("evaluation.stats")["result"]
    assert stats["levels"]["满意"] == 1 and stats["channels"]["kiosk"] == 1
    assert p.check_layout() == []
    p.tap("go-home")

    rate(p, ticket["number"])  # 一事一评
    p.tap("level-5")
    p.tap("eval-confirm")
    p.run_until(lambda: p.exists("eval-error"), what="the second rating refused")
    assert "已经评价过" in p.text_of("eval-error")


def test_a_bad_rating_by_scanning_the_ticket_opens_a_case_with_the_call_back(broker, hub, live_terminal, recorder):
    staff = recorder("window/+/state")
    p = live_terminal(broker.port)
    p.run_until(lambda: connected(p), what="connected")
    ticket = staff.call("ticket.issue", category="C")["result"]
    serve(staff, ticket["number"])
    choose(p, "menu", "evaluate")
    p.post(ScanResult(text=f"HT1|huangtan|{ticket['ticket']}"))
    p.run_until(lambda: p.app.top.stage == "level", what="the scanned ticket looked up")
    p.tap("level-1")
    p.tap("eval-confirm")
    p.tap("reasons-done")
    assert p.exists("reasons-error")  # a bad rating needs a reason
    p.tap("reasons-item-0")
    p.tap("reasons-done")
    pinyin(p, "eval-text-kb", [("tai", "太"), ("man", "慢")])
    type_keys(p, "eval-phone", "13812345678")
    assert "138****5678" in p.text_of("eval-summary") and "13812345678" not in " ".join(p.visible_texts())
    p.tap("eval-submit")
    p.run_until(lambda: p.exists("eval-done"), what="the bad rating stored")
    assert "138****5678" in p.text_of("eval-case")
    cases = staff.call("case.list")["result"]["cases"]
    assert len(cases) == 1 and cases[0]["number"] == ticket["number"] and cases[0]["has_phone"]
    assert cases[0]["reasons"] == ["排队等候时间长"] and cases[0]["level_label"] == "非常不满意"


def test_feedback_with_a_ticket_for_the_complaint_window(broker, hub, live_terminal, recorder):
    staff = recorder()
    p = live_terminal(broker.port)
    p.run_until(lambda: connected(p), what="connected")
    choose(p, "menu", "feedback")
    p.tap("fb-search")
    type_keys(p, "fb-kb", "SBK", submit=False)
    p.tap("fb-results-item-0")
    p.tap("fb-problems-item-2")
    p.tap("text-skip")
    p.tap("phone-skip")
    p.tap("fb-ticket")
    assert "要" in p.text_of("fb-ticket") and "■" in p.text_of("fb-ticket")
    p.tap("fb-submit")
    p.run_until(lambda: p.exists("fb-case") or p.exists("fb-error"), what="the case registered")
    assert p.text_of("fb-case").startswith("登记编号 c")
    number = p.text_of("ticket-number")
    assert number.startswith("F") and "前面还有 0 人" == p.text_of("ticket-ahead")
    tid = next(t.id for t in hub.queue.state.tickets.values() if t.number == number)
    wait_until(lambda: hub.queue.state.tickets[tid].delivery == "on_screen", what="ticket.delivered")
    case = staff.call("case.list")["result"]["cases"][0]
    assert case["source"] == "feedback" and case["item"] == "社会保障卡申领" and case["number"] == number
    assert p.check_layout() == []


def test_a_disclosure_application_gets_a_number_and_a_deadline(broker, hub, live_terminal, recorder):
    staff = recorder("alert")
    p = live_terminal(broker.port)
    p.run_until(lambda: connected(p), what="connected")
    choose(p, "menu", "disclosure")
    p.tap("gk-applicant_type-item-0")
    pinyin(p, "gk-name-kb", [("zhang", "张"), ("san", "三")])
    p.tap("gk-id_type-item-0")
    type_keys(p, "gk-id_number-kb", GOOD_ID)
    type_keys(p, "gk-phone-kb", "13812345678")
    pinyin(p, "gk-address-kb", [("huang", "黄"), ("tan", "潭"), ("zhen", "镇")])
    pinyin(p, "gk-info_description-kb", [("wen", "文"), ("jian", "件")])
    p.tap("gk-purpose-skip")
    p.tap("gk-form-item-1")
    p.tap("gk-delivery-item-2")
    type_keys(p, "gk-email-kb", "zs@qq.com")
    texts = " ".join(p.visible_texts())
    assert GOOD_ID not in texts and "13812345678" not in texts and "zs@qq.com" not in texts
    p.tap("gk-submit")
    p.run_until(lambda: p.exists("gk-number") or p.exists("gk-failed"), what="the receipt")
    assert p.text_of("gk-number").startswith("HTGK-")
    receipt = p.text_of("gk-receipt-text")
    assert "答复期限" in receipt and "20个工作日" in receipt
    alert = staff.wait_for("alert", lambda m: m.get("kind") == "disclosure_applied")
    assert alert["id"] == p.text_of("gk-number") and alert["reply_due"] in receipt
    assert p.app.top.form == {}
    assert p.check_layout() == []
