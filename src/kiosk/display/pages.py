"""The 政务公开 pane: published pages and the service catalogue, split into slides that fit and
rotated with a dwell time and a page indicator.

Rule: nothing is ever cut off — a long text or list is split into as many slides as its box needs
(the split is recomputed whenever the box or the content changes), a picture is scaled to fit. The
pane owns its own timing from ``update(now)`` and keeps its place across rebuilds by widget id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pygame

from ..protocol.content import markdown_text as plain_text, table
from ..ui.widget import Column, Context, Message, Rect, Widget, draw_box
from .render import cache_of
from .state import ContentPage, HallState
from .strings import DisplayStrings
from .widgets import HBox, PageDots, Picture, Text, px

SECTION_ORDER = ("notice", "list", "catalog", "image", "policy")


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """One thing to show: text, a table, or a picture, before it is split into slides."""

    key: str
    section: str
    title: str
    dwell: float
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    weights: tuple[float, ...] = ()
    image: bytes = b""
    image_key: Any = None


def markdown_text(body: str, strings: DisplayStrings) -> str:
    """Markdown-ish body → display text: headings lose their #, list items get the display's bullet."""
    return plain_text(body, strings.bullet)


def _days(item: dict[str, Any], strings: DisplayStrings) -> str:
    d = item.get("promised_days", item.get("time_limit_days", 0))
    return strings.days_now if not d else strings.days_n.format(days=d)


def sources(state: HallState, strings: DisplayStrings, *, page_dwell: float, catalog_dwell: float) -> list[Source]:
    section = {"notice": strings.section_notice, "list": strings.section_list, "image": strings.section_image,
               "policy": strings.section_policy, "catalog": strings.section_catalog}
    pages: dict[str, list[ContentPage]] = {k: [] for k in SECTION_ORDER}
    for p in state.content.values():
        pages[p.kind].append(p)
    out: list[Source] = []
    for kind in SECTION_ORDER:
        if kind == "catalog":
            items = state.catalog
            if items:
                rows = tuple((str(i.get("name", "")), str(i.get("department", "")), _days(i, strings),
                              str(i.get("window", ""))) for i in items)
                out.append(Source(key="catalog", section=section["catalog"], title="", dwell=catalog_dwell,
                                  header=strings.catalog_columns, rows=rows, weights=(5, 2, 2, 5)))
            continue
        for p in sorted(pages[kind], key=lambda p: (-p.published_at, p.id)):
            dwell = p.dwell_s or page_dwell
            common = dict(key=f"page:{p.id}:{p.published_at}", section=section[kind], title=p.title, dwell=dwell)
            if kind == "image":
                out.append(Source(image=p.image, image_key=(p.id, p.published_at), **common))
            elif kind == "list":
                header, rows = table(p.body)
                width = max((len(r) for r in rows), default=1)
                # columns as wide as their longest cell (within 2..14 characters), so 序号 stays narrow
                weights = tuple(float(min(14, max(2, max((len(r[i]) for r in (header, *rows) if i < len(r)),
                                                        default=2)))) for i in range(width))
                out.append(Source(header=header, rows=tuple(rows), weights=weights, **common))
            else:
                out.append(Source(text=markdown_text(p.body, strings), **common))
    return out


@dataclass(slots=True)
class _Plan:
    """How a source splits into slides for one box size."""

    parts: list[Any] = field(default_factory=list)  # text chunks, row ranges, or [None] for a picture


class DisclosurePane(Widget):
    """Header (section and title), the current slide, and 「section · 第 k/n 页」 with dots."""

    def __init__(self, id: str, items: list[Source], strings: DisplayStrings, *, flex: float = 1.0,
                 fill: str = "surface", text_scale: float = 1.0) -> None:
        super().__init__(id, flex=flex)
        self.text_scale = text_scale
        self.items, self.strings, self.fill_role = items, strings, fill
        self.index, self.part = 0, 0
        self.started: float | None = None
        self.plans: list[_Plan] = []

    # ---- splitting -------------------------------------------------------------------------------
    def _plan_text(self, src: Source, box: Rect, ctx: Context) -> _Plan:
        size = px(ctx, "body", self.text_scale)
        lay = cache_of(ctx).fit(src.text or " ", ctx.fonts, box.width, 10**7, size=size, min_size=size,
                                line_spacing=ctx.theme.line_spacing)
        font_h = ctx.fonts.get(size).get_height()
        per = max(1, (box.height - font_h) // lay.line_pitch + 1)
        lines = list(lay.lines)
        return _Plan(["\n".join(lines[i:i + per]) for i in range(0, max(1, len(lines)), per)])

    def _row(self, key: str, cells: tuple[str, ...], weights: tuple[float, ...], style: str, tone: str,
             fill: str | None) -> HBox:
        n = len(weights)
        cells = tuple(cells[:n]) + ("",) * (n - len(cells))
        return HBox(key, [Text(f"{key}-{i}", c or " ", style=style, scale=self.text_scale, tone=tone, shrink=False,
                               valign="top", flex=weights[i]) for i, c in enumerate(cells)], fill=fill)

    def _plan_table(self, src: Source, box: Rect, ctx: Context) -> _Plan:
        gap = ctx.theme.spacing // 2
        head_h = self._row("h", src.header, src.weights, "body", "text", None).measure(box.width, ctx) + gap \
            if src.header else 0
        parts, start, used = [], 0, head_h
        for i, r in enumerate(src.rows):
            h = self._row("r", r, src.weights, "body", "text", None).measure(box.width, ctx) + gap
            if used + h > box.height + gap and i > start:
                parts.append((start, i))
                start, used = i, head_h
            used += h
        parts.append((start, len(src.rows)))
        return _Plan(parts)

    def _plan(self, src: Source, box: Rect, ctx: Context) -> _Plan:
        if src.image:
            return _Plan([None])
        if src.rows:
            return self._plan_table(src, box, ctx)
        return self._plan_text(src, box, ctx)

    # ---- layout ----------------------------------------------------------------------------------
    def _layout(self, ctx: Context) -> None:
        t = ctx.theme
        self._fill = getattr(t.colors, self.fill_role)
        inner = self.rect.inflate(-2 * t.padding, -2 * t.padding)
        s = self.strings
        if not self.items:
            col = Column(f"{self.id}-col", [Text(f"{self.id}-empty", s.nothing_published, style="title",
                                                 tone="text_muted", align="center", flex=1)])
            col.backdrop = self._fill
            col.layout(inner, ctx)
            self.children = [col]
            return
        self.index = min(self.index, len(self.items) - 1)
        src = self.items[self.index]
        head = Text(f"{self.id}-head", f"{src.section}　{src.title}".strip(), style="title", max_lines=1)
        footer_h = self._footer("第", 0, 0, ctx).measure(inner.width, ctx)
        head_h = head.measure(inner.width, ctx)
        body = Rect(inner.x, inner.y + head_h + t.spacing, inner.width,
                    inner.height - head_h - footer_h - 2 * t.spacing)
        self.plans = [self._plan(it, body, ctx) for it in self.items]
        self.part = min(self.part, len(self.plans[self.index].parts) - 1)
        total = sum(len(p.parts) for p in self.plans)
        current = sum(len(p.parts) for p in self.plans[:self.index]) + self.part
        section_pages = len(self.plans[self.index].parts)
        label = s.page_of.format(section=src.section, page=current + 1, pages=total)
        if section_pages > 1:
            label += f"（{self.part + 1}/{section_pages}）"
        slide = self._slide(src, self.plans[self.index].parts[self.part], ctx)
        footer = self._footer(label, total, current, ctx)
        col = Column(f"{self.id}-col", [head, slide, footer])
        slide.flex = 1
        col.backdrop = self._fill
        col.layout(inner, ctx)
        self.children = [col]

    def _footer(self, label: str, total: int, current: int, ctx: Context) -> Column:
        return Column(f"{self.id}-foot", [
            Text(f"{self.id}-page", label, style="small", tone="text_muted", align="center", max_lines=1),
            PageDots(f"{self.id}-dots", total if total <= 24 else 0, current),
        ], spacing=ctx.theme.spacing // 2)

    def _slide(self, src: Source, part: Any, ctx: Context) -> Widget:
        sid = f"{self.id}-slide"
        if src.image:
            return Picture(sid, src.image_key, src.image)
        if src.rows:
            a, b = part
            rows: list[Widget] = []
            if src.header:
                rows.append(self._row(f"{sid}-h", src.header, src.weights, "body", "on_secondary", "secondary"))
            rows += [self._row(f"{sid}-r{i}", src.rows[i], src.weights, "body", "text", None) for i in range(a, b)]
            return Column(sid, rows, spacing=ctx.theme.spacing // 2)
        return Text(sid, part or " ", style="body", scale=self.text_scale, shrink=False, valign="top")

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        draw_box(surface, self.rect, self._fill, ctx)

    # ---- rotation --------------------------------------------------------------------------------
    def update(self, now: float, ctx: Context) -> list[Message]:
        if not self.items:
            return []
        if self.started is None:
            self.started = now
            return []
        if now - self.started < self.items[self.index].dwell:
            return []
        self.started = now
        parts = len(self.plans[self.index].parts) if self.index < len(self.plans) else 1
        if self.part + 1 < parts:
            self.part += 1
        else:
            self.part = 0
            self.index = (self.index + 1) % len(self.items)
        self.dirty = True
        return []

    def get_state(self) -> Any:
        key = self.items[self.index].key if self.items else None
        return (key, self.part, self.started)

    def set_state(self, state: Any) -> None:
        key, part, started = state
        for i, it in enumerate(self.items):
            if it.key == key:  # same page still published: stay on it
                self.index, self.part, self.started = i, part, started
                return
