"""差评整改台账 and 办不成事 feedback on the hub: cases opened by bad ratings and complaints, worked through
核实 → 整改 → 回访 by staff, with deadlines in working days and daily overdue alerts.

Ops: ``case.list`` {overdue?, all?, source?}, ``case.get`` {id}, ``case.advance`` {id, action, by, note?,
callback_result?}, ``case.hotline`` {order, content, deadline, by, phone?, category?, window?} (a 12345 work
order into the same ledger), ``case.appeal`` {id, by, grounds, reason} (申诉复核 of a bad review),
``case.decide`` {id, by, decision, reason} (the director's decision on it), ``feedback.submit`` {item?,
item_text?, problem, phone?, want_ticket?}.

Rule: the state machine is ``kiosk.core.cases``; this module stores cases (the citizen's phone in its
own column, in the hub's database only), publishes a staff ``alert`` for every new case and once for
every stage that runs past its deadline (checked at each day start), and masks every phone and every
number typed into free text in what it returns or publishes. Deadlines count the hall calendar's working
days when the hub has one, plain days otherwise. Other voice features open cases through ``create_case``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Callable

from ..core import cases as K
from ..core import commands as C
from ..core.evaluation import LEVEL_LABELS, reason_labels
from ..core.idcard import mask_numbers_in_text, valid_phone
from ..core.model import WindowKind
from ..core.views import ticket_view
from ..store.cases import SCHEMA, Cases
from .features import Feature, Hall, Op, OpContext, OpError
from .feature_tickets import with_token
from .help import mask_phone

log = logging.getLogger(__name__)

# Chinese text this module produces.
ALERT_NEW_EVALUATION = "新差评待核实：{window} {number} {label}{reasons}"
ALERT_NEW_FEEDBACK = "办不成事反映待核实：{item}{problem}"
ALERT_NEW_HOTLINE = "12345工单{order}待核实：{content}（热线期限{deadline}）"
ALERT_APPEAL = "差评工单{id}申请申诉复核（{grounds}），请主任复核"
MSG_DUP_ORDER = "12345工单{order}已登记为{id}"
MSG_NEED_CONTENT = "工单内容：请填写"
MSG_BAD_ORDER_DEADLINE = "办理期限：应为今天或以后的日期（YYYY-MM-DD）"
MSG_UNKNOWN_CATEGORY = "业务类别：没有类别{category}"
MSG_UNKNOWN_WINDOW = "窗口：没有窗口{window}"
ALERT_OVERDUE = "工单{id}“{state}”已超期（应于{deadline}前完成）"
ALERT_OVERDUE_SUMMARY = "共有{n}件整改工单超期未办"
MSG_UNKNOWN_CASE = "没有编号为{id}的工单"
MSG_NEED_PROBLEM = "反映内容：请描述您遇到的问题"
MSG_PROBLEM_LONG = "反映内容：不能超过{n}个字"
MSG_ITEM_LONG = "事项名称：不能超过{n}个字"
MSG_BAD_PHONE = "联系电话：格式不正确，请填写11位手机号或带区号的固定电话"
MSG_NO_COMPLAINT_WINDOW = "本中心未设置办不成事反映窗口，无法取号"
PROBLEM_MAX = 500
ITEM_TEXT_MAX = 100
DAY_S = 86400.0


# ------------------------------------------------------------------ settings and time

@dataclass(frozen=True, slots=True, kw_only=True)
class CaseSettings:
    deadlines: K.Deadlines
    retention_days: int  # a closed case forgets the citizen's phone this long after closing
    complaint_category: str | None


def _positive(v: int) -> str | None:
    return None if v > 0 else "must be greater than 0"


def settings(cfg) -> CaseSettings:
    """``[cases]`` of the site config (validated; an error names file and key)."""
    s = cfg.role("cases")
    out = CaseSettings(
        deadlines=K.Deadlines(verify_days=s.get("verify_days", int, 2, check=_positive),
                              rectify_days=s.get("rectify_days", int, 10, check=_positive),
                              callback_days=s.get("callback_days", int, 3, check=_positive),
                              appeal_days=s.get("appeal_days", int, 5, check=_positive)),
        retention_days=s.get("retention_days", int, 180, check=_positive),
        complaint_category=s.get("complaint_category", str, None,
                                 check=lambda v: None if cfg.hall.category(v) else "must be a configured category"))
    s.done()
    return out


def today(ctx: OpContext) -> date:
    """The hub's business day (never earlier than the queue's day)."""
    return date.fromisoformat(ctx.day)


def working_day_fn(ctx: OpContext) -> Callable[[date], bool] | None:
    """The hall calendar's working-day test, or None (every day counts) when the hub has no calendar."""
    sched = ctx.info.schedule
    return sched.calendar.is_working_day if sched is not None else None


def next_seq(ctx: OpContext, key: str) -> int:
    n = int(ctx.store.get_meta(key, 0)) + 1
    ctx.store.set_meta(key, n)
    return n


# ------------------------------------------------------------------ storage

def save(ctx: OpContext, case: K.Case, seq: int | None = None) -> None:
    body = json.dumps(case.to_dict(), ensure_ascii=False)
    if seq is None:
        Cases(ctx.store).update(case.id, state=case.state.value, deadline=case.deadline, closed_at=case.closed_at,
                                phone=case.phone, body=body)
    else:
        Cases(ctx.store).add({"id": case.id, "seq": seq, "opened_at": case.opened_at, "state": case.state.value,
                              "deadline": case.deadline, "closed_at": case.closed_at, "phone": case.phone,
                              "body": body})


def load(ctx: OpContext, cid: str) -> K.Case:
    row = Cases(ctx.store).get(cid)
    if row is None:
        raise OpError("unknown_case", MSG_UNKNOWN_CASE.format(id=cid))
    return K.Case.from_dict(json.loads(row["body"]), row["phone"])


def load_all(ctx: OpContext, *, open_only: bool) -> list[K.Case]:
    return [K.Case.from_dict(json.loads(r["body"]), r["phone"]) for r in Cases(ctx.store).all(open_only=open_only)]


# ------------------------------------------------------------------ views (always masked)

def case_view(hall, case: K.Case, day: date, *, full: bool = False) -> dict[str, Any]:
    w = hall.window(case.window) if case.window else None
    v: dict[str, Any] = {
        "id": case.id, "state": case.state.value, "state_label": case.state_label, "source": case.source,
        "source_label": K.SOURCES.get(case.source, case.source), "opened_at": case.opened_at,
        "opened_day": case.opened_day, "deadline": case.deadline, "overdue": case.overdue(day),
        "window": case.window or None, "window_number": w.number if w else None,
        "window_name": w.name if w else None, "category": case.category or None,
        "item": mask_numbers_in_text(case.item),
        "ticket": case.ticket or None, "number": case.ticket.split("-", 1)[-1] if case.ticket else None,
        "level": case.level, "level_label": LEVEL_LABELS.get(case.level) if case.level else None,
        "reasons": reason_labels(case.reasons), "summary": mask_numbers_in_text(case.summary),
        "has_phone": case.had_phone, "phone": mask_phone(case.phone),
        "callback_result": case.callback_result, "closed_at": case.closed_at,
        "order": case.ref if case.source == "hotline" else None, "order_deadline": case.order_deadline,
        "reopened": case.reopened, "appeal": appeal_view(case.appeal), "counted": not case.appeal_upheld,
    }
    if full:
        v["history"] = [dict(s.to_dict(), note=mask_numbers_in_text(s.note),
                             action_label=K.ACTION_LABELS.get(s.action, s.action)) for s in case.history]
    return v


def appeal_view(appeal: dict[str, Any] | None) -> dict[str, Any] | None:
    if not appeal:
        return None
    return {**appeal, "reason": mask_numbers_in_text(appeal.get("reason", "")),
            "grounds_label": K.APPEAL_GROUNDS.get(appeal.get("grounds", ""), ""),
            "decision_label": K.DECISIONS.get(appeal.get("decision") or "", "待复核"),
            "decision_reason": mask_numbers_in_text(appeal.get("decision_reason") or "")}


def _window_text(hall, wid: str) -> str:
    w = hall.window(wid) if wid else None
    return f"{w.number}号窗口" if w else ""


# ------------------------------------------------------------------ opening cases (used by the other features)

def create_case(ctx: OpContext, *, source: str, summary: str = "", phone: str | None = None, **details: Any) -> K.Case:
    """Open, store and announce a case; returns it. Runs inside the hub's batch."""
    st = settings(ctx.cfg)
    seq = next_seq(ctx, "case_seq")
    case = K.open_case(id=f"c{seq}", source=source, now=ctx.now, today=today(ctx), deadlines=st.deadlines,
                       is_working=working_day_fn(ctx), summary=mask_numbers_in_text(summary), phone=phone,
                       **{k: mask_numbers_in_text(v) if k == "item" else v for k, v in details.items()})
    save(ctx, case, seq)
    hall = ctx.cfg.hall
    if source == "evaluation":
        reasons = "、".join(reason_labels(case.reasons))
        text = ALERT_NEW_EVALUATION.format(window=_window_text(hall, case.window),
                                           number=case.ticket.split("-", 1)[-1],
                                           label=LEVEL_LABELS.get(case.level or 0, ""),
                                           reasons=f"（{reasons}）" if reasons else "")
    elif source == "hotline":
        content = mask_numbers_in_text(case.summary)
        text = ALERT_NEW_HOTLINE.format(order=case.ref, content=content[:40] + ("…" if len(content) > 40 else ""),
                                        deadline=case.order_deadline)
    else:
        problem = mask_numbers_in_text(case.summary)
        item = mask_numbers_in_text(case.item)
        text = ALERT_NEW_FEEDBACK.format(item=f"【{item}】" if item else "",
                                         problem=problem[:40] + ("…" if len(problem) > 40 else ""))
    ctx.alert({"id": case.id, "kind": "case_opened", "source": source, "text": text, "window": case.window or None,
               "deadline": case.deadline, "phone": mask_phone(case.phone)})
    log.info("case %s opened (%s), due %s", case.id, source, case.deadline)
    return case


# ------------------------------------------------------------------ ops

def op_list(ctx: OpContext, req) -> dict[str, Any]:
    day = today(ctx)
    cases = load_all(ctx, open_only=not req.args.get("all", False))
    if req.args.get("source"):
        cases = [c for c in cases if c.source == req.args["source"]]
    if req.args.get("overdue"):
        cases = [c for c in cases if c.overdue(day)]
    views = [case_view(ctx.cfg.hall, c, day) for c in cases]
    return {"cases": views, "day": day.isoformat(), "overdue": sum(1 for v in views if v["overdue"])}


def op_get(ctx: OpContext, req) -> dict[str, Any]:
    return case_view(ctx.cfg.hall, load(ctx, req.args["id"]), today(ctx), full=True)


def _step(ctx: OpContext, cid: str, action: str, *, by: str, note: str = "", **extra: Any) -> dict[str, Any]:
    case = load(ctx, cid)
    st = settings(ctx.cfg)
    try:
        new = K.advance(case, action, by=by, now=ctx.now, today=today(ctx), deadlines=st.deadlines,
                        is_working=working_day_fn(ctx), note=mask_numbers_in_text(note), **extra)
    except K.CaseError as exc:
        raise OpError(exc.code, exc.message) from None
    save(ctx, new)
    log.info("case %s: %s by staff, now %s", new.id, action, new.state.value)
    return case_view(ctx.cfg.hall, new, today(ctx), full=True)


def op_advance(ctx: OpContext, req) -> dict[str, Any]:
    a = req.args
    return _step(ctx, a["id"], a["action"], by=a["by"], note=a.get("note", ""),
                 callback_result=a.get("callback_result"))


def op_appeal(ctx: OpContext, req) -> dict[str, Any]:
    """申诉复核: the window asks the director to look again at a bad review it thinks mistaken or malicious."""
    a = req.args
    view = _step(ctx, a["id"], "appeal", by=a["by"], note=a.get("reason", ""), grounds=a.get("grounds"))
    ctx.alert({"id": view["id"], "kind": "case_appeal", "window": view["window"], "deadline": view["deadline"],
               "text": ALERT_APPEAL.format(id=view["id"], grounds=view["appeal"]["grounds_label"])})
    return view


def op_decide(ctx: OpContext, req) -> dict[str, Any]:
    a = req.args
    return _step(ctx, a["id"], "decide", by=a["by"], note=a.get("reason", ""), decision=a.get("decision"))


def op_hotline(ctx: OpContext, req) -> dict[str, Any]:
    """A 12345 work order, typed in by staff from the hotline platform, into the rectification ledger."""
    a = req.args
    order = a["order"].strip()
    dup = Cases(ctx.store).by_ref("hotline", order)
    if dup is not None:
        raise OpError("duplicate", MSG_DUP_ORDER.format(order=order, id=dup))
    content = (a.get("content") or "").strip()
    if not content:
        raise OpError("missing_field", MSG_NEED_CONTENT)
    if len(content) > PROBLEM_MAX:
        raise OpError("too_long", MSG_PROBLEM_LONG.format(n=PROBLEM_MAX))
    try:
        due = date.fromisoformat(a["deadline"])
    except ValueError:
        raise OpError("bad_value", MSG_BAD_ORDER_DEADLINE) from None
    if due < today(ctx):
        raise OpError("bad_value", MSG_BAD_ORDER_DEADLINE)
    phone = None
    if a.get("phone"):
        phone = valid_phone(a["phone"])
        if phone is None:
            raise OpError("bad_phone", MSG_BAD_PHONE)
    hall = ctx.cfg.hall
    if a.get("category") and hall.category(a["category"]) is None:
        raise OpError("bad_value", MSG_UNKNOWN_CATEGORY.format(category=a["category"]))
    if a.get("window") and hall.window(a["window"]) is None:
        raise OpError("bad_value", MSG_UNKNOWN_WINDOW.format(window=a["window"]))
    case = create_case(ctx, source="hotline", summary=content, phone=phone, ref=order, by=a["by"].strip() or "系统",
                       order_deadline=due.isoformat(), category=a.get("category", ""), window=a.get("window", ""))
    return case_view(hall, case, today(ctx), full=True)


def complaint_target(cfg) -> tuple[str | None, str | None]:
    """(window id, category) of the 办不成事反映窗口 from the config."""
    st = settings(cfg)
    win = next((w for w in cfg.hall.windows if w.kind is WindowKind.COMPLAINT), None)
    cat = st.complaint_category
    if cat is None and win is not None and win.categories:
        cat = win.categories[0]
    if cat is None:
        cat = next((c.id for c in cfg.hall.categories if c.group == "complaint"), None)
    return (win.id if win else None), cat


def _catalog_item_name(ctx: OpContext, item_id: str | None) -> str:
    if not item_id or not ctx.info.catalog:
        return ""
    for it in ctx.info.catalog.get("items", ()):
        if it.get("id") == item_id:
            return str(it.get("name", ""))
    return ""


def op_feedback(ctx: OpContext, req) -> dict[str, Any]:
    a = req.args
    problem = (a.get("problem") or "").strip()
    if not problem:
        raise OpError("missing_field", MSG_NEED_PROBLEM)
    if len(problem) > PROBLEM_MAX:
        raise OpError("too_long", MSG_PROBLEM_LONG.format(n=PROBLEM_MAX))
    item_text = (a.get("item_text") or "").strip()
    if len(item_text) > ITEM_TEXT_MAX:
        raise OpError("too_long", MSG_ITEM_LONG.format(n=ITEM_TEXT_MAX))
    phone = None
    if a.get("phone"):
        phone = valid_phone(a["phone"])
        if phone is None:
            raise OpError("bad_phone", MSG_BAD_PHONE)
    window, category = complaint_target(ctx.cfg)
    ticket = None
    if a.get("want_ticket"):
        if category is None:
            raise OpError("no_window", MSG_NO_COMPLAINT_WINDOW)
        # first, so a refused ticket leaves no case behind (the queue raises before it changes anything)
        events = ctx.apply(C.IssueTicket(now=ctx.now, category=category, source=ctx.device))
        issued = next(e for e in events if isinstance(e, C.TicketIssued))
        ticket = with_token(ctx, ticket_view(ctx.queue, ctx.queue.state.tickets[issued.ticket]))
    item = _catalog_item_name(ctx, a.get("item")) or item_text
    case = create_case(ctx, source="feedback", summary=problem, phone=phone, window=window or "",
                       category=category or "", item=item, ref=a.get("item", ""),
                       ticket=ticket["ticket"] if ticket else "")
    return {"case": case.id, "state": case.state.value, "state_label": case.state_label,
            "deadline": case.deadline, "phone": mask_phone(phone), "ticket": ticket}





# ------------------------------------------------------------------ daily: overdue alerts, purge

def daily(ctx: OpContext) -> None:
    """Each new business day: overdue alerts, then the retention purge."""
    day = today(ctx)
    overdue = 0
    for case in load_all(ctx, open_only=True):
        if case.overdue(day):
            overdue += 1
        if case.needs_overdue_alert(day):
            ctx.alert({"id": case.id, "kind": "case_overdue", "state": case.state.value, "deadline": case.deadline,
                       "window": case.window or None,
                       "text": ALERT_OVERDUE.format(id=case.id, state=case.state_label, deadline=case.deadline)})
            save(ctx, case.overdue_alert_sent())
    if overdue:
        ctx.alert({"id": f"cases-overdue-{day.isoformat()}", "kind": "cases_overdue", "count": overdue,
                   "text": ALERT_OVERDUE_SUMMARY.format(n=overdue)})
    purge(ctx, settings(ctx.cfg).retention_days)


def purge(ctx: OpContext, retention_days: int) -> int:
    """Forget the phone and the citizen's words of cases closed more than ``retention_days`` ago; the
    rest (window, category, level, reasons, dates) stays for reports."""
    before = ctx.now - retention_days * DAY_S
    ids = Cases(ctx.store).closed_before(before)
    for cid in ids:
        save(ctx, replace(K.forget_phone(load(ctx, cid)), summary=""))
    if ids:
        log.info("forgot the phone numbers and summaries of %d closed cases", len(ids))
    return len(ids)


class CaseLedger(Feature):
    def __init__(self, hall: Hall) -> None:
        super().__init__(hall)
        settings(hall.cfg)  # a mistake in [cases] stops the hub at start with file, key and reason
        Cases.open(hall.store)
        self.ops = {"case.list": Op(op_list, read_only=True), "case.get": Op(op_get, read_only=True),
                    "case.advance": Op(op_advance), "case.hotline": Op(op_hotline),
                    "case.appeal": Op(op_appeal), "case.decide": Op(op_decide), "feedback.submit": Op(op_feedback)}

    def on_day_start(self, ctx: OpContext) -> None:
        daily(ctx)


FEATURE = CaseLedger
__all__ = ["FEATURE", "SCHEMA", "case_view", "complaint_target", "create_case", "settings"]
