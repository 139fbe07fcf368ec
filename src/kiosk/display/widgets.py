"""Display-only widgets: cached text, panels, the flashing latest call, window tiles, the ticker,
pictures, page dots and a QR code drawn from cache.

Rules (on top of the toolkit's): every colour and size is a theme token; every word comes from
:class:`DisplayStrings` through the caller. Text is laid out through the app's :class:`RenderCache`
so a re-layout (a ticker step, a flash phase) costs lookups, not font work. Emphasis never relies on
colour alone: a flash also swaps the frame and shows ▶ ◀ markers; a paused or closed window says so
in words with a glyph. Nothing here reads the clock: ``update(now)`` gets it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pygame

from ..ui.text import TextLayout
from ..ui.widget import Column, Context, Message, Rect, Row, Widget, draw_box, place_text
from ..ui.widgets import QRImage
from .render import cache_of


def px(ctx: Context, style: str, scale: float = 1.0) -> int:
    return max(1, round(ctx.theme.text_size(style) * scale))


class Text(Widget):
    """Wrapped text through the render cache; ``shrink`` lets it get smaller (never below the floor)."""

    def __init__(self, id: str, text: str, *, style: str = "body", scale: float = 1.0, tone: str = "text",
                 align: str = "left", valign: str = "center", shrink: bool = True, max_lines: int | None = None,
                 fill: str | None = None, flex: float = 0.0) -> None:
        super().__init__(id, flex=flex)
        self.text, self.style, self.scale, self.tone = text, style, scale, tone
        self.align, self.valign, self.shrink, self.max_lines, self.fill_role = align, valign, shrink, max_lines, fill

    def _pad(self, ctx: Context) -> int:
        return ctx.theme.padding if self.fill_role else 0

    def measure(self, width: int, ctx: Context) -> int:
        size = px(ctx, self.style, self.scale)
        lay = cache_of(ctx).fit(self.text, ctx.fonts, max(1, width - 2 * self._pad(ctx)), 10**7, size=size,
                                min_size=size, line_spacing=ctx.theme.line_spacing)
        height = lay.height
        if self.max_lines is not None and len(lay.lines) > self.max_lines:  # it will shrink to fit instead
            height = (self.max_lines - 1) * lay.line_pitch + ctx.fonts.get(size).get_height()
        return height + 2 * self._pad(ctx)

    def _layout(self, ctx: Context) -> None:
        self._fill = getattr(ctx.theme.colors, self.fill_role) if self.fill_role else None
        box = self.rect.inflate(-2 * self._pad(ctx), -2 * self._pad(ctx))
        size = px(ctx, self.style, self.scale)
        floor = min(size, ctx.theme.min_text) if self.shrink else size
        lay = cache_of(ctx).fit(self.text, ctx.fonts, max(1, box.width), max(1, box.height), size=size,
                                min_size=floor, line_spacing=ctx.theme.line_spacing, max_lines=self.max_lines)
        place_text(self, self.text, lay, box, getattr(ctx.theme.colors, self.tone), self.surface_color,
                   align=self.align, valign=self.valign)

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        if self._fill is not None:
            draw_box(surface, self.rect, self._fill, ctx)
        draw_cached_runs(self, surface, ctx)


def draw_cached_runs(widget: Widget, surface: pygame.Surface, ctx: Context) -> None:
    cache = cache_of(ctx)
    for run in widget.runs:
        lay = run.layout
        y = run.rect.y
        for line in lay.lines:
            if line:
                img = cache.line(ctx.fonts, line, lay.font_size, run.fg)
                if run.align == "center":
                    x = run.rect.centerx - img.get_width() // 2
                elif run.align == "right":
                    x = run.rect.right - img.get_width()
                else:
                    x = run.rect.x
                surface.blit(img, (x, y))
            y += lay.line_pitch


class Panel(Column):
    """A Column with an optional frame (``border`` colour role, ``thick`` × the theme's border)."""

    def __init__(self, id: str, children: Sequence[Widget], *, border: str | None = None, thick: float = 1.0,
                 **kw: Any) -> None:
        super().__init__(id, children, **kw)
        self.border_role, self.thick = border, thick

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        if self._fill is not None:
            draw_box(surface, self.rect, self._fill, ctx)
        if self.border_role:
            draw_box(surface, self.rect, None, ctx, border=getattr(ctx.theme.colors, self.border_role),
                     width=max(1, round(ctx.theme.border * self.thick)))


class HBox(Row):
    """A Row with an optional fill; children are laid out by the toolkit's Row."""


class CallBanner(Widget):
    """The latest call, large; for ``flash_s`` after it arrives it alternates between an inverted
    panel with pointing arrows and a thick-framed plain one (shape changes too, not only colour)."""

    def __init__(self, id: str, *, caption: str, number: str, window_line: str,
                 flash_from: float | None, flash_s: float, period: float, now: float, flex: float = 0.0,
                 number_scale: float = 2.4) -> None:
        super().__init__(id, flex=flex)
        self.caption, self.number, self.window_line = caption, number, window_line
        self.flash_from, self.flash_s, self.period = flash_from, flash_s, period
        self.number_scale = number_scale
        self.phase = self._phase(now)

    def _phase(self, now: float) -> int:
        """0 steady, 1 inverted (with markers), 2 framed — alternating while flashing."""
        if self.flash_from is None or not 0 <= now - self.flash_from < self.flash_s:
            return 0
        return 1 + int((now - self.flash_from) / self.period) % 2

    @property
    def flashing(self) -> bool:
        return self.phase != 0

    def measure(self, width: int, ctx: Context) -> int:
        return px(ctx, "display", 1.6) + 2 * px(ctx, "title") + 4 * ctx.theme.padding

    def _layout(self, ctx: Context) -> None:
        inverted = self.phase == 1
        self._fill = ctx.theme.colors.primary if inverted else ctx.theme.colors.surface
        tone = "on_primary" if inverted else "text"
        number = Text(f"{self.id}-number", self.number, style="display", scale=self.number_scale, tone=tone,
                      align="center", max_lines=1, flex=3)
        middle: Widget = number
        if inverted:
            side = [Arrow(f"{self.id}-left", "right", tone=tone, flex=1), number,
                    Arrow(f"{self.id}-right", "left", tone=tone, flex=1)]
            number.flex = 6
            middle = HBox(f"{self.id}-mid", side, flex=3, spacing=0)
        else:
            middle.flex = 3
        inner = Column(f"{self.id}-col", [
            Text(f"{self.id}-caption", self.caption, style="title", tone=tone, align="center", max_lines=1, flex=1),
            middle,
            Text(f"{self.id}-window", self.window_line, style="title", scale=1.2, tone=tone, align="center",
                 max_lines=1, flex=1),
        ], padded=True, spacing=0)
        inner.backdrop = self._fill
        inner.layout(self.rect, ctx)
        self.children = [inner]

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        c = ctx.theme.colors
        draw_box(surface, self.rect, self._fill, ctx)
        if self.phase == 2:
            draw_box(surface, self.rect, None, ctx, border=c.primary, width=ctx.theme.border * 4)
        elif self.phase == 0:
            draw_box(surface, self.rect, None, ctx, border=c.primary, width=ctx.theme.border * 2)

    def update(self, now: float, ctx: Context) -> list[Message]:
        phase = self._phase(now)
        if phase != self.phase:
            self.phase = phase
            self.dirty = True
        return []


class Arrow(Widget):
    """A solid triangle pointing ``left`` or ``right`` (the flash markers beside the called number)."""

    def __init__(self, id: str, direction: str, *, tone: str = "text", flex: float = 0.0) -> None:
        super().__init__(id, flex=flex)
        self.direction, self.tone = direction, tone

    def measure(self, width: int, ctx: Context) -> int:
        return px(ctx, "title")

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        side = min(self.rect.width, self.rect.height) * 0.6
        if side < 4:
            return
        cx, cy, h = self.rect.centerx, self.rect.centery, side / 2
        if self.direction == "right":
            pts = [(cx - h * 0.8, cy - h), (cx + h * 0.8, cy), (cx - h * 0.8, cy + h)]
        else:
            pts = [(cx + h * 0.8, cy - h), (cx - h * 0.8, cy), (cx + h * 0.8, cy + h)]
        pygame.draw.polygon(surface, getattr(ctx.theme.colors, self.tone), pts)


class Ticker(Widget):
    """One line of notices moving left by whole characters (``cps`` per second) — the visible run is
    always a substring that fits, so nothing is drawn outside the box."""

    redraw_in_place = True  # a step changes the text, never the box

    def __init__(self, id: str, text: str, *, gap: str, cps: float, fill: str = "surface",
                 tone: str = "text", flex: float = 0.0) -> None:
        super().__init__(id, flex=flex)
        self.text, self.gap, self.cps, self.fill_role, self.tone = text, gap, cps, fill, tone
        self.loop = text + gap if text else ""
        self.started: float | None = None
        self.offset = 0
        self._image: tuple[pygame.Surface, tuple[int, int]] | None = None
        self._image_key: tuple | None = None
        self._rendered: pygame.Surface | None = None

    def measure(self, width: int, ctx: Context) -> int:
        size = px(ctx, "body")
        return ctx.fonts.get(size).get_height() + 2 * ctx.theme.padding

    def _visible(self, width: int, ctx: Context) -> str:
        if not self.loop:
            return ""
        size, cache = px(ctx, "body"), cache_of(ctx)
        out, used, i, n = [], 0, self.offset, len(self.loop)
        for _ in range(n):
            ch = self.loop[i % n]
            w = cache.char_width(ctx.fonts, size, ch)
            if used + w > width:
                break
            out.append(ch)
            used += w
            i += 1
        return "".join(out).rstrip()

    def _layout(self, ctx: Context) -> None:
        self._fill = getattr(ctx.theme.colors, self.fill_role)
        box = self.rect.inflate(-2 * ctx.theme.padding, -2 * ctx.theme.padding)
        shown = self._visible(box.width, ctx)
        self._image = None
        if not shown:
            return
        # the substring fits by construction: lay it out directly (no line breaking on every step)
        size = px(ctx, "body")
        font = ctx.fonts.get(size)
        width = sum(cache_of(ctx).char_width(ctx.fonts, size, ch) for ch in shown)
        lay = TextLayout(lines=(shown,), width=width, height=font.get_height(),
                         line_pitch=font.get_height(), font_size=size,
                         overflow=width > box.width or font.get_height() > box.height)
        fg = getattr(ctx.theme.colors, self.tone)
        run = place_text(self, shown, lay, box, fg, self._fill, valign="center")
        key = (shown, size, fg)
        if self._image_key != key:  # rendered once per step, not on every redraw (flashes)
            self._image_key, self._rendered = key, font.render(shown, True, fg)
        self._image = (self._rendered, run.rect.topleft)

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        draw_box(surface, self.rect, self._fill, ctx)
        if self._image is not None:
            surface.blit(*self._image)

    def update(self, now: float, ctx: Context) -> list[Message]:
        if not self.loop:
            return []
        if self.started is None:
            self.started = now - self.offset / self.cps
        offset = int((now - self.started) * self.cps) % len(self.loop)
        if offset != self.offset:
            self.offset = offset
            self.dirty = True
        return []

    def get_state(self) -> Any:
        return (self.loop, self.started, self.offset)

    def set_state(self, state: Any) -> None:
        loop, started, offset = state
        if loop == self.loop:  # same notices: keep moving from where it was
            self.started, self.offset = started, offset


class Picture(Widget):
    """A PNG/JPEG scaled to fit its box with its aspect ratio kept, centred."""

    def __init__(self, id: str, key: Any, data: bytes, *, flex: float = 1.0) -> None:
        super().__init__(id, flex=flex)
        self.key, self.data = key, data
        self.image_rect = Rect(0, 0, 0, 0)
        self.ok = True

    def _layout(self, ctx: Context) -> None:
        src = cache_of(ctx).image(self.key, self.data)
        self.ok = src is not None
        if src is None:
            return
        sw, sh = src.get_size()
        k = min(self.rect.width / sw, self.rect.height / sh)
        w, h = max(1, int(sw * k)), max(1, int(sh * k))
        self.image_rect = Rect(self.rect.centerx - w // 2, self.rect.centery - h // 2, w, h)

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        if self.ok:
            img = cache_of(ctx).scaled(self.key, self.data, self.image_rect.size)
            if img is not None:
                surface.blit(img, self.image_rect)

    def problems(self, ctx: Context) -> list[str]:
        return [] if self.ok else ["the picture could not be decoded"]


class PageDots(Widget):
    """One dot per page: the current one filled, the others rings (shape, not only colour)."""

    def __init__(self, id: str, count: int, current: int, *, flex: float = 0.0) -> None:
        super().__init__(id, flex=flex)
        self.count, self.current = count, current

    def measure(self, width: int, ctx: Context) -> int:
        return ctx.theme.spacing * 2

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        if self.count < 2:
            return
        r = max(3, min(self.rect.height // 2 - 1, ctx.theme.spacing))
        step = min(r * 3, max(1, self.rect.width // self.count))
        r = min(r, max(2, step // 3))
        x0 = self.rect.centerx - step * (self.count - 1) // 2
        c = ctx.theme.colors
        for i in range(self.count):
            centre = (x0 + i * step, self.rect.centery)
            if i == self.current:
                pygame.draw.circle(surface, c.primary, centre, r)
            else:
                pygame.draw.circle(surface, c.text_muted, centre, r, max(1, ctx.theme.border))


class CachedQR(QRImage):
    """The toolkit's QR code, drawn from a cached surface (the board redraws every ticker step).

    Encoding a QR code costs ~15 ms, so a caller that rebuilds often passes the module ``matrix``
    it made once with :meth:`matrix`.
    """

    def __init__(self, id: str, data: str, *, caption: str | None = None, flex: float = 0.0,
                 matrix: list[list[bool]] | None = None) -> None:
        if matrix is None:
            super().__init__(id, data, caption=caption, flex=flex)
            return
        Widget.__init__(self, id, flex=flex)
        self.data, self.caption = data, caption
        self._rows = matrix
        self.modules = len(matrix)
        self.module_px = 0
        self.image_rect = Rect(0, 0, 0, 0)

    @staticmethod
    def matrix(data: str) -> list[list[bool]]:
        return QRImage("qr-probe", data)._rows

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        c = ctx.theme.colors
        if self.module_px:
            def make() -> pygame.Surface:
                small = pygame.Surface((self.modules, self.modules))
                small.fill(c.text)  # light quiet zone even on a dark theme: phones need dark-on-light
                dark = small.map_rgb(c.on_primary)
                with pygame.PixelArray(small) as pa:
                    for y, row in enumerate(self._rows):
                        for x, on in enumerate(row):
                            if on:
                                pa[x, y] = dark
                return pygame.transform.scale(small, self.image_rect.size)
            img = cache_of(ctx).memo(("qr", self.data, self.image_rect.size, c.text, c.on_primary), make)
            surface.blit(img, self.image_rect)
        draw_cached_runs(self, surface, ctx)
