"""``kiosk display``: the wall calling board / 政务公开 screen with voice announcements.

Rule: wiring only — config and options are resolved here, once, into value objects; then the
runner takes over. Config problems stop the process with file, key and reason (exit 2).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from ..bus.resolve import read_password, resolve_or_loopback
from ..config import Section, SiteConfig, add_common, site_config
from ..errors import ConfigError
from ..protocol import Topics, valid_id
from .settings import (LAYOUTS, ORIENTATIONS, WINDOW_MIN_SIDE, DisplaySettings, announcer_settings, display_settings,
                       orient_size, parse_size)

log = logging.getLogger("kiosk.display")


def voice_cache_dir(configured: str) -> Path:
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kiosk" / "voice"


def take_state_dir(cfg: SiteConfig) -> tuple[SiteConfig, Path]:
    """``[display] state_dir`` (default: the site's state_dir), taken out of the section before
    ``display_settings`` checks the remaining keys; the last-known-state cache lives there."""
    rest = dict(cfg.roles.get("display", {}))
    own = Section(cfg.path, "display", {k: rest.pop(k) for k in ("state_dir",) if k in rest})
    state_dir = Path(own.get("state_dir", str, str(cfg.state_dir)))
    return replace(cfg, roles={**cfg.roles, "display": rest}), state_dir


def cmd_display(args: argparse.Namespace) -> int:
    cfg, state_dir = take_state_dir(site_config(args))
    settings = display_settings(cfg)
    voice = announcer_settings(cfg)
    if args.layout:
        settings = replace(settings, layout=args.layout)
    orientation = args.orientation or settings.orientation
    if args.window:
        settings = replace(settings, window=args.window)
    if settings.layout == "window":
        settings = window_layout(settings, cfg, size_given=bool(args.size))
    size = settings.size
    if args.size:
        try:
            size = parse_size(args.size, min_side=WINDOW_MIN_SIDE if settings.layout == "window" else 480)
        except ValueError as exc:
            raise ConfigError("--size", "", str(exc)) from None
    settings = replace(settings, orientation=orientation, size=orient_size(size, orientation),
                       fullscreen=settings.fullscreen and not args.windowed)
    # with per-device credentials the broker user is the id the ACL allows
    args.device_id = args.device_id or cfg.broker.username or "display-1"
    if not valid_id(args.device_id):
        raise ConfigError("--device-id", "", "must be an id of [a-z0-9_-]")
    host, port = resolve_or_loopback(cfg, args.broker, interfaces=args.zc_interfaces, log=log)

    from .announcer import Announcer
    from ..bus.lastknown import keeping, open_lastknown
    from .runtime import CACHED_KINDS, Runner, build_app
    from .screen import Hall
    tz = ZoneInfo(cfg.timezone)
    speech = not args.no_speech and settings.layout != "window"  # the wall display speaks, not the counter's
    announcer = Announcer(voice, cache_dir=voice_cache_dir(voice.cache_dir), speech=speech, tz=tz,
                          pack=voice_pack(voice, cfg))
    topics = Topics(cfg.site_id)
    hall = Hall(name=cfg.name, phones=cfg.phones, tz=tz)
    window_scale = args.window_scale or (min(1.0, 1280 / max(settings.size)) if args.windowed else 1.0)
    app, screen = build_app(settings=settings, hall=hall, topics=topics, announce=announcer.submit,
                            windowed=args.windowed, window_scale=window_scale)
    lastknown = open_lastknown(state_dir, args.device_id, keeping(topics, *CACHED_KINDS, "window_staff"))
    runner = Runner(app, screen, settings=settings, topics=topics, device_id=args.device_id, host=host, port=port,
                    username=cfg.broker.username, password=read_password(cfg), tls_ca=cfg.broker.tls_ca,
                    lastknown=lastknown)
    signal.signal(signal.SIGTERM, lambda *_: runner.stop(from_signal=True))
    signal.signal(signal.SIGINT, lambda *_: runner.stop(from_signal=True))
    log.info("display %s: %s %s %dx%d, broker %s:%s", args.device_id,
             f"window {settings.window}" if settings.layout == "window" else settings.layout, settings.orientation,
             *settings.size, host, port)
    announcer.start()
    try:
        runner.run(duration=args.duration)
    finally:
        announcer.stop()
    return 0


def window_layout(settings: DisplaySettings, cfg: SiteConfig, *, size_given: bool) -> DisplaySettings:
    """``--layout window`` needs the window (``--window`` or ``[display] window``) and defaults to a
    1920×480 strip; it speaks no calls (the wall display does)."""
    if not settings.window:
        raise ConfigError("--window", "", "--layout window needs the window it hangs above, e.g. --window w3")
    if not valid_id(settings.window) or cfg.hall.window(settings.window) is None:
        raise ConfigError("--window", "", f"no window {settings.window!r} in {cfg.path}; windows: "
                          + ", ".join(w.id for w in cfg.hall.windows))
    if not size_given and "size" not in cfg.roles.get("display", {}):
        settings = replace(settings, size=(1920, 480))
    return settings


def voice_pack(voice, cfg):
    """The recorded voice pack when ``[announcer] engine = "voicepack"``, checked now (a missing clip
    stops the display naming the file); ``None`` for espeak-ng."""
    if voice.engine != "voicepack":
        return None
    from ..devices.voice import VoicePack
    return VoicePack(voice.voice_pack, letters="".join(c.id for c in cfg.hall.categories))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("display", help="run the wall calling board / 政务公开 information screen")
    add_common(p)
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen (desktop preview)")
    p.add_argument("--device-id", help="this display's id (default: the broker user, else display-1)")
    p.add_argument("--layout", choices=LAYOUTS,
                   help="board, disclosure, combined, or window (the screen above one counter; with --window)")
    p.add_argument("--window", help="with --layout window: the window this screen hangs above, e.g. w3")
    p.add_argument("--orientation", choices=ORIENTATIONS, help="landscape or portrait (default from [display])")
    p.add_argument("--size", help="panel size in pixels, e.g. 1920x1080 or 3840x2160")
    p.add_argument("--no-speech", action="store_true", help="chime only, no spoken calls")
    p.add_argument("--window-scale", type=float, help="scale of the preview window (with --windowed)")
    p.add_argument("--duration", type=float, help=argparse.SUPPRESS)  # tests and benchmarks: stop after N s
    p.set_defaults(func=cmd_display)
    from .voicecheck import register as register_voice
    register_voice(sub)
