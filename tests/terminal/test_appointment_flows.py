"""预约办理, 预约签到 and the 24-hour home against a real mosquitto and a real hub whose calendar clock is
set by the test (the hub's office hours come from config/calendar.toml)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.terminal.messages import ScanResult

from ..conftest import HubThread
from .appointment_helpers import choose, type_keys, values

TZ = ZoneInfo("Asia/Shanghai")
PHONE = "13812345678"


def at(y, m, d, hh, mm=0) -> float:
    return datetime(y, m, d, hh, mm, tzinfo=TZ).timestamp()


@pytest.fixture
def calendar_hall(broker, real_cfg, tmp_path):
    """``make(now, **appointments)`` → (hub, clock, cfg): a hub with the hall calendar whose clock is
    ``clock["now"]``; the terminal gets the same cfg."""
    started: list[HubThread] = []
    clock = {"now": 0.0}

    def make(now: float, **settings):
        clock["now"] = now
        section = {**real_cfg.roles.get("appointments", {}), **settings}
        cfg = dataclasses.replace(real_cfg, roles={**real_cfg.roles, "appointments": section})
        h = HubThread(cfg, tmp_path / "st", broker.port, clock=lambda: clock["now"]).start()
        started.append(h)
        return h.hub, clock, cfg

    yield make
    for h in started:
        h.stop()


def ready(p) -> bool:
    s = p.terminal.session
    return s.connected and s.mode is not None and s.catalog is not None


def start_booking(p, category: str, item: str | None = None) -> None:
    choose(p, "menu", "book")
    choose(p, "book-cats", category)
    if item:
        choose(p, "book-items", item)
    else:
        p.tap("book-skip")
    p.run_until(lambda: p.exists("book-days"), what="the bookable days")


def test_book_a_slot_and_see_the_code(broker, calendar_hall, live_terminal, recorder):
    hub, clock, cfg = calendar_hall(at(2026, 11, 30, 9, 40))  # a Monday, open
    p = live_terminal(broker.port, cfg=cfg)
    p.run_until(lambda: ready(p), what="mode and catalogue")
    start_booking(p, "C", "rs-sbk-apply")
    choose(p, "book-days", "2026-11-30")
    assert values(p, "book-slots")[0] == "2026-11-30T10:00"  # 09:30 has started
    assert "剩余 2 个" in p.text_of("book-slots-item-0")
    choose(p, "book-slots", "2026-11-30T14:00")
    type_keys(p, "book-phone", PHONE)
    summary = p.text_of("book-summary")
    assert "138****5678" in summary and PHONE not in summary and "社会保障卡申领" in summary
    p.tap("book-submit")
    p.run_until(lambda: p.exists("done-code"), what="the booking code")
    code = p.text_of("done-code")
    assert len(code) == 6 and not set(code) & set("01OIL")
    assert p.widget("done-qr").data == f"http://192.168.10.2:8080/b/{code}"  # the booking's phone page
    assert "14:00-14:30" in p.text_of("done-when") and "人社业务" in p.text_of("done-when")
    assert "身份证" in p.text_of("done-doc")  # the item's materials from the catalogue
    assert p.check_layout() == []
    listed = recorder().call("appointment.list", date="2026-11-30")["result"]["appointments"]
    assert [(a["code"], a["slot"], a["phone"]) for a in listed] == [(code, "2026-11-30T14:00", "138****5678")]


def test_the_last_place_goes_elsewhere_and_the_suggested_slot_is_booked(broker, calendar_hall, live_terminal,
                                                                        recorder):
    hub, clock, cfg = calendar_hall(at(2026, 11, 30, 9, 40), capacity_by_category={"C": 1})
    p = live_terminal(broker.port, cfg=cfg)
    p.run_until(lambda: ready(p), what="mode and catalogue")
    start_booking(p, "C")
    choose(p, "book-days", "2026-11-30")
    choose(p, "book-slots", "2026-11-30T10:00")
    type_keys(p, "book-phone", PHONE)
    # while the resident reads the summary, another kiosk takes the only place
    taken = recorder().call("appointment.book", category="C", slot="2026-11-30T10:00", phone="13900000000")
    assert taken["ok"], taken
    p.tap("book-submit")
    p.run_until(lambda: p.exists("book-suggest"), what="slot_full with a suggestion")
    assert "约满" in p.text_of("full-body")
    assert "10:30-11:00" in p.text_of("book-suggest")
    assert p.check_layout() == []
    p.tap("book-suggest")
    p.run_until(lambda: p.exists("done-code"), what="the suggested slot booked")
    assert "10:30-11:00" in p.text_of("done-when")
    code = p.text_of("done-code")
    listed = recorder().call("appointment.list", date="2026-11-30", category="C")["result"]["appointments"]
    assert {(a["slot"], a["phone"]) for a in listed} == {("2026-11-30T10:00", "139****0000"),
                                                        ("2026-11-30T10:30", "138****5678")}
    assert code in {a["code"] for a in listed}
    # the day list now shows the full slot in words, disabled
    p.tap("go-home")
    start_booking(p, "C")
    choose(p, "book-days", "2026-11-30")
    full = values(p, "book-slots").index("2026-11-30T10:00")
    assert p.widget("book-slots").items[full].enabled is False
    assert "已约满" in p.widget("book-slots").items[full].label


def test_check_in_by_code_and_by_scan_goes_ahead_of_walk_ins(broker, calendar_hall, live_terminal, recorder):
    hub, clock, cfg = calendar_hall(at(2026, 11, 30, 8, 40))
    kiosk = recorder("call")
    booked = kiosk.call("appointment.book", category="C", slot="2026-11-30T09:00", phone=PHONE)["result"]
    other = kiosk.call("appointment.book", category="D", slot="2026-11-30T09:00", phone=PHONE)["result"]
    walk_ins = [kiosk.call("ticket.issue", category="C")["result"]["number"] for _ in range(2)]
    clock["now"] = at(2026, 11, 30, 8, 50)  # within ±15 minutes of 09:00
    p = live_terminal(broker.port, cfg=cfg)
    p.run_until(lambda: ready(p), what="mode and catalogue")
    assert "checkin" in values(p, "menu") and "take" in values(p, "menu")
    choose(p, "menu", "checkin")
    assert not any(p.exists(f"code-kb-key-{ch}") for ch in "01OIL")  # not in the code alphabet
    type_keys(p, "code-kb", "K7M")  # too short: said in words
    assert "6位" in p.text_of("code-error")
    p.tap("code-kb-key-clear")
    type_keys(p, "code-kb", booked["code"])
    p.run_until(lambda: p.exists("ticket-number"), what="the check-in ticket")
    number = p.text_of("ticket-number")
    assert number not in walk_ins and number.startswith("C")
    assert p.text_of("ticket-ahead") == "前面还有 0 人" and "优先" in p.text_of("checkin-note")
    assert p.check_layout() == []
    kiosk.press("w3", "next")
    assert kiosk.wait_for("call", lambda m: m["window"] == "w3")["number"] == number

    p.tap("go-home")
    p.post(ScanResult(text=f"HTYY|huangtan|{other['code']}"), 2)  # a scanner reads the booking QR
    assert p.app.top.key == "checkin"
    p.run_until(lambda: p.exists("ticket-number"), what="the scanned check-in")
    assert p.text_of("ticket-number").startswith("D")
    p.tap("go-home")
    choose(p, "menu", "checkin")
    type_keys(p, "code-kb", booked["code"])
    p.run_until(lambda: p.exists("checkin-error"), what="the second check-in refused")
    assert "已签到" in p.text_of("checkin-error")


def test_after_hours_home_comes_and_goes_with_the_hall_mode(broker, calendar_hall, live_terminal):
    hub, clock, cfg = calendar_hall(at(2026, 11, 30, 16, 0))
    p = live_terminal(broker.port, cfg=cfg)
    p.run_until(lambda: ready(p) and p.exists("hall-mode"), what="the open hall's home")
    assert values(p, "menu")[0] == "take"
    clock["now"] = at(2026, 11, 30, 19, 0)
    p.run_until(lambda: p.exists("after-banner"), what="the 24-hour self-service home")
    assert p.text_of("heading") == "24小时自助服务区"
    assert "12月01日 08:30" in p.text_of("after-banner") and "暂停现场取号" in p.text_of("after-banner")
    assert "take" not in values(p, "menu") and "checkin" not in values(p, "menu")
    assert {"book", "guides"} <= set(values(p, "menu"))
    assert "0728-5321003" in p.text_of("after-phones") and "12345" in p.text_of("after-phones")
    assert not p.exists("after-online")  # the shipped online_url is a placeholder: no QR code to nowhere
    assert p.check_layout() == []
    p.tap("mode-toggle")  # large print works the same
    assert p.exists("after-banner") and p.check_layout() == []
    clock["now"] = at(2026, 12, 1, 8, 30)
    p.run_until(lambda: p.exists("hall-mode"), what="the hall's home at opening")
    assert values(p, "menu")[0] == "take" and not p.exists("after-banner")
