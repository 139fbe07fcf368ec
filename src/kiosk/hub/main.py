"""``kiosk hub``: start the hall's hub (under systemd, or by hand).

Rule: wiring only. Config problems stop the process with file, key and reason (exit 2).
"""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path

from .. import __version__
from ..bus.resolve import parse_hostport, read_password
from ..config import find_default, load
from ..errors import KioskError
from ..system.heap import map_large_blocks
from ..system.statelock import StateBusy, StateLock

log = logging.getLogger("kiosk.hub")


def cmd_hub(args: argparse.Namespace) -> int:
    from .service import Hub
    map_large_blocks()  # the process is the hub's own: the day's large tables never pin the heap
    cfg = load(args.config or find_default())
    host, port = parse_hostport(args.broker, cfg.broker.port) if args.broker else \
        (cfg.broker.host or "127.0.0.1", cfg.broker.port)
    state_dir = Path(args.state) if args.state else cfg.state_dir
    try:  # one hub per state folder; kiosk restore takes the same lock
        lock = StateLock(state_dir).acquire()  # noqa: F841 (held until the process ends)
    except StateBusy as exc:
        raise KioskError(f"{exc}; not starting a second one") from None
    hub = Hub(cfg, state_dir=state_dir, host=host, port=port, password=read_password(cfg), quiet_gc=True)
    advertiser = None
    if not args.no_advertise:
        try:
            from ..bus.discovery import Advertiser
            adv_host = "" if host in ("127.0.0.1", "localhost") and not args.zc_interfaces else host
            advertiser = Advertiser(site=cfg.site_id, broker_host=adv_host, broker_port=port,
                                    version=__version__, interfaces=args.zc_interfaces)
        except Exception as exc:  # discovery is a convenience: the hall works with configured addresses
            log.warning("zeroconf advertisement failed: %s", exc)
    signal.signal(signal.SIGTERM, lambda *_: hub.stop(from_signal=True))
    signal.signal(signal.SIGINT, lambda *_: hub.stop(from_signal=True))
    log.info("hub %s for %s: broker %s:%s, state in %s, day %s, %d tickets today", __version__, cfg.site_id,
             host, port, state_dir, hub.queue.state.day or "-", len(hub.queue.state.tickets))
    try:
        hub.run()
    finally:
        if advertiser is not None:
            advertiser.close()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hub", help="run the hall's hub (queue owner)")
    p.add_argument("--config", help="site config TOML (default /etc/kiosk/site.toml, else config/huangtan.toml)")
    p.add_argument("--broker", help="HOST:PORT of the MQTT broker (default from config)")
    p.add_argument("--zeroconf-interface", action="append", dest="zc_interfaces",
                   help="advertise the broker on this address only (repeatable); default: all interfaces")
    p.add_argument("--state", help="state directory (default from config, /var/lib/kiosk)")
    p.add_argument("--no-advertise", action="store_true", help="do not advertise the broker with zeroconf")
    p.set_defaults(func=cmd_hub)
