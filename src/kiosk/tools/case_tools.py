"""Staff tools for the citizen's voice: ``kiosk cases [--overdue] [--all]`` (the 差评整改 ledger),
``kiosk case ID [verify|rectify|callback --result 满意|不满意|close|appeal --grounds|decide --decision] --by NAME --note …`` (show or work one
case) and ``kiosk applications [--export CSV]`` (政府信息公开申请 with their reply deadlines).

Rule: real MQTT clients of the contract (``case.*``, ``disclosure.list``); they only ever see masked
personal data. One deliberate exception, for the call-back itself: ``kiosk case ID --reveal-phone``
reads the citizen's number from the hub's database file (read-only, so it works only on the hub machine
as the service user that owns the 0600 file) and prints it to this terminal alone; it never crosses
the bus. Exit codes: 0 ok, 1 refused by the hub, 2 bad arguments, 3 no broker or no answer.
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
from datetime import tzinfo
from pathlib import Path
from typing import Any

from ..bus.rpc import Requester
from ..core.textsafe import csv_cell, one_line
from ..errors import BusError
from ..halltime import hall_time, hall_zone
from .common import connect, site_config

CSV_COLUMNS = ("application", "received", "reply_due", "extended_due", "state", "overdue", "applicant_type_label",
               "name", "id_number", "phone", "address", "email", "form_label", "delivery_label",
               "info_description", "purpose")
CSV_HEADER = ("申请编号", "登记日期", "答复期限", "延期最迟", "状态", "是否超期", "申请人类型", "姓名/名称", "证件号码",
              "联系电话", "联系地址", "电子邮箱", "提供形式", "获取方式", "所需信息内容描述", "用途")


def _rpc(args: argparse.Namespace, kind: str, op: str, body: dict[str, Any]) -> tuple[int, Any]:
    cfg = site_config(args)
    args.hall_tz = hall_zone(cfg.timezone)  # every time printed below is hall time
    bus, topics, device = connect(args, cfg, kind=kind)
    try:
        rep = Requester(bus, topics, device).call(op, body, timeout=args.timeout)
    except BusError as exc:
        print(f"kiosk {kind}: {exc}", file=sys.stderr)
        return 3, None
    finally:
        bus.stop()
    if not rep.ok:
        print(f"refused: {rep.code}: {rep.message}")
        return 1, None
    return 0, rep.result or {}


def describe_case(c: dict[str, Any]) -> str:
    where = f"{c['window_number']}号窗口" if c.get("window_number") else (c.get("window") or "")
    what = c.get("level_label") or c.get("item") or ""
    flag = "  【超期】" if c.get("overdue") else ""
    due = f"  期限 {c['deadline']}" if c.get("deadline") else ""
    phone = f"  回访电话 {c['phone']}" if c.get("phone") else ""
    number = f" {c['number']}" if c.get("number") else ""
    return one_line(f"{c['id']:<6} {c['state_label']:<4} {c['source_label']:<6} {where}{number} {what}{due}{phone}"
                    f"{flag}".rstrip())


def describe_case_full(c: dict[str, Any], tz: tzinfo) -> str:
    lines = [describe_case(c), f"  登记 {hall_time(c.get('opened_at'), tz, missing='—')}"]
    if c.get("reasons"):
        lines.append(f"  原因 {'、'.join(c['reasons'])}")
    if c.get("summary"):
        lines.append(f"  内容 {one_line(c['summary'])}")
    if c.get("callback_result"):
        lines.append(f"  回访结果 {c['callback_result']}")
    if c.get("order"):
        lines.append(f"  12345工单 {c['order']}  热线期限 {c.get('order_deadline') or '—'}")
    if c.get("appeal"):
        ap = c["appeal"]
        lines.append(one_line(f"  申诉复核 {ap.get('grounds_label', '')}：{ap.get('reason', '')}  → {ap.get('decision_label', '')}"
                              f"{'：' + ap['decision_reason'] if ap.get('decision_reason') else ''}"))
    for s in c.get("history", []):
        note = f"：{s['note']}" if s.get("note") else ""
        result = f"（{s['result']}）" if s.get("result") else ""
        lines.append(one_line(f"  {hall_time(s.get('at'), tz, missing='—')} {s.get('action_label', s['action'])}{result} {s['by']}{note}"))
    return "\n".join(lines)


def cmd_cases(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {}
    if args.overdue:
        body["overdue"] = True
    if args.all:
        body["all"] = True
    rc, r = _rpc(args, "cases", "case.list", body)
    if rc:
        return rc
    if not r["cases"]:
        print("没有超期的整改工单" if args.overdue else "没有待办的整改工单")
    for c in r["cases"]:
        print(describe_case(c))
    return 0


def reveal_phone(state_dir: Path, case_id: str) -> str | None:
    """The unmasked call-back number, read straight from the hub's database (read-only)."""
    db = state_dir / "hub.sqlite3"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT phone FROM cases WHERE id=?", (case_id,)).fetchone()
    finally:
        con.close()
    return None if row is None else row[0]


def cmd_case(args: argparse.Namespace) -> int:
    if args.reveal_phone:
        state = Path(args.state) if args.state else site_config(args).state_dir
        try:
            phone = reveal_phone(state, args.id)
        except sqlite3.Error as exc:
            print(f"kiosk case: cannot read {state / 'hub.sqlite3'}: {exc}", file=sys.stderr)
            return 3
        print(phone or "（未留电话或已按期删除）")
        return 0
    if args.action is None:
        rc, r = _rpc(args, "case", "case.get", {"id": args.id})
        if rc == 0:
            print(describe_case_full(r, args.hall_tz))
        return rc
    if not args.by:
        print("kiosk case: --by NAME is required to record who did it", file=sys.stderr)
        return 2
    if (args.action == "callback") != (args.result is not None):
        print("kiosk case: --result 满意|不满意 goes with callback, and only with callback", file=sys.stderr)
        return 2
    if args.action in ("appeal", "decide"):
        choice = args.grounds if args.action == "appeal" else args.decision
        if not (choice and args.note):
            print("kiosk case: appeal needs --grounds and --note; decide needs --decision and --note", file=sys.stderr)
            return 2
        body = {"id": args.id, "by": args.by, "reason": args.note,
                ("grounds" if args.action == "appeal" else "decision"): choice}
        rc, r = _rpc(args, "case", f"case.{args.action}", body)
        if rc == 0:
            print(describe_case_full(r, args.hall_tz))
        return rc
    body: dict[str, Any] = {"id": args.id, "action": args.action, "by": args.by}
    if args.note:
        body["note"] = args.note
    if args.result:
        body["callback_result"] = args.result
    rc, r = _rpc(args, "case", "case.advance", body)
    if rc == 0:
        print(describe_case_full(r, args.hall_tz))
    return rc


def cmd_applications(args: argparse.Namespace) -> int:
    rc, r = _rpc(args, "applications", "disclosure.list", {})
    if rc:
        return rc
    apps = r["applications"]
    if args.export:
        with open(args.export, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel opens it as UTF-8
            w = csv.writer(fh)
            w.writerow(CSV_HEADER)
            for a in apps:
                w.writerow([csv_cell("是" if a[k] is True else "否" if a[k] is False else (a[k] or "")) for k in CSV_COLUMNS])
        print(f"{len(apps)} 件申请已导出到 {args.export}")
        return 0
    if not apps:
        print("没有政府信息公开申请")
    for a in apps:
        flag = "  【超期】" if a["overdue"] else ""
        print(one_line(f"{a['application']}  登记 {a['received']}  答复期限 {a['reply_due']}  "
                       f"{a['applicant_type_label']} {a['name']}  {a['phone']}  {a['form_label']}/{a['delivery_label']}"
                       f"{flag}"))
    return 0


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("cases", help="the 差评整改 ledger: open cases (--overdue, --all)")
    add_common(p)
    p.add_argument("--overdue", action="store_true", help="only cases past their stage deadline")
    p.add_argument("--all", action="store_true", help="include closed cases")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_cases)

    p = sub.add_parser("case", help="show one case, or record a step: verify, rectify, callback, close")
    add_common(p)
    p.add_argument("id", help="case id, e.g. c3 (see kiosk cases)")
    p.add_argument("action", nargs="?", choices=("verify", "rectify", "callback", "close", "appeal", "decide"))
    p.add_argument("--grounds", choices=("mistaken", "malicious"), help="with appeal: 误评 or 恶意差评")
    p.add_argument("--decision", choices=("upheld", "rejected"), help="with decide: the director's decision")
    p.add_argument("--by", help="who did it (recorded in the case history)")
    p.add_argument("--note", help="what was found or done")
    p.add_argument("--result", choices=("满意", "不满意"), help="the citizen's answer on the call-back")
    p.add_argument("--reveal-phone", action="store_true",
                   help="print the full call-back number from the hub's database (on the hub machine only)")
    p.add_argument("--state", help="with --reveal-phone: the hub's state directory (default from the config)")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_case)

    p = sub.add_parser("applications", help="政府信息公开申请 with their reply deadlines (--export CSV)")
    add_common(p)
    p.add_argument("--export", metavar="CSV", help="write them to a CSV file (personal data masked)")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_applications)
