"""Pad test helpers: a headless pad app driven by a Pilot with a fake clock and a fake wall clock."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import io  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pygame  # noqa: E402

from kiosk.bus.client import Inbound  # noqa: E402
from kiosk.config import load  # noqa: E402
from kiosk.pad.runtime import build_app  # noqa: E402
from kiosk.pad.screen import Counter  # noqa: E402
from kiosk.pad.settings import PadSettings, orient  # noqa: E402
from kiosk.protocol import Topics, encode  # noqa: E402
from kiosk.protocol.counter import Staff, staff_body  # noqa: E402
from kiosk.ui.pilot import FakeClock, Pilot  # noqa: E402

from ..conftest import HALL_CONFIG  # noqa: E402  (the always-open hall)

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "config" / "huangtan.toml"
SHOTS = REPO / "test-output" / "screens" / "pad"
T0 = 1764385200.0  # 2025-11-29 11:00 Asia/Shanghai
SIZES = {"10in": (1280, 800), "7in": (1024, 600)}


class WallClock:
    def __init__(self, start: float = T0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def make_pilot(*, orientation: str = "landscape", size=(1280, 800), print_: str = "large", dpi: float = 150.0,
               window: str = "w3", sent: list | None = None) -> tuple[Pilot, object, WallClock]:
    cfg = load(CONFIG)
    w = cfg.hall.window(window)
    settings = replace(PadSettings(), orientation=orientation, size=orient(size, orientation), print=print_,
                       dpi=dpi, fullscreen=False)
    wall, clock = WallClock(), FakeClock()
    counter = Counter(id=w.id, number=w.number, name=w.name, tz=ZoneInfo(cfg.timezone))
    app, screen = build_app(settings=settings, counter=counter, topics=Topics(cfg.site_id), device_id=f"pad-{window}",
                            wall=wall, clock=clock, send=(sent.append if sent is not None else None), windowed=True)
    app.start("pad")
    pygame.event.clear()
    pilot = Pilot(app, clock)
    pilot.frames(1)
    return pilot, screen, wall


def topics() -> Topics:
    return Topics(load(CONFIG).site_id)


def online(pilot: Pilot) -> None:
    pilot.post(Inbound("", connected=True))
    pilot.post(Inbound(topics().availability("hub"), b"online", retain=True))


def offer(pilot: Pilot, ticket: str = "20251129-C012", number: str = "C012", at: float = T0, window: str = "w3"):
    body = {"ticket": ticket, "number": number, "window": window, "at": at, "qr": "x"}
    pilot.post(Inbound(topics().window_evaluation(window), encode(body), retain=True), frames=2)


def portrait_png(w: int = 300, h: int = 400) -> bytes:
    """A stand-in staff photo drawn with pygame (no files in the repository)."""
    surf = pygame.Surface((w, h))
    surf.fill((190, 210, 230))
    pygame.draw.circle(surf, (90, 70, 60), (w // 2, h // 3), w // 4)
    pygame.draw.ellipse(surf, (20, 50, 110), (w // 8, h // 2 + 20, w * 3 // 4, h // 2))
    buf = io.BytesIO()
    pygame.image.save(surf, buf, "staff.png")
    return buf.getvalue()


def staff_message(window: str = "w3", photo: bool = True) -> tuple[str, bytes]:
    st = Staff(name="王芳", staff_no="HT0307", photo=portrait_png() if photo else None,
               photo_mime="image/png" if photo else None, since=T0 - 3600)
    return topics().window_staff(window), encode(staff_body(window, st))


def counter_site_toml(tmp_path: Path, extra_provision: str = "") -> Path:
    """The provisioned test hall (tests/ops) with pads at w3 and w4, plus ``extra_provision`` lines."""
    from ..ops.conftest import PROVISION
    extra = PROVISION.replace('pads = ["w3"]', 'pads = ["w3", "w4"]' + extra_provision)
    assert '"w4"' in extra
    p = tmp_path / "site.toml"
    p.write_text(HALL_CONFIG.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return p
