"""The terminal's wiring: the screen registry, the bus connection, the session and the loop.

Rule: wiring only — no screen logic here. The BusClient's inbox is a :class:`Feed` that decodes in
paho's thread and puts typed messages on the App's inbox; the render loop is the only thread that
touches the session and the screens. The bus connects asynchronously: with the broker down the
terminal starts anyway (offline banner) and reconnects by itself; with a :class:`LastKnown` cache it
first replays the last known board, mode, catalogue and pages through the same Feed, marked offline
since they were saved. ``device/<id>/status`` is
republished (retained) every ``status_seconds``; the Last Will marks the terminal offline.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pygame

from .. import __version__
from ..bus.client import BusClient, BusSettings
from ..bus.lastknown import LastKnown
from ..bus.rpc import Requester
from ..config import SiteConfig
from ..protocol import Topics, encode
from ..system.sdnotify import link_status
from ..ui.app import App, DisplayConfig
from ..ui.screen import Screen
from ..ui.theme import Mode, ThemeSet, default_theme_path, load_themes
from .base import BOOK, CHECKIN, GUIDES, HELP, HOME, IDLE, OPEN_GOV, PHONES, TAKE
from .book import BookScreen
from .cards import load_idcard_settings
from .checkin import CheckinScreen
from .devices import TerminalDevices, load_printer_settings
from .guides import GuidesScreen
from .help_screen import HelpScreen
from .home import HomeScreen
from .idle import IdleScreen
from .messages import Feed
from .open_gov import OpenGovScreen
from .phones import PhonesScreen
from .session import Link, NullLink, Session
from .settings import TerminalSettings, load_settings
from .speech import Speaker
from .strings import TerminalStrings
from .take import TakeNumberScreen
from .disclosure import DisclosureScreen
from .evaluate import EvaluateScreen
from .feedback import FeedbackScreen
from .strings_voice import DISCLOSURE, EVALUATE, FEEDBACK

log = logging.getLogger(__name__)

SCREEN_CLASSES: dict[str, type] = {HOME: HomeScreen, TAKE: TakeNumberScreen, GUIDES: GuidesScreen,
                                   HELP: HelpScreen, PHONES: PhonesScreen, IDLE: IdleScreen,
                                   BOOK: BookScreen, CHECKIN: CheckinScreen, EVALUATE: EvaluateScreen,
                                   FEEDBACK: FeedbackScreen, DISCLOSURE: DisclosureScreen,
                                   OPEN_GOV: OpenGovScreen}
ACTIVE_SECONDS = 3.0   # after a touch the loop runs at full rate
IDLE_FPS = 15          # otherwise a real sleep between frames: a touch waits at most ~70 ms
# (SDL's event wait with a timeout polls every millisecond on some video drivers: costlier than this)
FIRST_FRAME_ENV = "KIOSK_FIRST_FRAME"  # set to 1: print a marker line when the first frame is drawn
CACHED_KINDS = ("board", "mode", "catalog", "content")  # what the last-known-state cache keeps


def registry(session: Session) -> dict[str, Callable[[], Screen]]:
    return {key: (lambda cls=cls: cls(session)) for key, cls in SCREEN_CLASSES.items()}


class Terminal:
    """One touchscreen terminal: create, then :meth:`run` (or :meth:`start` + a Pilot in tests)."""

    def __init__(self, cfg: SiteConfig, *, host: str = "127.0.0.1", port: int = 1883, device_id: str = "kiosk-1",
                 settings: TerminalSettings | None = None, mode: Mode = Mode.NORMAL,
                 display: DisplayConfig | None = None, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time, connect: bool = True, password: str = "",
                 themes: ThemeSet | None = None, strings: TerminalStrings = TerminalStrings(),
                 lastknown: LastKnown | None = None) -> None:
        self.cfg = cfg
        self.settings = settings or load_settings(cfg)
        s = self.settings
        self.display = display or DisplayConfig(orientation=s.orientation, rotation=s.rotation, dpi=s.dpi,
                                                title=cfg.name)
        self.topics = Topics(cfg.site_id)
        self.device_id = device_id
        self.clock, self.wall = clock, wall
        self.inbox: queue.Queue = queue.Queue()
        self.bus: BusClient | None = None
        self.lastknown = lastknown if connect else None
        self._feed: Feed | None = None
        link: Link = NullLink()
        if connect:
            reply = self.topics.reply(device_id)
            self._feed = Feed(self.inbox, self.topics, reply)
            self.bus = BusClient(BusSettings(
                host=host, port=port, device_id=device_id, topics=self.topics,
                subscriptions=(reply, self.topics.board, self.topics.mode, self.topics.catalog,
                               self.topics.all_content, self.topics.command(device_id)),
                username=cfg.broker.username, password=password, tls_ca=cfg.broker.tls_ca),
                inbox=lastknown.tee(self._feed) if lastknown else self._feed)  # type: ignore[arg-type]
            link = Requester(self.bus, self.topics, device_id)
        self.session = Session(cfg, settings=s, device_id=device_id, link=link, strings=strings,
                               speaker=Speaker(enabled=s.read_aloud, voice=s.voice), default_mode=mode,
                               wall_offset=wall() - clock())
        # the devices from [printer] and [terminal]; the session gets the printer, and the status topic
        # follows the printer's state
        idcard = load_idcard_settings(cfg)
        self.devices = TerminalDevices(load_printer_settings(cfg), s, self.inbox, idcard=idcard)
        self.session.idcard = idcard
        if self.devices.printer is not None:
            self.session.printer = self.devices.printer
        self.session.listeners.append(lambda what: self.publish_status() if what in ("printer", "idcard", "test")
                                       else None)
        themes = themes or load_themes(Path(s.theme) if s.theme else default_theme_path(), dpi=self.display.dpi)
        self.broker = f"{host}:{port}"
        self.app = App(screens=registry(self.session), themes=themes, display=self.display, mode=mode,
                       inbox=self.inbox, clock=clock, status=self.status_line)
        self._last_status = float("-inf")
        self._ticker: pygame.time.Clock | None = None

    # ---- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> "Terminal":
        """Open the window and the home screen, and start connecting (never blocks on the broker)."""
        self.session.started = self.clock()
        self.app.start(HOME)
        self.devices.start()  # after the window: touch events need the event queue
        if self.bus is not None:
            self.replay()
            self.bus.start()
        return self

    def replay(self) -> None:
        """Queue the cached hall state for the first frame, with the banner offline since it was saved."""
        if self.lastknown is None or self._feed is None:
            return
        items, saved_at = self.lastknown.replay()
        for item in items:
            self._feed.put(item)
        if saved_at is not None:
            self.session.offline_since = saved_at - self.session.wall_offset  # loop time of that moment

    def close(self) -> None:
        self.devices.stop()
        self.session.speaker.close()
        if self.bus is not None:
            self.bus.stop()
            self.bus = None
        if self.lastknown is not None:
            self.lastknown.stop()
        if self.app.running or self.app.stack:
            self.app.close()

    def stop(self) -> None:
        self.app.running = False

    def run(self) -> None:
        """The blocking loop: frames at ``fps`` while touched or drawing, ``IDLE_FPS`` when idle."""
        self.start()
        self._ticker = pygame.time.Clock()
        marker = os.environ.get(FIRST_FRAME_ENV) == "1"
        try:
            while self.app.running:
                drew = self.app.step()
                if drew and marker:
                    print("kiosk-terminal: first frame", flush=True)
                    marker = False
                self.periodic(self.clock())
                self._pace()
        finally:
            self.close()

    def _pace(self) -> None:
        assert self._ticker is not None
        now = self.clock()
        last = self.app.last_input
        active = self.app.dirty or (last is not None and now - last < ACTIVE_SECONDS)
        self._ticker.tick(self.display.fps if active else min(IDLE_FPS, self.display.fps))

    def periodic(self, now: float) -> None:
        if self.lastknown is not None and self._feed is not None:
            for gone in self.lastknown.tick():
                self._feed.put(gone)
        if now - self._last_status >= self.settings.status_seconds:
            self._last_status = now
            self.session.wall_offset = self.wall() - now  # follow NTP corrections of the wall clock
            self.publish_status()

    def status_line(self) -> str:
        """For systemd's ``STATUS=``: connecting, offline since (hall time), or the screen it serves."""
        s = self.session
        since = None if s.offline_since is None else s.offline_since + s.wall_offset
        screen = self.app.top.key if self.app.stack else "-"
        return link_status(connected=s.connected, offline_since=since, tz=s.tz, broker=self.broker,
                           serving=f"screen {screen}, {self.app.mode.value} print")

    def publish_status(self) -> None:
        if self.bus is None:
            return
        fps = round(self._ticker.get_fps(), 1) if self._ticker is not None else 0.0
        body = {"kind": "terminal", "version": __version__, "fps": fps, "printer": self.session.printer_state.value,
                "idcard": self.session.reader_state,
                "mode": self.app.mode.value, "location": self.session.location}
        if self.session.test_prints.last is not None:
            body["last_test"] = self.session.test_prints.last  # the technician's latest test ticket
        self.bus.publish(self.topics.status(self.device_id), encode(body), retain=True)


def windowed_scale(display: DisplayConfig) -> float:
    """Scale that fits the panel's picture in 90 % of the desktop (``--windowed``)."""
    try:
        pygame.display.init()
        sizes = pygame.display.get_desktop_sizes()
    except pygame.error:
        sizes = []
    if not sizes or not sizes[0][0]:
        return 0.5
    dw, dh = sizes[0]
    pw, ph = display.physical_size
    return min(1.0, 0.9 * dw / pw, 0.9 * dh / ph)


def log_startup(t: Terminal, host: str, port: int) -> None:
    print(f"kiosk terminal {__version__}: {t.cfg.name}, device {t.device_id}, broker {host}:{port}, "
          f"{t.display.orientation} rotation {t.display.rotation}", file=sys.stderr, flush=True)
