"""Unit tests of the queue state machine: every ticket and window transition, the refusals, and the
estimates and views built on it. All time is passed in; see conftest.py for the hall."""

from __future__ import annotations

import itertools
import json

import pytest

from kiosk.core import commands as C
from kiosk.core.errors import QueueError, UnknownCategory, UnknownTicket, UnknownWindow
from kiosk.core.model import Category, Hall, Window, WindowKind
from kiosk.core.queue import (
    FRONT_BAND,
    NORMAL_BAND,
    OPEN_STATES,
    TRANSITIONS,
    WINDOW_TRANSITIONS,
    Queue,
    QueueState,
    Ticket,
    TicketState,
    WindowStatus,
    format_number,
)
from kiosk.core.views import board_view, ticket_view, waiting_counts, window_view

from .conftest import DAY, NEXT_DAY, PREV_DAY, T0, assert_refused, build_hall, snapshot

TS = TicketState
WS = WindowStatus


# ---------------------------------------------------------------- helpers

def only(events, cls):
    found = [e for e in events if isinstance(e, cls)]
    assert len(found) == 1, events
    return found[0]


def issue(q: Queue, cat: str = "A", now: float = T0, **kw) -> C.TicketIssued:
    return only(q.apply(C.IssueTicket(now=now, category=cat, **kw)), C.TicketIssued)


def call_next(q: Queue, window: str, now: float = T0) -> list[C.Event]:
    return q.apply(C.CallNext(now=now, window=window))


def called_number(events) -> str | None:
    calls = [e for e in events if isinstance(e, C.TicketCalled)]
    return calls[0].number if calls else None


def kinds(events) -> list[str]:
    return [e.kind for e in events]


def ticket(q: Queue, number: str):
    return q.find(number)


def current(q: Queue, window: str):
    tid = q.state.windows[window].current
    return None if tid is None else q.state.tickets[tid]


# ---------------------------------------------------------------- tables and bootstrapping

def test_transition_tables_are_consistent():
    assert set(TRANSITIONS) == set(TicketState)
    for terminal in (TS.COMPLETED, TS.VOIDED, TS.EXPIRED):
        assert TRANSITIONS[terminal] == {}
    # exactly the open states can expire at the end of the day
    assert OPEN_STATES == {s for s, acts in TRANSITIONS.items() if "expire" in acts}
    assert set(WINDOW_TRANSITIONS) == set(WindowStatus)


def test_every_command_is_refused_before_the_first_start_day(hall):
    q = Queue(hall)
    for cmd in (C.IssueTicket(now=T0, category="A"), C.CallNext(now=T0, window="w1"),
                C.CallTicket(now=T0, window="w1", ticket="A001"), C.PauseWindow(now=T0, window="w1"),
                C.VoidTicket(now=T0, ticket="A001"), C.DeliverTicket(now=T0, ticket="A001", how="printed")):
        assert_refused(q, cmd, QueueError, "no_day")
    events = q.apply(C.StartDay(now=T0, day=DAY))
    assert events == [C.DayStarted(at=T0, day=DAY)]
    assert q.state.day == DAY


def test_unsupported_command_is_refused(q):
    assert_refused(q, C.Command(now=T0), QueueError, "unsupported")
    assert_refused(q, C.WindowCommand(now=T0, window="w1"), QueueError, "unsupported")


def test_fresh_queue_has_a_runtime_per_window_and_default_averages(hall):
    q = Queue(hall)
    assert set(q.state.windows) == {"w1", "w2", "w3", "w4"}
    assert all(w.status is WS.OPEN and w.current is None for w in q.state.windows.values())
    assert q.state.avg_service == {"A": 300.0, "B": 240.0, "C": 600.0}


# ---------------------------------------------------------------- issuing

def test_issue_numbers_per_category(q):
    got = [issue(q, c) for c in "AABACB"]
    assert [e.number for e in got] == ["A001", "A002", "B001", "A003", "C001", "B002"]
    assert [e.ticket for e in got][:2] == ["20240506-A001", "20240506-A002"]
    assert q.state.counters == {"A": 3, "B": 2, "C": 1}
    assert q.state.by_number["B002"] == "20240506-B002"
    t = q.state.tickets["20240506-A002"]
    assert (t.state, t.category, t.day, t.issued_at, t.band) == (TS.WAITING, "A", DAY, T0, NORMAL_BAND)


def test_issue_records_source_priority_appointment_and_front(q):
    e = issue(q, "B", now=T0 + 5, priority=True, source="kiosk-1", appointment="YY123", front=True)
    t = q.state.tickets[e.ticket]
    assert (t.priority, t.source, t.appointment, t.band, t.issued_at) == (True, "kiosk-1", "YY123",
                                                                            FRONT_BAND, T0 + 5)
    assert e.priority is True and e.category == "B"


def test_issue_seq_strictly_increases_across_categories(q):
    seqs = [q.state.tickets[issue(q, c).ticket].seq for c in "ABCAB"]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5


def test_format_number():
    assert format_number("A", 1) == "A001"
    assert format_number("B", 42) == "B042"
    assert format_number("C", 1000) == "C1000"


def test_issue_unknown_category_refused(q):
    issue(q, "A")
    assert_refused(q, C.IssueTicket(now=T0, category="Z"), UnknownCategory, "unknown_category")
    assert_refused(q, C.IssueTicket(now=T0, category="a"), UnknownCategory, "unknown_category")


def test_issue_category_without_any_window_refused():
    hall = Hall(categories=(Category(id="A", name="公安"), Category(id="D", name="无窗口")),
                windows=(Window(id="w1", number=1, name="一", kind=WindowKind.DOMAIN, categories=("A",)),))
    q = Queue(hall)
    q.apply(C.StartDay(now=T0, day=DAY))
    assert_refused(q, C.IssueTicket(now=T0, category="D"), QueueError, "no_window")
    assert issue(q, "A").number == "A001"


# ---------------------------------------------------------------- call next

def test_call_next_picks_the_oldest_ticket_it_serves(q):
    issue(q, "B", now=T0)
    issue(q, "A", now=T0 + 1)
    issue(q, "A", now=T0 + 2)
    ev = call_next(q, "w1", now=T0 + 10)
    assert kinds(ev) == ["TicketCalled"]
    assert ev[0] == C.TicketCalled(at=T0 + 10, ticket="20240506-A001", number="A001", window="w1", recall=0)
    # w2 serves A and B: B001 is older than A002
    assert called_number(call_next(q, "w2", now=T0 + 11)) == "B001"
    assert called_number(call_next(q, "w3", now=T0 + 12)) is None
    t = ticket(q, "A001")
    assert (t.state, t.window, t.called_at, t.recalls, t.target_window) == (TS.CALLED, "w1", T0 + 10, 0, None)
    assert q.state.windows["w1"].current == t.id


def test_windows_only_take_categories_they_serve(q):
    issue(q, "A")
    issue(q, "B")
    before = snapshot(q)
    ev = call_next(q, "w4", now=T0 + 1)
    assert ev == [C.QueueEmpty(at=T0 + 1, window="w4")]
    assert snapshot(q) == before
    assert called_number(call_next(q, "w3")) == "B001"
    assert called_number(call_next(q, "w1")) == "A001"


def test_call_next_on_empty_queue_reports_empty_and_changes_nothing(q):
    before = snapshot(q)
    assert call_next(q, "w1") == [C.QueueEmpty(at=T0, window="w1")]
    assert snapshot(q) == before


@pytest.mark.parametrize("started", [False, True])
def test_call_next_completes_the_current_ticket_first(q, started):
    issue(q, "A")
    issue(q, "A")
    call_next(q, "w1", now=T0 + 100)
    if started:
        q.apply(C.StartService(now=T0 + 130, window="w1"))
    ev = call_next(q, "w1", now=T0 + 400)
    assert kinds(ev) == ["TicketCompleted", "TicketCalled"]
    done = ev[0]
    assert done.ticket == "20240506-A001" and done.window == "w1"
    assert done.service_s == (270.0 if started else 300.0)
    assert ticket(q, "A001").state is TS.COMPLETED
    assert ticket(q, "A001").finished_at == T0 + 400
    assert current(q, "w1").number == "A002"
    assert q.state.windows["w1"].served == 1


def test_call_next_with_current_and_nobody_waiting_completes_and_reports_empty(q):
    issue(q, "A")
    call_next(q, "w1", now=T0)
    ev = call_next(q, "w1", now=T0 + 60)
    assert kinds(ev) == ["TicketCompleted", "QueueEmpty"]
    assert q.state.windows["w1"].current is None
    assert ticket(q, "A001").state is TS.COMPLETED


def test_recent_calls_newest_first_and_bounded(new_queue):
    q = new_queue(recent_calls=3)
    for _ in range(5):
        issue(q, "A")
    for i in range(5):
        call_next(q, "w1", now=T0 + i)
    rc = q.state.recent_calls
    assert [r["number"] for r in rc] == ["A005", "A004", "A003"]
    assert rc[0] == {"number": "A005", "window": "w1", "at": T0 + 4, "recall": 0}


# ---------------------------------------------------------------- recall / skip (过号)

def test_recall_up_to_limit_then_no_show(q):
    assert q.hall.policy.recall_limit == 2
    issue(q, "A")
    issue(q, "A")
    call_next(q, "w1", now=T0)
    for n in (1, 2):
        ev = q.apply(C.Recall(now=T0 + 30 * n, window="w1"))
        assert ev == [C.TicketCalled(at=T0 + 30 * n, ticket="20240506-A001", number="A001", window="w1",
                                     recall=n)]
        assert ticket(q, "A001").recalls == n
        assert q.state.recent_calls[0] == {"number": "A001", "window": "w1", "at": T0 + 30 * n, "recall": n}
    ev = q.apply(C.Recall(now=T0 + 90, window="w1"))
    assert ev == [C.TicketNoShow(at=T0 + 90, ticket="20240506-A001", window="w1")]
    t = ticket(q, "A001")
    assert (t.state, t.finished_at) == (TS.NO_SHOW, T0 + 90)
    assert q.state.windows["w1"].current is None
    assert q.state.windows["w1"].served == 0
    # the window is free: the next one is called without completing anything
    assert kinds(call_next(q, "w1", now=T0 + 100)) == ["TicketCalled"]
    assert current(q, "w1").number == "A002"


def test_recall_limit_zero_makes_first_recall_a_no_show(new_queue):
    q = new_queue(recall_limit=0)
    issue(q, "A")
    call_next(q, "w1")
    assert kinds(q.apply(C.Recall(now=T0 + 1, window="w1"))) == ["TicketNoShow"]


def test_recall_refusals(q):
    assert_refused(q, C.Recall(now=T0, window="w1"), QueueError, "no_current")
    assert_refused(q, C.Recall(now=T0, window="w9"), UnknownWindow, "unknown_window")
    issue(q, "A")
    call_next(q, "w1")
    q.apply(C.StartService(now=T0 + 1, window="w1"))
    assert_refused(q, C.Recall(now=T0 + 2, window="w1"), QueueError, "illegal")


def test_skip(q):
    issue(q, "A")
    call_next(q, "w1", now=T0)
    ev = q.apply(C.Skip(now=T0 + 20, window="w1"))
    assert ev == [C.TicketNoShow(at=T0 + 20, ticket="20240506-A001", window="w1")]
    assert ticket(q, "A001").state is TS.NO_SHOW
    assert q.state.windows["w1"].current is None


def test_skip_refusals(q):
    assert_refused(q, C.Skip(now=T0, window="w1"), QueueError, "no_current")
    assert_refused(q, C.Skip(now=T0, window="nope"), UnknownWindow)
    issue(q, "A")
    call_next(q, "w1")
    q.apply(C.StartService(now=T0, window="w1"))
    assert_refused(q, C.Skip(now=T0, window="w1"), QueueError, "illegal")


# ---------------------------------------------------------------- start / complete

def test_start_service(q):
    issue(q, "A")
    call_next(q, "w1", now=T0)
    assert q.apply(C.StartService(now=T0 + 15, window="w1")) == [
        C.TicketStarted(at=T0 + 15, ticket="20240506-A001", window="w1")]
    t = ticket(q, "A001")
    assert (t.state, t.started_at) == (TS.SERVING, T0 + 15)
    assert_refused(q, C.StartService(now=T0 + 16, window="w1"), QueueError, "illegal")
    assert_refused(q, C.StartService(now=T0, window="w2"), QueueError, "no_current")
    assert_refused(q, C.StartService(now=T0, window="w0"), UnknownWindow)


def test_complete_updates_the_moving_average(q):
    issue(q, "A")
    call_next(q, "w1", now=T0)
    q.apply(C.StartService(now=T0 + 20, window="w1"))
    ev = q.apply(C.CompleteService(now=T0 + 20 + 500, window="w1"))
    assert ev == [C.TicketCompleted(at=T0 + 520, ticket="20240506-A001", window="w1", service_s=500.0)]
    assert q.state.avg_service["A"] == pytest.approx(0.8 * 300 + 0.2 * 500)
    assert q.state.avg_service["B"] == 240.0
    t = ticket(q, "A001")
    assert (t.state, t.finished_at) == (TS.COMPLETED, T0 + 520)
    assert q.state.windows["w1"].current is None
    assert q.state.windows["w1"].served == 1


def test_complete_straight_from_called_measures_from_the_call(q):
    issue(q, "C")
    call_next(q, "w4", now=T0 + 100)
    ev = q.apply(C.CompleteService(now=T0 + 700 + 100, window="w4"))
    assert only(ev, C.TicketCompleted).service_s == 700.0
    assert q.state.avg_service["C"] == pytest.approx(0.8 * 600 + 0.2 * 700)


@pytest.mark.parametrize("service, counted", [(0.0, False), (9.99, False), (10.0, True), (7200.0, True),
                                              (7200.5, False)])
def test_outlier_service_times_are_ignored(q, service, counted):
    issue(q, "A")
    call_next(q, "w1", now=T0)
    q.apply(C.StartService(now=T0, window="w1"))
    ev = q.apply(C.CompleteService(now=T0 + service, window="w1"))
    assert only(ev, C.TicketCompleted).service_s == pytest.approx(service)
    expected = 0.8 * 300 + 0.2 * service if counted else 300.0
    assert q.state.avg_service["A"] == pytest.approx(expected)
    assert q.state.windows["w1"].served == 1


def test_ewma_compounds(new_queue):
    q = new_queue(ewma_alpha=0.5)
    avg = 300.0
    for i, service in enumerate((100.0, 5.0, 200.0)):
        issue(q, "A")
        call_next(q, "w1", now=T0 + 10_000 * i)
        q.apply(C.CompleteService(now=T0 + 10_000 * i + service, window="w1"))
        if service >= 10:
            avg = 0.5 * avg + 0.5 * service
        assert q.state.avg_service["A"] == pytest.approx(avg)
    assert avg == pytest.approx(200.0)


def test_complete_refusals(q):
    assert_refused(q, C.CompleteService(now=T0, window="w1"), QueueError, "no_current")
    assert_refused(q, C.CompleteService(now=T0, window="W1"), UnknownWindow)


# ---------------------------------------------------------------- transfer

def test_transfer_to_category_goes_to_the_front_for_every_window_serving_it(q):
    issue(q, "A")  # A001 → will be transferred
    issue(q, "B")  # B001
    issue(q, "B")  # B002
    call_next(q, "w1", now=T0 + 10)
    q.apply(C.StartService(now=T0 + 20, window="w1"))
    ev = q.apply(C.Transfer(now=T0 + 60, window="w1", to_category="B"))
    assert ev == [C.TicketTransferred(at=T0 + 60, ticket="20240506-A001", from_window="w1", to_category="B",
                                      to_window=None)]
    t = ticket(q, "A001")
    assert (t.state, t.category, t.band, t.window, t.called_at, t.started_at, t.recalls, t.target_window) == (
        TS.WAITING, "B", FRONT_BAND, None, None, None, 0, None)
    assert t.number == "A001"  # keeps its number
    assert q.state.windows["w1"].current is None
    assert q.state.windows["w1"].served == 0
    # every window serving B now gets it first; w1 (A only) no longer sees it
    for wid in ("w2", "w3"):
        assert q.select_next(wid)[0] is t
    assert q.select_next("w1")[0] is None
    assert called_number(call_next(q, "w3", now=T0 + 70)) == "A001"
    assert called_number(call_next(q, "w2", now=T0 + 71)) == "B001"


def test_transfer_to_window_only_that_window_gets_it_and_first(q):
    issue(q, "A")  # A001
    issue(q, "A")  # A002
    issue(q, "B")  # B001
    call_next(q, "w1", now=T0)
    q.apply(C.Recall(now=T0 + 5, window="w1"))
    ev = q.apply(C.Transfer(now=T0 + 30, window="w1", to_window="w2"))
    assert only(ev, C.TicketTransferred).to_window == "w2"
    assert only(ev, C.TicketTransferred).to_category == "A"
    t = ticket(q, "A001")
    assert (t.state, t.target_window, t.band, t.recalls, t.category) == (TS.WAITING, "w2", FRONT_BAND, 0, "A")
    # w1 also serves A but the ticket is meant for w2
    assert q.select_next("w1")[0].number == "A002"
    ev = call_next(q, "w2", now=T0 + 40)
    assert called_number(ev) == "A001"
    assert ticket(q, "A001").target_window is None
    assert called_number(call_next(q, "w1", now=T0 + 41)) == "A002"


def test_transfer_to_window_reaches_a_window_that_does_not_serve_the_category(q):
    issue(q, "A")
    call_next(q, "w1")
    q.apply(C.Transfer(now=T0 + 1, window="w1", to_window="w4"))
    assert called_number(call_next(q, "w4", now=T0 + 2)) == "A001"


def test_transferred_tickets_keep_their_order_among_themselves(q):
    for _ in range(2):
        issue(q, "A")
    issue(q, "B")
    call_next(q, "w1")
    call_next(q, "w2")
    q.apply(C.Transfer(now=T0 + 1, window="w2", to_category="B"))  # A002 first
    q.apply(C.Transfer(now=T0 + 2, window="w1", to_category="B"))  # then A001
    assert called_number(call_next(q, "w3", now=T0 + 3)) == "A002"
    assert called_number(call_next(q, "w3", now=T0 + 4)) == "A001"
    assert called_number(call_next(q, "w3", now=T0 + 5)) == "B001"


def test_transfer_refusals(q):
    assert_refused(q, C.Transfer(now=T0, window="w1", to_category="B"), QueueError, "no_current")
    issue(q, "A")
    call_next(q, "w1")
    assert_refused(q, C.Transfer(now=T0, window="w1"), QueueError, "bad_value")
    assert_refused(q, C.Transfer(now=T0, window="w1", to_category="B", to_window="w3"), QueueError, "bad_value")
    assert_refused(q, C.Transfer(now=T0, window="w1", to_category="Z"), UnknownCategory, "unknown_category")
    assert_refused(q, C.Transfer(now=T0, window="w1", to_window="w9"), UnknownWindow, "unknown_window")
    assert_refused(q, C.Transfer(now=T0, window="w1", to_window="w1"), QueueError, "bad_value")
    assert_refused(q, C.Transfer(now=T0, window="w7", to_category="B"), UnknownWindow)


# ---------------------------------------------------------------- requeue of 过号 tickets

def _no_show(q: Queue, window: str = "w1", now: float = T0) -> None:
    call_next(q, window, now=now)
    q.apply(C.Skip(now=now, window=window))


def test_requeue_within_grace_goes_to_the_back(q):
    issue(q, "A")  # A001
    issue(q, "A")  # A002
    _no_show(q, now=T0 + 10)
    issue(q, "A", now=T0 + 20)  # A003, issued after the skip
    grace = q.hall.policy.noshow_grace_s
    ev = q.apply(C.RequeueTicket(now=T0 + 10 + grace, ticket="a001"))  # exactly at the limit still counts
    assert ev == [C.TicketRequeued(at=T0 + 10 + grace, ticket="20240506-A001")]
    t = ticket(q, "A001")
    assert (t.state, t.window, t.finished_at, t.band) == (TS.WAITING, None, None, NORMAL_BAND)
    order = [called_number(call_next(q, "w1", now=T0 + 3000 + i)) for i in range(3)]
    assert order == ["A002", "A003", "A001"]


def test_requeue_after_grace_refused(q):
    issue(q, "A")
    _no_show(q, now=T0)
    grace = q.hall.policy.noshow_grace_s
    err = assert_refused(q, C.RequeueTicket(now=T0 + grace + 0.5, ticket="A001"), QueueError, "grace_expired")
    assert "A001" in err.message


def test_requeue_drops_the_front_band(q):
    issue(q, "A", front=True)
    issue(q, "A")
    _no_show(q)
    q.apply(C.RequeueTicket(now=T0 + 1, ticket="A001"))
    assert ticket(q, "A001").band == NORMAL_BAND
    assert called_number(call_next(q, "w1", now=T0 + 2)) == "A002"


def test_requeue_refusals(q):
    assert_refused(q, C.RequeueTicket(now=T0, ticket="A001"), UnknownTicket, "unknown_ticket")
    issue(q, "A")
    assert_refused(q, C.RequeueTicket(now=T0, ticket="A001"), QueueError, "illegal")  # waiting
    call_next(q, "w1")
    assert_refused(q, C.RequeueTicket(now=T0, ticket="A001"), QueueError, "illegal")  # called


def test_grace_also_runs_out_for_a_no_show_at_time_zero():
    """A ticket skipped at now=0.0 must lose its grace like any other."""
    q = Queue(build_hall(noshow_grace_s=60.0))
    q.apply(C.StartDay(now=0.0, day=DAY))
    q.apply(C.IssueTicket(now=0.0, category="A"))
    q.apply(C.CallNext(now=0.0, window="w1"))
    q.apply(C.Skip(now=0.0, window="w1"))
    assert_refused(q, C.RequeueTicket(now=3600.0, ticket="A001"), QueueError, "grace_expired")


# ---------------------------------------------------------------- call a specific ticket

@pytest.mark.parametrize("ref", ["A002", "a002", "20240506-A002"])
def test_call_ticket_by_number_or_id(q, ref):
    issue(q, "A")
    issue(q, "A")
    ev = q.apply(C.CallTicket(now=T0 + 5, window="w2", ticket=ref))
    assert ev == [C.TicketCalled(at=T0 + 5, ticket="20240506-A002", number="A002", window="w2", recall=0)]
    assert current(q, "w2").number == "A002"
    assert ticket(q, "A001").state is TS.WAITING


def test_call_ticket_completes_the_current_one_first(q):
    for _ in range(3):
        issue(q, "A")
    call_next(q, "w1", now=T0)
    ev = q.apply(C.CallTicket(now=T0 + 100, window="w1", ticket="A003"))
    assert kinds(ev) == ["TicketCompleted", "TicketCalled"]
    assert ticket(q, "A001").state is TS.COMPLETED
    assert current(q, "w1").number == "A003"


def test_call_ticket_brings_back_a_no_show_within_grace(q):
    issue(q, "A")
    issue(q, "A")
    _no_show(q, now=T0)
    ev = q.apply(C.CallTicket(now=T0 + 600, window="w2", ticket="A001"))
    assert called_number(ev) == "A001"
    t = ticket(q, "A001")
    assert (t.state, t.window, t.recalls, t.called_at) == (TS.CALLED, "w2", 0, T0 + 600)


def test_call_ticket_no_show_after_grace_refused(q):
    issue(q, "A")
    _no_show(q, now=T0)
    grace = q.hall.policy.noshow_grace_s
    assert_refused(q, C.CallTicket(now=T0 + grace + 1, window="w1", ticket="A001"), QueueError, "grace_expired")


def test_call_ticket_refusals(q):
    issue(q, "A")
    issue(q, "A")
    assert_refused(q, C.CallTicket(now=T0, window="w1", ticket="A009"), UnknownTicket, "unknown_ticket")
    assert_refused(q, C.CallTicket(now=T0, window="w1", ticket=""), UnknownTicket)
    assert_refused(q, C.CallTicket(now=T0, window="w9", ticket="A001"), UnknownWindow)
    call_next(q, "w1")  # A001 called at w1
    assert_refused(q, C.CallTicket(now=T0, window="w2", ticket="A001"), QueueError, "illegal")
    assert_refused(q, C.CallTicket(now=T0, window="w1", ticket="A001"), QueueError, "illegal")
    q.apply(C.CompleteService(now=T0 + 60, window="w1"))
    assert_refused(q, C.CallTicket(now=T0, window="w2", ticket="A001"), QueueError, "illegal")
    q.apply(C.PauseWindow(now=T0, window="w2", reason="午休"))
    assert_refused(q, C.CallTicket(now=T0, window="w2", ticket="A002"), QueueError, "window_not_open")


def test_call_ticket_does_not_touch_the_priority_streak(q):
    issue(q, "A", priority=True)
    issue(q, "A")
    call_next(q, "w1")
    assert q.state.windows["w1"].priority_streak == 1
    q.apply(C.CallTicket(now=T0 + 60, window="w1", ticket="A002"))
    assert q.state.windows["w1"].priority_streak == 1


# ---------------------------------------------------------------- void / deliver

def test_void_only_while_waiting(q):
    issue(q, "A")
    ev = q.apply(C.VoidTicket(now=T0 + 9, ticket="a001", reason="重复取号"))
    assert ev == [C.TicketVoided(at=T0 + 9, ticket="20240506-A001", reason="重复取号")]
    t = ticket(q, "A001")
    assert (t.state, t.finished_at) == (TS.VOIDED, T0 + 9)
    assert_refused(q, C.VoidTicket(now=T0, ticket="A001"), QueueError, "illegal")
    assert call_next(q, "w1") == [C.QueueEmpty(at=T0, window="w1")]
    issue(q, "A")
    call_next(q, "w1")
    assert_refused(q, C.VoidTicket(now=T0, ticket="A002"), QueueError, "illegal")
    assert_refused(q, C.VoidTicket(now=T0, ticket="A003"), UnknownTicket)


@pytest.mark.parametrize("how", ["printed", "on_screen"])
def test_deliver(q, how):
    issue(q, "B")
    assert q.apply(C.DeliverTicket(now=T0 + 1, ticket="b001", how=how)) == [
        C.TicketDelivered(at=T0 + 1, ticket="20240506-B001", how=how)]
    assert ticket(q, "B001").delivery == how
    call_next(q, "w3")
    q.apply(C.CompleteService(now=T0 + 100, window="w3"))
    q.apply(C.DeliverTicket(now=T0 + 101, ticket="B001", how="printed"))  # allowed after service too
    assert ticket(q, "B001").delivery == "printed"


def test_deliver_refusals(q):
    issue(q, "A")
    assert_refused(q, C.DeliverTicket(now=T0, ticket="A001", how="sms"), QueueError, "bad_value")
    assert_refused(q, C.DeliverTicket(now=T0, ticket="A404", how="printed"), UnknownTicket)
    q.apply(C.VoidTicket(now=T0, ticket="A001"))
    assert_refused(q, C.DeliverTicket(now=T0, ticket="A001", how="printed"), QueueError, "illegal")


# ---------------------------------------------------------------- the ticket transition table, cell by cell

ACTIONS = ("call", "void", "requeue", "recall", "start", "complete", "skip", "transfer", "expire")
WINDOW_ACTIONS = {"recall", "start", "complete", "skip", "transfer"}


def _ticket_in(q: Queue, state: TicketState):
    """Put A001 into ``state`` (at window w1 when it is called or serving)."""
    issue(q, "A")
    if state is TS.VOIDED:
        q.apply(C.VoidTicket(now=T0, ticket="A001"))
    elif state is TS.EXPIRED:
        # a ticket never stays EXPIRED inside a live day (StartDay drops the old day); set it directly
        ticket(q, "A001").state = TS.EXPIRED
    elif state is not TS.WAITING:
        call_next(q, "w1", now=T0)
        if state is TS.SERVING:
            q.apply(C.StartService(now=T0 + 1, window="w1"))
        elif state is TS.NO_SHOW:
            q.apply(C.Skip(now=T0 + 1, window="w1"))
        elif state is TS.COMPLETED:
            q.apply(C.CompleteService(now=T0 + 60, window="w1"))
    t = ticket(q, "A001")
    assert t.state is state
    return t


def _command(action: str, now: float) -> C.Command:
    return {
        "call": C.CallTicket(now=now, window="w1", ticket="A001"),
        "void": C.VoidTicket(now=now, ticket="A001"),
        "requeue": C.RequeueTicket(now=now, ticket="A001"),
        "recall": C.Recall(now=now, window="w1"),
        "start": C.StartService(now=now, window="w1"),
        "complete": C.CompleteService(now=now, window="w1"),
        "skip": C.Skip(now=now, window="w1"),
        "transfer": C.Transfer(now=now, window="w1", to_category="B"),
        "expire": C.StartDay(now=now, day=NEXT_DAY),
    }[action]


@pytest.mark.parametrize("state, action", list(itertools.product(list(TicketState), ACTIONS)),
                         ids=lambda v: v.value if isinstance(v, TicketState) else v)
def test_ticket_transition_table(q, state, action):
    t = _ticket_in(q, state)
    cmd = _command(action, T0 + 100)
    nxt = TRANSITIONS[state].get(action)
    if action == "expire":
        events = q.apply(cmd)
        expired = [e.ticket for e in events if isinstance(e, C.TicketExpired)]
        assert expired == ([t.id] if nxt is TS.EXPIRED else [])
        assert t.id not in q.state.tickets  # the old day is gone
        return
    if nxt is None:
        at_window = state in (TS.CALLED, TS.SERVING)
        code = "no_current" if action in WINDOW_ACTIONS and not at_window else "illegal"
        assert_refused(q, cmd, QueueError, code)
        assert t.state is state
    else:
        q.apply(cmd)
        assert t.state is nxt
        at_w1 = q.state.windows["w1"].current == t.id
        assert at_w1 == (nxt in (TS.CALLED, TS.SERVING))


# ---------------------------------------------------------------- windows

WIN_ACTIONS = {
    "pause": lambda now: C.PauseWindow(now=now, window="w3", reason="系统维护"),
    "resume": lambda now: C.ResumeWindow(now=now, window="w3"),
    "open": lambda now: C.OpenWindow(now=now, window="w3"),
    "close": lambda now: C.CloseWindow(now=now, window="w3"),
}


def _window_in(q: Queue, status: WindowStatus) -> None:
    if status is WS.PAUSED:
        q.apply(C.PauseWindow(now=T0, window="w3", reason="临时离开"))
    elif status is WS.CLOSED:
        q.apply(C.CloseWindow(now=T0, window="w3"))
    assert q.state.windows["w3"].status is status


@pytest.mark.parametrize("status, action", list(itertools.product(list(WindowStatus), WIN_ACTIONS)),
                         ids=lambda v: v.value if isinstance(v, WindowStatus) else v)
def test_window_transition_table(q, status, action):
    _window_in(q, status)
    cmd = WIN_ACTIONS[action](T0 + 1)
    nxt = WINDOW_TRANSITIONS[status].get(action)
    if nxt is None:
        assert_refused(q, cmd, QueueError, "illegal")
        return
    ev = q.apply(cmd)
    reason = "系统维护" if nxt is WS.PAUSED else ""
    assert ev == [C.WindowChanged(at=T0 + 1, window="w3", status=nxt.value, reason=reason)]
    rt = q.state.windows["w3"]
    assert (rt.status, rt.reason) == (nxt, reason)


def test_pause_with_reason_then_resume(q):
    q.apply(C.PauseWindow(now=T0, window="w1", reason="午休"))
    assert window_view(q, "w1")["reason"] == "午休"
    q.apply(C.PauseWindow(now=T0 + 1, window="w1", reason="系统故障"))
    assert q.state.windows["w1"].reason == "系统故障"
    q.apply(C.ResumeWindow(now=T0 + 2, window="w1"))
    assert (q.state.windows["w1"].status, q.state.windows["w1"].reason) == (WS.OPEN, "")


@pytest.mark.parametrize("status", [WS.PAUSED, WS.CLOSED])
def test_window_that_is_not_open_cannot_call(q, status):
    issue(q, "B")
    _window_in(q, status)
    assert_refused(q, C.CallNext(now=T0, window="w3"), QueueError, "window_not_open")
    assert_refused(q, C.CallTicket(now=T0, window="w3", ticket="B001"), QueueError, "window_not_open")
    q.apply(C.OpenWindow(now=T0, window="w3") if status is WS.CLOSED else C.ResumeWindow(now=T0, window="w3"))
    assert called_number(call_next(q, "w3")) == "B001"


@pytest.mark.parametrize("started", [False, True])
def test_close_refused_while_serving(q, started):
    issue(q, "B")
    call_next(q, "w3")
    if started:
        q.apply(C.StartService(now=T0, window="w3"))
    assert_refused(q, C.CloseWindow(now=T0, window="w3"), QueueError, "busy")
    # pausing is allowed; the ticket at the counter can still be finished, then the window can close
    q.apply(C.PauseWindow(now=T0, window="w3", reason="下班"))
    assert_refused(q, C.CloseWindow(now=T0, window="w3"), QueueError, "busy")
    q.apply(C.CompleteService(now=T0 + 100, window="w3"))
    assert only(q.apply(C.CloseWindow(now=T0 + 101, window="w3")), C.WindowChanged).status == "closed"


def test_unknown_window_for_every_window_command(q):
    for cls in (C.CallNext, C.Recall, C.Skip, C.StartService, C.CompleteService, C.ResumeWindow,
                C.OpenWindow, C.CloseWindow, C.PauseWindow):
        assert_refused(q, cls(now=T0, window="w5"), UnknownWindow, "unknown_window")
    assert_refused(q, C.Transfer(now=T0, window="w5", to_category="A"), UnknownWindow)


# ---------------------------------------------------------------- StartDay

def test_later_day_expires_open_tickets_and_restarts_numbering(q):
    for c in "AAABBC":
        issue(q, c)
    call_next(q, "w1", now=T0 + 1)  # A001 called
    call_next(q, "w2", now=T0 + 2)  # A002 called …
    q.apply(C.StartService(now=T0 + 3, window="w2"))  # … and serving
    call_next(q, "w3", now=T0 + 4)  # B001 called …
    q.apply(C.CompleteService(now=T0 + 100, window="w3"))  # … and completed
    call_next(q, "w4", now=T0 + 5)  # C001 …
    q.apply(C.Skip(now=T0 + 6, window="w4"))  # … 过号
    q.apply(C.VoidTicket(now=T0 + 7, ticket="B002"))
    q.apply(C.PauseWindow(now=T0 + 8, window="w4", reason="午休"))
    avg = dict(q.state.avg_service)
    seq = q.state.next_seq

    events = q.apply(C.StartDay(now=T0 + 86_400, day=NEXT_DAY))
    assert events[0] == C.DayStarted(at=T0 + 86_400, day=NEXT_DAY)
    expired = sorted(e.ticket for e in events[1:])
    assert all(isinstance(e, C.TicketExpired) for e in events[1:])
    assert expired == ["20240506-A001", "20240506-A002", "20240506-A003", "20240506-C001"]

    s = q.state
    assert (s.day, s.tickets, s.by_number, s.counters, s.recent_calls) == (NEXT_DAY, {}, {}, {}, [])
    assert all(w.current is None and w.priority_streak == 0 and w.served == 0 for w in s.windows.values())
    assert s.windows["w4"].status is WS.PAUSED  # window status is not a per-day thing
    assert s.avg_service == avg
    assert s.next_seq == seq
    e = issue(q, "A", now=T0 + 86_401)
    assert (e.number, e.ticket) == ("A001", "20240507-A001")


@pytest.mark.parametrize("day", [DAY, PREV_DAY, "2023-12-31"])
def test_same_or_earlier_day_is_ignored(q, day):
    issue(q, "A")
    issue(q, "A")
    call_next(q, "w1")
    before = snapshot(q)
    assert q.apply(C.StartDay(now=T0 + 10, day=day)) == []
    assert snapshot(q) == before
    assert issue(q, "A").number == "A003"  # numbers are never reused


def test_numbers_after_a_restart_continue(q, hall):
    issue(q, "A")
    issue(q, "A")
    restored = Queue(hall, QueueState.from_dict(json.loads(json.dumps(q.state.to_dict()))))
    restored.apply(C.StartDay(now=T0 - 3600, day=DAY))  # the owner's clock read earlier
    assert issue(restored, "A").number == "A003"


# ---------------------------------------------------------------- priority (绿色通道)

def test_priority_first_but_at_most_max_in_row(q):
    assert q.hall.policy.priority_max_in_row == 2
    for _ in range(3):
        issue(q, "A")  # A001..A003 normal
    for _ in range(4):
        issue(q, "A", priority=True)  # A004..A007 priority
    order = []
    for i in range(7):
        ev = call_next(q, "w1", now=T0 + 10 * i)
        order.append(called_number(ev))
    assert order == ["A004", "A005", "A001", "A006", "A007", "A002", "A003"]


def test_priority_streak_is_counted_per_window(q):
    for _ in range(2):
        issue(q, "A")
    for _ in range(4):
        issue(q, "A", priority=True)  # A003..A006
    assert called_number(call_next(q, "w1")) == "A003"
    assert called_number(call_next(q, "w2")) == "A004"
    assert called_number(call_next(q, "w1")) == "A005"
    assert called_number(call_next(q, "w1")) == "A001"  # w1 reached the limit
    assert called_number(call_next(q, "w2")) == "A006"  # w2 has called only one so far
    assert [q.state.windows[w].priority_streak for w in ("w1", "w2")] == [0, 2]


def test_priority_streak_does_not_block_when_no_one_else_waits(q):
    for _ in range(5):
        issue(q, "B", priority=True)
    order = [called_number(call_next(q, "w3", now=T0 + i)) for i in range(5)]
    assert order == ["B001", "B002", "B003", "B004", "B005"]
    assert q.state.windows["w3"].priority_streak == 0


def test_priority_max_one(new_queue):
    q = new_queue(priority_max_in_row=1)
    for p in (False, False, True, True, True):
        issue(q, "C", priority=p)
    order = [called_number(call_next(q, "w4", now=T0 + i)) for i in range(5)]
    assert order == ["C003", "C001", "C004", "C002", "C005"]


def test_front_band_goes_before_priority_and_resets_the_streak(q):
    issue(q, "A")  # A001
    issue(q, "A", priority=True)  # A002
    issue(q, "A", priority=True)  # A003
    issue(q, "A", priority=True)  # A004
    assert called_number(call_next(q, "w1")) == "A002"
    assert q.state.windows["w1"].priority_streak == 1
    issue(q, "A", front=True)  # A005: appointment, placed ahead of walk-ins
    assert called_number(call_next(q, "w1")) == "A005"
    assert q.state.windows["w1"].priority_streak == 0
    assert [called_number(call_next(q, "w1")) for _ in range(3)] == ["A003", "A004", "A001"]


def test_priority_is_kept_through_transfer(q):
    issue(q, "A", priority=True)
    issue(q, "B")
    call_next(q, "w1")
    q.apply(C.Transfer(now=T0, window="w1", to_category="B"))
    assert ticket(q, "A001").priority is True
    assert called_number(call_next(q, "w3")) == "A001"


# ---------------------------------------------------------------- people ahead and ETA

def test_people_ahead_and_eta_at_issue(q):
    # A is served by w1 and w2, both open and idle: the first two go straight to a counter; average 300 s
    got = [issue(q, "A") for _ in range(3)]
    assert [(e.people_ahead, e.eta_s) for e in got] == [(0, 0.0), (1, 0.0), (2, 150.0)]
    # C only by w4; average 600 s
    got = [issue(q, "C") for _ in range(2)]
    assert [(e.people_ahead, e.eta_s) for e in got] == [(0, 0.0), (1, 600.0)]
    # other categories do not count
    assert (issue(q, "B").people_ahead, issue(q, "B").people_ahead) == (0, 1)


def test_eta_counts_only_open_windows(q):
    for _ in range(3):
        issue(q, "A")
    t = ticket(q, "A003")
    assert q.estimate(t) == (2, 150.0)
    q.apply(C.PauseWindow(now=T0, window="w2"))
    assert q.open_windows_for("A") == 1
    assert q.estimate(t) == (2, 600.0)
    q.apply(C.CloseWindow(now=T0, window="w1"))
    assert q.open_windows_for("A") == 0
    assert q.estimate(t) == (2, None)
    e = issue(q, "A")
    assert (e.people_ahead, e.eta_s) == (3, None)
    assert ticket_view(q, t)["eta_s"] is None


def test_eta_counts_visitors_already_at_the_counters(q):
    issue(q, "C")
    call_next(q, "w4", now=T0)  # the only C window is busy
    e = issue(q, "C")
    assert (e.people_ahead, e.eta_s) == (0, 600.0)  # first in line, but waits for the counter to free


def test_eta_follows_the_average(q):
    issue(q, "C")
    call_next(q, "w4", now=T0)
    q.apply(C.CompleteService(now=T0 + 100, window="w4"))  # avg C = 0.8*600 + 0.2*100 = 500
    issue(q, "C")
    e = issue(q, "C")
    assert e.people_ahead == 1
    assert e.eta_s == pytest.approx(500.0)


def test_people_ahead_ignores_called_and_finished_tickets(q):
    for _ in range(4):
        issue(q, "A")
    call_next(q, "w1")  # A001 called
    q.apply(C.VoidTicket(now=T0, ticket="A002"))
    assert q.people_ahead(ticket(q, "A004")) == 1  # only A003


@pytest.mark.parametrize("then", ["called", "voided", "serving"])
def test_nobody_is_ahead_when_nobody_waits(q, then):
    """The newest ticket has left the queue and no one waits: no one can be ahead of it."""
    issue(q, "A")
    if then == "voided":
        q.apply(C.VoidTicket(now=T0, ticket="A001"))
    else:
        call_next(q, "w1")
        if then == "serving":
            q.apply(C.StartService(now=T0 + 1, window="w1"))
    t = ticket(q, "A001")
    assert q.waiting_in("A") == 0
    assert q.people_ahead(t) == 0
    assert q.estimate(t) == (0, 0.0)


def test_waiting_in_counts_waiting_tickets_per_category(q):
    for c in "AABBBC":
        issue(q, c)
    call_next(q, "w3")  # B001
    q.apply(C.VoidTicket(now=T0, ticket="A002"))
    assert [q.waiting_in(c) for c in "ABC"] == [1, 2, 1]
    q.apply(C.Transfer(now=T0, window="w3", to_category="C"))
    assert [q.waiting_in(c) for c in "ABC"] == [1, 2, 2]


def test_priority_ticket_is_ahead_of_earlier_walk_ins(q):
    issue(q, "A")
    issue(q, "A")
    e = issue(q, "A", priority=True)
    assert e.people_ahead == 0
    assert q.people_ahead(ticket(q, "A002")) == 2


def test_people_ahead_matches_call_order_inside_the_front_band(q):
    """Inside the front band, tickets are called by seq alone; the estimate must agree."""
    issue(q, "A")  # A001, normal
    issue(q, "A", priority=True)  # A002, priority
    call_next(q, "w1", now=T0)  # A002 (priority first)
    call_next(q, "w2", now=T0)  # A001
    q.apply(C.Transfer(now=T0 + 10, window="w2", to_category="C"))  # A001 → C front band first
    q.apply(C.Transfer(now=T0 + 20, window="w1", to_category="C"))  # A002 → C front band second
    a001, a002 = ticket(q, "A001"), ticket(q, "A002")
    assert q.select_next("w4")[0] is a001  # A001 is really called first
    assert q.people_ahead(a001) == 0
    assert q.people_ahead(a002) == 1


# ---------------------------------------------------------------- views

def test_ticket_view(q):
    issue(q, "A")
    issue(q, "A", priority=False)
    v = ticket_view(q, ticket(q, "A002"))
    assert v == {"ticket": "20240506-A002", "number": "A002", "category": "A", "category_name": "公安业务",
                 "priority": False, "priority_reason": "", "state": "waiting", "window": None, "issued_at": T0,
                 "people_ahead": 1, "eta_s": 0, "delivery": None}
    call_next(q, "w1")
    v = ticket_view(q, ticket(q, "A001"))
    assert (v["state"], v["window"], v["people_ahead"], v["eta_s"]) == ("called", "w1", 0, None)


def test_priority_by_age_is_recorded_only_with_priority(q):
    q.apply(C.IssueTicket(now=T0, category="A", priority=True, priority_reason="age"))
    q.apply(C.IssueTicket(now=T0, category="A", priority=False, priority_reason="age"))
    assert ticket_view(q, ticket(q, "A001"))["priority_reason"] == "age"
    assert ticket_view(q, ticket(q, "A002"))["priority_reason"] == ""
    restored = Ticket.from_dict({k: v for k, v in ticket(q, "A001").to_dict().items() if k != "priority_reason"})
    assert restored.priority_reason == ""  # a snapshot from before the field still loads


def test_window_view(q):
    issue(q, "A", priority=True)
    issue(q, "B")
    issue(q, "B")
    call_next(q, "w2", now=T0 + 30)
    q.apply(C.Recall(now=T0 + 60, window="w2"))
    assert window_view(q, "w2") == {
        "window": "w2", "number": 2, "name": "综合窗口", "kind": "comprehensive", "status": "open",
        "reason": "", "categories": ["A", "B"],
        "ticket": {"number": "A001", "category": "A", "state": "called", "called_at": T0 + 30, "recalls": 1,
                   "priority": True},
        "served": 0, "waiting": 2, "day": DAY,
    }
    q.apply(C.PauseWindow(now=T0, window="w4", reason="外出"))
    v = window_view(q, "w4")
    assert (v["status"], v["reason"], v["ticket"], v["waiting"]) == ("paused", "外出", None, 0)


def test_board_view(q):
    for c in "AAABBC":
        issue(q, c)
    call_next(q, "w1", now=T0 + 10)  # A001 → 1号
    call_next(q, "w3", now=T0 + 20)  # B001 → 3号
    q.apply(C.CloseWindow(now=T0, window="w4"))
    assert waiting_counts(q) == {"A": 2, "B": 1, "C": 1}
    b = board_view(q)
    assert b["day"] == DAY
    assert [w["window"] for w in b["windows"]] == ["w1", "w2", "w3", "w4"]
    assert [w["waiting"] for w in b["windows"]] == [2, 3, 1, 1]
    assert b["windows"][0]["ticket"]["number"] == "A001"
    assert b["windows"][3]["status"] == "closed"
    assert b["categories"] == [
        {"category": "A", "name": "公安业务", "group": "domain", "waiting": 2, "open_windows": 2, "eta_s": 300},
        {"category": "B", "name": "社保医保", "group": "domain", "waiting": 1, "open_windows": 2, "eta_s": 120},
        {"category": "C", "name": "民政事务", "group": "comprehensive", "waiting": 1, "open_windows": 0,
         "eta_s": None},
    ]
    assert b["recent"] == [
        {"number": "B001", "window": "w3", "at": T0 + 20, "recall": 0, "window_number": 3},
        {"number": "A001", "window": "w1", "at": T0 + 10, "recall": 0, "window_number": 1},
    ]


def test_views_do_not_change_the_state(q):
    for c in "ABCA":
        issue(q, c)
    call_next(q, "w2")
    before = snapshot(q)
    board_view(q)
    window_view(q, "w2")
    for t in list(q.state.tickets.values()):
        ticket_view(q, t)
        q.estimate(t)
    for w in ("w1", "w2", "w3", "w4"):
        q.select_next(w)
    assert snapshot(q) == before


# ---------------------------------------------------------------- serialisation

def _busy(q: Queue) -> None:
    for c, p in zip("AABBCAABC", (0, 1, 0, 0, 1, 0, 1, 0, 0)):
        issue(q, c, priority=bool(p))
    call_next(q, "w1", now=T0 + 10)
    call_next(q, "w2", now=T0 + 11)
    q.apply(C.StartService(now=T0 + 12, window="w2"))
    call_next(q, "w3", now=T0 + 13)
    q.apply(C.Skip(now=T0 + 14, window="w3"))
    call_next(q, "w4", now=T0 + 15)
    q.apply(C.Transfer(now=T0 + 16, window="w4", to_window="w3"))
    q.apply(C.Recall(now=T0 + 17, window="w1"))
    q.apply(C.VoidTicket(now=T0 + 18, ticket="C002"))
    q.apply(C.DeliverTicket(now=T0 + 19, ticket="A004", how="printed"))
    q.apply(C.PauseWindow(now=T0 + 20, window="w4", reason="午休"))
    q.apply(C.CompleteService(now=T0 + 400, window="w2"))


def _script(now: float) -> list[C.Command]:
    return [
        C.CallNext(now=now, window="w1"),
        C.CallNext(now=now + 1, window="w2"),
        C.CallNext(now=now + 2, window="w3"),
        C.RequeueTicket(now=now + 3, ticket="B001"),
        C.CallNext(now=now + 4, window="w4"),
        C.ResumeWindow(now=now + 5, window="w4"),
        C.IssueTicket(now=now + 6, category="C", priority=True),
        C.CallNext(now=now + 7, window="w4"),
        C.CompleteService(now=now + 300, window="w1"),
        C.CallNext(now=now + 301, window="w1"),
        C.CallNext(now=now + 302, window="w1"),
        C.StartDay(now=now + 86_400, day=NEXT_DAY),
        C.IssueTicket(now=now + 86_401, category="A"),
    ]


def _run(q: Queue, cmds: list[C.Command]) -> list:
    out = []
    for cmd in cmds:
        try:
            out.append(q.apply(cmd))
        except QueueError as e:
            out.append((type(e), e.code))
    return out


def test_state_round_trip_is_identical(q, hall):
    _busy(q)
    d = q.state.to_dict()
    s2 = QueueState.from_dict(d)
    assert s2.to_dict() == d
    assert s2.by_number == q.state.by_number
    via_json = QueueState.from_dict(json.loads(json.dumps(d, ensure_ascii=False)))
    assert via_json.to_dict() == d
    restored = Queue(hall, via_json)
    assert restored.state.to_dict() == d


def test_restored_queue_behaves_identically(q, hall):
    _busy(q)
    restored = Queue(hall, QueueState.from_dict(json.loads(json.dumps(q.state.to_dict()))))
    script = _script(T0 + 1000)
    assert _run(q, script) == _run(restored, script)
    assert restored.state.to_dict() == q.state.to_dict()
    assert restored.state.by_number == q.state.by_number
