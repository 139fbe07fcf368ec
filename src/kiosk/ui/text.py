"""CJK-aware text layout: font cache, line breaking with kinsoku, fit-to-box.

Rules:
* A line may break between any two CJK characters, at spaces (which are then
  dropped), and around punctuation — but Latin words and numbers stay whole
  unless a single word is wider than the box.
* Kinsoku: a line never starts with closing punctuation (，。、；：？！）」》】’” …)
  and never ends with opening punctuation (（「《【‘“ …); the offending character
  is carried to the next line together with its neighbour.
* Nothing is clipped silently: :func:`layout` reports ``overflow`` when the text
  is wider or taller than the box, and :func:`fit` shrinks only down to a floor.
* No pygame work at import; fonts load lazily through an explicit
  :class:`FontCache` once ``pygame.font`` is initialised.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kiosk.ui.errors import FontError, TextOverflowError

Measure = Callable[[str], int]

CLOSING = frozenset("，。、；：？！）」』》〉】〕］｝〗’”…‥·・ー〜～％‰℃,.;:!?)]}>%")
OPENING = frozenset("（「『《〈【〔［｛〖‘“([{<¥￥$#")
_WORD = re.compile(r"[A-Za-z0-9\u00C0-\u024F\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]+"
                   r"(?:[.:/\-_'@+][A-Za-z0-9\u00C0-\u024F]+)*")


def _is_space(ch: str) -> bool:
    return ch in " \t\u3000"


def _atoms(paragraph: str) -> list[str]:
    """Split a paragraph into atoms: Latin words/numbers, spaces runs, single chars."""
    out: list[str] = []
    i, n = 0, len(paragraph)
    while i < n:
        m = _WORD.match(paragraph, i)
        if m:
            out.append(m.group())
            i = m.end()
        elif _is_space(paragraph[i]):
            j = i
            while j < n and _is_space(paragraph[j]):
                j += 1
            out.append(paragraph[i:j])
            i = j
        else:
            out.append(paragraph[i])
            i += 1
    return out


def clusters(paragraph: str) -> list[str]:
    """Group atoms into units that must not be split across lines.

    Closing punctuation glues to what precedes it and opening punctuation to
    what follows (spaces in between are glued too, so no break can separate
    them); other space runs are clusters of their own — the break opportunities.
    """
    result: list[str] = []
    glue_next = False
    for atom in _atoms(paragraph):
        if _is_space(atom[0]):
            if glue_next and result:
                result[-1] += atom
            else:
                result.append(atom)
            continue
        if atom[0] in CLOSING and len(result) >= 2 and _is_space(result[-1][0]):
            space = result.pop()
            result[-1] += space
        if result and not _is_space(result[-1][0]) and (glue_next or atom[0] in CLOSING):
            result[-1] += atom
        else:
            result.append(atom)
        glue_next = atom[-1] in OPENING
    return result


def _split_wide(cluster: str, width: int, measure: Measure) -> list[str]:
    """Break one over-wide cluster at character level, honouring kinsoku when possible."""
    pieces: list[str] = []
    rest = cluster
    while len(rest) > 1 and measure(rest) > width:
        # longest prefix that fits, then step back to a kinsoku-legal cut
        cut = 1
        while cut < len(rest) and measure(rest[:cut + 1]) <= width:
            cut += 1
        legal = cut
        while legal > 0 and (rest[legal] in CLOSING or rest[legal - 1] in OPENING):
            legal -= 1
        if legal == 0:
            # no legal cut inside the box: take the smallest legal piece, over-wide
            legal = cut
            while legal < len(rest) and (rest[legal] in CLOSING or rest[legal - 1] in OPENING):
                legal += 1
        pieces.append(rest[:legal])
        rest = rest[legal:]
    if rest:
        pieces.append(rest)
    return pieces


def break_lines(text: str, width: int, measure: Measure) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels where possible.

    ``measure(s)`` returns the pixel width of ``s``. Hard newlines are kept.
    Spaces at a break are dropped (leading indentation of a paragraph is kept).
    A line is wider than ``width`` only when it is one piece that cannot
    legally be broken (e.g. a long run of punctuation).
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        first = len(lines)
        current = ""
        for cl in clusters(paragraph):
            if _is_space(cl[0]):
                if current or len(lines) == first:
                    current += cl
                continue
            candidate = current + cl
            if measure(candidate) <= width:
                current = candidate
                continue
            if current.strip():
                lines.append(_rstrip(current))
                current = ""
            if measure(cl) <= width:
                current = cl
                continue
            *full, current = _split_wide(cl, width, measure)
            lines.extend(full)
        if current.strip() or len(lines) == first:
            lines.append(_rstrip(current))
    return lines


def _rstrip(s: str) -> str:
    return s.rstrip(" \t\u3000")


@dataclass(frozen=True, slots=True, kw_only=True)
class TextLayout:
    """Lines of text measured for one font and box."""

    lines: tuple[str, ...]
    width: int          # widest line, px
    height: int         # total height, px
    line_pitch: int     # distance between baselines, px
    font_size: int
    overflow: bool      # wider or taller than the box

    def raise_if_overflow(self) -> "TextLayout":
        if self.overflow:
            raise TextOverflowError(f"text does not fit: {''.join(self.lines)[:40]!r}")
        return self


class FontCache:
    """Loads one font file lazily, one :class:`pygame.font.Font` per pixel size.

    Create it anywhere; it touches pygame only on first :meth:`get`, which
    must happen after ``pygame.font.init()`` (``pygame.init()`` does that).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._fonts: dict[int, object] = {}

    def get(self, size: int):
        size = max(1, int(size))
        font = self._fonts.get(size)
        if font is None:
            import pygame

            if not pygame.font.get_init():
                raise FontError("pygame.font is not initialised; call pygame.init() first")
            try:
                font = pygame.font.Font(self.path, size)
            except (FileNotFoundError, OSError, pygame.error) as exc:
                raise FontError(f"cannot load font {self.path!r} at {size}px: {exc}") from exc
            self._fonts[size] = font
        return font

    def clear(self) -> None:
        self._fonts.clear()


def line_pitch(font, size: int, line_spacing: float) -> int:
    return max(font.get_height(), round(size * line_spacing))


def layout(text: str, font, width: int, max_height: int | None = None, *,
           size: int | None = None, line_spacing: float = 1.0) -> TextLayout:
    """Wrap ``text`` to ``width`` with ``font``; flag ``overflow`` if it does not fit.

    ``size`` is the font's pixel size (for the line pitch); it defaults to the
    font height. Height counts full pitch between lines and one glyph height
    for the last line.
    """
    size = size or font.get_height()
    measure = lambda s: font.size(s)[0]  # noqa: E731
    lines = break_lines(text, max(1, width), measure)
    pitch = line_pitch(font, size, line_spacing)
    widest = max((measure(line) for line in lines), default=0)
    height = (len(lines) - 1) * pitch + font.get_height() if lines else 0
    overflow = widest > width or (max_height is not None and height > max_height)
    return TextLayout(lines=tuple(lines), width=widest, height=height, line_pitch=pitch,
                      font_size=size, overflow=overflow)


def reading_glyph(ch: str) -> bool:
    """Letters, digits and CJK characters: what a reader must make out (not punctuation or symbols)."""
    return unicodedata.category(ch)[0] in "LN"


@lru_cache(maxsize=65536)
def _ink(font, ch: str) -> tuple[int, int] | None:
    m = font.metrics(ch)[0]
    return None if m is None else (m[2], m[3])


def glyph_height(text: str, font) -> int:
    """Ink height of ``text``'s reading glyphs as ``font`` renders them: lowest bottom to highest top."""
    lo = hi = None
    for ch in set(text):
        if not reading_glyph(ch) or (ink := _ink(font, ch)) is None:
            continue
        lo = ink[0] if lo is None else min(lo, ink[0])
        hi = ink[1] if hi is None else max(hi, ink[1])
    return 0 if lo is None or hi is None else hi - lo


GLYPH_REFERENCE = "国"   # a full-height Chinese character: the height every size token is meant for
LATIN_REFERENCE = "0"    # digits and capitals share this height (~0.73 em)


@lru_cache(maxsize=8)
def _latin_scale(fonts: FontCache) -> float:
    probe = fonts.get(100)
    return max(1.0, glyph_height(GLYPH_REFERENCE, probe) / max(1, glyph_height(LATIN_REFERENCE, probe)))


def glyph_scale(text: str, fonts: FontCache) -> float:
    """How much larger than its style a run without Chinese is drawn, so that its digits and capitals
    stand as tall as Chinese characters at that style (a digit is ~0.73 em high, 国 ~0.87 em). One
    factor for every such run, so a row of keys or a ticket number never mixes sizes."""
    if not text or any(_is_cjk(ch) for ch in text) or not any(reading_glyph(ch) for ch in text):
        return 1.0
    return _latin_scale(fonts)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def fit(text: str, fonts: FontCache, width: int, height: int, *, size: int, min_size: int,
        line_spacing: float = 1.0, max_lines: int | None = None) -> TextLayout:
    """Largest layout from ``size`` down to ``min_size`` that fits ``width``×``height``.

    Sizes are for Chinese text; a run of only letters and digits is drawn :func:`glyph_scale` larger
    (both ``size`` and ``min_size``) so what the eye sees is as tall. Returns the ``min_size`` layout
    with ``overflow=True`` when even that does not fit (or needs more than ``max_lines`` lines).
    """
    scale = glyph_scale(text, fonts)
    if scale != 1.0:
        size, min_size = round(size * scale), round(min_size * scale)
    s = max(size, min_size)
    while True:
        lay = layout(text, fonts.get(s), width, height, size=s, line_spacing=line_spacing)
        too_many = max_lines is not None and len(lay.lines) > max_lines
        if not lay.overflow and not too_many:
            return lay
        if s <= min_size:
            if too_many and not lay.overflow:
                lay = TextLayout(lines=lay.lines, width=lay.width, height=lay.height,
                                 line_pitch=lay.line_pitch, font_size=lay.font_size, overflow=True)
            return lay
        s = max(min_size, s - max(1, s // 12))
