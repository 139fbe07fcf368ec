"""`kiosk appointments [--date D] [--category C]`: the day's bookings (预约) for staff.

Rule: a real MQTT client of the contract (`request/appointment.list`); it never opens the hub's database
and only ever sees masked phone numbers. Exit codes: 0 ok, 1 refused by the hub, 2 bad input,
3 no broker or no answer.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from ..bus.rpc import Requester
from ..errors import BusError
from .common import connect, site_config

STATE_TEXT = {"booked": "待签到", "checked_in": "已签到", "cancelled": "已取消", "no_show": "未到"}
PLACEMENT_TEXT = {"on_time": "准时", "early": "早到", "late": "迟到"}
NONE_TEXT = "{date} 没有预约"
COUNTS = "共 {total} 个：" + "，".join(f"{v} {{{k}}}" for k, v in STATE_TEXT.items())


def describe(a: dict[str, Any]) -> str:
    state = STATE_TEXT.get(a.get("state", ""), str(a.get("state", "?")))
    parts = [f"{a.get('start', '?')}-{a.get('end', '?')}", f"{a.get('category', '?')} {a.get('category_name', '')}",
             str(a.get("code", "?")), f"{state:<4}", a.get("phone") or "—"]
    if a.get("ticket"):
        parts.append(f"{a['ticket']}（{PLACEMENT_TEXT.get(a.get('placement') or '', '')}）")
    return "  ".join(parts)


def render(result: dict[str, Any]) -> list[str]:
    rows = result.get("appointments", [])
    if not rows:
        return [NONE_TEXT.format(date=result.get("date", ""))]
    counts = {k: 0 for k in STATE_TEXT} | dict(result.get("counts", {}))
    return [f"{result.get('date', '')} 预约", *(describe(a) for a in rows),
            COUNTS.format(total=len(rows), **counts)]


def cmd_appointments(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {}
    if args.date:
        try:
            body["date"] = date.fromisoformat(args.date).isoformat()
        except ValueError:
            print(f"kiosk appointments: --date must look like 2026-12-01, got {args.date!r}", file=sys.stderr)
            return 2
    if args.category:
        body["category"] = args.category
    cfg = site_config(args)
    bus, topics, device = connect(args, cfg, kind="appointments")
    try:
        rep = Requester(bus, topics, device).call("appointment.list", body, timeout=args.timeout)
    except BusError as exc:
        print(f"kiosk appointments: {exc}", file=sys.stderr)
        return 3
    finally:
        bus.stop()
    if not rep.ok:
        print(f"refused: {rep.code}: {rep.message}")
        return 1
    for line in render(rep.result or {}):
        print(line)
    return 0


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("appointments", help="list the day's bookings (预约) with masked phone numbers")
    add_common(p)
    p.add_argument("--date", help="the day to list, e.g. 2026-12-01 (default: the hub's business day)")
    p.add_argument("--category", help="only this category (ticket prefix, e.g. C)")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_appointments)
