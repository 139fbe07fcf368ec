"""Photo: a PNG/JPEG given as bytes (the staff member on duty), scaled into its box with its aspect kept.

Rule: decoded once per picture and scaled once per size (pygame work only after the window exists); a
picture that cannot be decoded draws nothing and reports itself as a layout problem.
"""

from __future__ import annotations

import io
import logging

import pygame

from kiosk.ui.widget import Context, Rect, Widget

log = logging.getLogger(__name__)


class Photo(Widget):
    def __init__(self, id: str, data: bytes, *, flex: float = 1.0, min_height: int = 0) -> None:
        super().__init__(id, flex=flex)
        self.data, self.min_height = data, min_height
        self.image_rect = Rect(0, 0, 0, 0)
        self._src: pygame.Surface | None = None
        self._scaled: pygame.Surface | None = None
        self.ok = True

    def measure(self, width: int, ctx: Context) -> int:
        return max(self.min_height, ctx.theme.target_min)

    def _layout(self, ctx: Context) -> None:
        if self._src is None and self.ok:
            try:
                self._src = pygame.image.load(io.BytesIO(self.data))
            except (pygame.error, ValueError, OSError) as exc:
                log.warning("cannot decode a photo: %s", exc)
                self.ok = False
        if self._src is None:
            return
        sw, sh = self._src.get_size()
        k = min(self.rect.width / sw, self.rect.height / sh)
        w, h = max(1, int(sw * k)), max(1, int(sh * k))
        self.image_rect = Rect(self.rect.centerx - w // 2, self.rect.centery - h // 2, w, h)
        if self._scaled is None or self._scaled.get_size() != (w, h):
            self._scaled = pygame.transform.smoothscale(self._src.convert(), (w, h))

    def _draw(self, surface: pygame.Surface, ctx: Context) -> None:
        if self._scaled is not None:
            surface.blit(self._scaled, self.image_rect)

    def problems(self, ctx: Context) -> list[str]:
        return [] if self.ok else ["the photo could not be decoded"]
