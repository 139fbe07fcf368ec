"""Read-only views of the queue for the wire: the board, a window's state, a ticket.

Rule: pure functions of (hall, queue state); they never change the queue. The hub adds ``version``.
Only ticket numbers and window names appear: never anything personal.
"""

from __future__ import annotations

from typing import Any

from .queue import Queue, Ticket, TicketState


def ticket_view(q: Queue, t: Ticket, estimate: tuple[int, float | None] | None = None) -> dict[str, Any]:
    """``estimate``: (people ahead, wait) when the caller has just had them from the queue."""
    if t.state is not TicketState.WAITING:
        ahead, eta = 0, None
    else:
        ahead, eta = q.estimate(t) if estimate is None else estimate
    cat = q.hall.category(t.category)
    return {
        "ticket": t.id, "number": t.number, "category": t.category,
        "category_name": cat.name if cat else t.category, "priority": t.priority,
        "priority_reason": t.priority_reason,
        "state": t.state.value, "window": t.window, "issued_at": t.issued_at,
        "people_ahead": ahead, "eta_s": None if eta is None else round(eta),
        "delivery": t.delivery,
    }


def waiting_counts(q: Queue) -> dict[str, int]:
    return {c.id: q.waiting_in(c.id) for c in q.hall.categories}


def window_view(q: Queue, wid: str, counts: dict[str, int] | None = None) -> dict[str, Any]:
    w = q.hall.window(wid)
    rt = q.state.windows[wid]
    counts = waiting_counts(q) if counts is None else counts
    cur = q.state.tickets.get(rt.current) if rt.current else None
    return {
        "window": wid, "number": w.number, "name": w.name, "kind": w.kind.value,
        "status": rt.status.value, "reason": rt.reason, "categories": list(w.categories),
        "ticket": None if cur is None else {
            "number": cur.number, "category": cur.category, "state": cur.state.value,
            "called_at": cur.called_at, "recalls": cur.recalls, "priority": cur.priority},
        "served": rt.served,
        "waiting": sum(counts.get(c, 0) for c in w.categories),
        "day": q.state.day,
    }


def board_view(q: Queue, counts: dict[str, int] | None = None,
               windows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``counts`` and ``windows`` (every window's view, in the hall's order) when the caller has them."""
    counts = waiting_counts(q) if counts is None else counts
    cats = []
    for c in q.hall.categories:
        n = q.open_windows_for(c.id)
        wait = q.expected_wait(c.id, counts.get(c.id, 0))  # what a ticket taken now would wait
        cats.append({"category": c.id, "name": c.name, "group": c.group, "waiting": counts.get(c.id, 0),
                     "open_windows": n, "eta_s": None if wait is None else round(wait)})
    numbers = {w.id: w.number for w in q.hall.windows}
    recent = [dict(r, window_number=numbers.get(r["window"])) for r in q.state.recent_calls]
    return {
        "day": q.state.day,
        "windows": [window_view(q, w.id, counts) for w in q.hall.windows] if windows is None else windows,
        "categories": cats,
        "recent": recent,
    }
