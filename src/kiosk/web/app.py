"""Build the web application and run it: the aiohttp server, the MQTT link and systemd's notify protocol.

Rule: wiring only. :func:`build_site` makes the :class:`~kiosk.web.site.Site` and lets every page module
register its routes; :func:`serve` owns the event loop: it starts the link (which connects in the
background — the web starts without a broker and says so on its pages), listens, sends READY=1 once the
port is open, pings the watchdog from the loop every second (a stuck loop stops the pings) and puts the
link's state in STATUS=.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import ssl
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from aiohttp import web

from .. import __version__
from ..config import SiteConfig
from ..protocol import Topics
from ..system.sdnotify import Notifier, link_status
from .accounts import Accounts
from .link import Link
from .pages import discover
from .settings import WebSettings
from .site import Site

log = logging.getLogger("kiosk.web")
TICK_S = 1.0
STATUS_EVERY_S = 60.0


def build_site(cfg: SiteConfig, settings: WebSettings, *, accounts: Accounts | None = None,
               clock: Callable[[], float] = time.time) -> Site:
    link = Link(Topics(cfg.site_id), settings.device_id, clock=clock)
    site = Site(cfg=cfg, settings=settings, link=link, accounts=accounts or Accounts.in_dir(settings.state_dir),
                clock=clock)
    for module in discover():
        module.routes(site)
    return site


async def serve(site: Site, *, host: str, port: int, username: str = "", password: str = "", tls_ca: str = "",
                notifier: Notifier | None = None, stop: asyncio.Event | None = None) -> None:
    notifier = notifier or Notifier.from_env()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    s = site.settings
    link = site.link
    link.start(loop, host=host, port=port, username=username, password=password, tls_ca=tls_ca)
    runner = web.AppRunner(site.app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    tls = None
    if s.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(s.tls_cert, s.tls_key)
    tcp = web.TCPSite(runner, s.bind, s.port, ssl_context=tls)
    await tcp.start()
    scheme = "https" if tls else "http"
    log.info("kiosk web %s on %s://%s:%s, broker %s:%s as %s", __version__, scheme, s.bind, s.port, host, port,
             s.device_id)
    tz = ZoneInfo(site.cfg.timezone)
    broker = f"{host}:{port}"
    serving = f"staff consoles on {scheme}://{s.bind}:{s.port}"
    ever_up = False

    def status() -> str:
        return link_status(connected=link.connected, offline_since=link.offline_since if ever_up else None,
                           tz=tz, broker=broker, serving=serving)

    notifier.ready(status())
    next_status = 0.0
    try:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), TICK_S)
            except asyncio.TimeoutError:
                pass
            notifier.alive()
            ever_up = ever_up or link.connected
            notifier.status(status())
            now = time.monotonic()
            if link.connected and now >= next_status:
                next_status = now + STATUS_EVERY_S
                link.publish(f"device/{s.device_id}/status", {"kind": "web", "version": __version__,
                                                               "live_pages": link.listeners}, retain=True)
    finally:
        notifier.stopping("stopping: closing the consoles")
        await runner.cleanup()
        link.stop()
        site.accounts.close()
