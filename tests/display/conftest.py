"""Display test helpers: a headless display app fed with scene messages, and the screenshot folder."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pytest  # noqa: E402

from kiosk.config import load  # noqa: E402
from kiosk.demo import busy_hall as scene  # noqa: E402
from kiosk.demo.busy_hall import WallClock, feed, make_pilot  # noqa: E402
from kiosk.protocol import Topics  # noqa: E402

SHOTS = scene.REPO / "test-output" / "screens" / "display"


@pytest.fixture
def topics():
    return Topics(load(scene.CONFIG).site_id)


__all__ = ["SHOTS", "WallClock", "feed", "make_pilot", "scene"]
