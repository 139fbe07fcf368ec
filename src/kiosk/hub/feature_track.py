"""What the visitor's phone page may know of a ticket: ``ticket.track`` {tokens} (read-only, role ``web``).

The page is opened from the ticket's QR code (``<base>/t/<token>``, docs/protocol.md); ``kiosk web`` asks
for every ticket its pages watch in one request when the board changes, so 500 phones cost the hub one
request per change, not 500.

Rule: a ticket is found only by its secret token, never by its number, and only on its own business day:
a token of an earlier day, an unknown token and a malformed one all give the same answer (left out of the
result), so nothing tells a guesser which tokens ever existed. The view carries no personal data and no
device: the number, the business, people ahead, the expected wait, the state, the window once called, and
whether the ticket can still be rated here (completed, not yet rated).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from ..core.queue import Ticket, TicketState
from ..protocol import Request
from ..store.evaluations import Evaluations
from ..store.tickets import TicketTokens
from .features import Feature, Hall, Op, OpContext

MAX_TOKENS = 200  # per request: the reply stays well under the payload limit (web batches the rest)


def day_end(ctx: OpContext, day: str) -> float:
    """The end of a business day (midnight after it, hall time), as a timestamp."""
    d = date.fromisoformat(day) + timedelta(days=1)
    return datetime.combine(d, time(0, 0), ctx.hall.tz).timestamp()


def track_view(ctx: OpContext, t: Ticket, rated: bool, expires: float, ahead: int | None) -> dict[str, Any]:
    q = ctx.queue
    waiting = t.state is TicketState.WAITING and ahead is not None
    eta = q.expected_wait(t.category, ahead) if waiting else None
    cat = ctx.cfg.hall.category(t.category)
    w = ctx.cfg.hall.window(t.window) if t.window else None
    completed = t.state is TicketState.COMPLETED
    return {"ticket": t.id, "number": t.number, "category": t.category,
            "business": cat.name if cat else t.category, "state": t.state.value,
            "people_ahead": ahead if waiting else None, "eta_s": None if eta is None else round(eta),
            "window": None if w is None else {"id": w.id, "number": w.number, "name": w.name},
            "called_at": t.called_at, "recalls": t.recalls,
            "rateable": completed and not rated, "rated": rated, "day": t.day, "expires_at": expires}


class Track(Feature):
    def __init__(self, hall: Hall) -> None:
        super().__init__(hall)
        self.ops = {"ticket.track": Op(self.track, read_only=True)}

    def track(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        tokens = list(dict.fromkeys(req.args["tokens"]))[:MAX_TOKENS]
        found = TicketTokens(ctx.store).tickets_for(tokens)
        q = ctx.queue
        expires = day_end(ctx, q.state.day)
        ratings = Evaluations(ctx.store)
        out: dict[str, Any] = {}
        if ctx.now >= expires:  # the hub has not started the next day yet: today's pages are over all the same
            return {"tickets": out, "day": q.state.day, "at": ctx.now}
        tickets = {token: q.state.tickets[tid] for token, tid in found.items() if tid in q.state.tickets}
        ahead: dict[str, int] = {}  # ticket id -> people ahead, one sort per category asked about
        for cat in {t.category for t in tickets.values() if t.state is TicketState.WAITING}:
            ahead.update((o.id, i) for i, o in enumerate(q.waiting_in_order(cat)))
        for token, t in tickets.items():  # an earlier day's ticket is not in the queue: its page has expired
            rated = t.state is TicketState.COMPLETED and ratings.rated(t.id)
            out[token] = track_view(ctx, t, rated, expires, ahead.get(t.id))
        return {"tickets": out, "day": q.state.day, "at": ctx.now}


FEATURE = Track
