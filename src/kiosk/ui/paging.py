"""PagedList: choices split into pages, turned with 上一页/下一页 — never scrolled.

Rule: a page shows at most ``per_page`` items, never more than the theme's
``max_choices`` (6 in large print) and never more than fit the height at the
minimum touch-target size. Tapping an item emits :class:`Chosen`; turning a
page (its buttons, or a swipe over the list) changes only the list's own
``page`` and emits :class:`PageChanged`.
With ``stretch`` the items grow to share the list's height (a home menu of big
tiles), at most ``max_stretch`` times their measured height.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.ui.widget import (Chosen, Context, Grid, Message, PageChanged, Pressed, Rect, Row, Widget,
                             draw_runs, fit_text, place_text)
from kiosk.ui.widgets import Button


@dataclass(frozen=True, slots=True, kw_only=True)
class ListItem:
    label: str
    value: Any = None
    icon: str | None = None
    enabled: bool = True
    note: str = ""   # a second line under the label (tiles)


class PageLabel(Widget):
    """The "第 2/5 页" indicator between the page buttons."""

    def __init__(self, id: str, text: str) -> None:
        super().__init__(id)
        self.text = text

    def _layout(self, ctx: Context) -> None:
        place_text(self, self.text, fit_text(self.text, self.rect, ctx), self.rect,
                   ctx.theme.colors.text, self.backdrop, align="center", valign="center")

    def _draw(self, surface, ctx: Context) -> None:
        draw_runs(self, surface, ctx)


class PagedList(Widget):
    """Items as large buttons in ``columns`` columns, one page at a time."""

    def __init__(self, id: str, items: Sequence[ListItem], *, per_page: int = 6, columns: int = 1,
                 page: int = 0, flex: float = 1.0, style: str = "body", stretch: bool = False,
                 max_stretch: float = 2.5) -> None:
        super().__init__(id, flex=flex)
        self.items = list(items)
        self.style, self.stretch, self.max_stretch = style, stretch, max_stretch
        self.per_page, self.columns, self.page = max(1, per_page), max(1, columns), page
        self.page_size = self.per_page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.items) / self.page_size))

    def item_id(self, index: int) -> str:
        return f"{self.id}-item-{index}"

    def _item_button(self, i: int) -> Button:
        it = self.items[i]
        return Button(self.item_id(i), it.label, value=i, icon=it.icon, enabled=it.enabled,
                      tone="secondary", choice=True, style=self.style)

    def _item_height(self, cell_w: int, ctx: Context) -> int:
        return max((self._item_button(i).measure(cell_w, ctx) for i in range(len(self.items))),
                   default=ctx.theme.target_min)

    def measure(self, width: int, ctx: Context) -> int:
        gap = ctx.theme.spacing
        cell_w = (width - gap * (self.columns - 1)) // self.columns
        rows = math.ceil(min(self.per_page, ctx.theme.max_choices, len(self.items)) / self.columns)
        nav = ctx.theme.target_min + gap if len(self.items) > min(self.per_page, ctx.theme.max_choices) else 0
        return rows * (self._item_height(cell_w, ctx) + gap) - gap + nav

    def _layout(self, ctx: Context) -> None:
        t, s = ctx.theme, ctx.strings
        gap = t.spacing
        cell_w = (self.rect.width - gap * (self.columns - 1)) // self.columns
        item_h = self._item_height(cell_w, ctx)
        nav_h = t.target_min
        wanted = min(self.per_page, t.max_choices)
        needs_nav = len(self.items) > wanted
        area_h = self.rect.height - (nav_h + gap if needs_nav else 0)
        rows_fit = max(1, (area_h + gap) // (item_h + gap))
        self.page_size = max(1, min(wanted, rows_fit * self.columns))
        needs_nav = len(self.items) > self.page_size
        self.page = max(0, min(self.page, self.pages - 1))

        first = self.page * self.page_size
        shown = [self._item_button(i) for i in range(first, min(first + self.page_size, len(self.items)))]
        rows = max(1, math.ceil(len(shown) / self.columns))
        if self.stretch:
            full_rows = max(1, math.ceil(min(self.page_size, len(self.items)) / self.columns))
            room = self.rect.height - (nav_h + gap if needs_nav else 0)
            share = (room - gap * (full_rows - 1)) // full_rows
            item_h = max(item_h, min(share, round(item_h * self.max_stretch)))
        grid = Grid(f"{self.id}-items", shown, cols=self.columns)
        grid.backdrop = self.backdrop
        grid.layout(Rect(self.rect.x, self.rect.y, self.rect.width, rows * (item_h + gap) - gap), ctx)
        self.children = [grid]
        if needs_nav:
            nav = Row(f"{self.id}-nav", [
                Button(f"{self.id}-prev", s.prev_page, icon="◀", value="prev", tone="secondary",
                       enabled=self.page > 0),
                PageLabel(f"{self.id}-page", s.page_of.format(page=self.page + 1, pages=self.pages)),
                Button(f"{self.id}-next", s.next_page, icon="▶", value="next", tone="secondary",
                       enabled=self.page < self.pages - 1),
            ])
            nav.backdrop = self.backdrop
            nav.layout(Rect(self.rect.x, self.rect.bottom - nav_h, self.rect.width, nav_h), ctx)
            self.children.append(nav)

    def on_message(self, message: Message, ctx: Context) -> list[Message]:
        if not isinstance(message, Pressed):
            return [message]
        if message.widget_id in (f"{self.id}-prev", f"{self.id}-next"):
            return self.turn(-1 if message.value == "prev" else 1)
        if message.widget_id.startswith(f"{self.id}-item-"):
            i = int(message.value)
            return [Chosen(widget_id=self.id, index=i, value=self.items[i].value)]
        return [message]

    def turn(self, step: int) -> list[Message]:
        """One page on (``step`` 1) or back (-1): the page buttons and a swipe both come here."""
        new = max(0, min(self.pages - 1, self.page + step))
        if new == self.page:
            return []
        self.page = new
        self.dirty = True
        return [PageChanged(widget_id=self.id, page=new, pages=self.pages)]

    swipeable = True

    def swipe(self, step: int, ctx: Context) -> list[Message]:
        return self.turn(step)

    def get_state(self) -> Any:
        # keep the first visible item in view when the page size changes (mode switch)
        return self.page * self.page_size

    def set_state(self, state: Any) -> None:
        self._first_visible = state
        self.page = 0

    def layout(self, rect: Rect, ctx: Context) -> None:
        first = getattr(self, "_first_visible", None)
        super().layout(rect, ctx)
        if first is not None:
            self._first_visible = None
            page = min(first // self.page_size, self.pages - 1)
            if page != self.page:
                self.page = page
                super().layout(rect, ctx)
