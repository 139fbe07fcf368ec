"""Property tests: random command sequences against the queue, with invariants checked after every step.

Illegal commands are part of the mix; each must raise ``QueueError`` and leave the state exactly as it
was. A shadow of every ticket's state is kept from the events alone and compared with the queue.
"""

from __future__ import annotations

import pickle
from datetime import date, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kiosk.core import commands as C
from kiosk.core.errors import QueueError
from kiosk.core.queue import FRONT_BAND, OPEN_STATES, TRANSITIONS, Queue, QueueState, TicketState, WindowStatus
from kiosk.hub.ops import press_command
from kiosk.protocol import Press

from .conftest import T0, build_hall

TS = TicketState
FIRST_DAY = date(2024, 5, 6)
HALL_WINDOWS = ("w1", "w2", "w3", "w4")
WINDOW_IDS = HALL_WINDOWS * 3 + ("w9",)  # w9 is not in the hall
CATEGORY_IDS = ("A", "A", "B", "B", "C", "C", "Z")  # Z is not in the hall

# the ticket-table action (see TRANSITIONS) each event stands for
EVENT_ACTION = {
    C.TicketCalled: "call",
    C.TicketStarted: "start",
    C.TicketCompleted: "complete",
    C.TicketNoShow: "skip",
    C.TicketTransferred: "transfer",
    C.TicketRequeued: "requeue",
    C.TicketVoided: "void",
}

REF = st.sampled_from(list(range(16)) + [-1])  # a ticket of today by position, or -1 for an unknown one
KIND = st.sampled_from(["any", "waiting", "no_show", "no_show"])

WINDOW_ACTIONS = ("next", "recall", "skip", "start", "complete", "pause", "resume", "open", "close",
                  "transfer_cat", "transfer_win", "transfer_bad")


def _copy(d: dict) -> dict:
    """A deep copy of a state dict (plain data only; much faster than copy.deepcopy)."""
    return pickle.loads(pickle.dumps(d))


def window_command(action: str, window: str, now: float, target: str, reason: str) -> C.Command:
    """The command a button press becomes (the hub's own mapping), plus transfers the codec would refuse."""
    match action:
        case "transfer_cat":
            return C.Transfer(now=now, window=window, to_category=target)
        case "transfer_win":
            return C.Transfer(now=now, window=window, to_window=target)
        case "transfer_bad":
            return C.Transfer(now=now, window=window, to_category="A", to_window="w2")
    return press_command(window, Press(device="prop", seq=0, action=action, reason=reason or None), now)


class QueueMachine(RuleBasedStateMachine):
    policy: dict = {}

    def __init__(self) -> None:
        super().__init__()
        self.hall = build_hall(**self.policy)
        self.q = Queue(self.hall)
        self.now = T0
        self.day_index = 0
        self.log: list[tuple[C.Command, object]] = []
        self._new_day()

    @initialize(start=st.sampled_from([True] * 9 + [False]),
                crowd=st.lists(st.tuples(st.sampled_from("ABC"), st.booleans()), max_size=12))
    def first_day(self, start, crowd):
        """Usually the day starts at once with a crowd at the door; otherwise everything is refused
        until a StartDay comes."""
        if start:
            self.start_day(0)
        for category, priority in crowd:
            self.apply(C.IssueTicket(now=self.now, category=category, priority=priority, source="k0"))

    # ------------------------------------------------------------ bookkeeping
    def _new_day(self) -> None:
        self.issued: list[str] = []  # ticket ids issued on the current day, in order
        self.numbers: set[str] = set()
        self.last_number: dict[str, int] = {}
        self.shadow: dict[str, TicketState] = {}
        self.streak = {w.id: 0 for w in self.hall.windows}

    def _day(self, index: int) -> str:
        return (FIRST_DAY + timedelta(days=index)).isoformat()

    def _snapshot(self):
        return _copy(self.q.state.to_dict()), dict(self.q.state.by_number)

    def _waiting_candidates(self, wid: str):
        serves = set(self.hall.window(wid).categories)
        return [t for t in self.q.state.tickets.values() if t.state is TS.WAITING
                and (t.target_window == wid if t.target_window is not None else t.category in serves)]

    def apply(self, cmd: C.Command) -> list[C.Event] | None:
        before = self._snapshot()
        cands = self._waiting_candidates(cmd.window) if isinstance(cmd, C.CallNext) \
            and cmd.window in self.q.state.windows else []
        try:
            events = self.q.apply(cmd)
        except QueueError as e:
            assert self._snapshot() == before, f"{cmd} was refused but changed the state"
            self.log.append((cmd, (type(e), e.code)))
            return None
        self.log.append((cmd, events))
        self._follow(cmd, events, cands)
        return events

    def _follow(self, cmd: C.Command, events: list[C.Event], cands) -> None:
        for ev in events:
            if isinstance(ev, C.DayStarted):
                expiring = {tid for tid, state in self.shadow.items() if state in OPEN_STATES}
                assert {e.ticket for e in events if isinstance(e, C.TicketExpired)} == expiring
                self._new_day()
            elif isinstance(ev, C.TicketExpired):
                pass  # checked with DayStarted above
            elif isinstance(ev, C.TicketIssued):
                assert ev.ticket not in self.shadow
                cat, n = ev.number[0], int(ev.number[1:])
                assert cat == ev.category
                assert n == self.last_number.get(cat, 0) + 1, "numbers must go up by one per category"
                assert ev.number not in self.numbers
                self.last_number[cat] = n
                self.numbers.add(ev.number)
                self.issued.append(ev.ticket)
                self.shadow[ev.ticket] = TS.WAITING
            elif type(ev) in EVENT_ACTION:
                action = EVENT_ACTION[type(ev)]
                prev = self.shadow[ev.ticket]
                if isinstance(ev, C.TicketCalled) and ev.recall > 0:
                    action = "recall"
                assert action in TRANSITIONS[prev], f"{ev} from {prev}"
                self.shadow[ev.ticket] = TRANSITIONS[prev][action]
        if isinstance(cmd, C.CallNext):
            called = [e for e in events if isinstance(e, C.TicketCalled)]
            if called:
                t = self.q.state.tickets[called[0].ticket]
                normal_waits = any(not c.priority for c in cands)
                front_waits = any(c.band == FRONT_BAND for c in cands)
                assert t in cands
                if t.priority and normal_waits and not front_waits:
                    self.streak[cmd.window] += 1
                else:
                    self.streak[cmd.window] = 0
                assert self.streak[cmd.window] <= self.hall.policy.priority_max_in_row

    def _ref(self, index: int, lower: bool, kind: str = "any") -> str:
        """Mostly a ticket of today (by number, sometimes lower-case), now and then an unknown one.

        ``kind`` prefers tickets in one state ("waiting" / "no_show") when there are any.
        """
        tickets = sorted(self.q.state.tickets.values(), key=lambda t: t.number)
        if kind != "any" and any(t.state.value == kind for t in tickets):
            tickets = [t for t in tickets if t.state.value == kind]
        if not tickets or index < 0:
            return "X999"
        ref = tickets[index % len(tickets)].number
        return ref.lower() if lower else ref

    # ------------------------------------------------------------ rules
    @rule(dt=st.one_of(st.integers(0, 30), st.integers(0, 2500), st.floats(0, 60, allow_nan=False)))
    def tick(self, dt):
        self.now += dt

    @rule(category=st.sampled_from(CATEGORY_IDS), priorities=st.lists(st.booleans(), min_size=1, max_size=6),
          front=st.sampled_from([False] * 5 + [True]), dt=st.integers(0, 20))
    def issue(self, category, priorities, front, dt):
        """A few people take numbers of one category, some of them 绿色通道."""
        for priority in priorities:
            self.apply(C.IssueTicket(now=self.now, category=category, priority=priority, front=front,
                                     source="k1"))
            self.now += dt

    @rule(action=st.sampled_from(WINDOW_ACTIONS), window=st.sampled_from(WINDOW_IDS),
          dest=st.sampled_from(CATEGORY_IDS + WINDOW_IDS), reason=st.sampled_from(["", "午休", "系统故障"]))
    def window_action(self, action, window, dest, reason):
        self.apply(window_command(action, window, self.now, dest, reason))

    @rule(window=st.sampled_from(WINDOW_IDS), times=st.integers(1, 4), dt=st.integers(0, 400))
    def call_next(self, window, times, dt):
        """The most common press, a few times in a row at one window."""
        for _ in range(times):
            self.apply(C.CallNext(now=self.now, window=window))
            self.now += dt

    @rule(action=st.sampled_from(("recall", "recall", "skip", "start", "complete", "transfer_cat",
                                  "transfer_win", "next", "close")),
          index=st.integers(0, 3), dest=st.sampled_from(CATEGORY_IDS + WINDOW_IDS))
    def press_at_busy_window(self, action, index, dest):
        """A button at a window that has someone at the counter (a random window if none has)."""
        busy = sorted(wid for wid, w in self.q.state.windows.items() if w.current is not None)
        window = busy[index % len(busy)] if busy else HALL_WINDOWS[index]
        self.apply(window_command(action, window, self.now, dest, ""))

    @rule(window=st.sampled_from(WINDOW_IDS), index=REF, lower=st.booleans(), kind=KIND)
    def call_ticket(self, window, index, lower, kind):
        self.apply(C.CallTicket(now=self.now, window=window, ticket=self._ref(index, lower, kind)))

    @rule(index=REF, lower=st.booleans(), kind=KIND)
    def void(self, index, lower, kind):
        self.apply(C.VoidTicket(now=self.now, ticket=self._ref(index, lower, kind), reason="test"))

    @rule(index=REF, lower=st.booleans(), kind=KIND, dt=st.sampled_from([0, 0, 60, 299, 301, 1800, 1801]))
    def requeue(self, index, lower, kind, dt):
        self.now += dt
        self.apply(C.RequeueTicket(now=self.now, ticket=self._ref(index, lower, kind)))

    @rule(index=REF, how=st.sampled_from(["printed", "on_screen", "fax"]))
    def deliver(self, index, how):
        self.apply(C.DeliverTicket(now=self.now, ticket=self._ref(index, False), how=how))

    @rule(offset=st.sampled_from([-3, -1, 0, 0, 0, 0, 0, 0, 1, 2]))
    def start_day(self, offset):
        index = self.day_index + offset
        if offset > 0:
            self.now += 86_400 * offset
        had_day = bool(self.q.state.day)
        events = self.apply(C.StartDay(now=self.now, day=self._day(index)))
        if had_day and offset <= 0:
            assert events == []  # an earlier (or the same) day is ignored
        else:
            assert events[0] == C.DayStarted(at=self.now, day=self._day(index))
            self.day_index = index

    @rule()
    def restart(self):
        """The hub restarts: the state is rebuilt from its serialised form."""
        d = self.q.state.to_dict()
        self.q = Queue(self.hall, QueueState.from_dict(_copy(d)))
        assert self.q.state.to_dict() == d

    # ------------------------------------------------------------ invariants
    @invariant()
    def tickets_are_neither_lost_nor_duplicated(self):
        s = self.q.state
        assert len(self.issued) == len(set(self.issued))
        assert list(s.tickets) == self.issued  # same ids, same (issue) order
        assert len(s.by_number) == len(s.tickets)
        for tid, t in s.tickets.items():
            assert t.id == tid
            assert s.by_number[t.number] == tid
            assert t.day == s.day == self._day(self.day_index)
            assert tid == f"{s.day.replace('-', '')}-{t.number}"
        if not s.day:
            assert not s.tickets and all(w.current is None for w in s.windows.values())

    @invariant()
    def counts_are_conserved(self):
        s = self.q.state
        per_state = {state: 0 for state in TS}
        for t in s.tickets.values():
            per_state[t.state] += 1
        assert sum(per_state.values()) == len(self.issued)
        assert per_state[TS.EXPIRED] == 0
        assert {tid: t.state for tid, t in s.tickets.items()} == self.shadow

    @invariant()
    def numbering_matches_the_counters(self):
        s = self.q.state
        assert s.counters == self.last_number
        assert {t.number for t in s.tickets.values()} == self.numbers
        seqs = [t.seq for t in s.tickets.values()]
        assert len(set(seqs)) == len(seqs) and all(q < s.next_seq for q in seqs)

    @invariant()
    def windows_hold_only_their_own_called_or_serving_ticket(self):
        s = self.q.state
        currents = [w.current for w in s.windows.values() if w.current is not None]
        assert len(currents) == len(set(currents)), "a ticket is current at two windows"
        for wid, w in s.windows.items():
            if w.current is None:
                continue
            t = s.tickets[w.current]
            assert t.state in (TS.CALLED, TS.SERVING)
            assert t.window == wid
            assert w.status is not WindowStatus.CLOSED
        at_counter = {t.id for t in s.tickets.values() if t.state in (TS.CALLED, TS.SERVING)}
        assert at_counter == set(currents), "a called ticket is not at any window"
        for t in s.tickets.values():
            if t.state is TS.WAITING:
                assert t.window is None
            if t.target_window is not None:  # sent to one window; a void may leave the mark behind
                assert t.state in (TS.WAITING, TS.VOIDED) and t.band == FRONT_BAND
            if t.state is TS.NO_SHOW:
                assert t.finished_at is not None

    @invariant()
    def derived_answers_match_a_full_scan(self):
        """Who is next, how many wait and how many are ahead, recomputed from all tickets the slow way."""
        s = self.q.state
        waiting = [t for t in s.tickets.values() if t.state is TS.WAITING]
        for c in self.hall.categories:
            assert self.q.waiting_in(c.id) == sum(1 for t in waiting if t.category == c.id)
        limit = self.hall.policy.priority_max_in_row
        for wid in HALL_WINDOWS:
            cands = self._waiting_candidates(wid)
            front = [t for t in cands if t.band == FRONT_BAND]
            prio = [t for t in cands if t.band != FRONT_BAND and t.priority]
            normal = [t for t in cands if t.band != FRONT_BAND and not t.priority]
            if front:
                expected = (min(front, key=lambda t: t.seq), False)
            elif prio and (not normal or s.windows[wid].priority_streak < limit):
                expected = (min(prio, key=lambda t: t.seq), bool(normal))
            elif normal:
                expected = (min(normal, key=lambda t: t.seq), False)
            else:
                expected = (None, False)
            got = self.q.select_next(wid)
            assert (got[0] is expected[0], got[1]) == (True, expected[1]), wid

        def rank(t):  # the front band goes by seq alone; elsewhere priority first, then seq
            return (t.band, False if t.band == FRONT_BAND else not t.priority, t.seq)

        for t in waiting:
            ahead = sum(1 for o in waiting if o.category == t.category and rank(o) < rank(t))
            assert self.q.people_ahead(t) == ahead, t.number

    @invariant()
    def starvation_guard(self):
        limit = self.hall.policy.priority_max_in_row
        for wid, w in self.q.state.windows.items():
            assert self.streak[wid] <= limit
            assert 0 <= w.priority_streak <= limit

    @invariant()
    def average_service_times_stay_plausible(self):
        # defaults are inside [10, 7200] s and only service times inside that range are averaged in
        assert set(self.q.state.avg_service) == {c.id for c in self.hall.categories}
        assert all(10.0 <= v <= 7200.0 for v in self.q.state.avg_service.values())

    @invariant()
    def round_trip_is_identical(self):
        d = self.q.state.to_dict()
        s2 = QueueState.from_dict(_copy(d))
        assert s2.to_dict() == d
        assert s2.by_number == self.q.state.by_number

    def teardown(self):
        # determinism: the same commands on a fresh queue give the same events, refusals and state
        q = Queue(self.hall)
        for cmd, outcome in self.log:
            try:
                got: object = q.apply(cmd)
            except QueueError as e:
                got = (type(e), e.code)
            assert got == outcome, cmd
        assert q.state.to_dict() == self.q.state.to_dict()
        assert q.state.by_number == self.q.state.by_number


class QueueMachineStrictPolicy(QueueMachine):
    """Tighter policy: one priority ticket in a row, no recalls, short grace."""

    policy = {"priority_max_in_row": 1, "recall_limit": 0, "noshow_grace_s": 300.0}


QueueMachine.TestCase.settings = settings(max_examples=200, deadline=None)
QueueMachineStrictPolicy.TestCase.settings = settings(max_examples=200, deadline=None)

TestQueueMachine = QueueMachine.TestCase
TestQueueMachineStrictPolicy = QueueMachineStrictPolicy.TestCase
