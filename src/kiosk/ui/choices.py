"""EqualGrid: choices that must look equal (the five 好差评 levels on the kiosk and on a window's pad).

Rule: every cell has exactly one size in whole pixels — the rounding left over goes around the grid, never
into one cell — so no choice is bigger, and so more inviting, than another.
"""

from __future__ import annotations

from kiosk.ui.widget import Context, Grid, Rect


class EqualGrid(Grid):
    def _child_rects(self, inner: Rect, ctx: Context) -> list[Rect]:
        gap, n = self.gap(ctx), len(self.children)
        rows = -(-n // self.cols)
        w = (inner.width - gap * (self.cols - 1)) // self.cols
        h = (inner.height - gap * (rows - 1)) // rows
        x0 = inner.x + (inner.width - (w * self.cols + gap * (self.cols - 1))) // 2
        y0 = inner.y + (inner.height - (h * rows + gap * (rows - 1))) // 2
        return [Rect(x0 + (i % self.cols) * (w + gap), y0 + (i // self.cols) * (h + gap), w, h) for i in range(n)]
