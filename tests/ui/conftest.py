"""Shared fixtures: SDL dummy drivers, the repository theme, a font cache."""

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from pathlib import Path  # noqa: E402

import pygame  # noqa: E402
import pytest  # noqa: E402

from kiosk.ui.strings import UiStrings  # noqa: E402
from kiosk.ui.text import FontCache  # noqa: E402
from kiosk.ui.theme import Mode, default_theme_path, load_themes  # noqa: E402
from kiosk.ui.widget import Context  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-output" / "screens" / "ui"


@pytest.fixture(scope="session")
def themes():
    return load_themes(default_theme_path(), dpi=96)


@pytest.fixture(scope="session")
def fonts(themes):
    pygame.font.init()
    return FontCache(themes.normal.font_file)


@pytest.fixture
def ctx_for(themes, fonts):
    def make(mode=Mode.NORMAL, size=(1080, 1920), theme=None):
        return Context(theme=theme or themes.for_mode(mode), fonts=fonts, strings=UiStrings(), size=size)
    return make
