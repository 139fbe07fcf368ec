"""取号 as a pure flow, without pygame: the transition table, refusals that change nothing, and a
Hypothesis state machine that drives the flow against a model hub and printer in every order —
every ticket the hub issues ends delivered, voided, or handed to the session; the printer is always
asked before a number is taken; the hub is never kept waiting past the deadline."""

from __future__ import annotations

import copy
import itertools

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kiosk.terminal.flows.base import (Abandon, Ask, CheckPrinter, Large, LeavePrint, Left, Online, Print,
                                       PrinterAnswered, Refused, Replied, Sent, Tapped, Tell, Tick, Void)
from kiosk.terminal.flows.take import TABLE, Printer, Stage, TakeFlow

from .common import apply, card, check_table, passes
ERRORS = {"offline": "网络中断", "timeout": "超时", "past_closing": "快下班了", "hall_closed": "已下班"}
PRINTER = Printer(present=True, check_deadline=4.0, print_deadline=14.0)
S = Stage


def make(printer: Printer = PRINTER, timeout: float = 3.0, priority_age: int | None = 60) -> TakeFlow:
    n = itertools.count(1)
    return TakeFlow(reply_timeout=timeout, errors=ERRORS, other="错误 {code}", printer=printer,
                    tags=lambda: f"t{next(n)}", priority_age=priority_age)


def run(flow: TakeFlow, event, now: float = 0.0):
    effects = flow.handle(event, now)
    out = []
    for e in effects:
        out.append(e)
        if isinstance(e, Ask):
            out += run(flow, Sent(f"x{len(out)}"), now)
    return out


def test_every_stage_is_in_the_table_and_every_handler_exists():
    check_table(TakeFlow)


def test_happy_path_with_a_printer():
    f = make()
    run(f, Tapped("cat-A", "A"))
    run(f, Tapped("green"))
    assert (f.stage, f.priority) == (S.CONFIRM, True)
    [check] = run(f, Tapped("take-confirm"), 1.0)
    assert isinstance(check, CheckPrinter) and f.stage is S.CHECKING
    [ask] = run(f, PrinterAnswered(check.tag, True, "ok", printed=False), 2.0)
    assert ask == Ask("ticket.issue", {"category": "A", "priority": True, "large_print": False})
    ticket = {"ticket": "d-A001", "number": "A001", "state": "waiting"}
    [job] = run(f, Replied(f.txn, True, result=ticket), 3.0)
    assert isinstance(job, Print) and job.document == "ticket" and f.stage is S.PRINTING
    [told] = run(f, PrinterAnswered(job.tag, True, "ok", printed=True), 5.0)
    assert told == Tell("ticket.delivered", {"ticket": "d-A001", "how": "printed"}) and f.stage is S.TICKET
    assert isinstance(run(f, Tapped("reprint"), 30.0)[0], Print)
    with pytest.raises(Refused):
        run(f, Tapped("reprint"), 31.0)  # already printing again


def test_large_print_and_accept_late_travel_with_the_request():
    f = make(Printer())
    run(f, Large(True))
    run(f, Tapped("cat-B", "B"))
    run(f, Tapped("take-confirm"))
    run(f, Replied(f.txn, False, "past_closing", "17:00 下班"))
    assert f.stage is S.LATE and f.reason == "17:00 下班"
    ask = run(f, Tapped("late-accept"))[0]
    assert ask.args == {"category": "B", "priority": False, "large_print": True, "accept_late": True}


def test_a_refused_event_changes_nothing():
    f = make()
    run(f, Tapped("cat-A", "A"))
    before = copy.deepcopy(vars(f))
    for event in (Tapped("print-keep"), Replied("nope", True), PrinterAnswered("t9", True, "ok", True),
                  Sent("x"), Tapped("reprint")):
        assert not f.accepts(event) or event == Tapped("reprint")
        with pytest.raises(Refused):
            f.handle(event, 5.0)
        assert vars(f) == before


def test_offline_fails_at_once_without_asking_the_printer():
    f = make()
    run(f, Online(False))
    run(f, Tapped("cat-A", "A"))
    effects = f.handle(Tapped("take-confirm"), 0.0)
    assert [type(e) for e in effects] == [Ask]
    run(f, Sent(None))
    assert f.stage is S.FAILED and f.reason == "网络中断"


def test_deadline_gives_up_and_hands_the_txn_to_the_session():
    f = make(Printer())
    run(f, Tapped("cat-A", "A"))
    run(f, Tapped("take-confirm"), 10.0)
    txn = f.txn
    assert run(f, Tick(), 12.9) == [] and f.stage is S.ISSUING
    assert run(f, Tick(), 13.0) == [Abandon(txn)] and f.stage is S.FAILED and f.reason == "超时"


# ---- the state machine --------------------------------------------------------------------------------
TARGETS = ["cat-", "green", "take-confirm", "go-back", "print-on-screen", "late-accept", "print-keep",
           "print-cancel", "reprint", "retry"]


class TakeMachine(RuleBasedStateMachine):
    """The flow against a model: a hub that issues (or refuses, or stays silent), a printer that answers
    (or not), a connection that comes and goes, time that passes; the person leaves when the run ends,
    so at any point of the flow."""

    @initialize(present=st.booleans())
    def start(self, present):
        self.flow = make(PRINTER if present else Printer())
        self.now = 0.0
        self.online = True
        self.txns = itertools.count(1)
        self.pending: dict[str, dict | None] = {}  # txn → the ticket the hub issued (None: refused)
        self.issued: dict[str, str] = {}  # ticket id → txn
        self.delivered: set[str] = set()
        self.voided: set[str] = set()
        self.handed: set[str] = set()  # LeavePrint: the session settles it
        self.abandoned: set[str] = set()
        self.jobs: list[PrinterAnswered] = []  # answers the printer could give
        self.checked_since_confirm = False
        self.left = False

    def feed(self, event):
        effects = apply(self.flow, event, self.now)
        if effects is None:
            return
        for e in effects:
            self.carry(e)

    def carry(self, e):
        if isinstance(e, Ask):
            assert e.op == "ticket.issue"
            # the ticket says "by age" only for a priority the card's age gave, and nothing else of the card
            assert e.args.get("priority_reason", "") == ("age" if e.args["priority"] and self.flow.by_age else "")
            assert set(e.args) <= {"category", "priority", "priority_reason", "large_print", "accept_late"}
            if self.flow.printer.present and self.online:
                assert self.checked_since_confirm, "a number was asked for before the printer was asked"
            txn = f"txn{next(self.txns)}" if self.online else None
            if txn:
                self.pending[txn] = None
            self.feed(Sent(txn))
        elif isinstance(e, CheckPrinter):
            self.checked_since_confirm = True
            self.jobs.append(PrinterAnswered(e.tag, True, "ok", printed=False))
            self.jobs.append(PrinterAnswered(e.tag, False, "paper_out", printed=False))
        elif isinstance(e, Print):
            assert e.facts.get("ticket") in self.issued
            self.jobs.append(PrinterAnswered(e.tag, True, "ok", printed=True))
            self.jobs.append(PrinterAnswered(e.tag, False, "offline", printed=True))
        elif isinstance(e, Tell):
            assert e.op == "ticket.delivered" and e.args["ticket"] in self.issued
            self.delivered.add(e.args["ticket"])
        elif isinstance(e, Void):
            assert e.ticket in self.issued
            self.voided.add(e.ticket)
        elif isinstance(e, LeavePrint):
            self.handed.add(e.ticket)
        elif isinstance(e, Abandon):
            self.abandoned.add(e.txn)

    def options(self) -> list[tuple]:
        """What could happen next, each about equally likely: the taps the stage offers (and any other
        tap), the hub answering the request the flow waits for in every way (or an older one), the
        printer answering its latest job either way (or an older job), time, the connection."""
        f = self.flow
        if self.left:
            return [("time", 5.0)]
        taps = [k for k in TABLE[f.stage] if k not in ("sent", "replied", "printer", "tick")]
        out: list[tuple] = [("tap", t) for t in taps] * 3 + [("tap", t) for t in TARGETS if t not in taps][:1]
        if f.txn in self.pending:
            out += [("reply", f.txn, how) for how in ("issue", "issue", "issue", "past_closing", "hall_closed", "bad")]
        out += [("reply", txn, "issue") for txn in self.pending if txn != f.txn][:1]
        out += [("printer", j) for j in self.jobs[-2:]] * 2 + [("printer", j) for j in self.jobs[:-2]][:1]
        out += [("time", 5.0), ("time", 70.0), ("flip",), ("leave",)]
        return out

    @rule(data=st.data(), cat=st.sampled_from("ABC"))
    def step(self, data, cat):
        what = data.draw(st.sampled_from(self.options()))
        if what[0] == "tap":
            if what[1] == "take-confirm" and self.flow.stage is S.CONFIRM:
                self.checked_since_confirm = False  # a new attempt
            self.feed(card(what[1], cat != "C")
                      or Tapped(f"cat-{cat}" if what[1] == "cat-" else what[1], cat if what[1] == "cat-" else None))
        elif what[0] == "reply":
            _, txn, how = what
            if how == "issue":
                ticket = f"d-{txn}"
                self.issued[ticket] = txn
                self.feed(Replied(txn, True, result={"ticket": ticket, "number": "A001", "state": "waiting"}))
            elif how == "bad":
                self.feed(Replied(txn, True, result="not a dict"))
            else:
                self.feed(Replied(txn, False, how, "大厅的话"))
            self.pending.pop(txn, None)
        elif what[0] == "printer":
            self.feed(what[1])
        else:
            assert passes(self, what[0], what[1] if len(what) > 1 else None)

    @invariant()
    def waiting_means_a_deadline(self):
        f = getattr(self, "flow", None)
        if f is not None and not self.left and f.stage is S.ISSUING:
            assert f.txn is not None and self.now - f.ask.sent_at <= f.ask.timeout + 70.0

    def teardown(self):
        if not hasattr(self, "flow"):
            return
        if not self.left:
            self.feed(Left())
        for ticket, txn in self.issued.items():
            settled = ticket in self.delivered | self.voided | self.handed or txn in self.abandoned
            assert settled, f"ticket {ticket} was issued and nobody holds it (stage {self.flow.stage})"
        # a ticket the hub may still issue for a txn nobody waits for: the session voids it on arrival
        assert self.flow.txn is None
        assert all(txn in self.abandoned for txn in self.pending if txn == self.flow.ask.last), self.pending


TakeMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=30, deadline=None)
test_take_machine = TakeMachine.TestCase


def test_a_failed_print_left_behind_is_voided():
    f = make()
    run(f, Tapped("cat-A", "A"))
    [check] = run(f, Tapped("take-confirm"))
    run(f, PrinterAnswered(check.tag, True, "ok", printed=False))
    [job] = run(f, Replied(f.txn, True, result={"ticket": "d-A001", "number": "A001"}))
    run(f, PrinterAnswered(job.tag, False, "paper_out", printed=True))
    assert f.stage is S.PRINT_FAILED and f.problem == "paper_out"
    assert run(f, Left()) == [Void("d-A001", "printer_failed")]


# ---- 刷身份证 ----------------------------------------------------------------------------------------------
def test_an_old_card_switches_green_on_and_the_ticket_says_by_age():
    from .common import OLD_CARD
    f = make(Printer())
    run(f, OLD_CARD)  # on the category page: remembered for the confirmation
    assert (f.card, f.by_age) == ("aged", True)
    run(f, Tapped("cat-A", "A"))
    assert f.priority
    [ask] = run(f, Tapped("take-confirm"))
    assert ask.args == {"category": "A", "priority": True, "priority_reason": "age", "large_print": False}
    assert "42900619520615007X" not in repr(vars(f)) and "黄秀英" not in repr(vars(f))


def test_a_young_card_changes_nothing_and_green_can_be_switched_off():
    from .common import OLD_CARD, YOUNG_CARD
    f = make(Printer())
    run(f, Tapped("cat-A", "A"))
    run(f, YOUNG_CARD)
    assert (f.card, f.priority) == ("young", False)
    run(f, OLD_CARD)
    assert f.priority
    run(f, Tapped("green"))  # the visitor does not want it
    [ask] = run(f, Tapped("take-confirm"))
    assert ask.args["priority"] is False and "priority_reason" not in ask.args


def test_the_age_is_counted_to_the_hall_date_the_event_carries():
    from datetime import date

    from kiosk.core.idcard import id_check_char
    from kiosk.terminal.flows.base import CardRead
    first17 = "42900619661118001"
    sixty = CardRead(name="x", id_number=first17 + id_check_char(first17), address="", birth=date(1966, 11, 18),
                     today=date(2026, 11, 18))
    f = make(Printer())
    run(f, sixty)
    assert f.by_age  # 60 on the day itself
    run(f, CardRead(name="x", id_number=sixty.id_number, address="", birth=sixty.birth, today=date(2026, 11, 17)))
    assert not f.by_age and not f.priority  # the day before: 59, and the card's green goes again


def test_card_problems_and_no_reader():
    from kiosk.terminal.flows.base import CardFailed
    from .common import OLD_CARD
    f = make(Printer())
    run(f, CardFailed("pulled"))
    assert f.card == "pulled" and not f.priority
    f = make(Printer(), priority_age=None)
    with pytest.raises(Refused):
        f.handle(OLD_CARD, 0.0)
