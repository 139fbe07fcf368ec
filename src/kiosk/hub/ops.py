"""Turn validated wire messages into queue commands, and queue results into replies.

Rule: no I/O here. The hub's worker calls these inside its batch; a handler returns the reply body (or
raises ``QueueError``) and tells whether it wrote a command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..core import commands as C
from ..core.errors import QueueError
from ..core.queue import Queue
from ..core.views import ticket_view
from ..protocol import Press, Request

# Chinese text the hub itself produces (everything else comes from config).
CALL_TEXT = "请{number}号到{window}号窗口办理"
CALL_SPEECH = "请 {letters} 号，到 {window} 号窗口办理"
DIGITS = "零一二三四五六七八九"


def spoken_number(number: str) -> str:
    """A012 → "A 零 一 二": letters as letters, each digit read singly."""
    return " ".join(DIGITS[int(ch)] if ch.isdigit() else ch for ch in number)


def press_command(window: str, p: Press, now: float) -> C.Command:
    match p.action:
        case "next":
            return C.CallNext(now=now, window=window)
        case "recall":
            return C.Recall(now=now, window=window)
        case "skip":
            return C.Skip(now=now, window=window)
        case "start":
            return C.StartService(now=now, window=window)
        case "complete":
            return C.CompleteService(now=now, window=window)
        case "pause":
            return C.PauseWindow(now=now, window=window, reason=p.reason or "")
        case "resume":
            return C.ResumeWindow(now=now, window=window)
        case "open":
            return C.OpenWindow(now=now, window=window)
        case "close":
            return C.CloseWindow(now=now, window=window)
        case "transfer":
            return C.Transfer(now=now, window=window, to_category=p.to_category, to_window=p.to_window)
        case "call":
            return C.CallTicket(now=now, window=window, ticket=p.ticket or "")
    raise QueueError(f"unknown action {p.action!r}", code="bad_value")


@dataclass(slots=True)
class OpResult:
    result: Any
    commands: list[tuple[C.Command, list[C.Event]]] = field(default_factory=list)


OpHandler = Callable[[Queue, Request, float, str], OpResult]


def _apply(q: Queue, cmd: C.Command) -> tuple[C.Command, list[C.Event]]:
    return cmd, q.apply(cmd)


def op_ticket_issue(q: Queue, req: Request, now: float, device: str) -> OpResult:
    cmd = C.IssueTicket(now=now, category=req.args["category"], priority=bool(req.args.get("priority", False)),
                        source=device)
    done = _apply(q, cmd)
    issued = next(e for e in done[1] if isinstance(e, C.TicketIssued))
    view = ticket_view(q, q.state.tickets[issued.ticket])
    return OpResult(view, [done])


def op_ticket_delivered(q: Queue, req: Request, now: float, device: str) -> OpResult:
    done = _apply(q, C.DeliverTicket(now=now, ticket=req.args["ticket"], how=req.args["how"]))
    return OpResult(ticket_view(q, q.find(req.args["ticket"])), [done])


def op_ticket_void(q: Queue, req: Request, now: float, device: str) -> OpResult:
    done = _apply(q, C.VoidTicket(now=now, ticket=req.args["ticket"], reason=req.args.get("reason", "")))
    return OpResult(ticket_view(q, q.find(req.args["ticket"])), [done])


def op_ticket_requeue(q: Queue, req: Request, now: float, device: str) -> OpResult:
    done = _apply(q, C.RequeueTicket(now=now, ticket=req.args["ticket"]))
    return OpResult(ticket_view(q, q.find(req.args["ticket"])), [done])


def op_ticket_info(q: Queue, req: Request, now: float, device: str) -> OpResult:
    return OpResult(ticket_view(q, q.find(req.args["ticket"])))


QUEUE_OPS: dict[str, OpHandler] = {
    "ticket.issue": op_ticket_issue,
    "ticket.delivered": op_ticket_delivered,
    "ticket.void": op_ticket_void,
    "ticket.requeue": op_ticket_requeue,
    "ticket.info": op_ticket_info,
}
