"""Staff tools for 帮办代办: ``kiosk alerts`` (open help requests, or ``--follow`` the alert stream)
and ``kiosk ack ID [--by NAME]`` (acknowledge one; the terminal that asked shows who is coming).

Rule: real MQTT clients of the contract (``alert.list``, ``help.ack``, the ``alert`` topic); they never
open the hub's database and only ever see masked personal data. Exit codes: 0 ok, 1 refused by the
hub, 3 no broker or no answer.
"""

from __future__ import annotations

import argparse
import queue
import sys
import time
from datetime import tzinfo
from typing import Any

from ..bus.rpc import Requester
from ..core.textsafe import one_line
from ..errors import BusError
from ..halltime import SECOND, hall_time, hall_zone
from ..protocol import ProtocolError, Topics, decode_json
from .common import connect, site_config

KIND = {"desk": "请求帮办", "home_visit": "上门服务登记"}


def _when(ts: Any, tz: tzinfo) -> str:
    return hall_time(ts, tz, SECOND, missing="--:--:--")


def describe_help(h: dict[str, Any], tz: tzinfo) -> str:
    parts = [f"{h.get('id', '?'):<6}", _when(h.get("at"), tz), KIND.get(h.get("kind", ""), str(h.get("kind", "")))]
    if h.get("place"):
        parts.append(f"@{h['place']}")
    parts += [str(h[k]) for k in ("group", "phone", "note") if h.get(k)]
    parts.append(f"[{h.get('state', '?')}]")
    return one_line("  ".join(parts))  # a visitor's note must not clear or rewrite the desk's terminal


def describe_alert(a: dict[str, Any], tz: tzinfo) -> str:
    text = a.get("text") or a.get("kind", "")
    ident = f"{a['id']}  " if a.get("id") else ""
    extra = "  ".join(str(a[k]) for k in ("group", "phone") if a.get(k))
    return one_line(f"{_when(a.get('at'), tz)}  {ident}{text}{'  ' + extra if extra else ''}")


def cmd_alerts(args: argparse.Namespace) -> int:
    cfg = site_config(args)
    tz = hall_zone(cfg.timezone)
    t = Topics(cfg.site_id)
    subs = (t.alert,) if args.follow else ()
    bus, topics, device = connect(args, cfg, kind="alerts", subscriptions=subs)
    rpc = Requester(bus, topics, device)
    live: list = []
    try:
        rep = rpc.call("alert.list", {}, timeout=args.timeout, other=live)
    except BusError as exc:
        print(f"kiosk alerts: {exc}", file=sys.stderr)
        bus.stop()
        return 3
    if not rep.ok:
        print(f"refused: {rep.code}: {rep.message}")
        bus.stop()
        return 1
    rows = (rep.result or {}).get("help", [])
    if rows:
        for h in rows:
            print(describe_help(h, tz), flush=True)
    else:
        print("没有待处理的求助", flush=True)
    if not args.follow:
        bus.stop()
        return 0
    end = time.monotonic() + args.duration if args.duration else None
    pending = list(live)
    try:
        while end is None or time.monotonic() < end:
            if pending:
                it = pending.pop(0)
            else:
                try:
                    it = bus.inbox.get(timeout=0.2)
                except queue.Empty:
                    continue
            if it.topic != topics.alert:
                continue
            try:
                print(describe_alert(decode_json(it.payload), tz), flush=True)
            except ProtocolError as exc:
                print(f"alert: unreadable ({exc})", flush=True)
    except KeyboardInterrupt:
        pass
    bus.stop()
    return 0


def cmd_ack(args: argparse.Namespace) -> int:
    cfg = site_config(args)
    bus, topics, device = connect(args, cfg, kind="ack")
    rpc = Requester(bus, topics, device)
    body = {"alert": args.id}
    if args.by:
        body["by"] = args.by
    try:
        rep = rpc.call("help.ack", body, timeout=args.timeout)
    except BusError as exc:
        print(f"kiosk ack: {exc}", file=sys.stderr)
        bus.stop()
        return 3
    bus.stop()
    if not rep.ok:
        print(f"refused: {rep.code}: {rep.message}")
        return 1
    r = rep.result or {}
    print(f"{r.get('alert', args.id)} 已响应（{r.get('by', '')}）")
    return 0


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("alerts", help="list open help requests (帮办代办); --follow prints alerts live")
    add_common(p)
    p.add_argument("--follow", action="store_true", help="keep printing alerts as they arrive")
    p.add_argument("--duration", type=float, default=0, help="with --follow: stop after N seconds")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_alerts)

    p = sub.add_parser("ack", help="acknowledge a help request: the terminal shows who is coming")
    add_common(p)
    p.add_argument("id", help="help request id, e.g. h3 (see kiosk alerts)")
    p.add_argument("--by", help="who is going (shown on the terminal), default 咨询台")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_ack)
