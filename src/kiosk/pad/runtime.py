"""The running pad: a toolkit App sized for the panel, its bus client and its loop.

Rule: wiring only. The paho thread puts items into the app's inbox (through the last-known-state cache);
the screen's ``Submit`` effects become ``request/evaluation.submit`` with ``channel = "pad"``. The pad starts
without a broker: the window's name and staff come from the cache, marked offline since it was saved.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..bus.client import BusClient, BusSettings
from ..bus.lastknown import LastKnown
from ..protocol import Topics, encode
from ..system.sdnotify import link_status
from ..ui.app import App, DisplayConfig
from ..ui.live import LiveLoop, WakeQueue
from ..ui.theme import Mode, default_theme_path, load_themes
from . import flow as F
from .screen import Counter, PadScreen
from .settings import PadSettings

#: What the pad keeps across a restart: never the offer (a rating needs the hub), only what idle shows.
CACHED_KINDS = ("window_state", "window_staff", "mode")


def subscriptions(topics: Topics, window: str, device_id: str) -> tuple[str, ...]:
    return (topics.window_evaluation(window), topics.window_state(window), topics.window_staff(window),
            topics.mode, topics.availability("hub"), topics.reply(device_id))


def build_app(*, settings: PadSettings, counter: Counter, topics: Topics, device_id: str,
              wall: Callable[[], float] = time.time, clock: Callable[[], float] = time.monotonic,
              send: Callable[[F.Submit], Any] | None = None, windowed: bool = False,
              window_scale: float = 1.0) -> tuple[App, PadScreen]:
    """The app and its single screen (not opened yet)."""
    timing = F.Timing(quiet_s=settings.quiet_s, thanks_s=settings.thanks_s)
    screen = PadScreen(counter=counter, topics=topics, device_id=device_id, wall=wall, send=send,
                       flow=F.PadFlow(timing), offline_grace_s=settings.offline_grace_s)
    display = DisplayConfig(orientation=settings.orientation, rotation=settings.rotation, dpi=settings.dpi,
                            fullscreen=settings.fullscreen and not windowed, window_scale=window_scale,
                            fps=settings.fps, title="kiosk pad", hide_cursor=not windowed, size=settings.size)
    themes = load_themes(settings.theme or default_theme_path(), dpi=settings.dpi)
    app = App(screens={"pad": lambda: screen}, themes=themes, display=display,
              mode=Mode.LARGE if settings.print == "large" else Mode.NORMAL, inbox=WakeQueue(), clock=clock)
    return app, screen


@dataclass(slots=True)
class Sender:
    """Submit effects → ``request/evaluation.submit`` (the bus is attached once it exists)."""

    topics: Topics
    device_id: str
    bus: BusClient | None = None

    def __call__(self, eff: F.Submit) -> None:
        if self.bus is None:
            return
        body = {"txn": eff.txn, "reply_to": self.topics.reply(self.device_id), "device": self.device_id,
                "ticket": eff.ticket, "level": eff.level, "channel": "pad"}
        if eff.reasons:
            body["reasons"] = list(eff.reasons)
        self.bus.publish(self.topics.request("evaluation.submit"), encode(body), qos=1)


class Runner:
    def __init__(self, app: App, screen: PadScreen, *, settings: PadSettings, topics: Topics, device_id: str,
                 host: str, port: int, sender: Sender, username: str = "", password: str = "", tls_ca: str = "",
                 lastknown: LastKnown | None = None) -> None:
        self.app, self.screen, self.settings, self.lastknown = app, screen, settings, lastknown
        window = screen.counter.id
        self.bus = BusClient(BusSettings(host=host, port=port, device_id=device_id, topics=topics,
                                         subscriptions=subscriptions(topics, window, device_id), username=username,
                                         password=password, tls_ca=tls_ca),
                             lastknown.tee(app.inbox) if lastknown else app.inbox)  # type: ignore[arg-type]
        sender.bus = self.bus
        self.broker = f"{host}:{port}"
        self._link_seen = False  # connected once, or showing a cached state: "offline since", not "connecting"
        app.status = self.status_line
        self.loop = LiveLoop(app, self.bus, key="pad", fps=settings.fps, status_topic=topics.status(device_id),
                             status=lambda fps: {"kind": "pad", "version": __version__, "window": window,
                                                 "fps": round(fps, 1), "stage": screen.flow.state.stage.value},
                             lastknown=lastknown, status_interval_s=settings.status_interval_s)

    def stop(self, *, from_signal: bool = False) -> None:
        self.loop.stop(from_signal=from_signal)

    def status_line(self) -> str:
        """For systemd's ``STATUS=``: connecting, offline since (hall time), or the page on screen."""
        sc = self.screen
        self._link_seen = self._link_seen or sc.connected
        since = sc.offline_since[0] if sc.offline_since and self._link_seen else None
        return link_status(connected=sc.connected, offline_since=since, tz=sc.counter.tz, broker=self.broker,
                           hub_online=sc.hub_online,
                           serving=f"pad at window {sc.counter.id}, {sc.flow.state.stage.value} page")

    def replay(self) -> None:
        """Queue the cached state for the first frame, marked offline since it was saved."""
        if self.lastknown is None:
            return
        items, saved_at = self.lastknown.replay()
        for item in items:
            self.app.inbox.put(item)
        if saved_at is not None:
            wall, mono = self.screen.wall(), self.app.clock()
            self.screen.start_offline(saved_at, mono - max(wall - saved_at, self.settings.offline_grace_s))
            self._link_seen = True

    def run(self, *, duration: float | None = None) -> None:
        self.replay()
        self.loop.run(duration=duration)


def state_dir(settings: PadSettings, site_state_dir: Path) -> Path:
    return Path(settings.state_dir) if settings.state_dir else site_state_dir
