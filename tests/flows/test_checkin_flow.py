"""预约签到 as a pure flow, without pygame: a badly shaped code never reaches the hub, 重试 repeats the same
txn (so the hub can never issue a second ticket for one visit), a late reply is still shown, every
shown ticket is reported delivered, and a refused event changes nothing."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kiosk.core.appointments import CODE_ALPHABET
from kiosk.terminal.flows.base import Ask, Entered, Online, Refused, Replied, Scanned, Sent, Tapped, Tell, Tick
from kiosk.terminal.flows.checkin import CheckinFlow, Stage

from .common import OLD_CARD, apply, card, check_table
S = Stage
ERRORS = {"timeout": "超时", "offline": "网络中断", "unknown_appointment": "没有这个预约"}
GOOD = "K7M3QX"


def make() -> CheckinFlow:
    return CheckinFlow(site="huangtan", reply_timeout=3.0, errors=ERRORS, other="错误 {code}")


def test_every_stage_is_in_the_table_and_every_handler_exists():
    check_table(CheckinFlow)


def test_late_reply_after_the_deadline_is_still_shown_and_retry_reuses_the_txn():
    f = make()
    [ask] = f.handle(Entered("code-kb", GOOD), 0.0)
    assert ask == Ask("appointment.checkin", {"code": GOOD})
    f.handle(Sent("c1"), 0.0)
    f.handle(Tick(), 3.0)
    assert f.stage is S.FAILED and f.reason == "超时" and f.txn == "c1"
    [again] = f.handle(Tapped("checkin-retry"), 4.0)
    assert again.retry == "c1"
    f.handle(Sent("c1"), 4.0)
    effects = f.handle(Replied("c1", True, result={"ticket": "d-A009", "number": "A009"}), 5.0)
    assert effects == [Tell("ticket.delivered", {"ticket": "d-A009", "how": "on_screen"})] and f.stage is S.TICKET


def test_scans_and_bad_codes():
    f = make()
    assert f.handle(Scanned("HT1|huangtan|20261129-A001"), 0.0) == [] and f.entry_error == "bad_scan"
    assert f.handle(Entered("code-kb", "O0"), 0.0) == [] and f.entry_error == "bad"
    [ask] = f.handle(Scanned(f"HTYY|huangtan|{GOOD}"), 0.0)
    assert ask.args == {"code": GOOD} and f.entry_error == ""
    with pytest.raises(Refused):
        f.handle(Scanned(f"HTYY|huangtan|{GOOD}"), 0.0)  # not while sending


class CheckinMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.flow = make()
        self.now, self.online = 0.0, True
        self.txns = itertools.count(1)
        self.asked: list[Ask] = []
        self.sent: set[str] = set()
        self.shown: set[str] = set()
        self.delivered: set[str] = set()

    def feed(self, event):
        effects = apply(self.flow, event, self.now)
        if effects is None:
            return
        for e in effects:
            if isinstance(e, Ask):
                # exactly one of a well-formed code or the card's number
                assert len(e.args) == 1
                if "code" in e.args:
                    assert all(ch in CODE_ALPHABET for ch in e.args["code"]), "a malformed code reached the hub"
                else:
                    assert e.args["id_number"] == OLD_CARD.id_number
                self.asked.append(e)
                txn = (e.retry or f"c{next(self.txns)}") if self.online else None
                if txn:
                    assert e.retry is None or e.retry in self.sent
                    self.sent.add(txn)
                self.feed(Sent(txn))
            else:
                assert isinstance(e, Tell)
                self.delivered.add(e.args["ticket"])
        if self.flow.stage is S.TICKET:
            self.shown.add(self.flow.result.get("ticket"))

    @rule(data=st.data())
    def step(self, data):
        f = self.flow
        options = [("type", GOOD), ("type", "abc"), ("scan", f"HTYY|huangtan|{GOOD}"), ("scan", "noise"),
                   ("tap", "checkin-retry"), ("tap", "go-back"), ("time", 1.0), ("time", 5.0), ("flip", ""),
                   ("card", "card"), ("card", "card_failed")]
        if self.sent:
            options += [("reply", t) for t in sorted(self.sent)[-2:]] * 2
        kind, arg = data.draw(st.sampled_from(options))
        if kind == "type":
            self.feed(Entered("code-kb", arg))
        elif kind == "scan":
            self.feed(Scanned(arg))
        elif kind == "card":
            self.feed(card(arg))
        elif kind == "tap":
            self.feed(Tapped(arg))
        elif kind == "time":
            self.now += arg
            self.feed(Tick())
        elif kind == "flip":
            self.online = not self.online
            self.feed(Online(self.online))
        else:
            ok = data.draw(st.booleans())
            # the hub answers a txn the same way every time: its ticket is named after the txn
            self.feed(Replied(arg, ok, "" if ok else "unknown_appointment", "",
                              {"ticket": f"d-{arg}", "number": "A001"} if ok else None))
        if f.stage is S.SENDING:
            assert f.txn is not None or not self.online

    @invariant()
    def every_shown_ticket_is_reported(self):
        if hasattr(self, "flow"):
            assert self.shown <= self.delivered


CheckinMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=25, deadline=None)
test_checkin_machine = CheckinMachine.TestCase


def test_check_in_by_card_retries_with_the_card_and_forgets_it():
    from kiosk.terminal.flows.base import CardFailed, Left
    f = make()
    [ask] = f.handle(OLD_CARD, 0.0)
    assert ask.args == {"id_number": OLD_CARD.id_number} and f.by_card
    f.handle(Sent("c1"), 0.0)
    f.handle(Tick(), 10.0)  # no answer in time
    assert f.stage is S.FAILED
    [again] = f.handle(Tapped("checkin-retry"), 11.0)
    assert again.args == {"id_number": OLD_CARD.id_number} and again.retry == "c1"
    f.handle(Sent("c1"), 11.0)
    f.handle(Replied("c1", False, "unknown_appointment", "今天没有用这张身份证预约的事项"), 11.5)
    assert f.stage is S.FAILED and "身份证" in f.reason
    f.handle(Left(), 12.0)
    assert f.id_number == "" and OLD_CARD.id_number not in repr(vars(f))
    f.handle(Tapped("go-back"), 12.0)
    f.handle(CardFailed("unreadable"), 13.0)
    assert (f.stage, f.entry_error) == (S.ENTER, "card_unreadable")
