"""Display test helpers: a headless display app fed with scene messages, and the screenshot folder."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from dataclasses import replace  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pygame  # noqa: E402
import pytest  # noqa: E402

from kiosk.bus.client import Inbound  # noqa: E402
from kiosk.config import load  # noqa: E402
from kiosk.display.runtime import build_app  # noqa: E402
from kiosk.display.screen import Hall  # noqa: E402
from kiosk.display.settings import DisplaySettings, orient_size  # noqa: E402
from kiosk.protocol import Topics  # noqa: E402
from kiosk.ui.pilot import FakeClock, Pilot  # noqa: E402

from . import scene  # noqa: E402

SHOTS = scene.REPO / "test-output" / "screens" / "display"


class WallClock:
    def __init__(self, start: float = scene.T0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def make_pilot(*, layout: str = "board", orientation: str = "landscape", size: tuple[int, int] = (1920, 1080),
               announce=None, settings: DisplaySettings | None = None, inbox=None) -> tuple[Pilot, object, WallClock]:
    cfg = load(scene.CONFIG)
    base = settings or DisplaySettings()
    settings = replace(base, layout=layout, orientation=orientation, size=orient_size(size, orientation),
                       fullscreen=False)
    wall = WallClock()
    clock = FakeClock()
    hall = Hall(name=cfg.name, phones=cfg.phones, tz=ZoneInfo(cfg.timezone))
    app, screen = build_app(settings=settings, hall=hall, topics=Topics(cfg.site_id), wall=wall, clock=clock,
                            announce=announce, windowed=True, inbox=inbox)
    app.start("wall")
    pygame.event.clear()
    pilot = Pilot(app, clock)
    pilot.frames(1)
    return pilot, screen, wall


def feed(pilot: Pilot, msgs, *, connected: bool = True, frames: int = 1) -> None:
    if connected:
        pilot.app.inbox.put(Inbound("", connected=True))
    for topic, payload in msgs:
        pilot.app.inbox.put(Inbound(topic, payload, retain=True))
    pilot.frames(frames)


@pytest.fixture
def topics():
    return Topics(load(scene.CONFIG).site_id)
