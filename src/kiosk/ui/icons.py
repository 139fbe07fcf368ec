"""Pictures for tiles and switches, from the shipped icon font ``assets/icons/kiosk-icons.ttf``.

Rule: an icon is named here (``ICONS``) and drawn as a glyph of the icon font, so it is crisp at any
size and takes the widget's colour; nothing loads at import (the font is opened on first draw, after
the window exists). The font is a subset of Font Awesome 4.7 (SIL OFL 1.1, see assets/icons/); run
``python -m kiosk.ui.icons --subset`` after adding a name to rebuild it from Debian's package.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

ICON_FONT = Path(__file__).resolve().parents[3] / "assets" / "icons" / "kiosk-icons.ttf"
SOURCE_FONT = Path("/usr/share/fonts/truetype/font-awesome/fontawesome-webfont.ttf")

#: name → code point in the icon font (Font Awesome 4.7 names)
ICONS: dict[str, int] = {
    "ticket": 0xF145, "book": 0xF02D, "handshake-o": 0xF2B5, "phone": 0xF095, "calendar": 0xF073,
    "calendar-check-o": 0xF274, "star-o": 0xF006, "exclamation-circle": 0xF06A, "file-text-o": 0xF0F6,
    "newspaper-o": 0xF1EA, "search-plus": 0xF00E, "question-circle": 0xF059, "home": 0xF015,
    "arrow-left": 0xF060, "check": 0xF00C, "times": 0xF00D,
}


def glyph(name: str) -> str:
    """The character of icon ``name`` (KeyError for a name not in the set)."""
    return chr(ICONS[name])


@lru_cache(maxsize=32)
def font(size: int):
    import pygame
    return pygame.font.Font(str(ICON_FONT), max(1, int(size)))


@lru_cache(maxsize=256)
def render(name: str, size: int, color: tuple[int, int, int]):
    """Icon ``name`` as a surface whose ink is about ``size`` pixels high."""
    return font(size).render(glyph(name), True, color)


def subset(out: Path = ICON_FONT, source: Path = SOURCE_FONT) -> Path:
    """Rewrite the shipped subset from the full Font Awesome 4.7 font: only ``ICONS``, renamed."""
    from fontTools import subset as fts
    from fontTools.ttLib import TTFont
    opts = fts.Options()
    opts.name_IDs, opts.notdef_outline, opts.layout_features = ["*"], True, []
    f = TTFont(str(source))
    s = fts.Subsetter(opts)
    s.populate(unicodes=list(ICONS.values()))
    s.subset(f)
    names = {1: "Kiosk Icons", 3: "Kiosk Icons subset", 4: "Kiosk Icons", 6: "KioskIcons", 16: "Kiosk Icons",
             17: "Regular"}
    for rec in f["name"].names:
        if rec.nameID in names:
            rec.string = names[rec.nameID]
    f.save(str(out))
    return out


if __name__ == "__main__":
    import sys
    if sys.argv[1:] == ["--subset"]:
        print(subset())
    else:
        print("usage: python -m kiosk.ui.icons --subset", file=sys.stderr)
        raise SystemExit(2)
