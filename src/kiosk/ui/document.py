"""PagedDocument: long read-only text (a service guide) cut into pages — never scrolled.

Rule: blocks are laid out top to bottom and a page holds whole blocks; a block
taller than a page is split between its wrapped lines, so nothing is clipped.
A heading (``keep_with_next``) never ends a page. Pages are turned with
上一页/下一页 like :class:`~kiosk.ui.paging.PagedList`; the page number is
the widget's state, carried across a mode switch or a rotation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.ui.paging import PageLabel
from kiosk.ui.text import layout as text_layout
from kiosk.ui.widget import Context, Message, PageChanged, Pressed, Rect, Row, Widget
from kiosk.ui.widgets import Button, QRImage, TextBlock


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """A paragraph: ``style`` small/body/title, ``tone`` a text colour role, ``fill`` a panel role."""

    text: str
    style: str = "body"
    tone: str = "text"
    fill: str | None = None
    keep_with_next: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class QRBlock:
    """A QR code of at most ``max_mm`` millimetres a side, with a caption."""

    data: str
    caption: str = ""
    max_mm: float = 50.0


class PagedDocument(Widget):
    """Blocks split into pages that fit the widget's height."""

    def __init__(self, id: str, blocks: Sequence[Block | QRBlock], *, page: int = 0, flex: float = 1.0) -> None:
        super().__init__(id, flex=flex)
        self.blocks = list(blocks)
        self.page = page
        self.pages: list[list[Widget]] = []

    @property
    def page_count(self) -> int:
        return max(1, len(self.pages))

    # ---- pagination ----------------------------------------------------------------------------
    def _qr_side(self, block: QRBlock, width: int, height: int, ctx: Context) -> int:
        limit = round(block.max_mm * ctx.theme.dpi / 25.4)
        return max(ctx.theme.target_min, min(width, limit, height * 2 // 3))

    def _pieces(self, width: int, height: int, ctx: Context) -> list[tuple[Widget, int, bool]]:
        """(widget, height, keep_with_next) for every block, long ones already split by lines."""
        t = ctx.theme
        out: list[tuple[Widget, int, bool]] = []
        n = 0
        for block in self.blocks:
            if isinstance(block, QRBlock):
                qr = QRImage(f"{self.id}-b{n}", block.data, caption=block.caption or None)
                side = self._qr_side(block, width, height, ctx)
                out.append((qr, side + qr._caption_h(width, ctx), False))
                n += 1
                continue
            pad = t.padding if block.fill else 0
            tb = TextBlock(f"{self.id}-b{n}", block.text, style=block.style, tone=block.tone, fill=block.fill)
            h = tb.measure(width, ctx)
            n += 1
            if h <= height:
                out.append((tb, h, block.keep_with_next))
                continue
            size = t.text_size(block.style)
            lay = text_layout(block.text, ctx.fonts.get(size), width - 2 * pad, size=size,
                              line_spacing=t.line_spacing)
            font_h = ctx.fonts.get(size).get_height()
            per = max(1, (height - 2 * pad - font_h) // lay.line_pitch + 1)
            lines = list(lay.lines)
            for start in range(0, len(lines), per):
                chunk = "\n".join(lines[start:start + per])
                part = TextBlock(f"{self.id}-b{n}", chunk, style=block.style, tone=block.tone, fill=block.fill)
                n += 1
                out.append((part, part.measure(width, ctx), False))
        return out

    def _paginate(self, width: int, height: int, ctx: Context) -> list[list[tuple[Widget, int]]]:
        gap = ctx.theme.spacing
        pieces = self._pieces(width, height, ctx)
        pages: list[list[tuple[Widget, int]]] = [[]]
        used = 0
        for i, (w, h, keep) in enumerate(pieces):
            need = h
            if keep and i + 1 < len(pieces):
                need += gap + pieces[i + 1][1]
            fits = (used + (gap if pages[-1] else 0) + min(need, height)) <= height
            if pages[-1] and not fits:
                pages.append([])
                used = 0
            used += (gap if pages[-1] else 0) + h
            pages[-1].append((w, h))
        return pages

    def _layout(self, ctx: Context) -> None:
        t, s = ctx.theme, ctx.strings
        gap = t.spacing
        pages = self._paginate(self.rect.width, self.rect.height, ctx)
        nav_h = t.target_min
        if len(pages) > 1:
            pages = self._paginate(self.rect.width, self.rect.height - nav_h - gap, ctx)
        self.pages = [[w for w, _ in p] for p in pages]
        self.page = max(0, min(self.page, len(pages) - 1))
        y = self.rect.y
        self.children = []
        for w, h in pages[self.page]:
            w.backdrop = self.backdrop
            w.layout(Rect(self.rect.x, y, self.rect.width, h), ctx)
            self.children.append(w)
            y += h + gap
        if len(pages) > 1:
            nav = Row(f"{self.id}-nav", [
                Button(f"{self.id}-prev", s.prev_page, icon="◀", value="prev", tone="secondary",
                       enabled=self.page > 0),
                PageLabel(f"{self.id}-page", s.page_of.format(page=self.page + 1, pages=len(pages))),
                Button(f"{self.id}-next", s.next_page, icon="▶", value="next", tone="secondary",
                       enabled=self.page < len(pages) - 1),
            ])
            nav.backdrop = self.backdrop
            nav.layout(Rect(self.rect.x, self.rect.bottom - nav_h, self.rect.width, nav_h), ctx)
            self.children.append(nav)

    def on_message(self, message: Message, ctx: Context) -> list[Message]:
        if isinstance(message, Pressed) and message.widget_id in (f"{self.id}-prev", f"{self.id}-next"):
            return self.turn(-1 if message.value == "prev" else 1)
        return [message]

    def turn(self, step: int) -> list[Message]:
        """One page on or back: the page buttons and a swipe both come here."""
        new = max(0, min(self.page_count - 1, self.page + step))
        if new == self.page:
            return []
        self.page = new
        self.dirty = True
        return [PageChanged(widget_id=self.id, page=new, pages=self.page_count)]

    swipeable = True

    def swipe(self, step: int, ctx: Context) -> list[Message]:
        return self.turn(step)

    def get_state(self) -> Any:
        return self.page

    def set_state(self, state: Any) -> None:
        self.page = int(state)


__all__ = ["Block", "QRBlock", "PagedDocument"]
