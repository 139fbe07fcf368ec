"""Every terminal screen in normal and large print, portrait and landscape: a PNG for review under
test-output/screens/terminal/ and a clean layout check (nothing clipped or colliding, targets, contrast,
text size and choices per page at the mode's floor)."""

from __future__ import annotations

import pytest

from kiosk.bus.rpc import Reply
from kiosk.terminal.messages import Connection, ReplyIn
from kiosk.ui.theme import Mode

from ..qr import qr_texts
from .conftest import SHOTS

COMBOS = [(mode, orientation) for mode in Mode for orientation in ("portrait", "landscape")]


def reply(p, ok=True, result=None, code="", message=""):
    txn = p.terminal.session.link.sent and p.app.top.txn
    p.post(ReplyIn(reply=Reply(txn=txn, ok=ok, result=result, code=code or None, message=message or None)), 2)


TOKEN = "q3JkX0vY2mT8a1Bc"  # as the hub's reply carries it (16 URL-safe characters, 96 bits)
LINK = f"http://192.168.10.2:8080/t/{TOKEN}"  # config/huangtan.toml's [phone] base_url


def ticket(number="C012", priority=False, ahead=4, eta_s=1260):
    return {"ticket": f"20261129-{number}", "number": number, "category": number[0], "category_name": "人社业务",
            "priority": priority, "state": "waiting", "people_ahead": ahead, "eta_s": eta_s, "token": TOKEN}


# screens that show a ticket's QR code: a phone camera must read its link from the picture
QR_SCREENS = {"take-ticket": LINK, "take-ticket-no-window": LINK}


def walk(p):
    """Visit every screen state; yield a name for each."""
    yield "home"
    p.tap("menu-item-0")
    yield "take-choose"
    p.tap("cat-C")
    p.tap("green")
    yield "take-confirm"
    p.tap("take-confirm")
    yield "take-issuing"
    reply(p, result=ticket(priority=True))
    yield "take-ticket"
    p.tap("go-home")
    p.tap("menu-item-0")
    p.tap("cat-E")
    p.tap("take-confirm")
    reply(p, ok=False, code="past_closing", message="预计等候约 95 分钟，可能超过今天下班时间 17:30；可改为预约，或确认后仍然取号")
    yield "take-late"
    p.tap("late-accept")
    reply(p, ok=False, code="no_window", message="no window serves category E")
    yield "take-failed"
    p.tap("go-back")
    p.tap("cat-A")
    p.tap("take-confirm")
    reply(p, result=ticket("A001", ahead=0, eta_s=None))
    yield "take-ticket-no-window"
    p.tap("go-home")
    p.tap("menu-item-1")
    yield "guides-how"
    p.tap("how-department")
    yield "guides-departments"
    p.tap("list-departments-item-0")
    yield "guides-items"
    p.tap("list-items-item-0")
    yield "guides-detail"
    doc = p.app.top.root.find(f"guide-{p.app.top.item_id}")
    while p.exists(f"{doc.id}-next") and p.widget(f"{doc.id}-next").enabled:
        p.tap(f"{doc.id}-next")
    yield "guides-detail-last"
    p.tap("go-back")
    p.tap("go-back")
    p.tap("go-back")
    p.tap("how-event")
    yield "guides-events"
    p.tap("go-back")
    p.tap("how-search")
    yield "guides-search-empty"
    for ch in "SBK":
        p.tap(f"kb-key-{ch}")
    yield "guides-search"
    for ch in "QQQ":
        p.tap(f"kb-key-{ch}")
    yield "guides-search-none"
    p.tap("go-home")
    p.tap("menu-item-2")
    yield "help-menu"
    p.tap("help-call")
    yield "help-sending"
    reply(p, result={"alert": "h1", "state": "waiting", "kind": "desk", "phone": ""})
    yield "help-waiting"
    reply(p, result={"alert": "h1", "state": "acknowledged", "by": "咨询台王芳", "kind": "desk"})
    yield "help-acked"
    p.tap("go-home")
    p.tap("menu-item-2")
    p.tap("help-visit")
    yield "visit-group"
    p.tap("group-4")
    for d in "138":
        p.tap(f"phone-key-{d}")
    p.tap("phone-key-ok")
    yield "visit-phone-error"
    for d in "12345678":
        p.tap(f"phone-key-{d}")
    p.tap("phone-key-ok")
    yield "visit-address"
    p.tap("villages-item-2")
    yield "visit-confirm"
    p.tap("visit-submit")
    reply(p, result={"alert": "h2", "state": "waiting", "kind": "home_visit", "phone": "138****5678"})
    yield "visit-done"
    p.tap("go-home")
    p.tap("menu-item-3")
    yield "phones"
    p.post(Connection(connected=False), 2)
    yield "phones-offline"
    p.tap("go-home")
    yield "home-offline"


@pytest.mark.parametrize("mode, orientation", COMBOS)
def test_every_screen_renders_cleanly(offline_terminal, mode, orientation):
    p = offline_terminal(mode, orientation)
    problems, seen = [], []
    for name in walk(p):
        seen.append(name)
        shot = p.screenshot(SHOTS / f"{name}-{mode.value}-{orientation}.png")
        problems += [f"{name}: {x}" for x in p.check_layout()]
        if name in QR_SCREENS:
            assert qr_texts(shot) == [QR_SCREENS[name]], name
        assert p.exists("mode-toggle"), name  # 长辈模式 switch on every screen
        assert p.exists("go-home") != (p.app.top.key == "home"), name
    assert len(seen) == 29
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("mode, orientation", COMBOS)
def test_loading_and_idle_warning_render_cleanly(offline_terminal, mode, orientation):
    p = offline_terminal(mode, orientation, fed=False)
    p.post(Connection(connected=True))
    p.tap("menu-item-1")
    assert p.text_of("loading-text") == "正在加载…"
    p.screenshot(SHOTS / f"guides-loading-{mode.value}-{orientation}.png")
    assert p.check_layout() == []
    if mode is Mode.LARGE:
        p.advance(121, dt=0.5)
        assert p.app.top.key == "idle"
        p.screenshot(SHOTS / f"idle-warning-{mode.value}-{orientation}.png")
        assert p.check_layout() == []
