"""Back-office tools: ``kiosk application NUMBER [ACTION]`` (政府信息公开申请 after 受理), ``kiosk visits`` and
``kiosk visit ID [ACTION]`` (the 上门服务 ledger), ``kiosk hotline ORDER`` (a 12345 work order into the
rectification ledger). Appeals are ``kiosk case ID appeal|decide`` (``case_tools``).

Rule: real MQTT clients of the contract (``disclosure.*``, ``visit.*``, ``case.hotline``), like the console
pages; they print what the hub returns. ``--reveal`` asks the hub for the applicant unmasked: the hub
records the view (name, reason) and the role table allows it to the director's identity only. Exit codes:
0 ok, 1 refused by the hub, 2 bad arguments, 3 no broker or no answer.
"""

from __future__ import annotations

import argparse
import sys
from datetime import tzinfo
from typing import Any

from ..core.textsafe import one_line
from ..halltime import hall_time
from .case_tools import _rpc, describe_case_full

APP_ACTIONS = ("correct", "corrected", "abandon", "extend", "answer", "close", "withdraw")
ANSWER_KINDS = ("public", "already_public", "partial", "refused", "not_exist", "not_ours", "not_processed")
VISIT_ACTIONS = ("schedule", "done", "cancel")
OUTCOMES = ("handled", "collected", "paid", "referred", "not_home")
PERSONAL_LABELS = {"name": "姓名/名称", "id_number": "证件号码", "phone": "联系电话", "address": "联系地址",
                   "postcode": "邮政编码", "email": "电子邮箱", "contact": "联系人", "info_description": "所需信息",
                   "purpose": "用途"}


def describe_application(a: dict[str, Any], tz: tzinfo) -> str:
    flag = "  【超期】" if a.get("overdue") else ""
    lines = [one_line(f"{a['application']}  {a['state_label']}  登记 {a['received']}  答复期限 {a['reply_due']}"
                      f"{'（已延期）' if a.get('extended') else ''}{flag}"),
             one_line(f"  {a['applicant_type_label']} {a['name']}  {a['phone']}  {a['form_label']}/{a['delivery_label']}")]
    if a.get("paused_days"):
        lines.append(f"  补正暂停 {a['paused_days']} 个工作日")
    if a.get("answer_label"):
        lines.append(f"  答复 {a['answered_day']} {a['answer_label']}（{'按期' if a.get('on_time') else '逾期'}）")
    for s in a.get("history", []):
        note = f"：{s['note']}" if s.get("note") else ""
        lines.append(one_line(f"  {hall_time(s.get('at'), tz, missing='—')} {s['action_label']} {s['by']}{note}"))
    for v in a.get("views", []):
        lines.append(one_line(f"  查看完整信息 {hall_time(v.get('at'), tz, missing='—')} {v['by']}（{v['role']}）：{v['reason']}"))
    return "\n".join(lines)


def cmd_application(args: argparse.Namespace) -> int:
    if args.reveal:
        if not (args.by and args.note):
            print("kiosk application: --reveal needs --by NAME and --note REASON (the view is recorded)", file=sys.stderr)
            return 2
        rc, r = _rpc(args, "application", "disclosure.reveal",
                     {"application": args.number, "by": args.by, "reason": args.note})
        if rc == 0:
            for k, label in PERSONAL_LABELS.items():
                print(one_line(f"{label}：{r.get(k) or '—'}"))
        return rc
    if args.action is None:
        rc, r = _rpc(args, "application", "disclosure.get", {"application": args.number})
        if rc == 0:
            print(describe_application(r, args.hall_tz))
        return rc
    if not args.by:
        print("kiosk application: --by NAME is required to record who did it", file=sys.stderr)
        return 2
    if (args.action == "answer") != (args.kind is not None):
        print("kiosk application: --kind goes with answer, and only with answer", file=sys.stderr)
        return 2
    body: dict[str, Any] = {"application": args.number, "action": args.action, "by": args.by}
    for key, val in (("note", args.note), ("answer_kind", args.kind), ("until", args.until)):
        if val:
            body[key] = val
    rc, r = _rpc(args, "application", "disclosure.advance", body)
    if rc == 0:
        print(describe_application(r, args.hall_tz))
    return rc


def describe_visit(v: dict[str, Any]) -> str:
    when = f"  {v['day']} {v['staff']}" if v.get("day") else ""
    outcome = f"  {v['outcome_label']}" if v.get("outcome_label") else ""
    return one_line(f"{v['id']:<5} {v['state_label']}  {v.get('group') or ''} {v['name']} {v['phone']} {v['address']}"
                    f"  所需：{v.get('asked') or '—'}{when}{outcome}")


def cmd_visits(args: argparse.Namespace) -> int:
    rc, r = _rpc(args, "visits", "visit.list", {"all": True} if args.all else {})
    if rc:
        return rc
    if not r["visits"]:
        print("没有待办的上门服务")
    for v in r["visits"]:
        print(describe_visit(v))
    return 0


def cmd_visit(args: argparse.Namespace) -> int:
    if args.action is None:
        rc, r = _rpc(args, "visit", "visit.get", {"id": args.id})
    else:
        if not args.by:
            print("kiosk visit: --by NAME is required to record who did it", file=sys.stderr)
            return 2
        body: dict[str, Any] = {"id": args.id, "action": args.action, "by": args.by}
        for key, val in (("note", args.note), ("day", args.day), ("staff", args.staff), ("outcome", args.outcome)):
            if val:
                body[key] = val
        rc, r = _rpc(args, "visit", "visit.advance", body)
    if rc == 0:
        print(describe_visit(r))
        for s in r.get("history", []):
            note = f"：{s['note']}" if s.get("note") else ""
            print(one_line(f"  {hall_time(s.get('at'), args.hall_tz, missing='—')} {s['action_label']} {s['by']}{note}"))
    return rc


def cmd_hotline(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"order": args.order, "content": args.content, "deadline": args.deadline, "by": args.by}
    for key, val in (("phone", args.phone), ("category", args.category), ("window", args.window)):
        if val:
            body[key] = val
    rc, r = _rpc(args, "hotline", "case.hotline", body)
    if rc == 0:
        print(describe_case_full(r, args.hall_tz))
    return rc


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("application", help="one 政府信息公开申请: show, or 补正/延期/答复/办结 (--reveal: unmasked, recorded)")
    add_common(p)
    p.add_argument("number", help="application number, e.g. HTGK-2026-0001 (see kiosk applications)")
    p.add_argument("action", nargs="?", choices=APP_ACTIONS)
    p.add_argument("--by", help="who did it (recorded)")
    p.add_argument("--note", help="the reason or what was answered (补正, 延期, 撤回 need one)")
    p.add_argument("--kind", choices=ANSWER_KINDS, help="with answer: the kind of answer (第三十六条)")
    p.add_argument("--until", help="with correct: the day the applicant has to complete the request by")
    p.add_argument("--reveal", action="store_true", help="show the applicant unmasked (director only; recorded)")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_application)

    p = sub.add_parser("visits", help="the 上门服务 ledger: open home visits (--all: with done and cancelled)")
    add_common(p)
    p.add_argument("--all", action="store_true")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_visits)

    p = sub.add_parser("visit", help="one home visit: show, schedule, done, cancel")
    add_common(p)
    p.add_argument("id", help="the registration's id, e.g. h12 (see kiosk visits)")
    p.add_argument("action", nargs="?", choices=VISIT_ACTIONS)
    p.add_argument("--by", help="who did it (recorded)")
    p.add_argument("--day", help="with schedule: YYYY-MM-DD")
    p.add_argument("--staff", help="with schedule: who goes")
    p.add_argument("--outcome", choices=OUTCOMES, help="with done: what came of it")
    p.add_argument("--note")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_visit)

    p = sub.add_parser("hotline", help="enter a 12345 work order into the rectification ledger")
    add_common(p)
    p.add_argument("order", help="the work order's number on the 12345 platform")
    p.add_argument("--content", required=True, help="what the caller reported")
    p.add_argument("--deadline", required=True, help="the hotline's reply deadline, YYYY-MM-DD")
    p.add_argument("--by", required=True, help="who entered it")
    p.add_argument("--phone", help="the caller's number for the call-back")
    p.add_argument("--category", help="queue category concerned (A, B …)")
    p.add_argument("--window", help="window concerned (w3 …)")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(func=cmd_hotline)
