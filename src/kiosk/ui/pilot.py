"""Pilot: drive an App like a person, headless, for tests and screenshots.

Rules:
* Uses the SDL dummy video/audio drivers, so it runs on CI without a display.
* Taps are real pygame events at the widget's centre, mapped through the
  rotation to the physical panel — exactly what a finger would produce
  (including SDL's duplicate mouse events marked ``touch=True``).
* Time is a :class:`FakeClock` the test advances; nothing sleeps. Tests that
  talk to real services (a broker, a hub) use a :class:`LiveClock` instead and
  :meth:`Pilot.run_until` with a real-time deadline.
"""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pygame

from kiosk.ui.app import App, DisplayConfig
from kiosk.ui.checks import Problem, check_tree
from kiosk.ui.errors import PilotError
from kiosk.ui.screen import Screen
from kiosk.ui.strings import UiStrings
from kiosk.ui.theme import Mode, ThemeSet, default_theme_path, load_themes
from kiosk.ui.touch import to_physical
from kiosk.ui.widget import Widget


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class LiveClock:
    """The real monotonic clock behind the FakeClock interface (``advance`` does nothing)."""

    def __call__(self) -> float:
        return time.monotonic()

    def advance(self, seconds: float) -> None:
        pass


def check_layout(app: App) -> list[Problem]:
    """Problems in the top screen's widget tree for the app's current mode."""
    return check_tree(app.tree(), app.ctx, glyph_floor_mm=app.display_config.glyph_floor_mm)


class Pilot:
    """Headless driver around one :class:`App`."""

    def __init__(self, app: App, clock: "FakeClock | LiveClock") -> None:
        self.app, self.clock = app, clock

    @classmethod
    def start(cls, screens: Mapping[str, Callable[[], Screen]], key: str, data: Any = None, *,
              themes: ThemeSet | None = None, mode: Mode = Mode.NORMAL, orientation: str = "portrait",
              rotation: int = 0, dpi: float = 96.0, window_scale: float = 1.0,
              strings: UiStrings = UiStrings(), inbox: queue.Queue | None = None) -> "Pilot":
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        themes = themes or load_themes(default_theme_path(), dpi=dpi)
        clock = FakeClock()
        display = DisplayConfig(orientation=orientation, rotation=rotation, dpi=dpi,
                                window_scale=window_scale, title="pilot")
        app = App(screens=screens, themes=themes, display=display, mode=mode, strings=strings,
                  inbox=inbox, clock=clock)
        app.start(key, data)
        pygame.event.clear()
        pilot = cls(app, clock)
        pilot.frames(1)
        return pilot

    def close(self) -> None:
        self.app.close()

    def __enter__(self) -> "Pilot":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- running ------------------------------------------------------------------------------
    def frames(self, n: int = 1, dt: float = 1 / 30) -> int:
        """Run ``n`` frames, advancing the fake clock by ``dt`` each; return how many drew."""
        drawn = 0
        for _ in range(n):
            self.clock.advance(dt)
            drawn += bool(self.app.step())
        return drawn

    def advance(self, seconds: float, dt: float = 0.1) -> None:
        """Let ``seconds`` of app time pass in frames of ``dt``."""
        steps = max(1, round(seconds / dt))
        self.frames(steps, dt=seconds / steps)

    def wait_until(self, predicate: Callable[[], bool], *, max_frames: int = 300) -> None:
        for _ in range(max_frames):
            if predicate():
                return
            self.frames(1)
        raise PilotError(f"condition not met within {max_frames} frames")

    def run_until(self, predicate: Callable[[], bool], *, timeout: float = 10.0, what: str = "condition") -> None:
        """Run frames until ``predicate()`` holds or ``timeout`` real seconds pass (live services)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise PilotError(f"{what} not met within {timeout} s (screen {self.app.top.key!r}: "
                                 f"{' | '.join(self.visible_texts())[:300]})")
            self.frames(1)

    # ---- finding ------------------------------------------------------------------------------
    @property
    def root(self) -> Widget:
        return self.app.tree()

    def widget(self, widget_id: str) -> Widget:
        w = self.root.find(widget_id)
        if w is None:
            raise PilotError(f"no widget {widget_id!r} on screen {self.app.top.key!r}")
        return w

    def exists(self, widget_id: str) -> bool:
        return self.root.find(widget_id) is not None

    def text_of(self, widget_id: str) -> str:
        """All text drawn by the widget and its children, in drawing order, space-joined."""
        return " ".join(r.text for w in self.widget(widget_id).walk() for r in w.runs)

    def visible_texts(self) -> list[str]:
        return [r.text for w in self.root.walk() for r in w.runs]

    # ---- acting -------------------------------------------------------------------------------
    def physical_point(self, widget_id: str) -> tuple[int, int]:
        cfg = self.app.display_config
        return to_physical(self.widget(widget_id).rect.center, cfg.logical_size, cfg.rotation)

    def tap(self, widget_id: str, *, via: str = "finger", synth_mouse: bool = True,
            frames: int = 2) -> None:
        """Tap the widget's centre with a finger (plus SDL's duplicate mouse events) or the mouse."""
        w = self.widget(widget_id)
        if not w.tappable:
            raise PilotError(f"widget {widget_id!r} is not tappable")
        window = self.app.window_size
        phys = self.app.display_config.physical_size
        px, py = self.physical_point(widget_id)
        wx, wy = (px + 0.5) * window[0] / phys[0], (py + 0.5) * window[1] / phys[1]
        for event in self.tap_events((wx, wy), window, via=via, synth_mouse=synth_mouse):
            pygame.event.post(event)
        self.frames(frames)

    def swipe(self, widget_id: str, direction: str, *, mm: float = 40.0, frames: int = 2) -> None:
        """Drag a finger ``mm`` millimetres across the widget's centre: ``direction`` is where the
        finger moves (``left``/``up`` turn to the next page, ``right``/``down`` back)."""
        w = self.widget(widget_id)
        d = mm * self.app.theme.dpi / 25.4 / 2
        dx, dy = {"left": (-d, 0), "right": (d, 0), "up": (0, -d), "down": (0, d)}[direction]
        cx, cy = w.rect.center
        cfg = self.app.display_config
        window, phys = self.app.window_size, cfg.physical_size

        def at(x: float, y: float) -> tuple[float, float]:
            px, py = to_physical((int(x), int(y)), cfg.logical_size, cfg.rotation)
            return (px + 0.5) * window[0] / phys[0], (py + 0.5) * window[1] / phys[1]
        (x0, y0), (x1, y1) = at(cx - dx, cy - dy), at(cx + dx, cy + dy)
        finger = dict(dx=0.0, dy=0.0, touch_id=1, finger_id=0, pressure=1.0)
        pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, x=x0 / window[0], y=y0 / window[1], **finger))
        pygame.event.post(pygame.event.Event(pygame.FINGERMOTION, x=x1 / window[0], y=y1 / window[1], **finger))
        pygame.event.post(pygame.event.Event(pygame.FINGERUP, x=x1 / window[0], y=y1 / window[1], **finger))
        self.frames(frames)

    @staticmethod
    def tap_events(pos: tuple[float, float], window: tuple[int, int], *, via: str = "finger",
                   synth_mouse: bool = True) -> list[pygame.event.Event]:
        """The events a tap at window position ``pos`` produces."""
        x, y = pos
        mouse = dict(pos=(int(x), int(y)), button=1)
        if via == "mouse":
            return [pygame.event.Event(pygame.MOUSEBUTTONDOWN, **mouse, touch=False),
                    pygame.event.Event(pygame.MOUSEBUTTONUP, **mouse, touch=False)]
        finger = dict(x=x / window[0], y=y / window[1], dx=0.0, dy=0.0, touch_id=1, finger_id=0,
                      pressure=1.0)
        events = [pygame.event.Event(pygame.FINGERDOWN, **finger)]
        if synth_mouse:
            events.append(pygame.event.Event(pygame.MOUSEBUTTONDOWN, **mouse, touch=True))
        events.append(pygame.event.Event(pygame.FINGERUP, **finger))
        if synth_mouse:
            events.append(pygame.event.Event(pygame.MOUSEBUTTONUP, **mouse, touch=True))
        return events

    def post(self, message: Any, frames: int = 1) -> None:
        """Put a message in the app's inbox (as another thread would) and run frames."""
        self.app.inbox.put(message)
        self.frames(frames)

    # ---- looking ------------------------------------------------------------------------------
    def screenshot(self, path: str | Path) -> Path:
        """Save the logical picture (as a person sees it, un-rotated) to a PNG."""
        self.app.render()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(self.app.surface, str(path))
        return path

    def check_layout(self) -> list[Problem]:
        return check_layout(self.app)
