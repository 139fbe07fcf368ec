"""Every page of the pad in large and normal print, landscape and portrait, 10 and 7 inch: PNGs in
test-output/screens/pad/ and clean layout checks; the five levels equal; the flow driven by taps."""

from __future__ import annotations

import pytest

from kiosk.bus.client import Inbound
from kiosk.core import evaluation as E
from kiosk.pad.flow import Stage
from kiosk.protocol import encode

from .conftest import SHOTS, SIZES, make_pilot, offer, online, staff_message, topics

# Large print needs a 10-inch pad: a 7-inch panel cannot hold five 22 mm targets and a heading; it runs
# normal print (docs/pad.md).
COMBOS = [(o, p, s) for o in ("landscape", "portrait") for p in ("large", "normal") for s in SIZES
          if (p, s) != ("large", "7in")]


def _check(pilot, name: str) -> None:
    problems = pilot.check_layout()
    path = pilot.screenshot(SHOTS / f"{name}.png")
    assert path.stat().st_size > 5000
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("orientation, print_, size", COMBOS)
def test_every_page_renders_cleanly(orientation, print_, size):
    dpi = 150.0 if size == "10in" else 170.0
    sent: list = []
    pilot, screen, wall = make_pilot(orientation=orientation, print_=print_, size=SIZES[size], dpi=dpi, sent=sent)
    tag = f"{orientation}-{print_}-{size}"
    with pilot:
        online(pilot)
        _check(pilot, f"idle-nostaff-{tag}")
        assert "3号窗口 人社窗口" in pilot.text_of("idle-window") and not pilot.exists("staff-name")
        pilot.post(Inbound(*staff_message(), retain=True))
        _check(pilot, f"idle-{tag}")
        assert pilot.text_of("staff-name") == "王芳" and "HT0307" in pilot.text_of("staff-no")
        assert pilot.exists("staff-photo")
        offer(pilot)
        _check(pilot, f"levels-{tag}")
        buttons = [pilot.widget(f"level-{n}") for n, _ in E.LEVELS]
        assert [b.label for b in buttons] == [label for _, label in E.LEVELS]
        assert len({b.rect.size for b in buttons}) == 1, "every level has the same cell"
        assert len({b.runs[0].size for b in buttons}) == 1, "every level has the same text size"
        assert len({b.tone for b in buttons}) == 1 and not any("■" in b.label for b in buttons)
        # how it works, said once: under the list, or in the cell the 3×2 grid would leave empty
        assert pilot.text_of("hint").replace("\n", "") == "请选择一项，选好即提交"
        if orientation == "landscape":
            assert pilot.widget("hint").rect.size == buttons[0].rect.size
        pilot.tap("level-1")
        _check(pilot, f"reasons-{tag}")
        assert not pilot.widget("reasons-done").enabled
        pilot.tap("reason-attitude")
        assert "■" in pilot.text_of("reason-attitude")
        pilot.tap("reasons-next")
        _check(pilot, f"reasons-page2-{tag}")
        pilot.tap("reasons-done")
        assert screen.flow.state.stage is Stage.SENDING and sent[-1].reasons == ("attitude",)
        _check(pilot, f"sending-{tag}")
        reply = {"txn": sent[-1].txn, "ok": True, "result": {}}
        pilot.post(Inbound(topics().reply("pad-w3"), encode(reply)), frames=2)
        _check(pilot, f"thanks-{tag}")
        offer(pilot, ticket="20251129-C013", number="C013")
        pilot.tap("level-5")
        pilot.clock.advance(15)
        pilot.frames(2)
        assert screen.flow.state.stage is Stage.FAILED and pilot.exists("retry")
        _check(pilot, f"failed-{tag}")


def test_a_bad_rating_without_a_reason_cannot_be_sent():
    pilot, screen, _ = make_pilot()
    with pilot:
        online(pilot)
        offer(pilot)
        pilot.tap("level-2")
        pilot.tap("reasons-done")  # disabled: nothing happens
        assert screen.flow.state.stage is Stage.REASONS


def test_offline_marker_and_a_pending_rating_replaced_by_the_next_completion():
    sent: list = []
    pilot, screen, wall = make_pilot(sent=sent)
    with pilot:
        online(pilot)
        offer(pilot)
        pilot.tap("level-2")
        offer(pilot, ticket="20251129-C013", number="C013")
        assert screen.flow.state.stage is Stage.LEVELS and "C013" in pilot.text_of("ticket")
        pilot.post(Inbound("", connected=False))
        pilot.advance(3)
        assert "离线" in pilot.text_of("offline")
        _check(pilot, "levels-offline-landscape-large-10in")
        assert sent == []


def test_quiet_minute_returns_to_idle():
    pilot, screen, _ = make_pilot()
    with pilot:
        online(pilot)
        offer(pilot)
        pilot.advance(61, dt=1.0)
        assert screen.flow.state.stage is Stage.IDLE and pilot.exists("idle-window")


def test_a_malformed_offer_changes_nothing():
    pilot, screen, _ = make_pilot()
    with pilot:
        online(pilot)
        for bad in (b"{", encode({"window": "w3", "ticket": "x y", "number": "C1", "at": 1.0}),
                    encode({"window": "w3", "ticket": "20251129-C012", "number": "c12", "at": 1.0}),
                    encode({"window": "w3", "staff": 5}),
                    b'{"v":1,"window":"w3","ticket":"20251129-C012","number":"C012","at":NaN}',
                    encode({"window": "w3", "ticket": "20251129-C012", "number": "C012", "at": 1e300})):
            pilot.post(Inbound(topics().window_evaluation("w3"), bad, retain=True))
            pilot.post(Inbound(topics().window_staff("w3"), bad, retain=True))
        assert screen.flow.state.stage is Stage.IDLE and screen.staff is None


def test_a_new_day_returns_to_idle_and_a_paused_window_says_so():
    pilot, screen, wall = make_pilot()
    with pilot:
        online(pilot)
        offer(pilot)
        assert screen.flow.state.stage is Stage.LEVELS
        wall.now += 13 * 3600  # 11:00 → 00:00 the next day in the hall's zone
        pilot.frames(2)
        assert screen.flow.state.stage is Stage.IDLE and screen.flow.state.day == "2025-11-30"
        offer(pilot)  # yesterday's offer, redelivered after a reconnect: not offered again
        assert screen.flow.state.stage is Stage.IDLE
        state = {"window": "w3", "number": 3, "name": "人社窗口", "status": "paused", "reason": "午休",
                 "ticket": None, "version": 5}
        pilot.post(Inbound(topics().window_state("w3"), encode(state), retain=True))
        assert pilot.text_of("idle-closed") == "暂停服务"
        _check(pilot, "idle-paused-landscape-large-10in")
