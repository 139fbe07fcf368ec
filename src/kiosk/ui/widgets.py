"""Leaf widgets: TextBlock/Label, Button, StatusBanner, Countdown, QRImage.

Rule: every colour and size comes from ``ctx.theme``; every built-in word from
``ctx.strings``. Text that does not fit is recorded with ``overflow=True`` (the
layout check reports it) — it is never dropped or clipped without a trace.
"""

from __future__ import annotations

import math
from typing import Any

import pygame
import segno

from kiosk.ui.errors import UIError
from kiosk.ui.widget import (Context, CountdownExpired, Message, Pressed, Rect, Widget, draw_box,
                             draw_runs, fit_text, place_text, text_height)

LEVELS = ("ok", "info", "warning", "error")
# A glyph per level so colour is never the only signal (all in GBK, so the CJK font has them).
LEVEL_ICONS = {"ok": "√", "info": "※", "warning": "！", "error": "×"}


class TextBlock(Widget):
    """Multi-line text that wraps to its width; ``fill`` paints a padded panel behind it."""

    def __init__(self, id: str, text: str, *, style: str = "body", tone: str = "text",
                 align: str = "left", valign: str = "top", fill: str | None = None,
                 shrink: bool = False, max_lines: int | None = None, flex: float = 0.0) -> None:
        super().__init__(id, flex=flex)
        self.text, self.style, self.tone = text, style, tone
        self.align, self.valign, self.fill_role = align, valign, fill
        self.shrink, self.max_lines = shrink, max_lines

    def _pad(self, ctx: Context) -> int:
        return ctx.theme.padding if self.fill_role else 0

    def measure(self, width: int, ctx: Context) -> int:
        pad = self._pad(ctx)
        return text_height(self.text, width - 2 * pad, ctx, self.style) + 2 * pad

    def _layout(self, ctx: Context) -> None:
        self._fill = getattr(ctx.theme.colors, self.fill_role) if self.fill_role else None
        pad = self._pad(ctx)
        box = self.rect.inflate(-2 * pad, -2 * pad)
        lay = fit_text(self.text, box, ctx, style=self.style, shrink=self.shrink, max_lines=self.max_lines)
        place_text(self, self.text, lay, box, getattr(ctx.theme.colors, self.tone), self.surface_color,
                   align=self.align, valign=self.valign)

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        if self._fill is not None:
            draw_box(surface, self.rect, self._fill, ctx)
        draw_runs(self, surface, ctx)


class Label(TextBlock):
    """Short text (a heading, a value): shrinks to fit before it wraps, centred vertically."""

    def __init__(self, id: str, text: str, **kw: Any) -> None:
        kw.setdefault("shrink", True)
        kw.setdefault("valign", "center")
        super().__init__(id, text, **kw)


def draw_button_frame(w: Widget, surface: pygame.Surface, ctx: Context, fill, fg) -> None:
    """A tappable's box: filled; a focus ring while pressed; a dashed outline when disabled (shown by
    shape as well as colour). ``w`` has ``pressed``, ``enabled`` and ``tone``."""
    t = ctx.theme
    draw_box(surface, w.rect, fill, ctx)
    if w.pressed and w.enabled:
        draw_box(surface, w.rect, None, ctx, border=t.colors.focus, width=2 * t.border)
    elif not w.enabled:
        draw_box(surface, w.rect, None, ctx, border=fg, dashed=True)
    else:
        draw_box(surface, w.rect, None, ctx, border=t.colors.border if w.tone != "primary" else fill)


class Button(Widget):
    """A large tappable button: label, optional icon glyph, disabled state.

    Tapping an enabled button emits :class:`Pressed` with ``value``. ``tone`` is
    ``primary`` or ``secondary``; ``choice=True`` counts it as a menu choice.
    """

    tappable = True

    def __init__(self, id: str, label: str, *, value: Any = None, icon: str | None = None,
                 enabled: bool = True, tone: str = "primary", choice: bool = False,
                 style: str = "body", flex: float = 0.0) -> None:
        super().__init__(id, flex=flex)
        self.label, self.value, self.icon = label, value, icon
        self.enabled, self.tone, self.choice, self.style = enabled, tone, choice, style

    def _icon_width(self, ctx: Context) -> int:
        return ctx.theme.text_size(self.style) + ctx.theme.spacing // 2 if self.icon else 0

    def measure(self, width: int, ctx: Context) -> int:
        pad = ctx.theme.padding
        inner = width - 2 * pad - self._icon_width(ctx)
        return max(ctx.theme.target_min, text_height(self.label, inner, ctx, self.style) + 2 * pad)

    def _colors(self, ctx: Context):
        c = ctx.theme.colors
        if not self.enabled:
            return c.disabled, c.on_disabled
        return getattr(c, self.tone), getattr(c, f"on_{self.tone}")

    def _layout(self, ctx: Context) -> None:
        fill, fg = self._colors(ctx)
        self._fill = fill
        pad = ctx.theme.padding
        content = self.rect.inflate(-2 * pad, -2 * pad)
        icon_w = self._icon_width(ctx)
        label_box = Rect(content.x + icon_w, content.y, content.width - icon_w, content.height)
        lay = fit_text(self.label, label_box, ctx, style=self.style)
        if not self.icon:
            place_text(self, self.label, lay, label_box, fg, fill, align="center", valign="center")
            return
        start = content.centerx - (icon_w + lay.width) // 2
        icon_lay = fit_text(self.icon, Rect(0, 0, icon_w, content.height), ctx, style=self.style, shrink=False)
        icon_x = max(content.x, start)
        place_text(self, self.icon, icon_lay, Rect(icon_x, content.y, icon_w, content.height),
                   fg, fill, valign="center", x=icon_x)
        place_text(self, self.label, lay, label_box, fg, fill, valign="center",
                   x=max(label_box.x, start + icon_w) if lay.width <= label_box.width else label_box.x)

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        draw_button_frame(self, surface, ctx, *self._colors(ctx))
        draw_runs(self, surface, ctx)

    def tap(self, ctx: Context) -> list[Message]:
        return [Pressed(widget_id=self.id, value=self.value)] if self.enabled else []


class StatusBanner(Widget):
    """A status strip (offline, printer out of paper…): icon + level word + text on the level's fill."""

    def __init__(self, id: str, text: str, *, level: str = "info", flex: float = 0.0) -> None:
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
        super().__init__(id, flex=flex)
        self.text, self.level = text, level

    def display_text(self, ctx: Context) -> str:
        word = getattr(ctx.strings, f"level_{self.level}")
        return f"{word}：{self.text}"

    def measure(self, width: int, ctx: Context) -> int:
        pad = ctx.theme.padding
        icon_w = ctx.theme.text_body + pad
        return text_height(self.display_text(ctx), width - 2 * pad - icon_w, ctx) + 2 * pad

    def _layout(self, ctx: Context) -> None:
        c = ctx.theme.colors
        self._fill = getattr(c, self.level)
        fg = getattr(c, f"on_{self.level}")
        pad = ctx.theme.padding
        content = self.rect.inflate(-2 * pad, -2 * pad)
        icon_w = ctx.theme.text_body + pad
        icon_box = Rect(content.x, content.y, icon_w, content.height)
        text_box = Rect(content.x + icon_w, content.y, content.width - icon_w, content.height)
        icon = LEVEL_ICONS[self.level]
        place_text(self, icon, fit_text(icon, icon_box, ctx, shrink=False), icon_box, fg, self._fill,
                   valign="center")
        text = self.display_text(ctx)
        place_text(self, text, fit_text(text, text_box, ctx), text_box, fg, self._fill, valign="center")

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        fg = getattr(ctx.theme.colors, f"on_{self.level}")
        draw_box(surface, self.rect, self._fill, ctx, border=fg)
        draw_runs(self, surface, ctx)


class Countdown(Widget):
    """Seconds left before an automatic action; emits :class:`CountdownExpired` once.

    The count starts at the first ``update(now)`` it sees (widgets never read
    the clock) and survives a rebuild through its state.
    """

    def __init__(self, id: str, seconds: float, *, template: str | None = None,
                 style: str = "body", flex: float = 0.0) -> None:
        super().__init__(id, flex=flex)
        self.seconds, self.template, self.style = seconds, template, style
        self.started: float | None = None
        self.remaining = math.ceil(seconds)
        self.expired = False

    def text(self, ctx: Context) -> str:
        return (self.template or ctx.strings.countdown).format(seconds=self.remaining)

    def measure(self, width: int, ctx: Context) -> int:
        return text_height(self.text(ctx), width, ctx, self.style) + ctx.theme.border * 3 + ctx.theme.spacing

    def _layout(self, ctx: Context) -> None:
        bar_h = ctx.theme.border * 3
        box = Rect(self.rect.x, self.rect.y, self.rect.width, self.rect.height - bar_h - ctx.theme.spacing)
        text = self.text(ctx)
        place_text(self, text, fit_text(text, box, ctx, style=self.style), box, ctx.theme.colors.text_muted,
                   self.backdrop, align="center", valign="center")

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        c = ctx.theme.colors
        bar_h = ctx.theme.border * 3
        bar = Rect(self.rect.x, self.rect.bottom - bar_h, self.rect.width, bar_h)
        pygame.draw.rect(surface, c.border, bar)
        frac = max(0.0, min(1.0, self.remaining / self.seconds)) if self.seconds else 0.0
        pygame.draw.rect(surface, c.primary, Rect(bar.x, bar.y, round(bar.width * frac), bar_h))
        draw_runs(self, surface, ctx)

    def update(self, now: float, ctx: Context) -> list[Message]:
        if self.started is None:
            self.started = now
        remaining = max(0, math.ceil(self.seconds - (now - self.started)))
        if remaining != self.remaining:
            self.remaining = remaining
            self.dirty = True
        if remaining == 0 and not self.expired:
            self.expired = True
            return [CountdownExpired(widget_id=self.id)]
        return []

    def get_state(self) -> Any:
        return (self.started, self.remaining, self.expired)

    def set_state(self, state: Any) -> None:
        self.started, self.remaining, self.expired = state


class QRImage(Widget):
    """A QR code (segno) drawn with whole-pixel modules, dark on light, with an optional caption."""

    MIN_MODULE_PX = 3  # below this cheap phone cameras misread the code

    def __init__(self, id: str, data: str, *, caption: str | None = None, flex: float = 0.0) -> None:
        super().__init__(id, flex=flex)
        self.data, self.caption = data, caption
        try:
            qr = segno.make(data, error="m", micro=False)
        except segno.DataOverflowError as exc:
            raise UIError(f"QR data too long for widget {id!r}") from exc
        self._rows = [list(row) for row in qr.matrix_iter(scale=1, border=4)]
        self.modules = len(self._rows)
        self.module_px = 0
        self.image_rect = Rect(0, 0, 0, 0)

    def _caption_h(self, width: int, ctx: Context) -> int:
        return text_height(self.caption, width, ctx, "small") + ctx.theme.spacing if self.caption else 0

    def measure(self, width: int, ctx: Context) -> int:
        return width + self._caption_h(width, ctx)

    def _layout(self, ctx: Context) -> None:
        cap_h = self._caption_h(self.rect.width, ctx)
        side = max(0, min(self.rect.width, self.rect.height - cap_h))
        self.module_px = side // self.modules
        px = self.module_px * self.modules
        top = self.rect.y + (self.rect.height - px - cap_h) // 2  # image + caption centred as a group
        self.image_rect = Rect(self.rect.centerx - px // 2, top, px, px)
        if self.caption:
            box = Rect(self.rect.x, top + px + ctx.theme.spacing, self.rect.width, cap_h - ctx.theme.spacing)
            place_text(self, self.caption, fit_text(self.caption, box, ctx, style="small"), box,
                       ctx.theme.colors.text, self.backdrop, align="center", valign="center")

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        c = ctx.theme.colors
        if self.module_px:
            small = pygame.Surface((self.modules, self.modules))
            small.fill(c.surface)
            dark = small.map_rgb(c.text)
            with pygame.PixelArray(small) as pa:
                for y, row in enumerate(self._rows):
                    for x, on in enumerate(row):
                        if on:
                            pa[x, y] = dark
            surface.blit(pygame.transform.scale(small, self.image_rect.size), self.image_rect)
        draw_runs(self, surface, ctx)

    def problems(self, ctx: Context) -> list[str]:
        if self.module_px < self.MIN_MODULE_PX:
            return [f"QR modules are {self.module_px}px, need at least {self.MIN_MODULE_PX}px to scan"]
        return []
