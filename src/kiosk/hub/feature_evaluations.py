"""好差评 on the hub: ratings of completed tickets from the kiosk, the window's evaluation pad and the QR
code on the ticket; the pad topic; per-window and per-category statistics.

Ops: ``evaluation.submit`` {ticket, level, reasons?, text?, phone?, channel?}, ``evaluation.stats``
{since?, until?}. Extension topic (retained): ``hall/<site>/window/<w>/evaluation`` — the ticket a
window's pad should offer for rating, published when that window completes a ticket.

Rule: 一事一评 and 严禁先评价、后办事 (``kiosk.core.evaluation``): only a ticket the queue completed — today's
from the queue, the last ``[evaluation] rate_days`` days' from the event log — and only once (the table's
UNIQUE ticket). Nothing in the queue waits for a rating. Stored: ticket, window, category, level, reasons,
text, channel, time; the phone only when the citizen left one for a call-back; never the device. A bad
rating opens a case (``feature_cases.create_case``). Phones and comments are forgotten after
``[evaluation] retention_days``; the rest stays for reports.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..core import commands as C
from ..core import evaluation as E
from ..core.errors import UnknownTicket
from ..core.idcard import mask_numbers_in_text
from ..store.evaluations import SCHEMA, Evaluations
from ..store.tickets import TicketTokens
from . import feature_cases as cases
from .features import Feature, Hall, Op, OpContext, OpError
from .help import mask_phone

log = logging.getLogger(__name__)

MSG_UNKNOWN_TODAY = "今天没有{ref}号；评价以前办结的业务，请输入小票上的完整票号（如20261129-A012）"
MSG_UNKNOWN = "没有找到票号{ref}"
MSG_BAD_TOKEN = "请扫描小票上的二维码进行评价"
MSG_NOT_THIS_PAD = "评价器只能评价本窗口刚刚办结的业务"
MSG_TOO_OLD = "只能评价最近{n}天内办结的业务"
DEFAULT_QR = "https://pj.example.invalid/pj?site={site}&t={ticket}"  # placeholder: the city platform's address
_TICKET_ID = re.compile(r"^(\d{4})(\d{2})(\d{2})-([A-Z][A-Z0-9]{0,7}\d{3,})$")


@dataclass(frozen=True, slots=True, kw_only=True)
class EvaluationSettings:
    qr_template: str
    retention_days: int
    rate_days: int  # how many earlier days' tickets may still be rated


def settings(cfg) -> EvaluationSettings:
    s = cfg.role("evaluation")
    out = EvaluationSettings(
        qr_template=s.get("qr_template", str, DEFAULT_QR, check=E.template_problem),
        retention_days=s.get("retention_days", int, 90, check=lambda v: None if v > 0 else "must be > 0"),
        rate_days=s.get("rate_days", int, 3, check=lambda v: None if 0 <= v <= 30 else "must be 0..30"))
    s.done()
    return out


def pad_topic(ctx: OpContext, window: str) -> str:
    return f"{ctx.topics.root}window/{window}/evaluation"


# ------------------------------------------------------------------ finding the service event

@dataclass(frozen=True, slots=True, kw_only=True)
class Served:
    ticket: str
    number: str
    day: str
    state: str | None  # "completed" when the queue completed it
    window: str
    category: str


def find_ticket(ctx: OpContext, ref: str) -> Served:
    """Today's ticket from the queue; an earlier day's from the event log (its id names the day)."""
    try:
        t = ctx.queue.find(ref.upper())
    except UnknownTicket:
        pass
    else:
        return Served(ticket=t.id, number=t.number, day=ctx.day, state=t.state.value, window=t.window or "",
                      category=t.category)
    m = _TICKET_ID.match(ref.upper())
    if m is None:
        raise OpError("unknown_ticket", MSG_UNKNOWN_TODAY.format(ref=ref))
    tid = ref.upper()
    try:
        day = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise OpError("unknown_ticket", MSG_UNKNOWN.format(ref=ref)) from None
    rate_days = settings(ctx.cfg).rate_days
    today = cases.today(ctx)
    if day >= today:
        raise OpError("unknown_ticket", MSG_UNKNOWN.format(ref=ref))
    if day < today - timedelta(days=rate_days):
        raise OpError("too_late", MSG_TOO_OLD.format(n=rate_days))
    rows = Evaluations(ctx.store).service_events(day.isoformat(), tid)
    if not rows:
        raise OpError("unknown_ticket", MSG_UNKNOWN.format(ref=ref))
    category, window, state = "", "", None
    for r in rows:
        b = json.loads(r["body"])
        if r["kind"] == "TicketIssued":
            category = b.get("category", "")
        elif r["kind"] == "TicketTransferred":
            category = b.get("to_category", category)
        else:
            window, state = b.get("window", ""), "completed"
    return Served(ticket=tid, number=m[4], day=day.isoformat(), state=state, window=window, category=category)


# ------------------------------------------------------------------ ops

def _may_rate(ctx: OpContext, served: Served, token: str | None) -> None:
    """A window's pad rates only the ticket its window has just completed; anyone else (a kiosk, the
    phone pages) shows the ticket's token from its QR. On an open broker a sender the hall does not know
    (tests, the demo) is not asked for one."""
    who = ctx.hall.identity(ctx.device)
    if who is not None and who.role == "pad":
        offered = ctx.store.get_meta(f"pad:{who.window}") == served.ticket
        rated_here = served.window == who.window and Evaluations(ctx.store).rated(served.ticket)
        if not (offered or rated_here):  # a second try at its own window's ticket is told already_rated
            raise OpError("forbidden", MSG_NOT_THIS_PAD)
        return
    if who is None and not ctx.hall.strict:
        return
    known = TicketTokens(ctx.store).get(served.ticket)
    if not token or known is None or not secrets.compare_digest(token, known):
        raise OpError("bad_token", MSG_BAD_TOKEN)



def op_submit(ctx: OpContext, req) -> dict[str, Any]:
    a = req.args
    served = find_ticket(ctx, a["ticket"])
    _may_rate(ctx, served, a.get("token"))
    table = Evaluations(ctx.store)
    already = table.rated(served.ticket)
    try:
        E.check_rateable(served.state, already)
        rating = E.validate(level=a["level"], reasons=a.get("reasons", ()), text=a.get("text"),
                            phone=a.get("phone"), channel=a.get("channel", "kiosk"))
    except E.EvaluationError as exc:
        raise OpError(exc.code, exc.message) from None
    seq = cases.next_seq(ctx, "evaluation_seq")
    eid = f"e{seq}"
    case = None
    if rating.bad:
        case = cases.create_case(ctx, source="evaluation", summary=rating.text, phone=rating.phone, ref=eid,
                                 ticket=served.ticket, window=served.window, category=served.category,
                                 level=rating.level, reasons=rating.reasons)
    table.add({"id": eid, "seq": seq, "ticket": served.ticket, "number": served.number, "day": served.day,
               "window": served.window, "category": served.category, "level": rating.level,
               "reasons": json.dumps(list(rating.reasons)), "text": mask_numbers_in_text(rating.text) or None,
               "channel": rating.channel,
               "at": ctx.now, "phone": rating.phone, "case_id": case.id if case else None})
    if served.window and ctx.store.get_meta(f"pad:{served.window}") == served.ticket:
        _clear_pad(ctx, served.window)
    log.info("evaluation %s: %s %s via %s", eid, served.ticket, rating.level, rating.channel)
    return {"evaluation": eid, "ticket": served.ticket, "number": served.number, "window": served.window or None,
            "level": rating.level, "label": rating.label, "reasons": E.reason_labels(rating.reasons),
            "case": case.id if case else None, "phone": mask_phone(rating.phone)}


def op_stats(ctx: OpContext, req) -> dict[str, Any]:
    """Counts per level by window and by category (no tickets, no phones: for reports and staff)."""
    since = req.args.get("since", "0000-00-00")
    until = req.args.get("until", "9999-99-99")
    everything = Evaluations(ctx.store).between(since, until)
    rows = [r for r in everything if r["counted"]]  # upheld appeals stay on record, out of the rate
    hall = ctx.cfg.hall

    def group(key: str) -> list[dict[str, Any]]:
        out = []
        for k in sorted({r[key] or "" for r in rows}):
            s = E.summarise(r["level"] for r in rows if (r[key] or "") == k)
            if key == "window":
                w = hall.window(k)
                s.update(window=k or None, window_number=w.number if w else None, window_name=w.name if w else None)
            else:
                c = hall.category(k)
                s.update(category=k or None, category_name=c.name if c else None)
            out.append(s)
        return out

    total = E.summarise(r["level"] for r in rows)
    channels = {ch: sum(1 for r in rows if r["channel"] == ch) for ch in E.CHANNELS}
    return {"since": req.args.get("since"), "until": req.args.get("until"), **total, "channels": channels,
            "appeals_upheld": len(everything) - len(rows),
            "by_window": group("window"), "by_category": group("category")}





# ------------------------------------------------------------------ the pad at each window

def offer_to_pads(ctx: OpContext, events: list[C.Event], qr_template: str) -> None:
    for ev in events:
        if isinstance(ev, C.TicketCompleted):
            t = ctx.queue.state.tickets.get(ev.ticket)
            number = t.number if t else ev.ticket.split("-", 1)[-1]
            qr = E.qr_url(qr_template, site=ctx.cfg.site_id, ticket=ev.ticket)
            ctx.publish(pad_topic(ctx, ev.window), {"ticket": ev.ticket, "number": number, "window": ev.window,
                                                     "at": ev.at, "qr": qr}, retain=True)
            ctx.store.set_meta(f"pad:{ev.window}", ev.ticket)


def _clear_pad(ctx: OpContext, window: str) -> None:
    """Nothing to rate at this window (rated, or a new day): the pad goes back to its idle page."""
    ctx.publish(pad_topic(ctx, window), {"ticket": None, "number": None, "window": window, "at": ctx.now},
                retain=True)
    ctx.store.set_meta(f"pad:{window}", None)


def daily(ctx: OpContext) -> None:
    for w in ctx.cfg.hall.windows:
        if ctx.store.get_meta(f"pad:{w.id}"):
            _clear_pad(ctx, w.id)
    purge(ctx, settings(ctx.cfg).retention_days)


def purge(ctx: OpContext, retention_days: int) -> int:
    """Forget phones and comments of ratings older than ``retention_days``; levels, reasons, window,
    category, channel and time stay for reports."""
    n = Evaluations(ctx.store).purge(ctx.now - retention_days * cases.DAY_S)
    if n:
        log.info("forgot the personal data of %d old evaluations", n)
    return n


class Ratings(Feature):
    def __init__(self, hall: Hall) -> None:
        super().__init__(hall)
        # a mistake in [evaluation] stops the hub at start with file, key and reason
        self.qr_template = settings(hall.cfg).qr_template  # read once: every completed service uses it
        Evaluations.open(hall.store)
        self.ops = {"evaluation.submit": Op(op_submit), "evaluation.stats": Op(op_stats, read_only=True)}

    def on_events(self, ctx: OpContext, events: list[C.Event]) -> None:
        offer_to_pads(ctx, events, self.qr_template)

    def on_day_start(self, ctx: OpContext) -> None:
        daily(ctx)


FEATURE = Ratings
__all__ = ["FEATURE", "SCHEMA", "find_ticket", "settings"]
