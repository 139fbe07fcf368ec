"""Staff and integration tools for the queue: press, ticket, watch, status.

Rule: each is a real MQTT client of the contract (a call button, a kiosk, a display, a monitor).
Output is for people at a terminal; exit codes are for scripts (0 ok, 1 refused, 3 no broker/hub).
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import time
from datetime import tzinfo

from ..bus.client import Inbound
from ..bus.rpc import Requester
from ..core.textsafe import one_line
from ..errors import BusError
from ..halltime import hall_time, hall_zone
from ..protocol import MAX_STATE_PAYLOAD, PRESS_ACTIONS, ProtocolError, Topics, decode_json, encode
from .common import connect, site_config


def cmd_press(args: argparse.Namespace) -> int:
    cfg = site_config(args)
    if cfg.hall.window(args.window) is None:
        print(f"kiosk press: no window {args.window!r}; windows: "
              f"{', '.join(w.id for w in cfg.hall.windows)}", file=sys.stderr)
        return 2
    t = Topics(cfg.site_id)
    bus, topics, device = connect(args, cfg, kind="press", subscriptions=(t.window_state(args.window), t.hub_error))
    body: dict = {"device": device, "seq": 1, "action": args.action}
    if args.ticket:
        body["ticket"] = args.ticket
    if args.to_category:
        body["to_category"] = args.to_category
    if args.to_window:
        body["to_window"] = args.to_window
    if args.reason:
        body["reason"] = args.reason
    # The retained state arrives first; wait for a newer version, or an error naming our topic.
    before = _first_state(bus, topics.window_state(args.window), timeout=2.0)
    info = bus.publish(topics.press(args.window), encode(body), qos=1)
    info.wait_for_publish(5)
    deadline = time.monotonic() + 5
    rc = 3
    while time.monotonic() < deadline:
        try:
            it = bus.inbox.get(timeout=0.2)
        except queue.Empty:
            continue
        if it.topic == topics.hub_error:
            err = json.loads(it.payload)
            if err.get("topic") == topics.press(args.window):
                print(f"refused: {err.get('code')}: {err.get('reason')}")
                rc = 1
                break
        elif it.topic == topics.window_state(args.window):
            st = json.loads(it.payload)
            if before is None or st.get("version", 0) > before.get("version", 0):
                print(describe_window(st))
                rc = 0
                break
    else:
        print("no answer from the hub within 5 s", file=sys.stderr)
    bus.stop()
    return rc


def _first_state(bus, topic: str, timeout: float) -> dict | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            it = bus.inbox.get(timeout=0.1)
        except queue.Empty:
            continue
        if it.topic == topic:
            return json.loads(it.payload)
    return None


def describe_window(st: dict) -> str:
    t = st.get("ticket")
    cur = f"{t['number']} ({t['state']})" if t else "—"
    reason = f" {st['reason']}" if st.get("reason") else ""
    return (f"{st['window']} {st['number']}号 {st['name']}: {st['status']}{reason}; 当前 {cur}; "
            f"等候 {st['waiting']}; 已办 {st['served']}")


def cmd_ticket(args: argparse.Namespace) -> int:
    cfg = site_config(args)
    bus, topics, device = connect(args, cfg, kind="ticket")
    rpc = Requester(bus, topics, device)
    try:
        rep = rpc.call("ticket.issue", {"category": args.category, "priority": args.priority}, timeout=args.timeout)
    except BusError as exc:
        print(f"kiosk ticket: {exc}", file=sys.stderr)
        bus.stop()
        return 3
    if not rep.ok:
        print(f"refused: {rep.code}: {rep.message}")
        bus.stop()
        return 1
    r = rep.result
    rpc.call("ticket.delivered", {"ticket": r["ticket"], "how": "on_screen"}, timeout=args.timeout)
    eta = "—" if r.get("eta_s") is None else f"约 {round(r['eta_s'] / 60)} 分钟"
    print(f"{r['number']} {r['category_name']}{' 绿色通道' if r['priority'] else ''}: 前面 {r['people_ahead']} 人, {eta}")
    bus.stop()
    return 0


def render_board(b: dict) -> str:
    lines = [f"{b.get('name', '')}  {b.get('day', '')}  version {b.get('version')}"]
    for w in b.get("windows", []):
        t = w.get("ticket")
        cur = f"{t['number']:>5} {t['state']:<8}" if t else "    —         "
        reason = f" ({w['reason']})" if w.get("reason") else ""
        lines.append(f"  {w['number']:>2}号 {w['name']:<10} {w['status']:<6} {cur} 等候 {w['waiting']:>3}{reason}")
    waits = "  ".join(f"{c['category']}:{c['waiting']}" for c in b.get("categories", []))
    lines.append(f"  等候人数 {waits}")
    recent = ", ".join(f"{r['number']}→{r['window_number']}号" for r in b.get("recent", [])[:5])
    lines.append(f"  最近叫号 {recent}")
    return "\n".join(lines)


def cmd_watch(args: argparse.Namespace) -> int:
    cfg = site_config(args)
    t = Topics(cfg.site_id)
    bus, topics, _ = connect(args, cfg, kind="watch", subscriptions=(t.board, t.call, t.hub_error))
    end = time.monotonic() + args.duration if args.duration else None
    try:
        while end is None or time.monotonic() < end:
            try:
                it = bus.inbox.get(timeout=0.5)
            except queue.Empty:
                continue
            print_item(topics, it)
    except KeyboardInterrupt:
        pass
    bus.stop()
    return 0


def print_item(topics, it: Inbound) -> None:
    if not it.topic:
        print("-- connected --" if it.connected else "-- broker lost, reconnecting --", flush=True)
        return
    try:
        body = decode_json(it.payload)
    except ProtocolError as exc:
        print(f"{it.topic}: unreadable ({exc})", flush=True)
        return
    if it.topic == topics.board:
        print(render_board(body), flush=True)
    elif it.topic == topics.call:
        print(f"叫号: {body.get('text')}{' (重呼)' if body.get('recall') else ''}", flush=True)
    elif it.topic == topics.hub_error:
        # the topic and reason echo what a sender wrote: one inert line
        print(one_line(f"hub/error: {body.get('code')} {body.get('reason')} [{body.get('topic')}]"), flush=True)


def cmd_status(args: argparse.Namespace) -> int:
    cfg = site_config(args)
    t = Topics(cfg.site_id)
    bus, topics, _ = connect(args, cfg, kind="status", subscriptions=(t.all_availability, t.all_status, t.hub_status))
    devices: dict[str, dict] = {}
    hub_summary: dict = {}
    deadline = time.monotonic() + args.wait
    while time.monotonic() < deadline:
        try:
            it = bus.inbox.get(timeout=0.1)
        except queue.Empty:
            continue
        kind, dev = topics.parse(it.topic)
        try:
            if kind == "hub_status":
                hub_summary = decode_json(it.payload, limit=MAX_STATE_PAYLOAD)
            elif kind == "availability" and dev:
                devices.setdefault(dev, {})["availability"] = it.payload.decode("utf-8", "replace")
            elif kind == "status" and dev:
                devices.setdefault(dev, {})["status"] = decode_json(it.payload)
        except ProtocolError:
            devices.setdefault(dev or "?", {})["status"] = {"error": "unreadable"}
    bus.stop()
    return print_status(devices, hub_summary, now=time.time(), tz=hall_zone(cfg.timezone))


def print_status(devices: dict[str, dict], hub_summary: dict, *, now: float, tz: tzinfo) -> int:
    """Print the hall's health; 1 when anything is down (monitoring reads the exit code)."""
    problems, warnings = [], []
    seen = {d: v.get("last_seen") for d, v in hub_summary.get("devices", {}).items()}
    print("broker: reachable")
    for dev in sorted(devices):
        d = devices[dev]
        st = d.get("status", {})
        av = d.get("availability", "?")
        if av != "online":
            problems.append(f"{dev} is {av}")
        printer = st.get("printer")
        if printer in ("paper_out", "out", "offline", "error"):
            problems.append(f"{dev}: printer {printer}")
        elif printer in ("paper_low", "low", "paper_near_end"):
            warnings.append(f"{dev}: printer paper low")
        last = seen.get(dev)
        ago = f"seen {int(now - last)} s ago" if last else ""
        extra = " ".join(f"{k}={st[k]}" for k in ("kind", "version", "fps", "printer", "layout", "window")
                         if k in st)
        print(f"  {dev:<20} {av:<8} {extra} {ago}".rstrip())
    hub = devices.get("hub", {})
    if hub.get("availability") != "online":
        print("hub: OFFLINE")
        return 1
    hs = hub.get("status", {})
    print(f"hub: online, version {hs.get('version')}, business day {hs.get('day')}, "
          f"since {hall_time(hs.get('started_at'), tz)} ({tz})")
    if hs.get("store_ok") is False or hub_summary.get("store_ok") is False:
        problems.append("hub cannot write its database")
    warning = hub_summary.get("calendar_warning") or hs.get("calendar_warning")
    if warning:
        warnings.append(warning)
    for w in warnings:
        print(f"warning: {w}")
    for p in problems:
        print(f"PROBLEM: {p}")
    return 1 if problems else 0


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("press", help="act as a window's call button")
    add_common(p)
    p.add_argument("window", help="window id, e.g. w3")
    p.add_argument("action", choices=PRESS_ACTIONS)
    p.add_argument("--ticket", help="ticket number for 'call' (e.g. A012)")
    p.add_argument("--to-category", help="for 'transfer'")
    p.add_argument("--to-window", help="for 'transfer'")
    p.add_argument("--reason", help="for 'pause' (shown on the board)")
    p.set_defaults(func=cmd_press)

    p = sub.add_parser("ticket", help="act as a kiosk: take a number")
    add_common(p)
    p.add_argument("category", help="category id, e.g. A")
    p.add_argument("--priority", action="store_true", help="绿色通道 (old, disabled, pregnant)")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_ticket)

    p = sub.add_parser("watch", help="print the board live")
    add_common(p)
    p.add_argument("--duration", type=float, default=0, help="stop after N seconds (default: run until Ctrl-C)")
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("status", help="devices online/offline and the hub's version; exit 1 if anything is down")
    add_common(p)
    p.add_argument("--wait", type=float, default=1.5, help="seconds to collect retained states")
    p.set_defaults(func=cmd_status)
