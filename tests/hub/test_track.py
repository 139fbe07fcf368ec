"""``ticket.track`` and ``appointment.lookup``: what the visitor's phone pages may learn, and only through
the ``web`` identity on a provisioned hall. A ticket is found by its token only, on its own business day;
nothing personal comes back."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import HubThread, own_store

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh, mm=0) -> float:
    return datetime(y, m, d, hh, mm, tzinfo=TZ).timestamp()


@pytest.fixture
def clock():
    return {"now": at(2026, 12, 1, 10)}


@pytest.fixture
def strict_hub(broker, hall_cfg, tmp_path, clock):
    cfg = dataclasses.replace(hall_cfg, broker=dataclasses.replace(hall_cfg.broker, username="hub"),
                              roles=dict(hall_cfg.roles, provision={"web": ["web"]}))
    h = HubThread(cfg, tmp_path / "state", broker.port, clock=lambda: clock["now"]).start()
    yield h.hub
    h.stop()


def test_a_ticket_followed_from_waiting_to_rated(strict_hub, recorder):
    kiosk = recorder(device="kiosk-1")
    web = recorder(device="web")
    btn = recorder("window/+/state", device="btn-w3")
    first = kiosk.call("ticket.issue", category="C")["result"]
    mine = kiosk.call("ticket.issue", category="C")["result"]
    got = web.call("ticket.track", tokens=[mine["token"]])["result"]["tickets"][mine["token"]]
    assert got["number"] == mine["number"] and got["business"] == "人社业务" and got["state"] == "waiting"
    assert got["people_ahead"] == 1 and got["window"] is None and got["rateable"] is False
    assert got["expires_at"] == at(2026, 12, 2, 0)  # the end of the business day, hall time
    assert set(got) == {"ticket", "number", "category", "business", "state", "people_ahead", "eta_s", "window",
                        "called_at", "recalls", "rateable", "rated", "day", "expires_at"}  # nothing personal

    btn.press("w3", "next", device="btn-w3")  # the first visitor
    btn.press("w3", "complete", device="btn-w3")
    btn.press("w3", "next", device="btn-w3")  # now mine
    btn.wait_for("window/w3/state", lambda s: (s["ticket"] or {}).get("number") == mine["number"])
    got = web.call("ticket.track", tokens=[mine["token"], first["token"]])["result"]["tickets"]
    assert got[mine["token"]]["state"] == "called" and got[mine["token"]]["window"]["number"] == 3
    assert got[mine["token"]]["people_ahead"] is None and got[first["token"]]["rateable"] is True

    btn.press("w3", "complete", device="btn-w3")
    btn.wait_for("window/w3/state", lambda s: s["ticket"] is None and s["served"] == 2)
    assert web.call("ticket.track", tokens=[mine["token"]])["result"]["tickets"][mine["token"]]["rateable"]
    ok = web.call("evaluation.submit", ticket=mine["ticket"], token=mine["token"], level=2,
                  reasons=["wait_long"], channel="qr")
    assert ok["ok"], ok
    again = web.call("evaluation.submit", ticket=mine["ticket"], token=mine["token"], level=5, channel="qr")
    assert again["ok"] is False and again["error"]["code"] == "already_rated"
    got = web.call("ticket.track", tokens=[mine["token"]])["result"]["tickets"][mine["token"]]
    assert got["rateable"] is False and got["rated"] is True
    with own_store(strict_hub) as store:
        row = store.rows("SELECT channel, level FROM evaluations WHERE ticket=?", (mine["ticket"],))
    assert row == [{"channel": "qr", "level": 2}]


def test_numbers_and_guesses_find_nothing_and_only_web_may_ask(strict_hub, recorder):
    kiosk = recorder(device="kiosk-1")
    web = recorder(device="web")
    t = kiosk.call("ticket.issue", category="A")["result"]
    guesses = ["A001A001A001A001", t["ticket"].replace("-", "") + "xxxxxxxx", "x" * 16, t["token"].swapcase()]
    assert web.call("ticket.track", tokens=guesses)["result"]["tickets"] == {}
    for bad in (["A001"], [t["token"] + "/.."], "not-a-list", ["x" * 65]):
        rep = web.call("ticket.track", tokens=bad)
        assert rep["ok"] is False and rep["error"]["code"] in ("bad_value", "bad_type", "too_long"), rep
    rep = web.call("ticket.track", tokens=["x" * 16] * 201)
    assert rep["ok"] is False and rep["error"]["code"] == "too_long"
    for who in ("kiosk-1", "display-1", "btn-w1", "staff-desk"):
        rep = recorder(device=who).call("ticket.track", tokens=[t["token"]])
        assert rep["ok"] is False and rep["error"]["code"] == "forbidden", (who, rep)


def test_a_tickets_page_expires_with_its_business_day(strict_hub, recorder, clock):
    kiosk = recorder(device="kiosk-1")
    web = recorder(device="web")
    t = kiosk.call("ticket.issue", category="A")["result"]
    clock["now"] = at(2026, 12, 1, 23, 59)
    assert t["token"] in web.call("ticket.track", tokens=[t["token"]])["result"]["tickets"]
    clock["now"] = at(2026, 12, 2, 0, 1)  # no new day started in the hub yet: expired all the same
    assert web.call("ticket.track", tokens=[t["token"]])["result"]["tickets"] == {}
    clock["now"] = at(2026, 12, 2, 8, 31)
    kiosk.call("ticket.issue", category="A")  # the hub starts the new day
    assert web.call("ticket.track", tokens=[t["token"]])["result"]["tickets"] == {}


def test_a_booking_page_has_the_slot_the_windows_and_no_phone(broker, real_cfg, tmp_path, recorder):
    cfg = dataclasses.replace(real_cfg, broker=dataclasses.replace(real_cfg.broker, username="hub"),
                              roles=dict(real_cfg.roles, provision={"web": ["web"]}))
    now = {"t": at(2026, 12, 1, 9)}  # a Tuesday
    h = HubThread(cfg, tmp_path / "st", broker.port, clock=lambda: now["t"]).start()
    try:
        kiosk = recorder(device="kiosk-1")
        web = recorder(device="web")
        slots = kiosk.call("appointment.slots", category="C", date="2026-12-02")["result"]["slots"]
        booked = kiosk.call("appointment.book", category="C", slot=slots[0]["slot"], phone="13812345678")
        assert booked["ok"], booked
        code = booked["result"]["code"]
        got = web.call("appointment.lookup", code=code.lower())["result"]
        assert got["code"] == code and got["date"] == "2026-12-02" and got["category_name"] == "人社业务"
        assert {w["number"] for w in got["windows"]} == {3} and got["grace_minutes"] == 15  # 人社: its domain window
        assert "phone" not in got and "13812345678" not in str(got) and "5678" not in str(got)
        assert web.call("appointment.lookup", code="ZZZZZZ")["error"]["code"] == "unknown_appointment"
        assert kiosk.call("appointment.lookup", code=code)["error"]["code"] == "forbidden"
    finally:
        h.stop()


def test_people_ahead_for_many_at_once_is_what_each_ticket_alone_says(strict_hub, recorder):
    kiosk = recorder(device="kiosk-1")
    web = recorder(device="web")
    btn = recorder("window/+/state", device="btn-w3")
    issued = [kiosk.call("ticket.issue", category="C", priority=(i % 4 == 1))["result"] for i in range(12)]
    issued += [kiosk.call("ticket.issue", category="A")["result"] for _ in range(3)]
    btn.press("w3", "next", device="btn-w3")
    btn.wait_for("window/w3/state", lambda s: s["ticket"] is not None)
    got = web.call("ticket.track", tokens=[t["token"] for t in issued])["result"]["tickets"]
    for t in issued:
        alone = kiosk.call("ticket.info", ticket=t["ticket"])["result"]
        mine = got[t["token"]]
        assert mine["state"] == alone["state"], t["number"]
        if alone["state"] == "waiting":
            assert (mine["people_ahead"], mine["eta_s"]) == (alone["people_ahead"], alone["eta_s"]), t["number"]
