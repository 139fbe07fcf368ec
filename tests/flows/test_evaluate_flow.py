"""办事评价 as a pure flow, without pygame: 严禁先评价、后办事 (no level before the hub said the ticket is
completed, but for an earlier day's ticket id), nothing chosen when the levels open, only evaluations the
hub's own rules accept are sent, a retry repeats the same request, a refused event changes nothing, and
what was typed is gone after leaving."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kiosk.core import evaluation as E
from kiosk.terminal.flows.base import Ask, Entered, Refused, Replied, Sent, Tapped
from kiosk.terminal.flows.evaluate import SCAN, TABLE, EvaluateFlow, Stage

from .common import apply, check_table, passes
S = Stage
ERRORS = {"timeout": "超时", "offline": "网络中断", "not_served": "办理完成后才能评价", "unknown_ticket": "没有这个号"}


def make() -> EvaluateFlow:
    return EvaluateFlow(reply_timeout=3.0, errors=ERRORS, other="错误 {code}")


def test_every_stage_is_in_the_table_and_every_handler_exists():
    check_table(EvaluateFlow)


def test_a_ticket_not_yet_served_gets_no_levels():
    f = make()
    [ask] = f.handle(Entered("ticket-kb", " c012 "), 0.0)
    assert ask == Ask("ticket.info", {"ticket": "C012"})
    f.handle(Sent("e1"), 0.0)
    f.handle(Replied("e1", True, result={"number": "C012", "state": "waiting"}), 1.0)
    assert f.stage is S.FAILED and f.reason == "办理完成后才能评价"


def test_a_bad_level_asks_reasons_then_sends_what_the_core_accepts():
    f = make()
    f.handle(Entered(SCAN, "20261129-C012"), 0.0)
    f.handle(Sent("e1"), 0.0)
    f.handle(Replied("e1", True, result={"number": "C012", "state": "completed"}), 1.0)
    assert f.stage is S.LEVEL and f.level is None
    with pytest.raises(Refused):
        f.handle(Tapped("eval-confirm"), 1.0)  # nothing chosen yet
    bad = next(n for n, _ in E.LEVELS if E.is_bad(n))
    f.handle(Tapped(f"level-{bad}", bad), 1.0)
    f.handle(Tapped("eval-confirm"), 1.0)
    f.handle(Tapped("reasons-done"), 1.0)
    assert f.stage is S.REASONS and f.note == "need_reason"
    reason = next(iter(E.BAD_REASONS))
    for e in (Tapped("reasons", reason), Tapped("reasons-done"), Tapped("text-skip"), Entered("eval-phone", "1"),
              Entered("eval-phone", "13812345678")):
        f.handle(e, 1.0)
    [ask] = f.handle(Tapped("eval-submit"), 2.0)
    assert ask.args == {"ticket": "20261129-C012", "level": bad, "reasons": [reason], "channel": "kiosk",
                        "phone": "13812345678"}


class EvaluateMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.flow = make()
        self.now, self.online = 0.0, True
        self.txns = itertools.count(1)
        self.completed: set[str] = set()  # tickets the hub said are completed
        self.last_txn = None
        self.left = False

    def feed(self, event):
        f = self.flow
        was = f.stage
        effects = apply(f, event, self.now)
        if effects is None:
            return
        if f.stage is S.LEVEL and was is not S.LEVEL and was in (S.CHECKING, S.FAILED):
            assert f.ref in self.completed or f.ref[:8].isdigit(), "levels offered before the ticket was served"
        if f.stage is S.LEVEL and was is S.CHECKING:
            assert f.level is None
        for e in effects:
            assert isinstance(e, Ask)
            if e.op == "evaluation.submit":
                E.validate(level=e.args["level"], reasons=e.args["reasons"], text=e.args.get("text"),
                           phone=e.args.get("phone"))
            if getattr(event, "target", "") == "eval-retry":
                assert e.retry == self.last_txn
            txn = (e.retry or f"e{next(self.txns)}") if self.online else None
            self.last_txn = txn or self.last_txn
            self.feed(Sent(txn))

    def options(self):
        f = self.flow
        if self.left:
            return [("time", 1.0)]
        keys = [k for k in TABLE[f.stage] if k not in ("sent", "replied", "tick")]
        out = [("tap", k) for k in keys] * 3 + [("time", 1.0), ("time", 5.0), ("flip", None), ("leave", None)]
        if f.txn:
            out += [("reply", how) for how in ("completed", "waiting", "unknown", "ok", "refused")] * 2
        return out

    @rule(data=st.data(), good=st.booleans(), level=st.integers(1, 5))
    def step(self, data, good, level):
        kind, arg = data.draw(st.sampled_from(self.options()))
        f = self.flow
        if kind == "tap":
            if arg in ("ticket-kb", SCAN):
                self.feed(Entered(arg, data.draw(st.sampled_from(["C012", "20261129-A001", "??"]))))
            elif arg == "level-":
                self.feed(Tapped(f"level-{level}", level))
            elif arg == "reasons":
                self.feed(Tapped(arg, data.draw(st.sampled_from(sorted(E.BAD_REASONS)))))
            elif arg == "eval-phone":
                self.feed(Entered(arg, "13812345678" if good else "12"))
            elif arg == "eval-text-kb":
                self.feed(Entered(arg, "等了很久"))
            else:
                self.feed(Tapped(arg))
        elif kind == "reply":
            if f.op == "ticket.info":
                if arg == "completed":
                    self.completed.add(f.ref)
                ok = arg in ("completed", "waiting")
                self.feed(Replied(f.txn, ok, "" if ok else "unknown_ticket", "",
                                  {"number": "C012", "state": arg} if ok else None))
            else:
                ok = arg != "refused"
                self.feed(Replied(f.txn, ok, "" if ok else "too_late", "", {"label": "满意"} if ok else None))
        else:
            assert passes(self, kind, arg)

    @invariant()
    def nothing_typed_is_kept_after_leaving(self):
        f = getattr(self, "flow", None)
        if f is not None and self.left:
            assert (f.text, f.phone, f.ref, f.level) == ("", "", "", None)


EvaluateMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
test_evaluate_machine = EvaluateMachine.TestCase


def test_a_scanned_tickets_token_goes_with_the_rating_and_a_typed_number_has_none():
    f = make()
    f.handle(Entered(SCAN, "20261129-C012", extra="s3cr3t-Token_0123"), 0.0)
    f.handle(Sent("e1"), 0.0)
    f.handle(Replied("e1", True, result={"number": "C012", "state": "completed"}), 1.0)
    good = next(n for n, _ in E.LEVELS if not E.is_bad(n))
    f.handle(Tapped(f"level-{good}", good), 1.0)
    [ask] = f.handle(Tapped("eval-confirm"), 1.0)
    assert ask.args["token"] == "s3cr3t-Token_0123"
    g = make()
    g.handle(Entered("ticket-kb", "20261129-C012", extra="ignored"), 0.0)
    assert g.token == ""


def test_a_scanned_phone_link_asks_by_token_and_rates_the_ticket_the_hub_names():
    f = make()
    [ask] = f.handle(Entered(SCAN, "", extra="q3JkX0vY2mT8a1Bc"), 0.0)
    assert ask == Ask("ticket.info", {"token": "q3JkX0vY2mT8a1Bc"})  # the link names no ticket
    f.handle(Sent("e1"), 0.0)
    f.handle(Replied("e1", True, result={"ticket": "20261201-C012", "number": "C012", "state": "completed"}), 1.0)
    assert f.stage is S.LEVEL and f.number == "C012"
    f.handle(Tapped("level-5", 5), 1.0)
    [ask] = f.handle(Tapped("eval-confirm"), 1.0)
    assert ask.args == {"ticket": "20261201-C012", "level": 5, "reasons": [], "channel": "kiosk",
                        "token": "q3JkX0vY2mT8a1Bc"}


def test_an_unknown_phone_link_is_said_so():
    f = make()
    f.handle(Entered(SCAN, "", extra="q3JkX0vY2mT8a1Bc"), 0.0)
    f.handle(Sent("e1"), 0.0)
    f.handle(Replied("e1", False, code="unknown_ticket", message="没有找到这张小票"), 1.0)
    assert f.stage is S.FAILED and f.ref == "" and f.reason == "没有这个号"
