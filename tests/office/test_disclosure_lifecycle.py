"""政府信息公开申请 after 受理 on a real hub and broker: 补正 stops the clock, 延期 once, 答复 with its kind,
办结; the due-soon and overdue alerts on the hall's working days; the audited unmasked view."""

from __future__ import annotations

from datetime import date, timedelta


from kiosk.core.cases import add_working_days
from kiosk.core.disclosure import working_days_between
from tests.test_voice import at
from tests.test_voice_disclosure import FORM, ID_OK, PHONE



def _day(d: date) -> float:
    return at(d.year, d.month, d.day)


def test_correction_extension_answer_close_with_alerts(hall):
    cal = hall.hub.info.schedule.calendar.is_working_day
    number = hall.ok("disclosure.apply", **FORM)["application"]
    g = hall.ok("disclosure.get", application=number)
    assert g["state_label"] == "办理中" and g["reply_due"] == "2026-12-28" and g["clock_running"]
    assert [s["action"] for s in g["history"]] == ["receive"] and g["views"] == []

    hall.move_to(at(2026, 12, 1))
    err = hall.error("disclosure.advance", application=number, action="correct", by="刘")
    assert err["code"] == "missing_field" and "理由" in err["message"]
    c = hall.ok("disclosure.advance", application=number, action="correct", by="刘", note="请写明道路项目所在村")
    assert c["state_label"] == "待补正" and not c["clock_running"]
    assert c["correction_until"] == add_working_days(date(2026, 12, 1), 15, cal).isoformat()
    assert hall.error("disclosure.advance", application=number, action="answer", by="刘",
                      answer_kind="public")["code"] == "illegal"

    hall.move_to(at(2026, 12, 4))  # the completed request arrives on Friday: 3 working days stood still
    c = hall.ok("disclosure.advance", application=number, action="corrected", by="刘")
    due = add_working_days(date(2026, 12, 4), 20, cal)
    assert c["paused_days"] == 3 and c["reply_due"] == due.isoformat() and c["clock_running"]
    assert hall.error("disclosure.advance", application=number, action="correct", by="刘",
                      note="again")["code"] == "illegal"  # 一次性告知: once only

    c = hall.ok("disclosure.advance", application=number, action="extend", by="王主任", note="需征求第三方意见")
    due = add_working_days(due, 20, cal)
    assert c["extended"] and c["reply_due"] == due.isoformat() and c["extension_reason"] == "需征求第三方意见"
    err = hall.error("disclosure.advance", application=number, action="extend", by="王主任", note="再延")
    assert err["code"] == "illegal" and "第三十三条" in err["message"]

    warn_day = next(d for d in (date(2026, 12, 5) + timedelta(n) for n in range(90))
                    if cal(d) and working_days_between(d, due, cal) <= 3)
    hall.move_to(_day(warn_day))
    soon = hall.r.wait_for("alert", lambda a: a.get("kind") == "disclosure_due_soon")
    assert soon["application"] == number and soon["reply_due"] == due.isoformat() and "还剩3个工作日" in soon["text"]
    hall.move_to(_day(due + timedelta(1)))
    late = hall.r.wait_for("alert", lambda a: a.get("kind") == "disclosure_overdue")
    assert late["application"] == number and due.isoformat() in late["text"]
    assert hall.ok("disclosure.list")["applications"][0]["overdue"] is True
    assert sum(1 for t, _, _ in hall.r.messages if t.endswith("/alert")) >= 2

    assert hall.error("disclosure.advance", application=number, action="answer", by="刘")["code"] == "missing_field"
    a = hall.ok("disclosure.advance", application=number, action="answer", by="刘", answer_kind="partial",
                note="涉及个人隐私部分不予公开")
    assert a["state_label"] == "已答复" and a["answer_label"] == "部分公开" and a["on_time"] is False
    assert not a["overdue"] and not hall.ok("disclosure.list")["applications"][0]["overdue"]
    done = hall.ok("disclosure.advance", application=number, action="close", by="刘")
    assert done["state_label"] == "已办结" and [s["action"] for s in done["history"]] == [
        "receive", "correct", "corrected", "extend", "answer", "close"]
    assert hall.error("disclosure.advance", application="HTGK-2026-0999", action="close",
                      by="刘")["code"] == "unknown_application"


def test_unmasked_view_is_recorded_and_goes_to_the_asker_alone(hall):
    number = hall.ok("disclosure.apply", **FORM)["application"]
    assert hall.error("disclosure.reveal", application=number, by="王主任", reason=" ")["code"] == "missing_field"
    shown = hall.ok("disclosure.reveal", application=number, by="王主任", reason="电话联系申请人补正")
    assert shown["name"] == "张小三" and shown["id_number"] == ID_OK and shown["phone"] == PHONE
    again = hall.ok("disclosure.reveal", application=number, by="李", reason="邮寄答复书")
    assert again["address"] == FORM["address"]
    g = hall.ok("disclosure.get", application=number)
    assert [(v["by"], v["reason"]) for v in g["views"]] == [("王主任", "电话联系申请人补正"), ("李", "邮寄答复书")]
    assert g["name"] == "张*三" and g["phone"] == "138****5678"
    # the full number crossed the bus only in the replies to the asking device
    with hall.r.lock:
        carrying = {t for t, p, _ in hall.r.messages if ID_OK.encode() in p and "/request/" not in t}
    assert carrying == {f"{hall.r.root}device/{hall.r.device}/reply"}
    hall.stop()
    with hall.db() as db:
        stored = db.execute("SELECT reply FROM replies").fetchall()
        audit = db.execute("SELECT number, by, reason FROM disclosure_views").fetchall()
    assert not any(ID_OK in r[0] for r in stored)  # the unmasked reply is never kept for retries
    assert audit == [(number, "王主任", "电话联系申请人补正"), (number, "李", "邮寄答复书")]
