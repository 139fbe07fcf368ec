"""Button presses as queue commands, and the wording of a call.

Rule: no I/O here. The hub's worker calls ``press_command`` inside its batch; the ticket ops are the
feature ``feature_tickets``.
"""

from __future__ import annotations

from ..core import commands as C
from ..core.errors import QueueError
from ..protocol import Press

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
