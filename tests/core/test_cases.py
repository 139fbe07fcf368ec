"""The rectification ledger: the transition table, the call-back rule, deadlines and overdue."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.core import cases as K

MON = date(2026, 11, 30)
DL = K.Deadlines(verify_days=2, rectify_days=5, callback_days=1)


def weekdays(d: date) -> bool:
    return d.weekday() < 5


def new(phone: str | None = "13812345678", **kw) -> K.Case:
    return K.open_case(id="c1", source="evaluation", now=1000.0, today=MON, deadlines=DL, is_working=weekdays,
                       phone=phone, window="w3", ticket="20261130-C001", level=1, reasons=("wait_long",), **kw)


def test_working_days():
    assert K.add_working_days(MON, 0, weekdays) == MON
    assert K.add_working_days(MON, 2, weekdays) == date(2026, 12, 2)
    assert K.add_working_days(date(2026, 12, 4), 1, weekdays) == date(2026, 12, 7)  # Friday → Monday
    assert K.add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 5)  # no calendar: plain days
    holiday = {date(2026, 12, 1)}
    assert K.add_working_days(MON, 2, lambda d: weekdays(d) and d not in holiday) == date(2026, 12, 3)


def test_full_lifecycle_with_history_and_deadlines():
    c = new()
    assert c.state is K.CaseState.VERIFYING and c.state_label == "待核实" and c.deadline == "2026-12-02"
    c = K.advance(c, "verify", by="王主任", note="情况属实", now=2000.0, today=date(2026, 12, 1), deadlines=DL,
                  is_working=weekdays)
    assert c.state_label == "整改中" and c.deadline == "2026-12-08" and c.stage_since == "2026-12-01"
    c = K.advance(c, "rectify", by="李", now=3000.0, today=date(2026, 12, 3), deadlines=DL, is_working=weekdays)
    assert c.state_label == "待回访" and c.deadline == "2026-12-04"
    c = K.advance(c, "callback", by="李", now=4000.0, today=date(2026, 12, 4), deadlines=DL,
                  callback_result="满意", is_working=weekdays)
    assert c.state_label == "已办结" and c.deadline is None and c.closed_at == 4000.0
    assert c.callback_result == "满意" and not c.open and not c.overdue(date(2030, 1, 1))
    assert [s.action for s in c.history] == ["open", "verify", "rectify", "callback"]
    assert c.history[1].by == "王主任" and c.history[1].note == "情况属实" and c.history[1].from_state == "verifying"
    assert K.Case.from_dict(c.to_dict(), c.phone) == c
    assert "phone" not in c.to_dict()


def test_illegal_steps_leave_the_case_unchanged():
    c = new()
    for action in ("rectify", "callback", "close", "reopen"):
        with pytest.raises(K.CaseError) as ei:
            K.advance(c, action, by="王", now=1.0, today=MON, deadlines=DL)
        assert ei.value.code == "illegal"
    with pytest.raises(K.CaseError) as ei:
        K.advance(c, "verify", by=" ", now=1.0, today=MON, deadlines=DL)
    assert ei.value.code == "missing_field"
    with pytest.raises(K.CaseError):
        K.advance(c, "verify", by="王", now=1.0, today=MON, deadlines=DL, callback_result="满意")
    assert c == new()


def test_a_case_with_a_phone_cannot_close_without_its_call_back():
    c = new()
    c = K.advance(c, "verify", by="王", now=1.0, today=MON, deadlines=DL)
    c = K.advance(c, "rectify", by="王", now=2.0, today=MON, deadlines=DL)
    with pytest.raises(K.CaseError) as ei:
        K.advance(c, "close", by="王", now=3.0, today=MON, deadlines=DL)
    assert ei.value.code == "callback_required"
    with pytest.raises(K.CaseError) as ei:
        K.advance(c, "callback", by="王", now=3.0, today=MON, deadlines=DL)
    assert ei.value.code == "missing_field"
    with pytest.raises(K.CaseError):
        K.advance(c, "callback", by="王", now=3.0, today=MON, deadlines=DL, callback_result="还行")
    # the phone purged by retention still does not allow closing without a call-back
    with pytest.raises(K.CaseError):
        K.advance(K.forget_phone(c), "close", by="王", now=3.0, today=MON, deadlines=DL)
    back = K.advance(c, "callback", by="王", now=3.0, today=MON, deadlines=DL, callback_result="不满意")
    assert back.state is K.CaseState.RECTIFYING and back.callback_result == "不满意" and back.open
    assert back.reopened == 1 and back.deadline == "2026-12-05" and back.closed_at is None
    assert back.history[-1].to_state == "rectifying" and back.history[-1].result == "不满意"
    again = K.advance(back, "rectify", by="王", now=4.0, today=MON, deadlines=DL, note="重新整改")
    done = K.advance(again, "callback", by="王", now=5.0, today=MON, deadlines=DL, callback_result="满意")
    assert done.state is K.CaseState.CLOSED and done.callback_result == "满意" and done.reopened == 1


def test_a_case_without_phone_may_close_after_rectification():
    c = new(phone=None)
    c = K.advance(c, "verify", by="王", now=1.0, today=MON, deadlines=DL)
    c = K.advance(c, "rectify", by="王", now=2.0, today=MON, deadlines=DL)
    c = K.advance(c, "close", by="王", now=3.0, today=MON, deadlines=DL, note="无法联系")
    assert c.state is K.CaseState.CLOSED and c.callback_result is None


def test_overdue_after_the_deadline_day_and_alerted_once_per_stage():
    c = new()
    assert not c.overdue(date(2026, 12, 2))
    assert c.overdue(date(2026, 12, 3)) and c.needs_overdue_alert(date(2026, 12, 3))
    c = c.overdue_alert_sent()
    assert c.overdue(date(2026, 12, 4)) and not c.needs_overdue_alert(date(2026, 12, 4))
    c = K.advance(c, "verify", by="王", now=1.0, today=date(2026, 12, 4), deadlines=DL, is_working=weekdays)
    assert not c.overdue(date(2026, 12, 4))
    assert c.needs_overdue_alert(date(2026, 12, 31))


def test_transition_table_is_the_only_way():
    assert K.TRANSITIONS[K.CaseState.CLOSED] == {}
    assert set(K.ACTIONS) == {a for moves in K.TRANSITIONS.values() for a in moves}
    assert [K.STATE_LABELS[s] for s in K.CaseState] == ["待核实", "整改中", "待回访", "申诉复核中", "已办结"]


def test_an_appeal_upheld_closes_and_is_kept_out_of_the_rate():
    c = K.advance(new(), "verify", by="王", now=1.0, today=MON, deadlines=DL, is_working=weekdays)
    with pytest.raises(K.CaseError) as ei:  # grounds and a reason are required
        K.advance(c, "appeal", by="李", now=2.0, today=MON, deadlines=DL, grounds="mistaken")
    assert ei.value.code == "missing_field"
    a = K.advance(c, "appeal", by="李", now=2.0, today=MON, deadlines=DL, grounds="mistaken",
                  note="群众评价时按错了，已电话确认", is_working=weekdays)
    assert a.state is K.CaseState.APPEAL and a.deadline == "2026-12-07" and a.appeal["from"] == "rectifying"
    with pytest.raises(K.CaseError):
        K.advance(a, "decide", by="主任", now=3.0, today=MON, deadlines=DL, decision="upheld")  # no reason
    d = K.advance(a, "decide", by="主任", now=3.0, today=MON, deadlines=DL, decision="upheld",
                  note="录音核实为误评")
    assert d.state is K.CaseState.CLOSED and d.appeal_upheld and d.appeal["decision_reason"] == "录音核实为误评"
    assert K.Case.from_dict(d.to_dict(), d.phone) == d
    with pytest.raises(K.CaseError) as ei:
        K.advance(d, "appeal", by="李", now=4.0, today=MON, deadlines=DL, grounds="mistaken", note="x")
    assert ei.value.code == "illegal"


def test_a_rejected_appeal_goes_back_and_cannot_be_repeated():
    a = K.advance(new(), "appeal", by="李", now=2.0, today=MON, deadlines=DL, grounds="malicious", note="重复差评")
    r = K.advance(a, "decide", by="主任", now=3.0, today=MON, deadlines=DL, decision="rejected", note="证据不足")
    assert r.state is K.CaseState.VERIFYING and not r.appeal_upheld and r.appeal["decision"] == "rejected"
    with pytest.raises(K.CaseError) as ei:
        K.advance(r, "appeal", by="李", now=4.0, today=MON, deadlines=DL, grounds="malicious", note="再申诉")
    assert ei.value.code == "illegal"
    fb = K.open_case(id="c2", source="feedback", now=1.0, today=MON, deadlines=DL, summary="办不成")
    with pytest.raises(K.CaseError):  # only a rating can be appealed
        K.advance(fb, "appeal", by="李", now=2.0, today=MON, deadlines=DL, grounds="mistaken", note="x")


def test_a_hotline_order_is_overdue_after_its_own_deadline():
    c = K.open_case(id="c3", source="hotline", now=1.0, today=MON, deadlines=DL, ref="GD20261130001",
                    summary="反映窗口午休无人", order_deadline="2026-12-01")
    assert c.deadline == "2026-12-02" and not c.overdue(date(2026, 12, 1)) and c.overdue(date(2026, 12, 2))
    assert K.Case.from_dict(c.to_dict()) == c
