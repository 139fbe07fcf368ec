"""``kiosk terminal``: the touchscreen kiosk of the self-service zone.

Rule: wiring only. Config problems stop it with file, key and reason (exit 2); a missing broker does
not — the terminal starts offline and reconnects by itself. Without a configured broker and without a
zeroconf answer it tries the broker on this machine.
"""

from __future__ import annotations

import argparse
import logging
import signal

from ..config import add_common, site_config

log = logging.getLogger("kiosk.terminal")


def cmd_terminal(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..bus.lastknown import keeping, open_lastknown
    from ..bus.resolve import read_password, resolve_broker
    from ..protocol import Topics
    from ..errors import BusError
    from ..ui.app import DisplayConfig
    from ..ui.theme import Mode
    from .app import CACHED_KINDS, Terminal, log_startup, windowed_scale
    from .settings import load_settings

    cfg = site_config(args)
    settings = load_settings(cfg)
    try:
        host, port = resolve_broker(cfg, args.broker, discover_timeout=3.0, interfaces=args.zc_interfaces)
    except BusError as exc:
        log.warning("%s; trying the broker on this machine", exc)
        host, port = "127.0.0.1", cfg.broker.port
    display = DisplayConfig(orientation=args.orientation or settings.orientation,
                            rotation=settings.rotation if args.rotation is None else args.rotation,
                            dpi=settings.dpi, fullscreen=not args.windowed, hide_cursor=not args.windowed,
                            title=cfg.name)
    if args.windowed:
        from dataclasses import replace
        display = replace(display, window_scale=windowed_scale(display))
    device_id = args.device_id or cfg.broker.username or "kiosk-1"  # the provisioned broker user, if any
    state_dir = Path(settings.state_dir) if settings.state_dir else cfg.state_dir
    lastknown = open_lastknown(state_dir, device_id, keeping(Topics(cfg.site_id), *CACHED_KINDS))
    terminal = Terminal(cfg, host=host, port=port, device_id=device_id, settings=settings,
                        mode=Mode.LARGE if args.large else Mode.NORMAL, display=display,
                        password=read_password(cfg), lastknown=lastknown)
    signal.signal(signal.SIGTERM, lambda *_: terminal.stop())
    log_startup(terminal, host, port)
    terminal.run()
    return 0


def _rotation(text: str) -> int:
    value = int(text)
    if value not in (0, 90, 180, 270):
        raise argparse.ArgumentTypeError("rotation must be 0, 90, 180 or 270")
    return value


def _device_id(text: str) -> str:
    from ..protocol import valid_id
    if not valid_id(text):
        raise argparse.ArgumentTypeError("device id must match [a-z0-9_-]")
    return text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("terminal", help="run the touchscreen kiosk (取号, 办事指南, 预约, 帮办代办)")
    add_common(p)
    p.add_argument("--windowed", action="store_true", help="a window on a desktop instead of full screen")
    p.add_argument("--device-id", type=_device_id,
                   help="this terminal's id (default: the broker user, else kiosk-1)")
    p.add_argument("--large", action="store_true", help="start in 长辈模式 (large print)")
    p.add_argument("--orientation", choices=("portrait", "landscape"), help="default from [terminal] config")
    p.add_argument("--rotation", type=_rotation, help="0/90/180/270: how the panel is mounted")
    p.set_defaults(func=cmd_terminal)
