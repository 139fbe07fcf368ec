"""The screen above one counter (--layout window): strip and small-panel sizes, staff on duty only when a
staff console said so, flash on this window's call, PNGs and clean layout checks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.bus.client import Inbound
from kiosk.demo import busy_hall as scene
from kiosk.display.settings import DisplaySettings
from kiosk.protocol import encode
from kiosk.ui.theme import Mode

from ..pad.conftest import staff_message
from .conftest import SHOTS, feed, make_pilot

# (size, dpi, modes that fit): an 800×480 7-inch panel (92 mm high) cannot hold the window, a number, its
# state and the staff at the 9 mm glyph floor of large print; it runs normal print (docs/pad.md)
CASES = [((1920, 480), 96.0, (Mode.NORMAL, Mode.LARGE)), ((1280, 400), 96.0, (Mode.NORMAL, Mode.LARGE)),
         ((800, 480), 133.0, (Mode.NORMAL,))]


def pilot_for(size, dpi):
    return make_pilot(layout="window", size=size,
                      settings=replace(DisplaySettings(), window="w3", dpi=dpi, layout="window"))


@pytest.mark.parametrize("size, dpi, modes", CASES)
def test_window_screen_renders_cleanly(size, dpi, modes, topics):
    pilot, screen, _ = pilot_for(size, dpi)
    with pilot:
        feed(pilot, scene.messages(topics))
        assert not pilot.exists("staff"), "no staff message: no staff block, no placeholder"
        feed(pilot, [staff_message()])
        pilot.advance(6)  # past the flash of the scene's last call: the steady picture
        for mode in modes:
            pilot.app.set_mode(mode)
            pilot.frames(2)
            problems = pilot.check_layout()
            pilot.screenshot(SHOTS / f"window-{size[0]}x{size[1]}-{mode.value}.png")
            assert problems == [], "\n".join(map(str, problems))
            assert pilot.text_of("win-title") == "3号窗口" and pilot.text_of("win-name") == "人社窗口"
            assert pilot.text_of("ticket-number") == "C004" and pilot.text_of("ticket-state") == "请到窗口"
            assert pilot.text_of("staff-name") == "王芳" and "HT0307" in pilot.text_of("staff-no")


def test_window_screen_flashes_briefly_on_its_own_call_and_shows_pause(topics):
    pilot, screen, _ = pilot_for((1920, 480), 96.0)
    with pilot:
        feed(pilot, scene.messages(topics))
        pilot.advance(6)
        assert not pilot.widget("ticket").flashing
        state = dict(screen.state.windows["w3"], version=900, ticket={"number": "C011", "state": "called"})
        call = {"id": "900-x", "number": "C011", "window": "w3", "window_number": 3, "window_name": "人社窗口",
                "recall": 0, "at": scene.T0 + 60, "text": "请C011号到3号窗口办理", "speech": "请"}
        feed(pilot, [(topics.window_state("w3"), encode(state)), (topics.call, encode(call))])
        assert pilot.text_of("ticket-number") == "C011" and pilot.widget("ticket").flashing
        pilot.screenshot(SHOTS / "window-1920x480-flash.png")
        pilot.advance(5)
        assert not pilot.widget("ticket").flashing
        other = dict(call, window="w4", number="D020", window_number=4)
        feed(pilot, [(topics.call, encode(other))])
        assert not pilot.widget("ticket").flashing, "another window's call does not flash here"
        paused = dict(state, version=901, status="paused", reason="系统维护", ticket=None)
        feed(pilot, [(topics.window_state("w3"), encode(paused))])
        assert "暂停" in pilot.text_of("ticket-state") and "系统维护" in pilot.text_of("ticket-state")
        assert pilot.check_layout() == []
        pilot.screenshot(SHOTS / "window-1920x480-paused.png")
        pilot.app.inbox.put(Inbound("", connected=False))
        pilot.advance(3)
        assert "离线" in pilot.text_of("offline")
        assert pilot.check_layout() == []
        pilot.screenshot(SHOTS / "window-1920x480-offline.png")
