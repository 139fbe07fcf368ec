"""The counter end to end: the hall broker from exactly what ``kiosk provision`` wrote (per-device users
and ACL), the real hub as a process, a provisioned call button, and the pad and the window screen as the
real apps with their own identities (``pad-w3``, ``display-1``).

A ticket completed at w3 → the pad shows the five levels → a tap on 满意 → the hub's ledger has it → a
second rating of the same ticket is refused. The window screen shows the number a press called.
"""

from __future__ import annotations

import json
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from kiosk.config import load
from kiosk.display.runtime import Runner as DisplayRunner
from kiosk.display.runtime import build_app as build_display
from kiosk.display.screen import Hall
from kiosk.display.settings import DisplaySettings
from kiosk.pad.flow import Stage
from kiosk.pad.runtime import Runner as PadRunner
from kiosk.pad.runtime import Sender
from kiosk.pad.runtime import build_app as build_pad
from kiosk.pad.screen import Counter
from kiosk.pad.settings import PadSettings
from kiosk.protocol import Topics
from kiosk.ui.pilot import LiveClock, Pilot

from ..mqtt_helpers import wait_until
from ..ops.conftest import ROOT, as_device, hall_broker, provisioned  # noqa: F401  (fixtures)
from ..security.conftest import device, password, real_hub  # noqa: F401  (fixtures)
from .conftest import SHOTS, counter_site_toml


@pytest.fixture
def site_toml(tmp_path):
    return counter_site_toml(tmp_path)


def pad_app(cfg, port: int, out, window: str = "w3"):
    topics = Topics(cfg.site_id)
    w = cfg.hall.window(window)
    settings = replace(PadSettings(), fullscreen=False)
    counter = Counter(id=w.id, number=w.number, name=w.name, tz=ZoneInfo(cfg.timezone))
    dev = f"pad-{window}"
    sender = Sender(topics, dev)
    clock = LiveClock()
    app, screen = build_pad(settings=settings, counter=counter, topics=topics, device_id=dev, send=sender,
                            windowed=True, clock=clock)
    runner = PadRunner(app, screen, settings=settings, topics=topics, device_id=dev, host="127.0.0.1", port=port,
                       sender=sender, username=dev, password=password(out, dev))
    return runner, Pilot(app, clock)


def window_screen(cfg, port: int, out, window: str = "w3"):
    topics = Topics(cfg.site_id)
    settings = replace(DisplaySettings(), layout="window", window=window, size=(1920, 480), fullscreen=False)
    clock = LiveClock()
    app, screen = build_display(settings=settings, hall=Hall(name=cfg.name, phones=cfg.phones,
                                                             tz=ZoneInfo(cfg.timezone)),
                                topics=topics, windowed=True, clock=clock)
    runner = DisplayRunner(app, screen, settings=settings, topics=topics, device_id="display-1", host="127.0.0.1",
                           port=port, username="display-1", password=password(out, "display-1"))
    return runner, Pilot(app, clock)


@pytest.fixture
def counter(real_hub, hall_broker, provisioned, site_toml):
    cfg = load(site_toml)
    pad, pad_pilot = pad_app(cfg, hall_broker.port, provisioned.out)
    win, win_pilot = window_screen(cfg, hall_broker.port, provisioned.out)
    for runner, pilot, key in ((pad, pad_pilot, "pad"), (win, win_pilot, "wall")):
        runner.bus.start()
        pilot.app.start(key)
    yield pad, pad_pilot, win, win_pilot
    for runner, pilot in ((pad, pad_pilot), (win, win_pilot)):
        runner.bus.stop()
        pilot.close()


def test_a_completed_ticket_is_rated_once_at_its_window(counter, device):
    pad, pilot, win, win_pilot = counter
    kiosk, button, desk = device("kiosk-1"), device("btn-w3"), device("staff-desk")
    issued = kiosk.call("ticket.issue", category="C")
    assert issued["ok"], issued
    number, ticket = issued["result"]["number"], issued["result"]["ticket"]
    pilot.run_until(lambda: pad.screen.connected and pilot.exists("idle-window"), timeout=30, what="pad online")

    button.press("w3", "next")
    # the number, and a flash started by this window's call (its start, not its phase: a loaded machine may
    # run the next frame after the 4 s flash is over)
    win_pilot.run_until(lambda: win_pilot.exists("ticket-number") and win_pilot.text_of("ticket-number") == number
                        and win_pilot.widget("ticket").flash_from is not None, timeout=30,
                        what="the window screen shows the call")
    assert win_pilot.text_of("ticket-state") == "请到窗口"
    win_pilot.screenshot(SHOTS.parent / "display" / "window-live-called.png")
    assert pad.screen.flow.state.stage is Stage.IDLE, "nothing to rate before the service is complete"

    button.press("w3", "complete")
    pilot.run_until(lambda: pilot.exists("level-4"), timeout=30, what="the five levels")
    # another window's pad may not rate what w3 completed
    other = device("pad-w4").call("evaluation.submit", ticket=ticket, level=5, channel="pad")
    assert not other["ok"] and other["error"]["code"] == "forbidden", other
    assert pad.screen.flow.state.ticket == ticket and number in pilot.text_of("ticket")
    pilot.screenshot(SHOTS / "live-levels.png")
    pilot.tap("level-4")  # 满意
    pilot.run_until(lambda: pad.screen.flow.state.stage is Stage.THANKS, timeout=30, what="thanks")

    stats = desk.call("evaluation.stats")
    assert stats["ok"] and stats["result"]["total"] == 1 and stats["result"]["levels"]["满意"] == 1, stats
    assert stats["result"]["channels"]["pad"] == 1
    by_window = {w["window"]: w for w in stats["result"]["by_window"]}
    assert by_window["w3"]["levels"]["满意"] == 1

    # the pad itself goes back to idle and does not offer it again
    pilot.run_until(lambda: pad.screen.flow.state.stage is Stage.IDLE, timeout=30, what="idle after thanks")
    assert not pilot.exists("level-4")

    # the pad's identity by hand (this takes over the app's session: the broker ties client id to user)
    by_hand = device("pad-w3")
    offers = ROOT + "window/w3/evaluation"
    by_hand.c.subscribe(offers)
    again = by_hand.call("evaluation.submit", ticket=ticket, level=5, channel="pad")
    assert not again["ok"] and again["error"]["code"] == "already_rated", again
    older, newer, waiting = (kiosk.call("ticket.issue", category="C")["result"]["ticket"] for _ in range(3))
    for action in ("next", "complete", "next", "complete", "next"):  # older and newer done, waiting called
        button.press("w3", action)
    wait_until(lambda: any(json.loads(p).get("ticket") == newer for p in by_hand.c.got(offers)), 30,
               "the hub offers the newer ticket")
    for t, code in ((older, "forbidden"), (waiting, None)):
        got = by_hand.call("evaluation.submit", ticket=t, level=4, channel="pad")
        assert not got["ok"], got
        if code:
            assert got["error"]["code"] == code, got  # only the ticket the window just completed
    assert by_hand.call("evaluation.submit", ticket=newer, level=4, channel="pad")["ok"]
