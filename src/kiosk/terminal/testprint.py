"""The technician's test ticket at the terminal: a ``test_ticket`` command from the 技术员 page prints a
test slip through the printer worker and the result goes into ``last_test`` of ``device/<id>/status``.

Rule: owned by the render loop's thread (the session hands it commands and print answers). It never talks
to the hub and never takes a queue number; the slip joins the worker's queue like any job, so a visitor's
ticket already printing comes out first, and the visitor's screen does not change. Each command id acts
once (QoS 1 may deliver a command twice); retained commands never reach here (:mod:`.messages`).
"""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any

from ..protocol.device_commands import DeviceCommand, last_test
from .documents import printer_test_slip
from .printing import PrinterState, PrintFinished

if TYPE_CHECKING:
    from .session import Session

log = logging.getLogger(__name__)
REMEMBERED = 64  # command ids kept for de-duplication
TAG = "test-ticket-"


class TechnicianPrints:
    def __init__(self, session: "Session") -> None:
        self.s = session
        self._seen: deque[str] = deque(maxlen=REMEMBERED)
        self._pending: dict[str, str] = {}  # print job tag → command id
        self.last: dict[str, Any] | None = None  # ``last_test`` of the status

    def command(self, cmd: DeviceCommand, now: float) -> None:
        if cmd.id in self._seen:
            log.info("command %s was done already (a repeated delivery)", cmd.id)
            return
        self._seen.append(cmd.id)
        s = self.s
        wall = s.wall(now)
        log.info("test ticket %s asked by %s", cmd.id, cmd.by)
        if not s.printer.present:
            self._result(cmd.id, "no_printer", now)
            return
        slip = printer_test_slip(centre=s.cfg.name, device=s.device_id, place=s.location, by=cmd.shown_by,
                                 cid=cmd.id, now=wall, s=s.strings)
        tag = TAG + cmd.id
        self._pending[tag] = cmd.id
        s.printer.print(tag, slip)
        self._result(cmd.id, "printing", now)

    def finished(self, msg: PrintFinished, now: float) -> bool:
        """True when ``msg`` ends one of our jobs (the session then passes it to no screen)."""
        cid = self._pending.pop(msg.tag, None)
        if cid is None:
            return False
        if msg.ok:
            result = "printed"
        elif msg.state is PrinterState.PAPER_OUT:
            result = "paper_out"
        elif msg.error == "internal":
            result = "error"
        elif msg.state is PrinterState.OFFLINE:
            result = "offline"
        else:
            result = "error"
        self._result(cid, result, now)
        return True

    def _result(self, cid: str, result: str, now: float) -> None:
        self.last = last_test(cid, result, self.s.wall(now).timestamp())
        log.info("test ticket %s: %s", cid, result)
        for listener in self.s.listeners:
            listener("test")
