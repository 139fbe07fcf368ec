"""好差评 rules: the five levels, reasons for bad ratings, 先评价后办事 refused, the QR link."""

from __future__ import annotations

import pytest

from kiosk.core import evaluation as E


def test_the_five_levels_exactly():
    assert E.LEVELS == ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"))
    assert [E.label(n) for n in (5, 4, 3, 2, 1)] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert [E.is_bad(n) for n in (5, 4, 3, 2, 1)] == [False, False, False, True, True]


def test_rating_before_service_and_twice_are_refused():
    for state in (None, "waiting", "called", "serving", "no_show", "voided", "expired"):
        with pytest.raises(E.EvaluationError) as ei:
            E.check_rateable(state, False)
        assert ei.value.code == "not_served" and "先评价、后办事" in ei.value.message
    with pytest.raises(E.EvaluationError) as ei:
        E.check_rateable("completed", True)
    assert ei.value.code == "already_rated"
    E.check_rateable("completed", False)


def test_bad_ratings_need_a_reason_from_the_fixed_list():
    with pytest.raises(E.EvaluationError) as ei:
        E.validate(level=2)
    assert ei.value.code == "missing_field"
    with pytest.raises(E.EvaluationError) as ei:
        E.validate(level=1, reasons=["rude_guard"])
    assert ei.value.code == "bad_value"
    with pytest.raises(E.EvaluationError):
        E.validate(level=5, reasons=["wait_long"])
    r = E.validate(level=1, reasons=["wait_long", "attitude", "wait_long"], text=" 等了很久 ", channel="pad")
    assert r.bad and r.reasons == ("wait_long", "attitude") and r.text == "等了很久" and r.label == "非常不满意"
    assert E.reason_labels(r.reasons) == ["排队等候时间长", "服务态度不好"]
    assert not E.validate(level=3).bad


def test_text_phone_channel_and_level_limits():
    with pytest.raises(E.EvaluationError) as ei:
        E.validate(level=4, text="好" * 201)
    assert ei.value.code == "too_long"
    with pytest.raises(E.EvaluationError) as ei:
        E.validate(level=4, phone="12345")
    assert ei.value.code == "bad_phone" and "12345" not in ei.value.message
    assert E.validate(level=4, phone="138-1234-5678").phone == "13812345678"
    for bad in ({"level": 0}, {"level": 6}, {"level": True}, {"level": 4, "channel": "sms"}):
        with pytest.raises(E.EvaluationError):
            E.validate(**bad)


def test_qr_link_from_the_template():
    t = "https://pj.example.invalid/pj?site={site}&t={ticket}"
    assert E.qr_url(t, site="huangtan", ticket="20261129-A012") == \
        "https://pj.example.invalid/pj?site=huangtan&t=20261129-A012"
    assert E.template_problem(t) is None
    assert E.template_problem("https://x/?site={site}") == "must contain {ticket}"
    assert E.template_problem("https://x/?t={ticket}&u={user}") is not None


def test_summary_for_reports():
    s = E.summarise([5, 5, 4, 2, 1, 3])
    assert s["total"] == 6 and s["bad"] == 2 and s["satisfaction"] == round(4 / 6, 4)
    assert s["levels"]["非常满意"] == 2 and s["levels"]["非常不满意"] == 1
    assert E.summarise([])["satisfaction"] is None
