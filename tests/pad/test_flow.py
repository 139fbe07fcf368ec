"""The pad's flow as a state machine: every page, the table, and refusals that change nothing."""

from __future__ import annotations

import pytest

from kiosk.core import evaluation as E
from kiosk.pad import flow as F

S = F.Stage
DAY = "2025-11-29"


def offered(flow: F.PadFlow, ticket: str = "20251129-C012", now: float = 10.0) -> None:
    flow.handle(F.Tick(day=DAY), now)
    flow.handle(F.Offered(ticket=ticket, number=ticket.split("-")[1], day=DAY), now)


def test_an_offer_shows_the_five_levels_with_none_chosen():
    flow = F.PadFlow()
    offered(flow)
    assert flow.state.stage is S.LEVELS and flow.state.level is None and flow.state.ticket == "20251129-C012"


def test_a_good_level_submits_at_once_and_thanks_after_the_reply():
    flow = F.PadFlow()
    offered(flow)
    effects = flow.handle(F.LevelTapped(level=4, txn="t1"), 11.0)
    assert effects == [F.Submit(txn="t1", ticket="20251129-C012", level=4, reasons=())]
    assert flow.state.stage is S.SENDING
    flow.handle(F.Replied(txn="t1", ok=True), 11.5)
    assert flow.state.stage is S.THANKS and "20251129-C012" in flow.state.rated
    flow.handle(F.Tick(day=DAY), 11.5 + F.Timing().thanks_s)
    assert flow.state.stage is S.IDLE and flow.state.ticket is None


def test_the_same_ticket_is_never_offered_twice():
    flow = F.PadFlow()
    offered(flow)
    flow.handle(F.LevelTapped(level=5, txn="t1"), 11.0)
    flow.handle(F.Replied(txn="t1", ok=True), 11.5)
    flow.handle(F.DoneTapped(), 12.0)
    flow.handle(F.Offered(ticket="20251129-C012", number="C012", day=DAY), 13.0)  # a retained redelivery
    assert flow.state.stage is S.IDLE


def test_a_bad_level_needs_a_reason_and_a_refusal_changes_nothing():
    flow = F.PadFlow()
    offered(flow)
    flow.handle(F.LevelTapped(level=2, txn="t1"), 11.0)
    assert flow.state.stage is S.REASONS
    before = flow.state
    with pytest.raises(F.PadRefused) as exc:
        flow.handle(F.ReasonsConfirmed(txn="t2"), 12.0)
    assert exc.value.code == "need_reason" and exc.value.message == E.MSG_NEED_REASON
    assert flow.state == before
    flow.handle(F.ReasonTapped(reason="attitude"), 12.0)
    flow.handle(F.ReasonTapped(reason="slow"), 12.1)
    flow.handle(F.ReasonTapped(reason="slow"), 12.2)  # a second tap takes it back
    effects = flow.handle(F.ReasonsConfirmed(txn="t2"), 13.0)
    assert effects == [F.Submit(txn="t2", ticket="20251129-C012", level=2, reasons=("attitude",))]


@pytest.mark.parametrize("event", [F.LevelTapped(level=4, txn="x"), F.ReasonsConfirmed(txn="x"),
                                   F.RetryTapped(), F.BackTapped(), F.ReasonTapped(reason="slow")])
def test_idle_refuses_rating_events_and_stays_as_it_was(event):
    flow = F.PadFlow()
    flow.handle(F.Tick(day=DAY), 1.0)
    before = flow.state
    with pytest.raises(F.PadRefused):
        flow.handle(event, 2.0)
    assert flow.state == before


def test_unknown_reason_and_level_are_refused_without_change():
    flow = F.PadFlow()
    offered(flow)
    before = flow.state
    with pytest.raises(F.PadRefused):
        flow.handle(F.LevelTapped(level=7, txn="x"), 11.0)
    assert flow.state == before
    flow.handle(F.LevelTapped(level=1, txn="x"), 11.0)
    before = flow.state
    with pytest.raises(F.PadRefused):
        flow.handle(F.ReasonTapped(reason="bribe"), 12.0)
    assert flow.state == before


def test_a_newer_offer_replaces_a_pending_rating_on_every_page():
    for setup in ([], [F.LevelTapped(level=2, txn="a")], [F.LevelTapped(level=4, txn="a")]):
        flow = F.PadFlow()
        offered(flow)
        for e in setup:
            flow.handle(e, 11.0)
        flow.handle(F.Offered(ticket="20251129-C013", number="C013", day=DAY), 12.0)
        assert flow.state.stage is S.LEVELS and flow.state.ticket == "20251129-C013" and flow.state.level is None
        # the late answer to the first rating changes nothing
        flow.handle(F.Replied(txn="a", ok=True), 12.5)
        assert flow.state.stage is S.LEVELS and flow.state.ticket == "20251129-C013"


def test_a_quiet_minute_returns_to_idle_and_a_touch_restarts_it():
    flow = F.PadFlow()
    offered(flow, now=100.0)
    flow.handle(F.Touched(), 140.0)
    flow.handle(F.Tick(day=DAY), 190.0)
    assert flow.state.stage is S.LEVELS
    flow.handle(F.Tick(day=DAY), 200.0)
    assert flow.state.stage is S.IDLE


def test_a_new_day_returns_to_idle_and_ignores_yesterdays_offer():
    flow = F.PadFlow()
    offered(flow)
    flow.handle(F.Tick(day="2025-11-30"), 12.0)
    assert flow.state.stage is S.IDLE and flow.state.day == "2025-11-30"
    flow.handle(F.Offered(ticket="20251129-C014", number="C014", day=DAY), 13.0)
    assert flow.state.stage is S.IDLE


def test_no_answer_fails_with_retry_that_resends_the_same_txn():
    flow = F.PadFlow()
    offered(flow)
    flow.handle(F.LevelTapped(level=5, txn="t9"), 11.0)
    flow.handle(F.Tick(day=DAY), 11.0 + F.Timing().answer_s)
    assert flow.state.stage is S.FAILED and flow.state.retryable
    effects = flow.handle(F.RetryTapped(), 30.0)
    assert effects == [F.Submit(txn="t9", ticket="20251129-C012", level=5, reasons=())]


def test_already_rated_is_final_and_remembered():
    flow = F.PadFlow()
    offered(flow)
    flow.handle(F.LevelTapped(level=5, txn="t1"), 11.0)
    flow.handle(F.Replied(txn="t1", ok=False, code="already_rated", message=E.MSG_ALREADY), 11.2)
    assert flow.state.stage is S.FAILED and not flow.state.retryable and flow.state.error == E.MSG_ALREADY
    with pytest.raises(F.PadRefused):
        flow.handle(F.RetryTapped(), 12.0)
    assert "20251129-C012" in flow.state.rated


def test_withdrawn_while_sending_keeps_waiting_for_the_reply():
    """The hub clears the offer as soon as our own rating lands, often before its reply reaches us."""
    flow = F.PadFlow()
    offered(flow)
    flow.handle(F.LevelTapped(level=4, txn="t1"), 11.0)
    flow.handle(F.Withdrawn(), 11.1)
    assert flow.state.stage is S.SENDING
    flow.handle(F.Replied(txn="t1", ok=True), 11.2)
    assert flow.state.stage is S.THANKS


def test_every_handler_outcome_is_in_the_table():
    """Random event sequences: each transition the flow makes is one the table lists (the flow asserts it)."""
    import random
    rng = random.Random(7)
    events = [lambda: F.Offered(ticket=f"20251129-C0{rng.randint(10, 14)}", number="C010", day=DAY),
              lambda: F.Withdrawn(), lambda: F.LevelTapped(level=rng.randint(1, 5), txn="r"),
              lambda: F.ReasonTapped(reason=rng.choice(list(E.BAD_REASONS))),
              lambda: F.ReasonsConfirmed(txn="r"), lambda: F.BackTapped(), lambda: F.RetryTapped(),
              lambda: F.DoneTapped(), lambda: F.Touched(), lambda: F.Tick(day=DAY),
              lambda: F.Replied(txn="r", ok=rng.random() < 0.5, code="busy")]
    flow, now = F.PadFlow(), 0.0
    seen = set()
    for _ in range(5000):
        now += rng.random() * 5
        before = flow.state
        try:
            flow.handle(rng.choice(events)(), now)
        except F.PadRefused:
            assert flow.state == before
        seen.add(flow.state.stage)
    assert seen == set(S)
