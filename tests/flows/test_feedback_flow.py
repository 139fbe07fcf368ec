"""办不成事反映 as a pure flow, without pygame: one case per visit however often 重试 is pressed, a ticket is
asked for only when the review offered one, what was typed is forgotten, a refused event changes
nothing."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kiosk.terminal.flows.base import Ask, Entered, Refused, Replied, Sent, Tapped, Tell, Tick
from kiosk.terminal.flows.feedback import TABLE, FeedbackFlow, Stage

from .common import apply, check_table, link_answers, passes
S = Stage
ERRORS = {"timeout": "超时", "offline": "网络中断"}


def make() -> FeedbackFlow:
    return FeedbackFlow(reply_timeout=3.0, errors=ERRORS, other="错误 {code}")


def test_every_stage_is_in_the_table_and_every_handler_exists():
    check_table(FeedbackFlow)


def test_the_whole_way_with_a_ticket():
    f = make()
    for e in (Tapped("fb-search"), Entered("fb-kb", "SBK"), Tapped("fb-results", "sbk-1"), Tapped("fb-problems", "材料太多"),
              Entered("fb-text-kb", "跑了三趟"), Entered("fb-phone", "138"), Entered("fb-phone", "13812345678"),
              Tapped("fb-ticket")):
        f.handle(e, 0.0)
    assert f.stage is S.REVIEW and f.want_ticket and f.came_from is S.SEARCH
    [ask] = f.handle(Tapped("fb-submit", True), 0.0)
    assert ask == Ask("feedback.submit", {"problem": "材料太多：跑了三趟", "want_ticket": True, "item": "sbk-1",
                                          "phone": "13812345678"})
    f.handle(Sent("f1"), 0.0)
    effects = f.handle(Replied("f1", True, result={"case": "BC-1", "ticket": {"ticket": "d-F001"}}), 1.0)
    assert effects == [Tell("ticket.delivered", {"ticket": "d-F001", "how": "on_screen"})]
    assert f.stage is S.DONE and f.phone == f.text == ""


def test_no_ticket_when_none_was_offered_and_back_from_problem_goes_where_one_came_from():
    f = make()
    f.handle(Tapped("fb-other"), 0.0)
    f.handle(Entered("fb-item-kb", "开证明"), 0.0)
    f.handle(Tapped("go-back"), 0.0)
    assert f.stage is S.OWN
    for e in (Tapped("own-skip"), Tapped("fb-problems", "不知道去哪办"), Tapped("text-skip"), Tapped("phone-skip"),
              Tapped("fb-ticket")):
        f.handle(e, 0.0)
    [ask] = f.handle(Tapped("fb-submit", False), 0.0)
    assert ask.args == {"problem": "不知道去哪办", "want_ticket": False}


class FeedbackMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.flow = make()
        self.now, self.online = 0.0, True
        self.txns = itertools.count(1)
        self.cases: dict[str, str] = {}  # txn → the case the hub opened for it
        self.last_txn = None
        self.shown = 0
        self.left = False

    def feed(self, event):
        effects = apply(self.flow, event, self.now)
        if effects is None:
            return
        for e in effects:
            if isinstance(e, Ask):
                if e.args["want_ticket"]:
                    assert self.flow.offered_ticket
                assert event.target in ("fb-submit", "fb-retry")
                # 重试 repeats the very request: the hub opens no second case
                link_answers(self, e, retried=event.target == "fb-retry")
            else:
                assert isinstance(e, Tell)

    def options(self):
        f = self.flow
        if self.left:
            return [("time", 1.0)]
        taps = [k for k in TABLE[f.stage] if k not in ("sent", "replied", "tick")]
        out = [("tap", k) for k in taps] * 3 + [("time", 1.0), ("time", 5.0), ("flip", None), ("leave", None)]
        if f.txn or f.ask.last:
            out += [("reply", t) for t in {f.txn, f.ask.last} if t] * 2
        return out

    @rule(data=st.data(), good=st.booleans())
    def step(self, data, good):
        kind, arg = data.draw(st.sampled_from(self.options()))
        if kind == "tap":
            if arg in ("fb-phone",):
                self.feed(Entered(arg, "13812345678" if good else "12"))
            elif arg in ("fb-kb", "fb-item-kb", "fb-text-kb"):
                self.feed(Entered(arg, "身份证 110101199003074514"))
            else:
                self.feed(Tapped(arg, good if arg == "fb-submit" else "x"))
        elif kind == "reply":
            case = self.cases.setdefault(arg, f"BC-{len(self.cases) + 1}")
            self.feed(Replied(arg, good, "" if good else "busy", "", {"case": case} if good else None))
            if self.flow.stage is S.DONE:
                self.shown += 1
        else:
            assert passes(self, kind, arg)

    @invariant()
    def nothing_typed_is_kept_once_done_or_left(self):
        f = getattr(self, "flow", None)
        if f is not None and (self.left or f.stage is S.DONE):
            assert f.phone == f.text == f.item_text == ""


FeedbackMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
test_feedback_machine = FeedbackMachine.TestCase


def test_a_retry_reuses_the_txn_and_a_new_submit_after_going_back_does_not():
    f = make()
    for e in (Tapped("fb-other"), Tapped("own-skip"), Tapped("fb-problems", "p"), Tapped("text-skip"),
              Tapped("phone-skip")):
        f.handle(e, 0.0)
    f.handle(Tapped("fb-submit", True), 0.0)
    f.handle(Sent("f1"), 0.0)
    f.handle(Tick(), 5.0)
    assert f.stage is S.FAILED and f.txn == "f1"
    [again] = f.handle(Tapped("fb-retry"), 6.0)
    assert again.retry == "f1"
    f.handle(Sent("f1"), 6.0)
    f.handle(Replied("f1", False, "busy"), 7.0)
    assert f.txn is None
    with pytest.raises(Refused):
        f.handle(Tapped("fb-retry"), 8.0)  # refused by the hub: nothing to repeat, the person goes back
    f.handle(Tapped("go-back"), 8.0)
    [fresh] = f.handle(Tapped("fb-submit", True), 9.0)
    assert fresh.retry is None
