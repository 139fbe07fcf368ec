"""Layout checks computed from the widget tree (no pixel reading).

Rule: every check here must be able to fail — each kind of problem has a test
that builds a broken layout and expects it to be reported. Checks cover the
accessibility floor of the current mode: text overflowing or clipped, text
colliding, siblings overlapping, children outside their parent, touch targets
below the minimum, contrast below the minimum, text below the minimum size,
too many choices on one page, and widget-specific problems.

Text size is judged by what the eye sees: the ink height of the run's letters, digits and characters as
the font renders them at the run's pixel size, in millimetres on the configured panel (the theme's DPI) —
not the font's em. A run of digits has shorter glyphs than a run of Chinese at the same em, so an ID
number needs a bigger size than the words around it to reach the same floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from kiosk.ui.text import glyph_height
from kiosk.ui.theme import RULES, contrast_ratio
from kiosk.ui.widget import Context, Rect, TextRun, Widget


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    kind: str        # overflow | clipped | collision | overlap | outside | target | contrast | size | glyph
                     # | choices | widget
    widget_id: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.widget_id}: {self.detail}"


def _inside(inner: Rect, outer: Rect) -> bool:
    return outer.contains(inner) or inner.width == 0 or inner.height == 0


def check_tree(root: Widget, ctx: Context, area: Rect | None = None, *,
               glyph_floor_mm: float | None = None) -> list[Problem]:
    """Every problem found in ``root``'s tree for the theme in ``ctx``; ``glyph_floor_mm`` overrides the
    mode's floor for glyph heights (the wall display sets it from its reading distance)."""
    t = ctx.theme
    area = area or Rect((0, 0), ctx.size)
    problems: list[Problem] = []
    add = lambda kind, wid, detail: problems.append(Problem(kind=kind, widget_id=wid, detail=detail))  # noqa: E731

    if not _inside(root.rect, area):
        add("outside", root.id, f"{tuple(root.rect)} is outside the screen {tuple(area)}")
    runs: list[TextRun] = []
    choices = 0
    floor_mm = glyph_floor_mm if glyph_floor_mm is not None else RULES[t.mode].min_glyph_mm
    for w in root.walk():
        for child in w.children:
            if not _inside(child.rect, w.rect):
                add("outside", child.id, f"{tuple(child.rect)} sticks out of parent {w.id} {tuple(w.rect)}")
        for a, b in combinations(w.children, 2):
            if a.rect.colliderect(b.rect):
                add("overlap", a.id, f"overlaps sibling {b.id}")
        if w.tappable:
            if w.rect.width < t.target_min or w.rect.height < t.target_min:
                add("target", w.id, f"touch target {w.rect.width}×{w.rect.height}px "
                    f"({t.mm(w.rect.width):.0f}×{t.mm(w.rect.height):.0f}mm) is below "
                    f"{t.target_min}px ({t.mm(t.target_min):.0f}mm)")
        if w.choice:
            choices += 1
        for detail in w.problems(ctx):
            add("widget", w.id, detail)
        for run in w.runs:
            runs.append(run)
            if run.overflow:
                add("overflow", w.id, f"text {run.text[:24]!r} does not fit {run.box.width}×{run.box.height}px")
            elif not _inside(run.rect, run.box) or not _inside(run.rect, w.rect):
                add("clipped", w.id, f"text {run.text[:24]!r} is clipped by its box")
            ratio = contrast_ratio(run.fg, run.bg)
            if ratio < t.min_contrast:
                add("contrast", w.id, f"text {run.text[:24]!r} contrast {ratio:.2f}:1 is below {t.min_contrast}:1")
            if run.size < t.min_text:
                add("size", w.id, f"text {run.text[:24]!r} is {run.size}px ({t.mm(run.size):.1f}mm), "
                    f"below {t.min_text}px ({t.mm(t.min_text):.1f}mm)")
            glyph = glyph_height(run.text, ctx.fonts.get(run.size))
            if glyph and t.mm(glyph) + 0.05 < floor_mm:
                add("glyph", w.id, f"text {run.text[:24]!r} glyphs are {t.mm(glyph):.1f}mm high "
                    f"({glyph}px at {run.size}px, {t.dpi:.0f} dpi), below the {floor_mm:g}mm floor")
    for a, b in combinations(runs, 2):
        if a.rect.colliderect(b.rect):
            add("collision", a.widget_id, f"text {a.text[:16]!r} collides with {b.widget_id} {b.text[:16]!r}")
    if choices > t.max_choices:
        add("choices", root.id, f"{choices} choices on one page, at most {t.max_choices} in {t.mode.value} mode")
    return problems
