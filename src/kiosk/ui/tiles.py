"""Tiles (a big picture over a short label: the home's choices) and the stateful Switch (长辈模式：开/关).

Rules: a tile is one tappable choice; its picture is an icon of :mod:`kiosk.ui.icons`, drawn in the
tile's text colour and sized from the tile's height, so it stays crisp at any size. The label is text
like any other (checked for size, clipping and contrast); the picture is not text and is not checked
as such. A switch always shows its state in words (开 or 关) beside its name, and by shape as well as
colour: the state sits in a pill that is filled when on and outlined when off.
"""

from __future__ import annotations

from typing import Any

import pygame

from kiosk.ui import icons
from kiosk.ui.paging import PageLabel, PagedList
from kiosk.ui.widget import (Context, Message, Pressed, Rect, Row, Widget, draw_box, draw_runs, fit_text,
                             place_text)
from kiosk.ui.widgets import Button, draw_button_frame


class Tile(Widget):
    """A choice drawn as a picture above its label; ``size`` ``"hero"`` is the dominant action."""

    tappable = True

    def __init__(self, id: str, label: str, *, icon: str, value: Any = None, note: str = "",
                 tone: str = "secondary", hero: bool = False, enabled: bool = True, flex: float = 1.0) -> None:
        super().__init__(id, flex=flex)
        if icon not in icons.ICONS:
            raise ValueError(f"unknown icon {icon!r}")
        self.label, self.icon, self.value, self.note = label, icon, value, note
        self.tone, self.hero, self.enabled = tone, hero, enabled
        self.choice = True
        self.icon_rect = Rect(0, 0, 0, 0)

    def _colors(self, ctx: Context):
        c = ctx.theme.colors
        if not self.enabled:
            return c.disabled, c.on_disabled
        return getattr(c, self.tone), getattr(c, f"on_{self.tone}")

    def measure(self, width: int, ctx: Context) -> int:
        t = ctx.theme
        style = "title"
        label = fit_text(self.label, Rect(0, 0, width - 2 * t.padding, 10**6), ctx, style=style).height
        return max(t.target_min, label + t.text_size(style) * 2 + 3 * t.padding)

    def _layout(self, ctx: Context) -> None:
        t = ctx.theme
        fill, fg = self._colors(ctx)
        self._fill = fill
        box = self.rect.inflate(-2 * t.padding, -2 * t.padding)
        style = "display" if self.hero else "title"
        texts = [self.label] + ([self.note] if self.note else [])
        # beside the picture when the tile is wide and low (the hero in landscape, a short row), else below it
        beside = box.width > 2.2 * box.height
        if beside:
            side = min(box.height, box.width // 3)
            self.icon_rect = Rect(box.x, box.centery - side // 2, side, side)
            text_box = Rect(box.x + side + t.spacing, box.y, box.width - side - t.spacing, box.height)
        else:
            lay = fit_text(self.label, box, ctx, style=style)
            note_h = fit_text(self.note, box, ctx, style="body").height + t.spacing if self.note else 0
            cap = t.text_size(style) * (2 if self.hero else 3)  # a picture, not a poster
            side = max(0, min(box.width, cap, box.height - lay.height - note_h - t.spacing))
            top = box.y + max(0, (box.height - side - t.spacing - lay.height - note_h) // 2)
            self.icon_rect = Rect(box.centerx - side // 2, top, side, side)
            text_box = Rect(box.x, top + side + t.spacing, box.width, box.bottom - top - side - t.spacing)
        lay = fit_text(texts[0], text_box, ctx, style=style, max_lines=2)
        align = "center"
        if not self.note:
            place_text(self, texts[0], lay, text_box, fg, fill, align=align, valign="center" if beside else "top")
            return
        note = fit_text(self.note, text_box, ctx, style="body", max_lines=2)
        total = lay.height + t.spacing // 2 + note.height
        top = text_box.y + (text_box.height - total) // 2 if beside else text_box.y
        place_text(self, texts[0], lay, Rect(text_box.x, top, text_box.width, lay.height), fg, fill, align=align)
        place_text(self, self.note, note, Rect(text_box.x, top + lay.height + t.spacing // 2, text_box.width,
                                               note.height), fg, fill, align=align)

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        fill, fg = self._colors(ctx)
        draw_button_frame(self, surface, ctx, fill, fg)
        if self.icon_rect.height >= 8:
            img = icons.render(self.icon, round(self.icon_rect.height * 0.9), fg)
            scale = min(1.0, self.icon_rect.width / max(1, img.get_width()),
                        self.icon_rect.height / max(1, img.get_height()))
            if scale < 1.0:
                img = pygame.transform.smoothscale(img, (max(1, int(img.get_width() * scale)),
                                                         max(1, int(img.get_height() * scale))))
            surface.blit(img, img.get_rect(center=self.icon_rect.center))
        draw_runs(self, surface, ctx)

    def tap(self, ctx: Context) -> list[Message]:
        return [Pressed(widget_id=self.id, value=self.value)] if self.enabled else []


class Switch(Widget):
    """``name：state`` with a pill: tapping emits :class:`Pressed` (the screen flips the state)."""

    tappable = True

    def __init__(self, id: str, name: str, *, on: bool, on_text: str, off_text: str, icon: str | None = None,
                 style: str = "title", flex: float = 0.0) -> None:
        super().__init__(id, flex=flex)
        self.name, self.on, self.on_text, self.off_text, self.icon, self.style = name, on, on_text, off_text, icon, style
        self.pill = Rect(0, 0, 0, 0)
        self.icon_rect = Rect(0, 0, 0, 0)

    @property
    def state_text(self) -> str:
        return self.on_text if self.on else self.off_text

    def measure(self, width: int, ctx: Context) -> int:
        t = ctx.theme
        return max(t.target_min, round(t.text_size(self.style) * 1.5) + 2 * t.padding)

    def _layout(self, ctx: Context) -> None:
        t, c = ctx.theme, ctx.theme.colors
        self._fill = c.surface
        box = self.rect.inflate(-2 * t.padding, -2 * t.padding)
        x = box.x
        if self.icon:
            side = min(box.height, box.width // 6)
            self.icon_rect = Rect(x, box.centery - side // 2, side, side)
            x += side + t.spacing // 2
        pill_w = max(t.text_size(self.style) * 2 + 2 * t.padding, box.width // 4)
        self.pill = Rect(box.right - pill_w, box.y, pill_w, box.height)
        name_box = Rect(x, box.y, self.pill.x - t.spacing // 2 - x, box.height)
        place_text(self, self.name, fit_text(self.name, name_box, ctx, style=self.style, max_lines=1), name_box,
                   c.text, c.surface, align="center", valign="center")
        fill, fg = (c.primary, c.on_primary) if self.on else (c.surface, c.text)
        inner = self.pill.inflate(-2 * t.border, -2 * t.border)
        place_text(self, self.state_text, fit_text(self.state_text, inner, ctx, style=self.style, max_lines=1),
                   inner, fg, fill, align="center", valign="center")

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        t, c = ctx.theme, ctx.theme.colors
        draw_box(surface, self.rect, c.surface, ctx)
        draw_box(surface, self.rect, None, ctx, border=c.focus if self.pressed else c.border,
                 width=2 * t.border if self.pressed else None)
        if self.on:
            draw_box(surface, self.pill, c.primary, ctx)
        else:
            draw_box(surface, self.pill, None, ctx, border=c.text, width=2 * t.border)
        if self.icon and self.icon_rect.height >= 8:
            img = icons.render(self.icon, round(self.icon_rect.height * 0.8), c.text)
            surface.blit(img, img.get_rect(center=self.icon_rect.center))
        draw_runs(self, surface, ctx)

    def tap(self, ctx: Context) -> list[Message]:
        return [Pressed(widget_id=self.id, value=not self.on)]




class TileMenu(PagedList):
    """A paged list drawn as tiles; with ``hero`` its first item is the dominant action, a tile across
    the whole width on the first page. Paging (buttons, swipe), ids and messages are the list's own."""

    HERO_ROWS = 2  # the hero is as tall as this many rows of tiles

    def __init__(self, id: str, items, *, hero: bool = False, **kw: Any) -> None:
        kw.setdefault("stretch", True)
        super().__init__(id, items, **kw)
        self.hero = hero

    def _item_button(self, i: int) -> Widget:
        it = self.items[i]
        hero = self.hero and i == 0
        return Tile(self.item_id(i), it.label, icon=it.icon or "question-circle", value=i, note=it.note,
                    tone="primary" if hero else "secondary", hero=hero, enabled=it.enabled)

    def measure(self, width: int, ctx: Context) -> int:
        return ctx.theme.target_min * 3

    def _layout(self, ctx: Context) -> None:
        t, s = ctx.theme, ctx.strings
        gap, nav_h = t.spacing, t.target_min
        self.page_size = max(1, min(self.per_page, t.max_choices))
        needs_nav = len(self.items) > self.page_size
        self.page = max(0, min(self.page, self.pages - 1))
        area = Rect(self.rect.x, self.rect.y, self.rect.width,
                    self.rect.height - (nav_h + gap if needs_nav else 0))
        first = self.page * self.page_size
        shown = list(range(first, min(first + self.page_size, len(self.items))))
        hero_here = self.hero and self.page == 0 and shown and shown[0] == 0
        rest = shown[1:] if hero_here else shown
        per_row = self.columns
        full = min(self.page_size, len(self.items)) - (1 if hero_here else 0)
        rows = max(1, -(-max(full, 1) // per_row))
        units = rows + (self.HERO_ROWS if hero_here else 0)
        bands = rows + (1 if hero_here else 0)
        unit = (area.height - gap * (bands - 1)) / units
        self.children = []
        y = float(area.y)
        if hero_here:
            h = round(unit * self.HERO_ROWS)
            tile = self._item_button(0)
            tile.backdrop = self.backdrop
            tile.layout(Rect(area.x, round(y), area.width, h), ctx)
            self.children.append(tile)
            y += h + gap
        cell_w = (area.width - gap * (per_row - 1)) // per_row
        for k, i in enumerate(rest):
            r, c = divmod(k, per_row)
            tile = self._item_button(i)
            tile.backdrop = self.backdrop
            tile.layout(Rect(area.x + c * (cell_w + gap), round(y + r * (unit + gap)), cell_w, round(unit)), ctx)
            self.children.append(tile)
        if needs_nav:
            self.children.append(self._nav(ctx, nav_h))

    def _nav(self, ctx: Context, nav_h: int) -> Widget:
        s = ctx.strings
        nav = Row(f"{self.id}-nav", [
            Button(f"{self.id}-prev", s.prev_page, icon="◀", value="prev", tone="secondary", enabled=self.page > 0),
            PageLabel(f"{self.id}-page", s.page_of.format(page=self.page + 1, pages=self.pages)),
            Button(f"{self.id}-next", s.next_page, icon="▶", value="next", tone="secondary",
                   enabled=self.page < self.pages - 1),
        ])
        nav.backdrop = self.backdrop
        nav.layout(Rect(self.rect.x, self.rect.bottom - nav_h, self.rect.width, nav_h), ctx)
        return nav


__all__ = ["Switch", "Tile", "TileMenu"]
