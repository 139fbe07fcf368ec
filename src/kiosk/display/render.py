"""Caches that keep a wall-display frame cheap: text layouts, rendered lines, decoded images.

Rule: everything here is derived data, keyed by what it was made from, and bounded (LRU), so a
week of clock and ticker text cannot grow memory. One :class:`RenderCache` belongs to one app and
reaches widgets through :class:`DisplayContext`; pygame work starts only after the window exists.
"""

from __future__ import annotations

import io
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import pygame

from ..ui.text import FontCache, TextLayout, fit
from ..ui.widget import Context

log = logging.getLogger(__name__)


class _Lru:
    """Least-recently-used map bounded by count and, for surfaces, by bytes."""

    def __init__(self, limit: int, max_bytes: int = 0) -> None:
        self.limit, self.max_bytes = limit, max_bytes
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.bytes = 0

    @staticmethod
    def _size(value: Any) -> int:
        return value.get_width() * value.get_height() * 4 if isinstance(value, pygame.Surface) else 0

    def get(self, key: Any) -> Any:
        v = self.items.get(key)
        if v is not None:
            self.items.move_to_end(key)
        return v

    def put(self, key: Any, value: Any) -> Any:
        old = self.items.pop(key, None)
        if old is not None:
            self.bytes -= self._size(old)
        self.items[key] = value
        self.bytes += self._size(value)
        while len(self.items) > 1 and (len(self.items) > self.limit or
                                       (self.max_bytes and self.bytes > self.max_bytes)):
            _, gone = self.items.popitem(last=False)
            self.bytes -= self._size(gone)
        return value


class RenderCache:
    def __init__(self, *, layouts: int = 4000, lines: int = 3000, images: int = 24,
                 line_bytes: int = 48 * 2**20, image_bytes: int = 96 * 2**20) -> None:
        self._fits = _Lru(layouts)
        self._lines = _Lru(lines, line_bytes)
        self._images = _Lru(images, image_bytes)
        self._widths: dict[tuple[int, str], int] = {}
        self.hits = self.misses = 0

    def fit(self, text: str, fonts: FontCache, width: int, height: int, *, size: int, min_size: int,
            line_spacing: float, max_lines: int | None = None) -> TextLayout:
        key = (text, width, height, size, min_size, line_spacing, max_lines)
        lay = self._fits.get(key)
        if lay is None:
            self.misses += 1
            lay = self._fits.put(key, fit(text, fonts, width, height, size=size, min_size=min_size,
                                          line_spacing=line_spacing, max_lines=max_lines))
        else:
            self.hits += 1
        return lay

    def line(self, fonts: FontCache, text: str, size: int, color: tuple[int, int, int]) -> pygame.Surface:
        key = (text, size, color)
        img = self._lines.get(key)
        if img is None:
            img = self._lines.put(key, fonts.get(size).render(text, True, color).convert_alpha())
        return img

    def char_width(self, fonts: FontCache, size: int, ch: str) -> int:
        key = (size, ch)
        w = self._widths.get(key)
        if w is None:
            if len(self._widths) > 20000:
                self._widths.clear()
            w = self._widths[key] = fonts.get(size).size(ch)[0]
        return w

    def memo(self, key: Any, make: Any) -> Any:
        """Any other derived surface (a QR code at a size): ``make()`` once per key."""
        full = ("memo", key)
        v = self._images.get(full)
        return v if v is not None else self._images.put(full, make())

    def image(self, key: Any, data: bytes) -> pygame.Surface | None:
        """A decoded picture (PNG/JPEG bytes), or None if it cannot be decoded."""
        full = ("img", key)
        img = self._images.get(full)
        if img is None:
            try:
                img = pygame.image.load(io.BytesIO(data)).convert()
            except (pygame.error, ValueError, OSError) as exc:
                log.warning("cannot decode image %s: %s", key, exc)
                return None
            self._images.put(full, img)
        return img

    def scaled(self, key: Any, data: bytes, size: tuple[int, int]) -> pygame.Surface | None:
        full = ("scaled", key, size)
        img = self._images.get(full)
        if img is None:
            src = self.image(key, data)
            if src is None:
                return None
            img = self._images.put(full, pygame.transform.smoothscale(src, size))
        return img


@dataclass(frozen=True, slots=True, kw_only=True)
class DisplayContext(Context):
    """The toolkit's build context plus the display's render cache."""

    cache: RenderCache


def cache_of(ctx: Context) -> RenderCache:
    c = getattr(ctx, "cache", None)
    if c is None:  # a widget used outside the display app (e.g. a toolkit test): private, throwaway cache
        c = RenderCache(layouts=200, lines=200)
    return c
