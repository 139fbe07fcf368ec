"""帮办代办 as a pure flow, without pygame: the table, refusals that change nothing, and a Hypothesis state
machine — the hub is asked once per call or visit and never waited for past the deadline, a desk call
names who is coming once staff acknowledge, and the phone number and address are gone after leaving."""

from __future__ import annotations

import copy

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kiosk.terminal.flows.base import Ask, Entered, KeepHelpCall, Left, Refused, Replied, Sent, Tapped, Tick
from kiosk.terminal.flows.help import TABLE, HelpFlow, Stage

from .common import apply, card, check_table, passes
S = Stage
TIMEOUT = 3.0


def run(flow: HelpFlow, event, now: float = 0.0, txn: str | None = "h1") -> list:
    out = flow.handle(event, now)
    for e in out:
        if isinstance(e, Ask):
            flow.handle(Sent(txn), now)
    return out


def test_every_stage_is_in_the_table_and_every_handler_exists():
    check_table(HelpFlow)


def test_desk_call_waits_then_names_who_comes():
    f = HelpFlow(where="一楼自助区" * 10, reply_timeout=TIMEOUT)
    [ask] = run(f, Tapped("help-call"))
    assert ask.op == "help.request" and ask.args == {"kind": "desk", "where": ("一楼自助区" * 10)[:40]}
    assert run(f, Replied("h1", True, result={"state": "waiting"})) == [KeepHelpCall("h1")]
    assert f.stage is S.DESK_WAITING
    assert not f.accepts(Tick())  # waiting for staff has no deadline: the request was taken
    run(f, Replied("h1", True, result={"state": "acknowledged", "by": "王芳"}))
    assert (f.stage, f.by) == (S.DESK_ACKED, "王芳")


def test_home_visit_checks_the_phone_and_forgets_it_on_leaving():
    f = HelpFlow(where="kiosk-1", reply_timeout=TIMEOUT)
    for e in (Tapped("help-visit"), Tapped("group-1", "老年人"), Entered("phone", "12345")):
        run(f, e)
    assert f.stage is S.V_PHONE and f.phone_error
    run(f, Entered("phone", "13812345678"))
    run(f, Tapped("villages", "黄潭村"))
    [ask] = run(f, Tapped("visit-submit"))
    assert ask.args == {"kind": "home_visit", "phone": "13812345678", "address": "黄潭村", "group": "老年人",
                        "where": "kiosk-1"}
    run(f, Replied("h1", True, result={"state": "waiting"}))
    assert f.stage is S.V_DONE
    run(f, Left())
    assert f.phone == f.address == ""


def test_offline_and_deadline_fail_with_our_words():
    f = HelpFlow(where="k", reply_timeout=TIMEOUT)
    run(f, Tapped("help-call"), txn=None)
    assert f.stage is S.DESK_FAILED and f.error == ""
    run(f, Tapped("go-back"))
    run(f, Tapped("help-call"), 10.0)
    run(f, Tick(), 12.9)
    assert f.stage is S.DESK_SENDING
    run(f, Tick(), 13.0)
    assert f.stage is S.DESK_FAILED


def test_a_refused_event_changes_nothing():
    f = HelpFlow(where="k", reply_timeout=TIMEOUT)
    before = copy.deepcopy(vars(f))
    for e in (Tapped("visit-submit"), Replied("x", True), Entered("phone", "13812345678"), Sent("x")):
        with pytest.raises(Refused):
            f.handle(e, 1.0)
        assert vars(f) == before


class HelpMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.flow = HelpFlow(where="kiosk-1", reply_timeout=TIMEOUT)
        self.now, self.online, self.n = 0.0, True, 0
        self.asks = 0
        self.left = False

    def feed(self, event):
        stage = self.flow.stage
        effects = apply(self.flow, event, self.now)
        if effects is None:
            return
        for e in effects:
            if isinstance(e, KeepHelpCall):  # the hub took a desk call: the session keeps it from now on
                assert stage is S.DESK_SENDING and self.flow.stage is S.DESK_WAITING and e.txn == self.flow.txn
                continue
            assert isinstance(e, Ask) and stage in (S.MENU, S.V_CONFIRM)
            self.asks += 1
            self.n += 1
            self.feed(Sent(f"h{self.n}" if self.online else None))

    def options(self) -> list[tuple]:
        f = self.flow
        if self.left:
            return [("time", 1.0)]
        taps = [k for k in TABLE[f.stage] if k not in ("sent", "replied", "tick")]
        out = [("tap", k) for k in taps] * 3 + [("tap", "help-call"), ("time", 1.0), ("time", 5.0), ("flip",),
                                               ("leave",)]
        if f.txn:
            out += [("reply", how) for how in ("waiting", "acknowledged", "refused")] * 2
        return out

    @rule(data=st.data(), good=st.booleans())
    def step(self, data, good):
        what = data.draw(st.sampled_from(self.options()))
        if what[0] == "tap":
            k = what[1]
            if k == "phone":
                self.feed(Entered("phone", "13812345678" if good else "123"))
            elif k == "group-":
                self.feed(Tapped("group-0", "老年人"))
            else:
                self.feed(card(k, good) or Tapped(k, "黄潭村"))
        elif what[0] == "reply":
            ok = what[1] != "refused"
            self.feed(Replied(self.flow.txn, ok, "" if ok else "busy", "" if ok else "稍后再试",
                              {"state": what[1], "by": "王芳"}))
        else:
            assert passes(self, what[0], what[1] if len(what) > 1 else None)

    @invariant()
    def never_waits_past_the_deadline(self):
        f = getattr(self, "flow", None)
        if f is not None and f.stage in (S.DESK_SENDING, S.V_SENDING):
            assert self.now - f.ask.sent_at < TIMEOUT + 5.0

    @invariant()
    def acknowledged_names_who(self):
        f = getattr(self, "flow", None)
        if f is not None and f.stage is S.DESK_ACKED:
            assert f.by == "王芳"

    def teardown(self):
        if hasattr(self, "flow") and self.left:
            assert self.flow.phone == self.flow.address == ""


HelpMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=25, deadline=None)
test_help_machine = HelpMachine.TestCase


def test_a_card_fills_name_and_address_after_asking_and_never_sends_the_number():
    from kiosk.terminal.flows.base import Left
    from .common import OLD_CARD
    f = HelpFlow(where="kiosk-1", reply_timeout=TIMEOUT)
    f.handle(Tapped("help-visit"), 0.0)
    f.handle(Tapped("group-0", "老年人"), 0.0)
    f.handle(OLD_CARD, 0.0)
    assert f.stage is S.V_CARD and f.card == (OLD_CARD.name, "429***********007X", OLD_CARD.address)
    f.handle(Tapped("visit-card-skip"), 0.0)  # 不使用: nothing is filled, back where it was
    assert (f.stage, f.name, f.address, f.card) == (S.V_PHONE, "", "", None)
    f.handle(OLD_CARD, 0.0)
    f.handle(Tapped("visit-card-use"), 0.0)
    assert (f.stage, f.name, f.address) == (S.V_PHONE, OLD_CARD.name, OLD_CARD.address)
    f.handle(Entered("phone", "13812345678"), 0.0)
    assert f.stage is S.V_CONFIRM  # the address came from the card: no village list
    [ask] = f.handle(Tapped("visit-submit"), 1.0)
    assert ask.args == {"kind": "home_visit", "phone": "13812345678", "address": OLD_CARD.address,
                        "group": "老年人", "where": "kiosk-1", "name": OLD_CARD.name}
    assert OLD_CARD.id_number not in repr(vars(f))
    f.handle(Left(), 2.0)
    assert (f.name, f.address, f.phone, f.card) == ("", "", "", None)


def test_a_village_chosen_after_the_card_replaces_its_address():
    from .common import YOUNG_CARD
    f = HelpFlow(where="kiosk-1", reply_timeout=TIMEOUT)
    for e in (Tapped("help-visit"), Tapped("group-1", "体弱人员"), Entered("phone", "13812345678")):
        f.handle(e, 0.0)
    f.handle(YOUNG_CARD, 0.0)
    f.handle(Tapped("visit-card-use"), 0.0)
    assert f.stage is S.V_CONFIRM
    f.handle(Tapped("go-back"), 0.0)
    f.handle(Tapped("villages", "黄潭村"), 0.0)
    assert (f.address, f.name, f.from_card) == ("黄潭村", "", False)
