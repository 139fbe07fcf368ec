"""``kiosk pad --window W``: the evaluation pad facing the visitor at one window.

Rule: wiring only — config and options are resolved here, once, into value objects; then the runner takes
over. Config problems stop the process with file, key and reason (exit 2).
"""

from __future__ import annotations

import argparse
import logging
import signal
from dataclasses import replace
from zoneinfo import ZoneInfo

from ..bus.resolve import read_password, resolve_or_loopback
from ..config import add_common, site_config
from ..errors import ConfigError
from ..protocol import Topics, valid_id
from .settings import ORIENTATIONS, PRINTS, orient, pad_settings

log = logging.getLogger("kiosk.pad")


def cmd_pad(args: argparse.Namespace) -> int:
    cfg = site_config(args)
    settings = pad_settings(cfg)
    window = cfg.hall.window(args.window) if valid_id(args.window) else None
    if window is None:
        raise ConfigError("--window", "", f"no window {args.window!r} in {cfg.path}; windows: "
                          + ", ".join(w.id for w in cfg.hall.windows))
    orientation = args.orientation or settings.orientation
    settings = replace(settings, orientation=orientation, size=orient(settings.size, orientation),
                       print=args.print or settings.print, fullscreen=settings.fullscreen and not args.windowed)
    device_id = args.device_id or cfg.broker.username or f"pad-{window.id}"
    if not valid_id(device_id):
        raise ConfigError("--device-id", "", "must be an id of [a-z0-9_-]")
    host, port = resolve_or_loopback(cfg, args.broker, interfaces=args.zc_interfaces, log=log)

    from ..bus.lastknown import keeping, open_lastknown
    from .runtime import CACHED_KINDS, Runner, Sender, build_app, state_dir
    from .screen import Counter
    topics = Topics(cfg.site_id)
    counter = Counter(id=window.id, number=window.number, name=window.name, tz=ZoneInfo(cfg.timezone))
    sender = Sender(topics, device_id)
    app, screen = build_app(settings=settings, counter=counter, topics=topics, device_id=device_id, send=sender,
                            windowed=args.windowed,
                            window_scale=min(1.0, 1280 / max(settings.size)) if args.windowed else 1.0)
    lastknown = open_lastknown(state_dir(settings, cfg.state_dir), device_id, keeping(topics, *CACHED_KINDS))
    runner = Runner(app, screen, settings=settings, topics=topics, device_id=device_id, host=host, port=port,
                    sender=sender, username=cfg.broker.username, password=read_password(cfg),
                    tls_ca=cfg.broker.tls_ca, lastknown=lastknown)
    signal.signal(signal.SIGTERM, lambda *_: runner.stop(from_signal=True))
    signal.signal(signal.SIGINT, lambda *_: runner.stop(from_signal=True))
    log.info("pad %s at window %s: %s %dx%d %s print, broker %s:%s", device_id, window.id, settings.orientation,
             *settings.size, settings.print, host, port)
    runner.run(duration=args.duration)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pad", help="run a window's evaluation pad (好差评 of the ticket it just completed)")
    add_common(p)
    p.add_argument("--window", required=True, help="the window this pad stands at, e.g. w3")
    p.add_argument("--device-id", help="this pad's id (default: the broker user, else pad-<window>)")
    p.add_argument("--orientation", choices=ORIENTATIONS, help="landscape or portrait (default from [pad])")
    p.add_argument("--print", choices=PRINTS, help="large (default) or normal print")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen (desktop preview)")
    p.add_argument("--duration", type=float, help=argparse.SUPPRESS)  # tests: stop after N s
    p.set_defaults(func=cmd_pad)
