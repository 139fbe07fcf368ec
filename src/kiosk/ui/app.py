"""The App: owns the pygame window, the loop, the clock and the screen stack.

Rules:
* One loop owns time: ``step(now)`` passes ``now``/``dt`` (bounded) down to the
  top screen and its widgets; nobody else reads the clock.
* Draw only when something changed; an idle frame neither draws nor calls
  ``pygame.display.update()`` (``frames_drawn`` counts real draws).
* Other threads talk to the loop only through ``inbox`` (a ``queue.Queue``),
  drained each frame; messages go to the top screen's ``handle``.
* Screens are created from a registry ``{key: factory}``; a screen's
  transition names the next key. Widget state (page, entry, countdown) is
  carried by widget id when a screen is rebuilt (mode or rotation change).
* The loop tells systemd how it is (:class:`kiosk.system.sdnotify.Notifier`, built from the environment):
  ``READY=1`` once the first frame has been presented, ``WATCHDOG=1`` from ``step`` only (every role's
  loop calls it; idle frames count, a loop that stops calling it stops the pings), ``STATUS=`` from the
  role's ``status`` callable, looked at about once a second.
* Rendering happens on a logical surface (portrait 1080×1920 or landscape
  1920×1080) rotated onto the panel; touches are mapped back with
  :mod:`kiosk.ui.touch`.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pygame
from pygame import Rect

from kiosk.system.sdnotify import Notifier
from kiosk.ui.errors import ScreenError
from kiosk.ui.screen import ModalResult, Pop, Push, Quit, Replace, Reset, Screen, SetMode
from kiosk.ui.strings import UiStrings
from kiosk.ui.text import FontCache
from kiosk.ui.theme import MM_PER_INCH, Mode, Theme, ThemeSet
from kiosk.ui.touch import (SWIPE_MM, check_rotation, physical_size, pointer_event, swipe_step, to_logical,
                            window_to_physical)
from kiosk.ui.widget import Context, Message, Rect, Widget

log = logging.getLogger(__name__)

ORIENTATIONS = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
MAX_DT = 0.25  # a stalled frame (NTP jump, slow SD card) must not fast-forward timers
MAX_INBOX_PER_FRAME = 200
STATUS_EVERY = 1.0  # seconds between looks at the role's status text


@dataclass(frozen=True, slots=True, kw_only=True)
class DisplayConfig:
    orientation: str = "portrait"
    rotation: int = 0
    dpi: float = 96.0
    fullscreen: bool = False
    window_scale: float = 1.0      # < 1 to preview a big panel on a desktop
    fps: int = 30
    title: str = "kiosk"
    hide_cursor: bool = False
    size: tuple[int, int] | None = None  # any logical size (a pad, a strip above a counter); None: by orientation
    glyph_floor_mm: float | None = None  # smallest glyph for the screen check (None: the mode's own floor)

    def __post_init__(self) -> None:
        if self.orientation not in ORIENTATIONS:
            raise ValueError(f"orientation must be one of {sorted(ORIENTATIONS)}")
        check_rotation(self.rotation)
        if self.window_scale <= 0:
            raise ValueError("window_scale must be positive")

    @property
    def logical_size(self) -> tuple[int, int]:
        return self.size if self.size is not None else ORIENTATIONS[self.orientation]

    @property
    def physical_size(self) -> tuple[int, int]:
        return physical_size(self.logical_size, self.rotation)


class App:
    """Screen stack + loop. Create, then :meth:`run` (or :meth:`start` + :meth:`step` in tests)."""

    def __init__(self, *, screens: Mapping[str, Callable[[], Screen]], themes: ThemeSet,
                 display: DisplayConfig = DisplayConfig(), mode: Mode = Mode.NORMAL,
                 strings: UiStrings = UiStrings(), inbox: queue.Queue | None = None,
                 clock: Callable[[], float] = time.monotonic, notifier: Notifier | None = None,
                 status: Callable[[], str] | None = None) -> None:
        self.registry = dict(screens)
        self.themes, self.display_config, self.mode, self.strings = themes, display, mode, strings
        self.inbox: queue.Queue = inbox if inbox is not None else queue.Queue()
        self.clock = clock
        self.stack: list[Screen] = []
        self.fonts = FontCache(themes.normal.font_file)
        self.running = False
        self.frames_run = 0
        self.frames_drawn = 0
        self.dirty = True
        self._partial: dict[str, Any] = {}  # widgets to redraw in place (their box unchanged)
        self._window: pygame.Surface | None = None
        self._surface: pygame.Surface | None = None
        self._last: float | None = None
        self._downs: dict[str, tuple[str | None, tuple[int, int]]] = {}  # pointer → (widget id, where)
        self.last_input: float | None = None  # frame time of the last pointer down
        self.notifier = notifier if notifier is not None else Notifier.from_env(clock=clock)
        self.status = status  # what the screen is doing, in a line for ``systemctl status``
        self._status_at: float | None = None

    # ---- context -----------------------------------------------------------------------------
    @property
    def theme(self) -> Theme:
        return self.themes.for_mode(self.mode)

    @property
    def ctx(self) -> Context:
        return Context(theme=self.theme, fonts=self.fonts, strings=self.strings,
                       size=self.display_config.logical_size)

    @property
    def top(self) -> Screen:
        if not self.stack:
            raise ScreenError("no screen is open")
        return self.stack[-1]

    @property
    def surface(self) -> pygame.Surface:
        """The logical (un-rotated) picture, as last drawn."""
        if self._surface is None:
            raise ScreenError("the app is not open")
        return self._surface

    @property
    def window_size(self) -> tuple[int, int]:
        if self._window is None:
            raise ScreenError("the app is not open")
        return self._window.get_size()

    def tree(self) -> Widget:
        """The top screen's widget tree, built and laid out if needed."""
        self._ensure_built()
        root = self.top.root
        assert root is not None
        return root

    def render(self) -> None:
        """Draw now if anything changed (tests and screenshots; the loop does this itself)."""
        self._ensure_built()
        if self.dirty:
            self._draw()

    # ---- window ------------------------------------------------------------------------------
    def open(self) -> None:
        """Create the window (call after the environment is set, never at import)."""
        pygame.display.init()
        pygame.font.init()
        cfg = self.display_config
        phys = cfg.physical_size
        size = (round(phys[0] * cfg.window_scale), round(phys[1] * cfg.window_scale))
        flags = pygame.FULLSCREEN if cfg.fullscreen else 0
        self._window = pygame.display.set_mode(size, flags)
        pygame.display.set_caption(cfg.title)
        if cfg.hide_cursor:
            pygame.mouse.set_visible(False)
        self._surface = pygame.Surface(cfg.logical_size).convert()
        self.dirty = True

    def close(self) -> None:
        self.notifier.stopping()
        while self.stack:
            self.stack.pop().cleanup()
        self.fonts.clear()
        pygame.display.quit()
        self._window = self._surface = None

    def start(self, key: str, data: Any = None) -> None:
        if self._window is None:
            self.open()
        self.running = True
        self._push(key, data)

    def run(self, key: str, data: Any = None) -> None:
        """Blocking loop at ``fps``; returns after a :class:`Quit` or a window close."""
        self.start(key, data)
        ticker = pygame.time.Clock()
        try:
            while self.running:
                self.step()
                ticker.tick(self.display_config.fps)
        finally:
            self.close()

    # ---- runtime settings --------------------------------------------------------------------
    def set_mode(self, mode: Mode) -> None:
        if mode is not self.mode:
            self.mode = mode
            self._rebuild_all()

    def set_display(self, display: DisplayConfig) -> None:
        """Change orientation/rotation at runtime: new window, every screen rebuilt."""
        self.display_config = display
        if self._window is not None:
            self.open()
        self._rebuild_all()

    def _rebuild_all(self) -> None:
        for screen in self.stack:
            screen.needs_build = True
        self.dirty = True

    # ---- the frame ---------------------------------------------------------------------------
    def step(self, now: float | None = None) -> bool:
        """Run one frame; return True if it drew."""
        now = self.clock() if now is None else now
        dt = 0.0 if self._last is None else min(max(0.0, now - self._last), MAX_DT)
        self._last = now
        self.frames_run += 1
        for event in pygame.event.get():
            self._on_event(event)
        self._drain_inbox()
        if self.stack:
            self._apply(self.top.update(now, dt))
        if self.stack:
            self._ensure_built()
            root = self.top.root
            for w in list(root.walk()) if root else []:
                msgs = w.update(now, self.ctx)
                if msgs:
                    self._bubble(w, msgs)
            self._relayout_if_dirty()
        if not self.stack or not self.running:
            return False
        self._ensure_built()
        drew = True
        if self.dirty:
            self._draw()
        elif self._partial:
            self._draw_partial()
        else:
            drew = False  # idle: nothing changed, nothing presented, the loop is alive all the same
        self._tell_systemd(now)
        return drew

    def _tell_systemd(self, now: float) -> None:
        """After a completed frame: READY once something is on screen, then the watchdog and the status."""
        n = self.notifier
        if not n.enabled or self.frames_drawn == 0:
            return
        if self._status_at is None or now - self._status_at >= STATUS_EVERY or not n.is_ready:
            self._status_at = now
            text = self.status() if self.status is not None else "serving"
            if n.is_ready:
                n.status(text)
            else:
                n.ready(text)
        n.alive()

    def _drain_inbox(self) -> None:
        for _ in range(MAX_INBOX_PER_FRAME):
            try:
                message = self.inbox.get_nowait()
            except queue.Empty:
                return
            if isinstance(message, (Push, Replace, Reset, Pop, Quit, SetMode)):
                self._apply(message)
            elif self.stack:
                self._apply(self.top.handle(message))

    def _on_event(self, event: pygame.event.Event) -> None:
        if event.type == pygame.QUIT:
            self.running = False
            return
        if event.type in (pygame.WINDOWEXPOSED, pygame.VIDEOEXPOSE):
            self.dirty = True
            return
        if self._window is None or not self.stack:
            return
        pe = pointer_event(event, self._window.get_size())
        if pe is None:
            return
        cfg = self.display_config
        phys = window_to_physical(pe.pos, self._window.get_size(), cfg.physical_size)
        pos = to_logical(phys, cfg.logical_size, cfg.rotation)
        self._ensure_built()
        root = self.top.root
        target = root.hit(pos) if root else None
        if pe.down:
            self.last_input = self._last
            if self._last is not None:
                self.top.on_input(self._last)
            self._downs[pe.pointer] = (target.id if target is not None else None, pos)
            if target is not None:
                target.pressed = True
                self.dirty = True
            return
        down_id, start = self._downs.pop(pe.pointer, (None, None))
        if start is None:
            return
        pressed = root.find(down_id) if root and down_id else None
        if pressed is not None:
            pressed.pressed = False
            self.dirty = True
        step = swipe_step(start, pos, SWIPE_MM * self.theme.dpi / MM_PER_INCH)
        swiped = root.swipe_target(start) if root and step else None
        if swiped is not None:
            self._bubble(swiped, swiped.swipe(step, self.ctx))
            return
        if target is not None and down_id is not None and target.id == down_id:
            msgs = target.tap(self.ctx)
            if msgs:
                self._bubble(target, msgs)

    def _bubble(self, widget: Widget, messages: Iterable[Message]) -> None:
        """Pass messages up through the widget's ancestors, then to the screen."""
        msgs = list(messages)
        node = widget.parent
        ctx = self.ctx
        while node is not None and msgs:
            passed: list[Message] = []
            for m in msgs:
                passed.extend(node.on_message(m, ctx))
            msgs = passed
            node = node.parent
        screen = self.top
        for m in msgs:
            if self.stack and self.top is screen:
                self._apply(screen.handle(m))
        self._relayout_if_dirty()

    def _relayout_if_dirty(self) -> None:
        root = self.top.root if self.stack else None
        if root is None:
            return
        changed = [w for w in root.walk() if w.dirty]
        if not changed:
            return
        if not self.dirty and len(self._visible_screens()) == 1 and all(w.redraw_in_place for w in changed):
            # e.g. a ticker step: the widget keeps its box, so only that box is laid out and redrawn
            for w in changed:
                w.layout(w.rect, self.ctx)
                self._partial[w.id] = w
            return
        root.layout(root.rect, self.ctx)
        self.dirty = True

    # ---- screen stack ------------------------------------------------------------------------
    def _make(self, key: str) -> Screen:
        factory = self.registry.get(key)
        if factory is None:
            raise ScreenError(f"no screen registered as {key!r}; known: {sorted(self.registry)}")
        screen = factory()
        screen.key = key
        return screen

    def _push(self, key: str, data: Any) -> None:
        screen = self._make(key)
        self._downs.clear()
        self.stack.append(screen)
        screen.startup(data)
        screen.needs_build = True
        self.dirty = True

    def _apply(self, transition: Any) -> None:
        if transition is None:
            return
        if isinstance(transition, Push):
            self._push(transition.key, transition.data)
        elif isinstance(transition, Replace):
            if self.stack:
                self.stack.pop().cleanup()
            self._push(transition.key, transition.data)
        elif isinstance(transition, Reset):
            while self.stack:
                self.stack.pop().cleanup()
            self._push(transition.key, transition.data)
        elif isinstance(transition, Pop):
            if len(self.stack) < 2:
                raise ScreenError("cannot pop the last screen; use Replace or Quit")
            gone = self.stack.pop()
            gone.cleanup()
            self._downs.clear()
            self.dirty = True
            self._apply(self.top.handle(ModalResult(source=gone.key, value=transition.result)))
        elif isinstance(transition, Quit):
            self.running = False
        elif isinstance(transition, SetMode):
            self.set_mode(transition.mode)
        else:
            raise ScreenError(f"not a transition: {transition!r}")

    def _ensure_built(self) -> None:
        ctx = self.ctx
        for screen in self._visible_screens():
            if not screen.needs_build and screen.root is not None:
                continue
            old = screen.root
            states = {w.id: w.get_state() for w in old.walk()} if old else {}
            root = screen.build(ctx)
            for w in root.walk():
                if states.get(w.id) is not None:
                    w.set_state(states[w.id])
            root.backdrop = ctx.theme.colors.background
            root.layout(Rect((0, 0), ctx.size), ctx)
            screen.root = root
            screen.needs_build = False
            self.dirty = True

    def _visible_screens(self) -> list[Screen]:
        start = len(self.stack) - 1
        while start > 0 and self.stack[start].modal:
            start -= 1
        return self.stack[max(0, start):]

    # ---- drawing -----------------------------------------------------------------------------
    def _draw(self) -> None:
        ctx = self.ctx
        surface = self.surface
        surface.set_clip(None)
        surface.fill(ctx.theme.colors.background)
        for screen in self._visible_screens():
            if screen.modal:
                shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
                shade.fill((*ctx.theme.colors.text, 150))
                surface.blit(shade, (0, 0))
            if screen.root is not None:
                screen.root.draw(surface, ctx)
        self._present()
        self.dirty = False
        self._partial.clear()
        self.frames_drawn += 1

    def _draw_partial(self) -> None:
        ctx, surface = self.ctx, self.surface
        rects = []
        for w in self._partial.values():
            surface.set_clip(w.rect)
            surface.fill(ctx.theme.colors.background)
            w.draw(surface, ctx)
            rects.append(Rect(w.rect))
        surface.set_clip(None)
        self._partial.clear()
        assert self._window is not None
        if self.display_config.rotation or surface.get_size() != self._window.get_size():
            self._present()  # a rotated or scaled window: present the whole picture
        else:
            for r in rects:
                self._window.blit(surface, r, r)
            pygame.display.update(rects)
        self.frames_drawn += 1

    def _present(self) -> None:
        assert self._window is not None
        cfg = self.display_config
        picture = self.surface
        if cfg.rotation:
            picture = pygame.transform.rotate(picture, -cfg.rotation)
        if picture.get_size() != self._window.get_size():
            picture = pygame.transform.smoothscale(picture, self._window.get_size())
        self._window.blit(picture, (0, 0))
        pygame.display.update()
