"""Pointer input and display rotation maths (pure functions, unit tested).

Rules:
* ``rotation`` is how far (clockwise, 0/90/180/270) the logical picture is
  turned on the physical panel; :func:`to_logical` is the exact inverse of
  :func:`to_physical` on pixel indices, so touch lands where it is drawn.
* One tap acts once: SDL synthesises mouse events from touches and marks them
  ``touch=True``; :func:`pointer_event` drops those so only the finger counts.
* A swipe is a press and release at least ``SWIPE_MM`` apart, mostly along one
  axis; it turns a paged list one page (left or up: the next page), exactly as
  its 下一页/上一页 buttons do, and is never also a tap.
"""

from __future__ import annotations

from dataclasses import dataclass

ROTATIONS = (0, 90, 180, 270)
SWIPE_MM = 15.0          # shorter movements are a (slightly shaky) tap
SWIPE_DOMINANCE = 1.5    # the main axis must be this much longer than the other
FINGERDOWN, FINGERUP = 0x700, 0x701          # SDL_FINGERDOWN / SDL_FINGERUP
MOUSEBUTTONDOWN, MOUSEBUTTONUP = 0x401, 0x402  # SDL_MOUSEBUTTONDOWN / UP


def check_rotation(rotation: int) -> int:
    if rotation not in ROTATIONS:
        raise ValueError(f"rotation must be one of {ROTATIONS}, got {rotation!r}")
    return rotation


def physical_size(logical: tuple[int, int], rotation: int) -> tuple[int, int]:
    w, h = logical
    return (w, h) if check_rotation(rotation) in (0, 180) else (h, w)


def to_physical(pos: tuple[int, int], logical: tuple[int, int], rotation: int) -> tuple[int, int]:
    """Logical pixel → physical pixel for a clockwise ``rotation``."""
    x, y = pos
    w, h = logical
    r = check_rotation(rotation)
    if r == 0:
        return (x, y)
    if r == 90:
        return (h - 1 - y, x)
    if r == 180:
        return (w - 1 - x, h - 1 - y)
    return (y, w - 1 - x)


def to_logical(pos: tuple[int, int], logical: tuple[int, int], rotation: int) -> tuple[int, int]:
    """Physical pixel → logical pixel; inverse of :func:`to_physical`."""
    px, py = pos
    w, h = logical
    r = check_rotation(rotation)
    if r == 0:
        return (px, py)
    if r == 90:
        return (py, h - 1 - px)
    if r == 180:
        return (w - 1 - px, h - 1 - py)
    return (w - 1 - py, px)


def window_to_physical(pos: tuple[float, float], window: tuple[int, int],
                       physical: tuple[int, int]) -> tuple[int, int]:
    """Undo a preview window's scaling (window px → panel px), clamped to the panel."""
    x = int(pos[0] * physical[0] / window[0])
    y = int(pos[1] * physical[1] / window[1])
    return (min(max(x, 0), physical[0] - 1), min(max(y, 0), physical[1] - 1))


def finger_to_window(x: float, y: float, window: tuple[int, int]) -> tuple[float, float]:
    """SDL finger coordinates are normalised 0..1 over the window."""
    return (x * window[0], y * window[1])


@dataclass(frozen=True, slots=True, kw_only=True)
class PointerEvent:
    down: bool
    pointer: str                 # "mouse" or "finger-<touch>-<finger>"
    pos: tuple[float, float]     # window pixels


def pointer_event(event, window: tuple[int, int]) -> PointerEvent | None:
    """Translate a pygame event to a pointer down/up, or None if it is not one (or a duplicate)."""
    t = event.type
    if t in (FINGERDOWN, FINGERUP):
        pointer = f"finger-{getattr(event, 'touch_id', 0)}-{getattr(event, 'finger_id', 0)}"
        return PointerEvent(down=t == FINGERDOWN, pointer=pointer,
                            pos=finger_to_window(event.x, event.y, window))
    if t in (MOUSEBUTTONDOWN, MOUSEBUTTONUP):
        if getattr(event, "touch", False) or getattr(event, "button", 1) != 1:
            return None
        return PointerEvent(down=t == MOUSEBUTTONDOWN, pointer="mouse", pos=tuple(event.pos))
    return None


def swipe_step(start: tuple[float, float], end: tuple[float, float], min_px: float) -> int:
    """+1 (next page: finger moved left or up), -1 (previous: right or down), 0 (not a swipe)."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    ax, ay = abs(dx), abs(dy)
    if max(ax, ay) < min_px:
        return 0
    if ax >= SWIPE_DOMINANCE * ay:
        return 1 if dx < 0 else -1
    if ay >= SWIPE_DOMINANCE * ax:
        return 1 if dy < 0 else -1
    return 0
