"""The shipped icon subset holds every icon the kiosk names, with its licence, and tiles draw them."""

from __future__ import annotations

import pygame
import pytest

from kiosk.terminal.strings import TerminalStrings
from kiosk.terminal.strings_voice import VoiceStrings
from kiosk.ui import icons


def test_every_named_icon_is_in_the_shipped_font_and_has_ink():
    pygame.font.init()
    font = pygame.font.Font(str(icons.ICON_FONT), 64)
    for name, code in icons.ICONS.items():
        m = font.metrics(chr(code))[0]
        assert m is not None and m[3] - m[2] > 30, name  # a real outline, not the empty notdef box
        surf = icons.render(name, 64, (0, 0, 0))
        assert pygame.mask.from_surface(surf).count() > 300, name


def test_the_licence_ships_beside_the_font_and_the_font_is_small():
    lic = (icons.ICON_FONT.parent / "LICENSE.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in lic and "Font Awesome" in lic
    assert icons.ICON_FONT.stat().st_size < 20_000


def test_every_icon_the_strings_name_exists():
    names = [v for s in (TerminalStrings(), VoiceStrings()) for k, v in
             ((f, getattr(s, f)) for f in s.__dataclass_fields__) if k.startswith("icon_")]
    glyph_icons = {"○", "×"}  # slot markers drawn as text, not pictures
    for n in names:
        assert n in icons.ICONS or n in glyph_icons, n
    with pytest.raises(KeyError):
        icons.glyph("no-such-icon")
