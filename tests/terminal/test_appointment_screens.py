"""The 24-hour home, 预约办理 and 预约签到 in normal and large print, portrait and landscape: a PNG of
every state under test-output/screens/terminal/ and a clean layout check."""

from __future__ import annotations

import pytest

from kiosk.terminal.messages import ModeIn, ScanResult
from kiosk.ui.theme import Mode

from .appointment_helpers import (APPOINTMENT_MODE, CLOSED_MODE, HOLIDAY_MODE, choose, post_reply, sample_slots,
                                  type_keys)
from ..qr import qr_texts
from .conftest import SAMPLE_MODE, SHOTS

COMBOS = [(mode, orientation) for mode in Mode for orientation in ("portrait", "landscape")]

BOOKED = {"code": "K7M3QX", "category": "C", "category_name": "人社业务", "date": "2026-11-30",
          "slot": "2026-11-30T09:30", "start": "09:30", "end": "10:00", "at": 0.0, "kind": "walk_in",
          "provisional": False, "phone": "138****5678",
          "items": [{"id": "rs-sbk-apply", "name": "社会保障卡申领",
                     "materials": ["申领人居民身份证（原件）", "本人近期免冠彩色证件照（原件）"]}],
          "materials": ["申领人居民身份证（原件）", "本人近期免冠彩色证件照（原件）"],
          "checkin": "请于 11月30日 09:30 前后 15 分钟内凭预约码到自助机签到取号"}


TOKEN = "Zp4Lw9Qe1rTy7UiO"
QR_SCREENS = {"book-done": "http://192.168.10.2:8080/b/K7M3QX",  # the booking's phone page
              "checkin-ticket": f"http://192.168.10.2:8080/t/{TOKEN}",  # the ticket's
              "checkin-ticket-late": f"http://192.168.10.2:8080/t/{TOKEN}"}


def checked_in(placement="on_time", note="预约签到成功，已为您优先排号"):
    return {"ticket": "20261130-C004", "number": "C004", "category": "C", "category_name": "人社业务",
            "priority": False, "state": "waiting", "people_ahead": 0, "eta_s": 60, "token": TOKEN,
            "appointment": {"code": "K7M3QX", "slot": "2026-11-30T09:30", "start": "09:30", "end": "10:00",
                            "placement": placement}, "note": note}


def walk(p):
    p.post(ModeIn(mode=CLOSED_MODE), 2)
    yield "home-24h"
    p.post(ModeIn(mode=HOLIDAY_MODE), 2)
    yield "home-24h-holiday"
    p.post(ModeIn(mode=APPOINTMENT_MODE), 2)
    yield "home-24h-appointment-only"
    p.post(ModeIn(mode=SAMPLE_MODE), 2)
    yield "home-open"
    choose(p, "menu", "book")
    yield "book-category"
    choose(p, "book-cats", "C")
    yield "book-item"
    choose(p, "book-items", "rs-sbk-apply")
    yield "book-loading"
    post_reply(p, result={"category": "C", "category_name": "人社业务", "slots": sample_slots()})
    yield "book-day"
    choose(p, "book-days", "2026-11-30")
    yield "book-slot"
    choose(p, "book-slots", "2026-11-30T08:30")
    yield "book-phone"
    type_keys(p, "book-phone", "138")
    yield "book-phone-error"
    type_keys(p, "book-phone", "12345678")
    yield "book-confirm"
    p.tap("book-submit")
    yield "book-sending"
    post_reply(p, ok=False, code="slot_full", message="11月30日 08:30 的人社业务预约已满，最近可约时段 2026-11-30T09:30",
               error={"code": "slot_full", "suggest": "2026-11-30T09:30"})
    yield "book-full"
    p.tap("book-suggest")
    post_reply(p, result=BOOKED)
    yield "book-done"
    p.tap("go-home")
    choose(p, "menu", "book")
    choose(p, "book-cats", "C")
    p.tap("book-skip")
    post_reply(p, ok=False, code="not_bookable", message="人社业务暂不开放预约")
    yield "book-failed"
    p.tap("go-home")
    choose(p, "menu", "checkin")
    yield "checkin-enter"
    type_keys(p, "code-kb", "K7M")
    yield "checkin-bad"
    type_keys(p, "code-kb", "3QX")
    yield "checkin-sending"
    post_reply(p, result=checked_in())
    yield "checkin-ticket"
    p.tap("go-home")
    p.post(ScanResult(text="http://192.168.10.2:8080/b/K7M3QX"), 2)  # the booking's link, read by the scanner
    post_reply(p, result=checked_in("late", "您已迟到（预约时段 09:30-10:00），按现场取号顺序排队"))
    yield "checkin-ticket-late"
    p.tap("go-home")
    choose(p, "menu", "checkin")
    type_keys(p, "code-kb", "ZZZZZZ")
    post_reply(p, ok=False, code="unknown_appointment", message="没有预约码 ZZZZZZ，请核对")
    yield "checkin-failed"


@pytest.mark.parametrize("mode, orientation", COMBOS)
def test_appointment_screens_render_cleanly(offline_terminal, mode, orientation):
    p = offline_terminal(mode, orientation)
    problems, seen = [], []
    for name in walk(p):
        seen.append(name)
        shot = p.screenshot(SHOTS / f"{name}-{mode.value}-{orientation}.png")
        problems += [f"{name}: {x}" for x in p.check_layout()]
        if name in QR_SCREENS:
            assert qr_texts(shot) == [QR_SCREENS[name]], name
        assert p.exists("mode-toggle"), name
    assert len(seen) == 22
    assert problems == [], "\n".join(problems)
