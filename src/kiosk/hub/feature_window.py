"""Window commands from a staff console: ``window.command`` and ``window.queue``.

Ops: ``window.command`` {window, action, by, ticket?, to_category?, to_window?, reason?} applies exactly
what a press of that window's call button would (``ops.press_command``, logged like any queue command) and
answers with the window's state; ``window.queue`` {window} (read-only) lists the window's current visitor
and who waits in its categories, in the order they would be called.

Rule: only the roles of ``kiosk.protocol.roles`` (``web``, and a ``window`` staff device) get here; a web
console has already checked that its login is assigned to the window. ``by`` is that login: it goes into
the hub's log and the stored reply, so who pressed is on record.
"""

from __future__ import annotations

import logging
from typing import Any

from ..core.queue import TicketState
from ..core.views import window_view
from ..protocol import Press, Request
from . import ops
from .features import Feature, Op, OpContext, OpError

log = logging.getLogger(__name__)

MAX_LISTED = 50


class WindowConsole(Feature):
    def __init__(self, hall) -> None:
        super().__init__(hall)
        self.ops = {"window.command": Op(self.command), "window.queue": Op(self.queue, read_only=True)}

    def _window(self, ctx: OpContext, wid: str):
        w = ctx.cfg.hall.window(wid)
        if w is None:
            raise OpError("unknown_window", f"no window {wid!r} in this hall")
        return w

    def command(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        a = req.args
        w = self._window(ctx, a["window"])
        action = a["action"]
        if action == "call" and not a.get("ticket"):
            raise OpError("missing_field", "action 'call' needs field 'ticket'")
        if action == "transfer" and (a.get("to_category") is None) == (a.get("to_window") is None):
            raise OpError("missing_field", "action 'transfer' needs one of 'to_category' or 'to_window'")
        press = Press(device=ctx.device, seq=0, action=action, ticket=a.get("ticket"),
                      to_category=a.get("to_category"), to_window=a.get("to_window"), reason=a.get("reason"))
        ctx.apply(ops.press_command(w.id, press, ctx.now))
        ctx.out.windows.add(w.id)
        log.info("window %s: %s by %s (%s)", w.id, action, a["by"], ctx.device)
        return {"window": w.id, "action": action, "by": a["by"], "state": window_view(ctx.queue, w.id)}

    def queue(self, ctx: OpContext, req: Request) -> dict[str, Any]:
        w = self._window(ctx, req.args["window"])
        q = ctx.queue
        rt = q.state.windows[w.id]
        cur = q.state.tickets.get(rt.current) if rt.current else None
        waiting = sorted((t for t in q.state.tickets.values() if t.state is TicketState.WAITING
                          and (t.target_window == w.id or t.target_window is None and t.category in w.categories)),
                         key=lambda t: (t.band, not t.priority, t.seq))
        return {"window": w.id, "served": rt.served, "status": rt.status.value, "reason": rt.reason,
                "current": None if cur is None else _ticket(cur),
                "waiting_total": len(waiting), "waiting": [_ticket(t) for t in waiting[:MAX_LISTED]]}


def _ticket(t) -> dict[str, Any]:
    return {"number": t.number, "category": t.category, "priority": t.priority, "state": t.state.value,
            "issued_at": t.issued_at, "called_at": t.called_at, "started_at": t.started_at,
            "recalls": t.recalls}


FEATURE = WindowConsole
