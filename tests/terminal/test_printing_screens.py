"""The printer's screens (problem before a number, failure after one, the printed ticket with 重新打印,
the cancelled number) in normal and large print, portrait and landscape: PNGs for review and a clean
layout check. The printer here is a stub on the session — the seam a screen test may fake; the real
printer path is in test_printing.py."""

from __future__ import annotations

import pytest

from kiosk.bus.rpc import Reply
from kiosk.terminal.devices import PrinterChecked, PrinterState, PrintFinished
from kiosk.terminal.messages import ReplyIn
from kiosk.ui.theme import Mode

from .conftest import SHOTS

COMBOS = [(mode, orientation) for mode in Mode for orientation in ("portrait", "landscape")]
TICKET = {"ticket": "20261129-C012", "number": "C012", "category": "C", "category_name": "人社业务",
          "priority": False, "state": "waiting", "people_ahead": 4, "eta_s": 1260, "issued_at": 1_795_000_000.0,
          "token": "q3JkX0vY2mT8a1Bc"}


class StubPrinter:
    present = True
    check_deadline = 3.0
    print_deadline = 5.0

    def __init__(self) -> None:
        self.jobs: list[tuple[str, str, object]] = []

    def check(self, tag: str) -> None:
        self.jobs.append(("check", tag, None))

    def print(self, tag: str, document) -> None:
        self.jobs.append(("print", tag, document))

    def can_print(self, document) -> bool:
        return True

    @property
    def tag(self) -> str:
        return self.jobs[-1][1]


def start(p) -> StubPrinter:
    stub = StubPrinter()
    p.terminal.session.printer = stub
    p.tap("menu-item-0")
    p.tap("cat-C")
    p.tap("take-confirm")
    return stub


def issue(p) -> None:
    p.post(ReplyIn(reply=Reply(txn=p.app.top.txn, ok=True, result=TICKET)), 2)


def walk(p):
    stub = start(p)
    yield "take-printer-checking"
    p.post(PrinterChecked(tag=stub.tag, state=PrinterState.PAPER_OUT), 2)
    yield "take-printer-problem"
    p.tap("print-on-screen")
    issue(p)
    yield "take-ticket-on-screen"
    p.tap("go-home")
    stub = start(p)
    p.post(PrinterChecked(tag=stub.tag, state=PrinterState.OK), 2)
    issue(p)
    yield "take-printing"
    doc = stub.jobs[-1][2]
    assert doc.large_print == (p.app.mode is Mode.LARGE) and doc.qr_payload == "http://192.168.10.2:8080/t/q3JkX0vY2mT8a1Bc"
    p.post(PrintFinished(tag=stub.tag, ok=False, state=PrinterState.OFFLINE), 2)
    yield "take-print-failed"
    p.tap("print-cancel")
    yield "take-print-cancelled"
    p.tap("go-home")
    stub = start(p)
    p.post(PrinterChecked(tag=stub.tag, state=PrinterState.OK), 2)
    issue(p)
    p.post(PrintFinished(tag=stub.tag, ok=True, state=PrinterState.OK, sent=460), 2)
    yield "take-ticket-printed"
    p.tap("reprint")
    p.post(PrintFinished(tag=stub.tag, ok=False, state=PrinterState.PAPER_OUT), 2)
    yield "take-reprint-failed"
    p.advance(61, dt=1.0)
    yield "take-reprint-closed"


@pytest.mark.parametrize("mode, orientation", COMBOS)
def test_printer_screens_render_cleanly(offline_terminal, mode, orientation):
    p = offline_terminal(mode, orientation, idle_seconds=600.0, idle_seconds_large=600.0)
    problems, seen = [], []
    for name in walk(p):
        seen.append(name)
        p.screenshot(SHOTS / f"{name}-{mode.value}-{orientation}.png")
        problems += [f"{name}: {x}" for x in p.check_layout()]
    assert len(seen) == 9
    assert problems == [], "\n".join(problems)
    assert not p.widget("reprint").enabled
    sent = [op for op, _ in p.terminal.session.link.sent]
    assert sent.count("ticket.void") == 1 and sent.count("ticket.delivered") == 2
