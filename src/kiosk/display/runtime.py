"""The running display: a toolkit App sized for the panel, its bus client and its frame loop.

Rules:
* The paho thread only puts :class:`Inbound` items into the app's inbox (a :class:`WakeQueue`);
  the loop wakes on them at once instead of waiting for the next frame tick, so a call reaches the
  pixels within one frame's work. Nothing else crosses threads (the announcer has its own queue).
* The loop owns the clock (monotonic for frames, wall time read once per frame by the screen).
* The display starts without a broker and keeps reconnecting (``BusClient.connect_async``); the
  screen shows its last state with the offline marker meanwhile. With a :class:`LastKnown` cache that
  state survives a restart: it is replayed into the inbox before connecting, marked offline since it
  was saved.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..bus.client import BusClient, BusSettings
from ..bus.lastknown import LastKnown
from ..protocol import Topics
from ..system.sdnotify import link_status
from ..ui.app import ORIENTATIONS, App, DisplayConfig
from ..ui.live import LiveLoop, WakeQueue
from ..ui.theme import ThemeSet, load_themes
from .render import DisplayContext, RenderCache
from .screen import Hall, WallScreen
from .settings import DisplaySettings
from .state import HallState
from .strings import DisplayStrings

log = logging.getLogger(__name__)

THEME_FILE = Path(__file__).with_name("theme.toml")        # the counter screen, read at arm's length
BOARD_THEME_FILE = Path(__file__).with_name("board.toml")  # the wall layouts, read from the seats


@dataclass(frozen=True, slots=True, kw_only=True)
class PanelConfig(DisplayConfig):
    """The toolkit's DisplayConfig with any logical size (the toolkit only knows 1080×1920 / 1920×1080)."""

    size: tuple[int, int] | None = None

    @property
    def logical_size(self) -> tuple[int, int]:
        return self.size if self.size is not None else ORIENTATIONS[self.orientation]


class DisplayApp(App):
    """The toolkit App with the display's render cache in its build context."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.cache = RenderCache()
        self._ctx: tuple[tuple, DisplayContext] | None = None

    @property
    def ctx(self) -> DisplayContext:  # type: ignore[override]
        # the toolkit asks for the context once per widget per frame: make it once per mode/size
        key = (self.mode, self.display_config, self.strings)
        if self._ctx is None or self._ctx[0] != key:
            self._ctx = (key, DisplayContext(theme=self.theme, fonts=self.fonts, strings=self.strings,
                                             size=self.display_config.logical_size, cache=self.cache))
        return self._ctx[1]


def display_themes(settings: DisplaySettings) -> ThemeSet:
    default = THEME_FILE if settings.layout == "window" else BOARD_THEME_FILE
    return load_themes(settings.theme or default, dpi=settings.effective_dpi)


def panel_config(settings: DisplaySettings, *, windowed: bool = False, window_scale: float = 1.0) -> PanelConfig:
    return PanelConfig(orientation=settings.orientation, rotation=settings.rotation, dpi=settings.effective_dpi,
                       fullscreen=settings.fullscreen and not windowed, window_scale=window_scale,
                       fps=settings.fps, title="kiosk display", hide_cursor=not windowed, size=settings.size,
                       glyph_floor_mm=settings.glyph_floor_mm)


def build_app(*, settings: DisplaySettings, hall: Hall, topics: Topics, wall: Callable[[], float] = time.time,
              clock: Callable[[], float] = time.monotonic, announce: Callable[[dict], Any] | None = None,
              strings: DisplayStrings = DisplayStrings(), windowed: bool = False,
              window_scale: float = 1.0, inbox: queue.Queue | None = None) -> tuple[DisplayApp, WallScreen]:
    """The app and its single screen (not opened yet)."""
    state = HallState(topics=topics)
    screen: WallScreen
    if settings.layout == "window":
        from .counter import CounterScreen
        screen = CounterScreen(state=state, settings=settings, hall=hall, wall=wall, strings=strings)
    else:
        screen = WallScreen(state=state, settings=settings, hall=hall, wall=wall, strings=strings, announce=announce)
    app = DisplayApp(screens={"wall": lambda: screen}, themes=display_themes(settings),
                     display=panel_config(settings, windowed=windowed, window_scale=window_scale),
                     inbox=inbox if inbox is not None else WakeQueue(), clock=clock)
    return app, screen


def subscriptions(topics: Topics, window: str = "") -> tuple[str, ...]:
    if window:  # the screen above one counter: that window, who is on duty there, and the calls (its flash)
        return (topics.window_state(window), topics.window_staff(window), topics.call, topics.mode,
                topics.availability("hub"))
    return (topics.board, topics.all_window_states, topics.mode, topics.all_content, topics.catalog,
            topics.call, topics.availability("hub"))


#: What the display keeps in its last-known-state cache (kinds of ``Topics.parse``).
CACHED_KINDS = ("board", "window_state", "mode", "catalog", "content")


class Runner:
    """Runs one display: bus in, frames out, a retained status every ``status_interval_s``."""

    def __init__(self, app: DisplayApp, screen: WallScreen, *, settings: DisplaySettings, topics: Topics,
                 device_id: str, host: str, port: int, username: str = "", password: str = "",
                 tls_ca: str = "", lastknown: LastKnown | None = None) -> None:
        self.app, self.screen, self.settings, self.topics, self.device_id = app, screen, settings, topics, device_id
        self.lastknown = lastknown
        window = settings.window if settings.layout == "window" else ""
        self.bus = BusClient(BusSettings(host=host, port=port, device_id=device_id, topics=topics,
                                         subscriptions=subscriptions(topics, window), username=username,
                                         password=password, tls_ca=tls_ca),
                             lastknown.tee(app.inbox) if lastknown else app.inbox)  # type: ignore[arg-type]
        self.broker = f"{host}:{port}"
        self._link_seen = False  # connected once, or showing a cached hall: "offline since", not "connecting"
        app.status = self.status_line
        self.loop = LiveLoop(app, self.bus, key="wall", fps=settings.fps, status_topic=topics.status(device_id),
                             status=self.status, lastknown=lastknown, status_interval_s=settings.status_interval_s)

    @property
    def on_frame(self) -> Callable[[bool], None] | None:
        """Tests and benchmarks hook drawn frames here."""
        return self.loop.on_frame

    @on_frame.setter
    def on_frame(self, hook: Callable[[bool], None] | None) -> None:
        self.loop.on_frame = hook

    def stop(self, *, from_signal: bool = False) -> None:
        self.loop.stop(from_signal=from_signal)

    def status(self, fps: float) -> dict[str, Any]:
        return {"kind": "display", "version": __version__, "fps": round(fps, 1), "layout": self.settings.layout,
                "size": list(self.settings.size), "frames_drawn": self.app.frames_drawn}

    def status_line(self) -> str:
        """For systemd's ``STATUS=``: connecting, offline since (hall time), or what the screen shows."""
        link = self.screen.state.link
        self._link_seen = self._link_seen or link.connected
        return link_status(connected=link.connected, offline_since=link.since_wall if self._link_seen else None,
                           tz=self.screen.hall.tz, broker=self.broker, hub_online=link.hub_online,
                           serving=f"{self.settings.layout} layout {self.settings.size[0]}x{self.settings.size[1]}")

    def replay(self) -> None:
        """Queue the cached hall state for the first frame, marked offline since it was saved."""
        if self.lastknown is None:
            return
        items, saved_at = self.lastknown.replay()
        for item in items:
            self.app.inbox.put(item)
        if saved_at is not None:
            wall, mono = self.screen.wall(), self.app.clock()
            # the hall on screen is not live, so the marker shows at once (no grace period)
            self.screen.state.start(saved_at, mono - max(wall - saved_at, self.settings.offline_grace_s))
            self.screen.started = True
            self._link_seen = True

    def run(self, *, duration: float | None = None) -> None:
        self.replay()
        self.loop.run(duration=duration)
