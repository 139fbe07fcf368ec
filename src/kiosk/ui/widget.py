"""Widget base class, messages, build context and layout containers.

Rules:
* "Attributes down, messages up": a parent sets its children's attributes
  (rect, backdrop) in :meth:`Widget.layout`; a child only returns messages,
  which bubble through :meth:`Widget.on_message` of each ancestor to the screen.
* Widgets draw from theme tokens only (``ctx.theme``); no colour or size literals.
* A widget whose look changed sets ``dirty``; the app then re-lays-out and redraws.
* Every piece of drawn text is recorded as a :class:`TextRun` so layout checks
  can see clipping, collisions, size and contrast without reading pixels.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pygame

from kiosk.ui.strings import UiStrings
from kiosk.ui.text import FontCache, TextLayout, fit
from kiosk.ui.theme import RGB, Theme

Rect = pygame.Rect


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """Everything a widget may read while laying out and drawing."""

    theme: Theme
    fonts: FontCache
    strings: UiStrings
    size: tuple[int, int]  # logical surface size


# ---- messages (past tense: something happened) -------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    widget_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Pressed(Message):
    value: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Chosen(Message):
    index: int
    value: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PageChanged(Message):
    page: int
    pages: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryChanged(Message):
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EntrySubmitted(Message):
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CountdownExpired(Message):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class TextRun:
    """One block of drawn text, in logical coordinates."""

    widget_id: str
    text: str
    rect: Rect        # where the glyphs are
    box: Rect         # the area the text must stay within
    size: int         # font pixel size
    fg: RGB
    bg: RGB
    overflow: bool
    layout: TextLayout
    align: str = "left"


# ---- base widget ---------------------------------------------------------------------------------

class Widget:
    """A node of the retained tree. Subclasses override ``_layout``/``_draw``."""

    # A widget whose look changes often while its box stays the same (a ticker, a clock) can set this:
    # the app then lays out and redraws only that box instead of the whole screen.
    redraw_in_place = False

    tappable: bool = False
    choice: bool = False  # counts toward "choices per page"

    def __init__(self, id: str, *, flex: float = 0.0) -> None:
        if not id or not isinstance(id, str):
            raise ValueError("every widget needs a non-empty string id")
        self.id = id
        self.flex = flex
        self.rect = Rect(0, 0, 0, 0)
        self.children: list[Widget] = []
        self.parent: Widget | None = None
        self.backdrop: RGB = (255, 255, 255)
        self.runs: list[TextRun] = []
        self.dirty = False
        self.pressed = False
        self._fill: RGB | None = None

    # tree
    def walk(self) -> Iterator["Widget"]:
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, widget_id: str) -> "Widget | None":
        return next((w for w in self.walk() if w.id == widget_id), None)

    def hit(self, pos: tuple[int, int]) -> "Widget | None":
        """Deepest tappable widget under ``pos`` (later siblings are on top)."""
        if not self.rect.collidepoint(pos):
            return None
        for child in reversed(self.children):
            found = child.hit(pos)
            if found is not None:
                return found
        return self if self.tappable else None

    def swipe_target(self, pos: tuple[int, int]) -> "Widget | None":
        """Deepest widget under ``pos`` that turns pages on a swipe (see :meth:`swipe`)."""
        if not self.rect.collidepoint(pos):
            return None
        for child in reversed(self.children):
            found = child.swipe_target(pos)
            if found is not None:
                return found
        return self if self.swipeable else None

    # sizing and layout
    def measure(self, width: int, ctx: Context) -> int:
        """Preferred height at ``width``."""
        return ctx.theme.target_min

    def layout(self, rect: Rect, ctx: Context) -> None:
        self.rect = Rect(rect)
        self.runs = []
        self.dirty = False
        self._layout(ctx)
        for child in self.children:
            child.parent = self

    def _layout(self, ctx: Context) -> None:
        pass

    @property
    def surface_color(self) -> RGB:
        """The colour this widget's content sits on (its own fill, else its backdrop)."""
        return self._fill if self._fill is not None else self.backdrop

    # drawing
    def draw(self, surface: pygame.Surface, ctx: Context) -> None:
        self._draw(surface, ctx)
        for child in self.children:
            child.draw(surface, ctx)

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        pass

    # behaviour
    def tap(self, ctx: Context) -> list[Message]:
        return []

    swipeable = False

    def swipe(self, step: int, ctx: Context) -> list[Message]:
        """A swipe over this widget: ``step`` +1 next page, -1 previous. Messages, as from a tap."""
        return []

    def on_message(self, message: Message, ctx: Context) -> list[Message]:
        """A descendant's message passing through; return what continues upward."""
        return [message]

    def update(self, now: float, ctx: Context) -> list[Message]:
        return []

    def problems(self, ctx: Context) -> list[str]:
        """Widget-specific layout problems (e.g. a QR code too small to scan)."""
        return []

    # state carried across rebuilds (mode switch, rotation) by widget id
    def get_state(self) -> Any:
        return None

    def set_state(self, state: Any) -> None:
        pass

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {tuple(self.rect)}>"


# ---- text helpers shared by widgets ------------------------------------------------------------

def fit_text(text: str, box: Rect, ctx: Context, *, style: str = "body", shrink: bool = True,
             max_lines: int | None = None) -> TextLayout:
    """Lay ``text`` into ``box``; with ``shrink`` it may get smaller, never below the mode's minimum."""
    size = ctx.theme.text_size(style)
    floor = min(size, ctx.theme.min_text)
    return fit(text, ctx.fonts, box.width, box.height, size=size,
               min_size=floor if shrink else size, line_spacing=ctx.theme.line_spacing,
               max_lines=max_lines)


def text_height(text: str, width: int, ctx: Context, style: str = "body") -> int:
    lay = fit(text, ctx.fonts, width, 10**6, size=ctx.theme.text_size(style),
              min_size=ctx.theme.text_size(style), line_spacing=ctx.theme.line_spacing)
    return lay.height


def place_text(widget: Widget, text: str, lay: TextLayout, box: Rect, fg: RGB, bg: RGB, *,
               align: str = "left", valign: str = "top", x: int | None = None) -> TextRun:
    """Record where ``lay`` goes inside ``box``; the run is drawn by :func:`draw_runs`."""
    if x is not None:
        pass
    elif align == "left":
        x = box.x
    elif align == "center":
        x = box.centerx - lay.width // 2
    elif align == "right":
        x = box.right - lay.width
    y = box.y
    if valign == "center":
        y = box.centery - lay.height // 2
    run = TextRun(widget_id=widget.id, text=text, rect=Rect(x, y, lay.width, lay.height),
                  box=Rect(box), size=lay.font_size, fg=fg, bg=bg, overflow=lay.overflow,
                  layout=lay, align=align)
    widget.runs.append(run)
    return run


def draw_runs(widget: Widget, surface: pygame.Surface, ctx: Context) -> None:
    """Draw every recorded run of ``widget``, clipped to the widget (overflow is flagged, not hidden)."""
    clip = surface.get_clip()
    surface.set_clip(widget.rect.clip(clip))
    for run in widget.runs:
        lay, align = run.layout, run.align
        font = ctx.fonts.get(lay.font_size)
        y = run.rect.y
        for line in lay.lines:
            img = font.render(line, True, run.fg)
            if align == "center":
                x = run.rect.centerx - img.get_width() // 2
            elif align == "right":
                x = run.rect.right - img.get_width()
            else:
                x = run.rect.x
            surface.blit(img, (x, y))
            y += lay.line_pitch
    surface.set_clip(clip)


def draw_box(surface: pygame.Surface, rect: Rect, fill: RGB | None, ctx: Context, *,
             border: RGB | None = None, width: int | None = None, dashed: bool = False) -> None:
    t = ctx.theme
    if fill is not None:
        pygame.draw.rect(surface, fill, rect, border_radius=t.radius)
    if border is not None:
        bw = max(1, width if width is not None else t.border)
        if not dashed:
            pygame.draw.rect(surface, border, rect, bw, border_radius=t.radius)
            return
        dash = max(4, t.spacing)
        for x in range(rect.left, rect.right, dash * 2):
            seg = min(dash, rect.right - x)
            pygame.draw.rect(surface, border, (x, rect.top, seg, bw))
            pygame.draw.rect(surface, border, (x, rect.bottom - bw, seg, bw))
        for y in range(rect.top, rect.bottom, dash * 2):
            seg = min(dash, rect.bottom - y)
            pygame.draw.rect(surface, border, (rect.left, y, bw, seg))
            pygame.draw.rect(surface, border, (rect.right - bw, y, bw, seg))


# ---- pure layout maths -----------------------------------------------------------------------------

def split(length: int, weights: Sequence[float], spacing: int) -> list[tuple[int, int]]:
    """Split ``length`` into (offset, size) parts proportional to ``weights``, with gaps."""
    n = len(weights)
    if n == 0:
        return []
    total = float(sum(weights))
    if total <= 0:
        weights, total = [1.0] * n, float(n)
    free = max(0, length - spacing * (n - 1))
    out, acc, prev = [], 0.0, 0
    for i, w in enumerate(weights):
        acc += w / total * free
        end = round(acc)
        out.append((prev + i * spacing, end - prev))
        prev = end
    return out


def column_rects(rect: Rect, heights: Sequence[int], spacing: int) -> list[Rect]:
    y, out = rect.y, []
    for h in heights:
        out.append(Rect(rect.x, y, rect.width, h))
        y += h + spacing
    return out


def row_rects(rect: Rect, weights: Sequence[float], spacing: int) -> list[Rect]:
    return [Rect(rect.x + off, rect.y, size, rect.height) for off, size in split(rect.width, weights, spacing)]


def grid_rects(rect: Rect, count: int, cols: int, spacing: int, cell_height: int | None = None) -> list[Rect]:
    rows = max(1, math.ceil(count / max(1, cols)))
    widths = split(rect.width, [1] * cols, spacing)
    if cell_height is None:
        heights = split(rect.height, [1] * rows, spacing)
    else:
        heights = [(r * (cell_height + spacing), cell_height) for r in range(rows)]
    return [Rect(rect.x + widths[i % cols][0], rect.y + heights[i // cols][0],
                 widths[i % cols][1], heights[i // cols][1]) for i in range(count)]


# ---- containers -------------------------------------------------------------------------------------

class Container(Widget):
    """Base of Column/Row/Grid: optional fill, padding and spacing (theme tokens by default)."""

    def __init__(self, id: str, children: Sequence[Widget], *, flex: float = 0.0,
                 fill: str | None = None, padded: bool = False, spacing: int | None = None) -> None:
        super().__init__(id, flex=flex)
        self.children = list(children)
        self.fill_role = fill
        self.padded = padded
        self.spacing = spacing

    def gap(self, ctx: Context) -> int:
        return ctx.theme.spacing if self.spacing is None else self.spacing

    def inner(self, ctx: Context) -> Rect:
        pad = ctx.theme.padding if self.padded else 0
        return self.rect.inflate(-2 * pad, -2 * pad)

    def _pad(self, ctx: Context) -> int:
        return 2 * ctx.theme.padding if self.padded else 0

    def _layout(self, ctx: Context) -> None:
        self._fill = getattr(ctx.theme.colors, self.fill_role) if self.fill_role else None
        for child in self.children:
            child.backdrop = self.surface_color
        for child, r in zip(self.children, self._child_rects(self.inner(ctx), ctx)):
            child.layout(r, ctx)

    def _child_rects(self, inner: Rect, ctx: Context) -> list[Rect]:
        raise NotImplementedError

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        if self._fill:
            draw_box(surface, self.rect, self._fill, ctx)


class Column(Container):
    """Children top to bottom: fixed ones at their measured height, ``flex`` ones share the rest."""

    def measure(self, width: int, ctx: Context) -> int:
        inner_w = width - self._pad(ctx)
        hs = [c.measure(inner_w, ctx) for c in self.children]
        return sum(hs) + self.gap(ctx) * max(0, len(hs) - 1) + self._pad(ctx)

    def _child_rects(self, inner: Rect, ctx: Context) -> list[Rect]:
        gap = self.gap(ctx)
        fixed = [0 if c.flex else c.measure(inner.width, ctx) for c in self.children]
        flex_total = sum(c.flex for c in self.children)
        free = inner.height - sum(fixed) - gap * max(0, len(self.children) - 1)
        heights = [f if not c.flex else max(0, int(free * c.flex / flex_total))
                   for c, f in zip(self.children, fixed)]
        return column_rects(inner, heights, gap)


class Row(Container):
    """Children left to right, widths proportional to ``flex`` (0 counts as 1)."""

    def measure(self, width: int, ctx: Context) -> int:
        inner = Rect(0, 0, width - self._pad(ctx), 0)
        rects = row_rects(inner, [c.flex or 1 for c in self.children], self.gap(ctx))
        return max((c.measure(r.width, ctx) for c, r in zip(self.children, rects)), default=0) + self._pad(ctx)

    def _child_rects(self, inner: Rect, ctx: Context) -> list[Rect]:
        return row_rects(inner, [c.flex or 1 for c in self.children], self.gap(ctx))


class Grid(Container):
    """Equal cells, ``cols`` per row, filled row by row."""

    def __init__(self, id: str, children: Sequence[Widget], *, cols: int, **kw: Any) -> None:
        super().__init__(id, children, **kw)
        self.cols = max(1, cols)

    def measure(self, width: int, ctx: Context) -> int:
        gap = self.gap(ctx)
        cell_w = (width - self._pad(ctx) - gap * (self.cols - 1)) // self.cols
        rows = math.ceil(len(self.children) / self.cols)
        cell_h = max((c.measure(cell_w, ctx) for c in self.children), default=0)
        return rows * cell_h + gap * max(0, rows - 1) + self._pad(ctx)

    def _child_rects(self, inner: Rect, ctx: Context) -> list[Rect]:
        return grid_rects(inner, len(self.children), self.cols, self.gap(ctx))


class Spacer(Widget):
    """Empty space; give it ``flex`` to push siblings apart."""

    def measure(self, width: int, ctx: Context) -> int:
        return 0


__all__ = [
    "Context", "Message", "Pressed", "Chosen", "PageChanged", "EntryChanged", "EntrySubmitted",
    "CountdownExpired", "TextRun", "Widget", "Container", "Column", "Row", "Grid", "Spacer",
    "split", "column_rects", "row_rects", "grid_rects", "fit_text", "text_height", "place_text",
    "draw_runs", "draw_box",
]
