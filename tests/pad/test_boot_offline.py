"""Both counter screens boot while the broker is down and draw the last known window at once, marked
offline: the pad (window, staff on duty) and the window screen (number, state, staff). The first run is
against a real mosquitto and the real hub; the second gets a port nobody listens on."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.bus.broker import free_port
from kiosk.bus.lastknown import keeping, open_lastknown
from kiosk.config import load
from kiosk.display.runtime import CACHED_KINDS as DISPLAY_KINDS
from kiosk.display.runtime import Runner as DisplayRunner
from kiosk.display.runtime import build_app as build_display
from kiosk.display.screen import Hall
from kiosk.display.settings import DisplaySettings
from kiosk.pad.runtime import CACHED_KINDS as PAD_KINDS
from kiosk.pad.runtime import Runner as PadRunner
from kiosk.pad.runtime import Sender
from kiosk.pad.runtime import build_app as build_pad
from kiosk.pad.screen import Counter
from kiosk.pad.settings import PadSettings
from kiosk.protocol import Topics
from kiosk.ui.pilot import FakeClock, Pilot

from ..conftest import HALL_CONFIG
from .conftest import SHOTS, portrait_png


def _run(runner, app, until, timeout: float) -> dict:
    looker = Pilot(app, FakeClock())  # reads widget texts only; the runner drives the frames
    seen: dict = {}

    def on_frame(drew: bool) -> None:
        if not seen:
            found = until(looker, drew)
            if found is not None:
                seen.update(found, frames_drawn=app.frames_drawn)
                runner.stop()

    loop = getattr(runner, "loop", None)
    (loop or runner).on_frame = on_frame
    runner.run(duration=timeout)
    assert seen, "the screen never showed what the test waited for"
    return seen


def pad_run(state_dir, port: int, until, timeout: float = 20.0) -> dict:
    cfg = load(HALL_CONFIG)
    topics, w = Topics(cfg.site_id), cfg.hall.window("w3")
    settings = replace(PadSettings(), fullscreen=False)
    sender = Sender(topics, "pad-w3")
    app, screen = build_pad(settings=settings, counter=Counter(id="w3", number=w.number, name=w.name,
                                                               tz=ZoneInfo(cfg.timezone)),
                            topics=topics, device_id="pad-w3", send=sender, windowed=True)
    lastknown = open_lastknown(state_dir, "pad-w3", keeping(topics, *PAD_KINDS))
    runner = PadRunner(app, screen, settings=settings, topics=topics, device_id="pad-w3", host="127.0.0.1",
                       port=port, sender=sender, lastknown=lastknown)
    return _run(runner, app, until, timeout)


def window_run(state_dir, port: int, until, timeout: float = 20.0) -> dict:
    cfg = load(HALL_CONFIG)
    topics = Topics(cfg.site_id)
    settings = replace(DisplaySettings(), layout="window", window="w3", size=(1920, 480), fullscreen=False)
    app, screen = build_display(settings=settings, hall=Hall(name=cfg.name, phones=cfg.phones,
                                                             tz=ZoneInfo(cfg.timezone)), topics=topics, windowed=True)
    lastknown = open_lastknown(state_dir, "display-w3", keeping(topics, *DISPLAY_KINDS, "window_staff"))
    runner = DisplayRunner(app, screen, settings=settings, topics=topics, device_id="display-w3", host="127.0.0.1",
                           port=port, lastknown=lastknown)
    return _run(runner, app, until, timeout)


def test_counter_screens_boot_without_broker_from_the_last_known_state(hub, recorder, broker, tmp_path):
    r = recorder()
    number = r.call("ticket.issue", category="C")["result"]["number"]
    r.press("w3", "next")
    staff = {"v": 1, "window": "w3", "staff": {"name": "王芳", "staff_no": "HT0307", "photo_mime": "image/png",
                                       "photo_b64": base64.b64encode(portrait_png()).decode()}}
    r.publish("window/w3/staff", staff, retain=True)
    state = tmp_path / "state"

    def pad_live(p: Pilot, drew: bool):
        return {} if p.exists("staff-name") and p.text_of("staff-name") == "王芳" else None

    def win_live(p: Pilot, drew: bool):
        ok = p.exists("ticket-number") and p.text_of("ticket-number") == number and p.exists("staff-name")
        return {} if ok else None

    pad_run(state, broker.port, pad_live)
    window_run(state, broker.port, win_live)
    broker.stop()
    tz = ZoneInfo(load(HALL_CONFIG).timezone)
    saved = json.loads((state / "pad-w3-lastknown.json").read_bytes())
    assert not any(t.endswith("/evaluation") for t in saved["topics"]), "an offer is never cached"
    since = datetime.fromtimestamp(saved["saved_at"], tz).strftime("%H:%M")

    def pad_first(p: Pilot, drew: bool):
        if not drew:
            return None
        p.screenshot(SHOTS / "boot-offline.png")
        return {"staff": p.text_of("staff-name"), "offline": p.text_of("offline") if p.exists("offline") else "",
                "problems": p.check_layout()}

    first = pad_run(state, free_port(), pad_first, timeout=10.0)
    assert first["frames_drawn"] == 1 and first["staff"] == "王芳" and first["problems"] == []
    assert "离线" in first["offline"] and since in first["offline"]

    saved = json.loads((state / "display-w3-lastknown.json").read_bytes())
    since = datetime.fromtimestamp(saved["saved_at"], tz).strftime("%H:%M")

    def win_first(p: Pilot, drew: bool):
        if not drew:
            return None
        p.screenshot(SHOTS.parent / "display" / "window-boot-offline.png")
        return {"number": p.text_of("ticket-number"), "staff": p.text_of("staff-name"),
                "offline": p.text_of("offline") if p.exists("offline") else "", "problems": p.check_layout()}

    first = window_run(state, free_port(), win_first, timeout=10.0)
    assert first["frames_drawn"] == 1 and first["number"] == number and first["staff"] == "王芳"
    assert "离线" in first["offline"] and since in first["offline"] and first["problems"] == []
