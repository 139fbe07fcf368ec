"""``kiosk web`` (the staff consoles) and ``kiosk staff`` (their accounts).

Rule: wiring only — config and options are resolved here, once, into value objects. Config problems stop
the process with file, key and reason (exit 2); an account command that cannot be done says why (exit 3).
Passwords are read from the terminal (asked twice) or, when stdin is not a terminal, from its first line;
never from the command line, where ``ps`` and the shell history would show them.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
import time
from pathlib import Path

from ..bus.resolve import parse_hostport, read_password
from ..config import add_common, site_config
from ..halltime import hall_time, hall_zone
from .accounts import STAFF_ROLES, AccountError, Accounts
from .settings import web_settings

log = logging.getLogger("kiosk.web")


def cmd_web(args: argparse.Namespace) -> int:
    from .app import build_site, serve
    cfg = site_config(args)
    settings = web_settings(cfg)
    from dataclasses import replace
    settings = replace(settings, port=args.port or settings.port, bind=args.bind or settings.bind,
                       state_dir=Path(args.state) if args.state else settings.state_dir)
    host, port = parse_hostport(args.broker, cfg.broker.port) if args.broker else \
        (cfg.broker.host or "127.0.0.1", cfg.broker.port)
    if not args.broker and not cfg.broker.host:
        from ..bus.resolve import resolve_broker
        try:  # the hall network may still be coming up: start on loopback, the link keeps retrying
            host, port = resolve_broker(cfg, None, interfaces=args.zc_interfaces)
        except Exception as exc:
            log.warning("broker not found (%s); using %s:%s", exc, host, port)
    site = build_site(cfg, settings)
    asyncio.run(serve(site, host=host, port=port, username=cfg.broker.username, password=read_password(cfg),
                      tls_ca=cfg.broker.tls_ca))
    return 0


def _accounts(args: argparse.Namespace) -> tuple[Accounts, object]:
    cfg = site_config(args)
    settings = web_settings(cfg)
    return Accounts.in_dir(args.state or settings.state_dir), cfg


def _password(args: argparse.Namespace) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码 (password): ")
    if getpass.getpass("再输一次 (again): ") != first:
        raise AccountError("the two passwords differ; nothing changed")
    return first


def _windows(cfg, text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    out = tuple(w.strip() for w in text.split(",") if w.strip())
    known = {w.id for w in cfg.hall.windows}
    for w in out:
        if w not in known:
            raise AccountError(f"--windows: no window {w!r} in {cfg.path}; windows: {', '.join(sorted(known))}")
    return out


def cmd_staff(args: argparse.Namespace) -> int:
    accounts, cfg = _accounts(args)
    try:
        now = time.time()
        if args.action == "add":
            m = accounts.add(args.name, _password(args), role=args.role, windows=_windows(cfg, args.windows),
                             full_name=args.full_name or "", staff_no=args.staff_no or "", now=now)
            accounts.audit(at=now, who="kiosk-staff", action="staff_add", target=m.name,
                           detail={"role": m.role, "windows": list(m.windows)})
            print(f"added {m.name} ({m.role}{' ' + ','.join(m.windows) if m.windows else ''})")
        elif args.action == "passwd":
            accounts.set_password(args.name, _password(args))
            accounts.audit(at=now, who="kiosk-staff", action="staff_passwd", target=args.name)
            print(f"password of {args.name} changed; its sessions have ended")
        elif args.action in ("disable", "enable"):
            accounts.set_disabled(args.name, args.action == "disable")
            accounts.audit(at=now, who="kiosk-staff", action=f"staff_{args.action}", target=args.name)
            print(f"{args.name} {args.action}d")
        elif args.action == "set":
            m = accounts.update(args.name, role=args.role, windows=_windows(cfg, args.windows)
                                if args.windows is not None else None)
            accounts.audit(at=now, who="kiosk-staff", action="staff_set", target=m.name,
                           detail={"role": m.role, "windows": list(m.windows)})
            print(f"{m.name}: {m.role} {','.join(m.windows)}")
        elif args.action == "list":
            tz = hall_zone(cfg.timezone)
            for m in accounts.all():
                state = "disabled" if m.disabled else ("locked" if m.locked_until > now else "active")
                print(f"{m.name:<16} {m.role:<10} {','.join(m.windows) or '-':<12} {m.shown:<10} {m.staff_no or '-':<8} "
                      f"{state:<8} last login {hall_time(m.last_login, tz)}")
        elif args.action == "audit":
            tz = hall_zone(cfg.timezone)
            for e in reversed(accounts.audit_log(limit=args.limit, who=args.name)):
                print(f"{hall_time(e['at'], tz, '%Y-%m-%d %H:%M:%S')} {e['who']:<12} {e['action']:<16} {e['target']} "
                      f"{e['detail'] or ''} {e['ip']}")
    finally:
        accounts.close()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("web", help="run the staff consoles in the browser (window, desk, director, technician)")
    add_common(p)
    p.add_argument("--port", type=int, help="HTTP port (default [web] port, 8080)")
    p.add_argument("--bind", help="address to listen on (default [web] bind, 0.0.0.0)")
    p.add_argument("--state", help="the web's state folder (default [web] state_dir, else <hub state_dir>/web)")
    p.set_defaults(func=cmd_web)

    s = sub.add_parser("staff", help="staff accounts of the web consoles: add, list, passwd, disable, enable, set, audit")
    add_common(s)
    s.add_argument("action", choices=("add", "list", "passwd", "disable", "enable", "set", "audit"))
    s.add_argument("name", nargs="?", help="login name, e.g. wangfang")
    s.add_argument("--role", choices=STAFF_ROLES, help="window, desk, director or technician")
    s.add_argument("--windows", help="the windows a window role may act on, e.g. w1,w3")
    s.add_argument("--full-name", help="the name shown on screens, e.g. 王芳")
    s.add_argument("--staff-no", help="工号, shown at the window, e.g. HT0307")
    s.add_argument("--state", help="the web's state folder (default [web] state_dir, else <hub state_dir>/web)")
    s.add_argument("--limit", type=int, default=50, help="audit: how many entries")
    s.set_defaults(func=_staff_checked)


def _staff_checked(args: argparse.Namespace) -> int:
    if args.action not in ("list", "audit") and not args.name:
        raise AccountError(f"kiosk staff {args.action} needs a login name")
    if args.action == "add" and not args.role:
        raise AccountError("kiosk staff add needs --role (window, desk, director or technician)")
    return cmd_staff(args)
