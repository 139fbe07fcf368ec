"""The queue's own ops: take a number, hand it over, void, requeue, look it up.

Ops: ``ticket.issue`` {category, priority?, priority_reason?, accept_late?, …}, ``ticket.delivered`` {ticket, how},
``ticket.void`` {ticket, reason?}, ``ticket.requeue`` {ticket}, ``ticket.info`` {ticket} or {token} (read-only;
by token for a scanned phone link, which names no ticket).

Rule: the queue core decides; this module turns requests into queue commands (logged through
``ctx.apply``) and queue results into ticket views. Every issued ticket gets a secret ``token``
(``secrets``, 96 bits) that only the issuing device receives (in its reply) and prints in the ticket's QR;
a citizen's later act on the ticket from outside the counter (a rating) must show it. Walk-in numbers follow the hall's hours: none while
the hall is closed, and a warning first when the predicted wait runs past closing time.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime
from typing import Any

from ..core import commands as C
from ..core.errors import QueueError
from ..core.views import ticket_view
from ..protocol import Request
from ..store.tickets import TicketTokens
from .features import Feature, Op, OpContext, OpError

TOKEN_BYTES = 12  # 96 bits from the system's CSPRNG
TOKEN_POOL = 256  # tokens' worth of random bytes taken from the system at once (one call, not one per ticket)
TOKEN_DAYS = 31  # a ticket may be rated for a few days; its status page lives no longer
MSG_CLOSED = "现在不办理现场取号（{label}）"
MSG_NO_TICKET = "请输入票号或扫描小票上的二维码"
MSG_UNKNOWN_TOKEN = "没有找到这张小票，可能已过期；请输入小票上的票号"
MSG_NEXT_OPEN = "，下次办公时间 {when}"
MSG_PAST_CLOSING = "今天排队人数较多，预计下班前无法办理，请预约其他时间"
MSG_LATE = "预计等候约 {minutes} 分钟，可能超过今天下班时间 {end}；可改为预约，或确认后仍然取号"


def _view(ctx: OpContext, ref: str) -> dict[str, Any]:
    try:
        return ticket_view(ctx.queue, ctx.queue.find(ref))
    except QueueError as exc:
        raise OpError.of(exc) from None


def with_token(ctx: OpContext, view: dict[str, Any]) -> dict[str, Any]:
    """A ticket view for the device that issued the ticket only: ``view`` (a fresh one, changed in place)
    with the ticket's secret token."""
    view["token"] = TicketTokens(ctx.store).get(view["ticket"])
    return view


class Tickets(Feature):
    def __init__(self, hall) -> None:
        super().__init__(hall)
        self.tokens = TicketTokens.open(hall.store)
        self._random = b""
        self.ops = {"ticket.issue": Op(self.issue), "ticket.delivered": Op(self.delivered),
                    "ticket.void": Op(self.void), "ticket.requeue": Op(self.requeue),
                    "ticket.info": Op(self.info, read_only=True)}

    def issue(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        self._walk_in_check(ctx, req)
        events = ctx.apply(C.IssueTicket(now=ctx.now, category=req.args["category"],
                                         priority=bool(req.args.get("priority", False)),
                                         priority_reason=req.args.get("priority_reason", ""), source=ctx.device))
        issued = next(e for e in events if isinstance(e, C.TicketIssued))
        return with_token(ctx, ticket_view(ctx.queue, ctx.queue.state.tickets[issued.ticket],
                                           estimate=(issued.people_ahead, issued.eta_s)))

    def delivered(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        ctx.apply(C.DeliverTicket(now=ctx.now, ticket=req.args["ticket"], how=req.args["how"]))
        return _view(ctx, req.args["ticket"])

    def void(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        ctx.apply(C.VoidTicket(now=ctx.now, ticket=req.args["ticket"], reason=req.args.get("reason", "")))
        return _view(ctx, req.args["ticket"])

    def requeue(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        ctx.apply(C.RequeueTicket(now=ctx.now, ticket=req.args["ticket"]))
        return _view(ctx, req.args["ticket"])

    def info(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        if "ticket" in req.args:
            return _view(ctx, req.args["ticket"])
        if "token" not in req.args:
            raise OpError("missing_field", MSG_NO_TICKET)
        tid = self.tokens.tickets_for([req.args["token"]]).get(req.args["token"])
        if tid is None:
            raise OpError("unknown_ticket", MSG_UNKNOWN_TOKEN)
        if tid in ctx.queue.state.tickets:
            return _view(ctx, tid)
        # an earlier day's ticket (a rating within [evaluation] rate_days): its service from the event log
        from .feature_evaluations import find_ticket  # here: ratings and cases import this module
        s = find_ticket(ctx, tid)
        return {"ticket": s.ticket, "number": s.number, "category": s.category, "state": s.state or "unknown",
                "window": s.window or None}

    def on_events(self, ctx: OpContext, events: list[C.Event]) -> None:
        """Every new ticket, however issued (walk-in, check-in, feedback), gets its secret here."""
        for ev in events:
            if isinstance(ev, C.TicketIssued):
                self.tokens.add(ev.ticket, self._new_token(), ctx.now)

    def _new_token(self) -> str:
        """What ``secrets.token_urlsafe(TOKEN_BYTES)`` gives, from a pool of the system's random bytes."""
        if len(self._random) < TOKEN_BYTES:
            self._random = secrets.token_bytes(TOKEN_BYTES * TOKEN_POOL)
        raw, self._random = self._random[:TOKEN_BYTES], self._random[TOKEN_BYTES:]
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def on_day_start(self, ctx: OpContext) -> None:
        self.tokens.purge(ctx.now - TOKEN_DAYS * 86400.0)

    def _walk_in_check(self, ctx: OpContext, req: Request) -> None:
        """Closing-time-aware issuing: no walk-in ticket when the hall is closed, and a warning first
        when the predicted wait runs past closing time (the kiosk offers an appointment instead)."""
        state, closing = ctx.info.walk_in_window(ctx.now)
        if closing is None:
            mode = self.hall.mode()
            nxt = mode.get("next_open_text") or ""
            raise OpError("hall_closed", MSG_CLOSED.format(label=mode.get("label", state)) +
                          (MSG_NEXT_OPEN.format(when=nxt) if nxt else ""))
        cat = req.args["category"]
        if ctx.cfg.hall.category(cat) is None:
            return  # the queue refuses it with unknown_category
        q = ctx.queue
        wait = q.expected_wait(cat, q.waiting_in(cat))
        if wait is not None and ctx.now + wait > closing:
            if not ctx.cfg.allow_past_closing:
                raise OpError("past_closing", MSG_PAST_CLOSING)
            if not req.args.get("accept_late"):
                end = datetime.fromtimestamp(closing, self.hall.tz).strftime("%H:%M")
                raise OpError("past_closing", MSG_LATE.format(minutes=round(wait / 60), end=end))


FEATURE = Tickets
