"""A display that boots while the broker is down draws the last known hall at once, marked offline.

Real mosquitto and a real hub for the first run; the second display gets a port nobody listens on.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.bus.broker import free_port
from kiosk.bus.lastknown import keeping, open_lastknown
from kiosk.config import load
from kiosk.demo import busy_hall as scene
from kiosk.display.runtime import CACHED_KINDS, Runner, build_app
from kiosk.display.screen import Hall
from kiosk.display.settings import DisplaySettings
from kiosk.protocol import Topics
from kiosk.ui.pilot import FakeClock, Pilot

from ..mqtt_helpers import wait_until
from .conftest import SHOTS

DEVICE = "display-boot"


def runner(state_dir, port: int, *, until, timeout: float = 20.0) -> tuple[Runner, dict]:
    """Run a real display (its own Runner loop) until ``until(pilot, drew)`` returns a dict."""
    cfg = load(scene.CONFIG)
    topics = Topics(cfg.site_id)
    settings = replace(DisplaySettings(), fullscreen=False)
    app, screen = build_app(settings=settings, hall=Hall(name=cfg.name, phones=cfg.phones,
                                                         tz=ZoneInfo(cfg.timezone)), topics=topics, windowed=True)
    lastknown = open_lastknown(state_dir, DEVICE, keeping(topics, *CACHED_KINDS))
    assert lastknown is not None
    r = Runner(app, screen, settings=settings, topics=topics, device_id=DEVICE, host="127.0.0.1", port=port,
               lastknown=lastknown)
    looker = Pilot(app, FakeClock())  # only to read widget texts; the Runner drives the frames
    seen: dict = {}

    def on_frame(drew: bool) -> None:
        if seen:
            return
        found = until(looker, drew)
        if found is not None:
            seen.update(found, frames_drawn=app.frames_drawn)
            r.stop()

    r.on_frame = on_frame
    r.run(duration=timeout)
    assert seen, "the display never showed what the test waited for"
    return r, seen


def test_a_display_booting_without_broker_shows_the_last_board_marked_offline(hub, recorder, broker, tmp_path):
    r = recorder("call")
    for i in range(12):
        r.call("ticket.issue", category="ABCDE"[i % 5])
    windows = ["w1", "w2", "w3", "w4"]
    for i in range(8):
        r.press(windows[i % len(windows)], "next")
    wait_until(lambda: len(r.on("call")) >= 8, 20, "8 call events")
    calls = r.on("call")
    expected = {c["window"]: c["number"] for c in calls}
    state_dir = tmp_path / "display-state"

    def board_drawn(p: Pilot, drew: bool) -> dict | None:
        if not all(p.exists(f"win-{w}-number") and p.text_of(f"win-{w}-number") == n for w, n in expected.items()):
            return None
        return {"call": p.text_of("call-number")}

    _, first = runner(state_dir, broker.port, until=board_drawn)
    assert first["call"] == calls[-1]["number"]
    broker.stop()

    saved = json.loads((state_dir / f"{DEVICE}-lastknown.json").read_bytes())
    since = datetime.fromtimestamp(saved["saved_at"], ZoneInfo(load(scene.CONFIG).timezone)).strftime("%H:%M")

    def first_frame(p: Pilot, drew: bool) -> dict | None:
        if not drew:
            return None
        p.screenshot(SHOTS / "boot-offline.png")
        return {"numbers": {w: p.text_of(f"win-{w}-number") for w in expected},
                "call": p.text_of("call-number"), "offline": p.text_of("offline") if p.exists("offline") else None,
                "layout": p.check_layout()}

    _, second = runner(state_dir, free_port(), until=first_frame, timeout=10.0)
    assert second["frames_drawn"] == 1  # the very first frame
    assert second["numbers"] == expected
    assert second["call"] == calls[-1]["number"]
    assert second["offline"] is not None and "离线" in second["offline"] and since in second["offline"]
    assert second["layout"] == []
