"""The hall's queue as one sans-I/O state machine.

Rule: everything that changes queue state lives in this module. Commands go in, events come out;
time arrives inside each command. A refused command raises a ``QueueError`` *before* anything is
changed, so the state after a refusal is exactly the state before it. Ticket transitions are the table
``TRANSITIONS``; window transitions are ``WINDOW_TRANSITIONS``. Nothing else may move a state.

Numbering: per category per business day (A001, A002 …), from counters that are part of the state, so
a restart (state rebuilt from the store) or a clock that reads earlier can never reuse a number. The
business day only moves forward, through ``StartDay``; a StartDay for an earlier day is ignored.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Callable

from . import commands as C
from .errors import QueueError, UnknownCategory, UnknownTicket, UnknownWindow
from .model import Hall


class TicketState(enum.Enum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    COMPLETED = "completed"
    NO_SHOW = "no_show"  # 过号
    VOIDED = "voided"
    EXPIRED = "expired"  # still open when the business day ended


class WindowStatus(enum.Enum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


T = TicketState
# module names for the members the hot paths test: an enum member looked up on its class costs several
# times a global's lookup, and these run for every ticket and every window of every estimate
_OPEN = WindowStatus.OPEN
_WAITING = TicketState.WAITING
# state -> action -> next state. An action missing here is illegal in that state.
TRANSITIONS: dict[TicketState, dict[str, TicketState]] = {
    T.WAITING: {"call": T.CALLED, "void": T.VOIDED, "expire": T.EXPIRED},
    T.CALLED: {"recall": T.CALLED, "start": T.SERVING, "complete": T.COMPLETED, "skip": T.NO_SHOW,
               "transfer": T.WAITING, "expire": T.EXPIRED},
    T.SERVING: {"complete": T.COMPLETED, "transfer": T.WAITING, "expire": T.EXPIRED},
    T.NO_SHOW: {"requeue": T.WAITING, "call": T.CALLED, "expire": T.EXPIRED},
    T.COMPLETED: {},
    T.VOIDED: {},
    T.EXPIRED: {},
}
OPEN_STATES = frozenset({T.WAITING, T.CALLED, T.SERVING, T.NO_SHOW})

W = WindowStatus
WINDOW_TRANSITIONS: dict[WindowStatus, dict[str, WindowStatus]] = {
    W.OPEN: {"pause": W.PAUSED, "close": W.CLOSED, "open": W.OPEN},
    W.PAUSED: {"resume": W.OPEN, "close": W.CLOSED, "pause": W.PAUSED},
    W.CLOSED: {"open": W.OPEN, "resume": W.OPEN},
}

FRONT_BAND = 0  # transferred tickets and punctual appointments
NORMAL_BAND = 1


@dataclass(slots=True)
class Ticket:
    id: str
    number: str
    category: str
    priority: bool
    issued_at: float
    day: str
    band: int
    seq: int  # order inside the band; smaller goes first
    state: TicketState = TicketState.WAITING
    target_window: str | None = None
    window: str | None = None
    called_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    recalls: int = 0
    delivery: str | None = None
    appointment: str | None = None
    source: str = ""
    priority_reason: str = ""  # "age" (绿色通道 by the ID card's age) or "" (asked for, or none)

    def order_key(self) -> tuple[int, int]:
        return (self.band, self.seq)

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__slots__}
        d["state"] = self.state.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Ticket":
        d = dict(d)
        d["state"] = TicketState(d["state"])
        return cls(**d)


@dataclass(slots=True)
class WindowRuntime:
    id: str
    status: WindowStatus = WindowStatus.OPEN
    reason: str = ""
    current: str | None = None  # ticket id
    priority_streak: int = 0
    served: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status.value, "reason": self.reason, "current": self.current,
                "priority_streak": self.priority_streak, "served": self.served}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "WindowRuntime":
        d = dict(d)
        d["status"] = WindowStatus(d["status"])
        return cls(**d)


@dataclass(slots=True)
class QueueState:
    day: str = ""
    tickets: dict[str, Ticket] = field(default_factory=dict)
    by_number: dict[str, str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)  # category -> last number today
    windows: dict[str, WindowRuntime] = field(default_factory=dict)
    avg_service: dict[str, float] = field(default_factory=dict)  # category -> seconds (EWMA)
    next_seq: int = 1
    recent_calls: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "tickets": [t.to_dict() for t in self.tickets.values()],
            "counters": dict(self.counters),
            "windows": [w.to_dict() for w in self.windows.values()],
            "avg_service": dict(self.avg_service),
            "next_seq": self.next_seq,
            "recent_calls": list(self.recent_calls),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "QueueState":
        s = cls(day=d["day"], counters=dict(d["counters"]), avg_service=dict(d["avg_service"]),
                next_seq=int(d["next_seq"]), recent_calls=list(d["recent_calls"]))
        for td in d["tickets"]:
            t = Ticket.from_dict(td)
            s.tickets[t.id] = t
            s.by_number[t.number] = t.id
        for wd in d["windows"]:
            w = WindowRuntime.from_dict(wd)
            s.windows[w.id] = w
        return s


def format_number(prefix: str, n: int) -> str:
    return f"{prefix}{n:03d}"


class Queue:
    """The queue of one hall. ``apply(cmd)`` returns the events; illegal commands raise."""

    def __init__(self, hall: Hall, state: QueueState | None = None) -> None:
        self.hall = hall
        self.state = state if state is not None else QueueState()
        for w in hall.windows:
            self.state.windows.setdefault(w.id, WindowRuntime(id=w.id))
        for c in hall.categories:
            self.state.avg_service.setdefault(c.id, c.default_service_s)
        # Derived indexes of WAITING tickets (not persisted; rebuilt from the tickets). They keep every
        # operation proportional to the people waiting, not to the day's whole ticket history.
        # (slot, class) -> ticket ids in seq order; slot is the category, or "@<window>" for transfers
        # to one window; class 0 front band, 1 priority, 2 the rest. Tickets enter WAITING with a fresh,
        # larger seq, so each dict's first entry is its next ticket.
        self._waiting: dict[tuple[str, int], dict[str, None]] = {}
        self._wcount: dict[tuple[str, int, bool], int] = {}  # (category, band, priority) -> waiting
        self._serving: dict[str, tuple[str, ...]] = {}  # category -> the windows that serve it
        for t in sorted(self.state.tickets.values(), key=lambda t: t.seq):
            if t.state is _WAITING:
                self._index_add(t)
        self._handlers: dict[type, Callable[[Any], list[C.Event]]] = {
            C.StartDay: self._start_day,
            C.IssueTicket: self._issue,
            C.DeliverTicket: self._deliver,
            C.VoidTicket: self._void,
            C.RequeueTicket: self._requeue,
            C.CallNext: self._call_next,
            C.CallTicket: self._call_ticket,
            C.Recall: self._recall,
            C.Skip: self._skip,
            C.StartService: self._start,
            C.CompleteService: self._complete,
            C.Transfer: self._transfer,
            C.PauseWindow: lambda c: self._window_to(c, "pause", c.reason),
            C.ResumeWindow: lambda c: self._window_to(c, "resume", ""),
            C.OpenWindow: lambda c: self._window_to(c, "open", ""),
            C.CloseWindow: self._close,
        }

    # ------------------------------------------------------------------ waiting index
    @staticmethod
    def _slot(t: Ticket) -> tuple[str, int]:
        cls = 0 if t.band == FRONT_BAND else (1 if t.priority else 2)
        return (f"@{t.target_window}" if t.target_window else t.category, cls)

    def _index_add(self, t: Ticket) -> None:
        self._waiting.setdefault(self._slot(t), {})[t.id] = None
        k = (t.category, t.band, t.priority)
        self._wcount[k] = self._wcount.get(k, 0) + 1

    def _index_remove(self, t: Ticket) -> None:
        self._waiting.get(self._slot(t), {}).pop(t.id, None)
        k = (t.category, t.band, t.priority)
        self._wcount[k] = self._wcount.get(k, 0) - 1

    def _set_state(self, t: Ticket, new: TicketState) -> None:
        """Every ticket state change goes through here so the waiting index stays true."""
        if t.state is _WAITING:
            self._index_remove(t)
        t.state = new
        if new is _WAITING:
            self._index_add(t)

    def waiting_in(self, category: str) -> int:
        return sum(n for (c, _, _), n in self._wcount.items() if c == category)

    # ------------------------------------------------------------------ entry point
    def apply(self, cmd: C.Command) -> list[C.Event]:
        handler = self._handlers.get(type(cmd))
        if handler is None:
            raise QueueError(f"unsupported command {type(cmd).__name__}", code="unsupported")
        if not self.state.day and not isinstance(cmd, C.StartDay):
            raise QueueError("no business day has been started", code="no_day")
        return handler(cmd)

    # ------------------------------------------------------------------ helpers
    def _start_day(self, cmd: C.StartDay) -> list[C.Event]:
        """Close the old day (open tickets expire) and start numbering afresh. Never goes back."""
        s = self.state
        if s.day and cmd.day <= s.day:
            return []
        events: list[C.Event] = [C.DayStarted(at=cmd.now, day=cmd.day)]
        for t in s.tickets.values():
            if t.state in OPEN_STATES:
                events.append(C.TicketExpired(at=cmd.now, ticket=t.id))
        s.tickets.clear()
        self._waiting.clear()
        self._wcount.clear()
        s.by_number.clear()
        s.counters.clear()
        s.recent_calls.clear()
        for w in s.windows.values():
            w.current = None
            w.priority_streak = 0
            w.served = 0
        s.day = cmd.day
        return events

    def _win(self, wid: str) -> WindowRuntime:
        if self.hall.window(wid) is None or wid not in self.state.windows:
            raise UnknownWindow(f"unknown window {wid!r}")
        return self.state.windows[wid]

    def find(self, ref: str) -> Ticket:
        s = self.state
        tid = ref if ref in s.tickets else s.by_number.get(ref.upper())
        if tid is None:
            raise UnknownTicket(f"no ticket {ref!r} today")
        return s.tickets[tid]

    @staticmethod
    def _check(t: Ticket, action: str) -> TicketState:
        nxt = TRANSITIONS[t.state].get(action)
        if nxt is None:
            raise QueueError(f"cannot {action} ticket {t.number}: it is {t.state.value}")
        return nxt

    def _current(self, w: WindowRuntime, action: str) -> Ticket:
        if w.current is None:
            raise QueueError(f"window {w.id} has no current ticket to {action}", code="no_current")
        return self.state.tickets[w.current]

    def _window_can_call(self, w: WindowRuntime) -> None:
        if w.status is not _OPEN:
            raise QueueError(f"window {w.id} is {w.status.value}", code="window_not_open")

    def _first(self, slots: list[str], cls: int) -> Ticket | None:
        best: Ticket | None = None
        for slot in slots:
            ids = self._waiting.get((slot, cls))
            if ids:
                t = self.state.tickets[next(iter(ids))]
                if best is None or t.seq < best.seq:
                    best = t
        return best

    def select_next(self, wid: str) -> tuple[Ticket | None, bool]:
        """Pick the next ticket for window ``wid`` without changing anything.

        Returns the ticket and whether choosing it counts against the starvation guard (a priority
        ticket chosen while a non-priority one waits). Transfers (the front band) go first.
        """
        w = self.state.windows[wid]
        slots = [f"@{wid}", *self.hall.window(wid).categories]  # type: ignore[union-attr]
        front = self._first(slots, 0)
        if front is not None:
            return front, False
        prio, normal = self._first(slots, 1), self._first(slots, 2)
        if prio is not None and (normal is None or w.priority_streak < self.hall.policy.priority_max_in_row):
            return prio, normal is not None
        return normal, False

    def _do_call(self, w: WindowRuntime, t: Ticket, now: float, *, counts_streak: bool | None) -> list[C.Event]:
        self._set_state(t, TicketState.CALLED)
        t.window = w.id
        t.target_window = None
        t.called_at = now
        t.recalls = 0
        w.current = t.id
        if counts_streak is True:
            w.priority_streak += 1
        elif counts_streak is False:
            w.priority_streak = 0
        self._remember_call(t, w.id, now, 0)
        return [C.TicketCalled(at=now, ticket=t.id, number=t.number, window=w.id, recall=0)]

    def _remember_call(self, t: Ticket, wid: str, now: float, recall: int) -> None:
        rc = self.state.recent_calls
        rc.insert(0, {"number": t.number, "window": wid, "at": now, "recall": recall})
        del rc[self.hall.policy.recent_calls:]

    def _finish_current(self, w: WindowRuntime, now: float) -> list[C.Event]:
        """'next' on a window with someone at the counter completes that service first."""
        if w.current is None:
            return []
        t = self.state.tickets[w.current]
        return self._complete_ticket(w, t, now)

    def _complete_ticket(self, w: WindowRuntime, t: Ticket, now: float) -> list[C.Event]:
        self._check(t, "complete")
        self._set_state(t, TicketState.COMPLETED)
        t.finished_at = now
        begun = t.started_at if t.started_at is not None else t.called_at
        service = max(0.0, now - (begun if begun is not None else now))
        w.current = None
        w.served += 1
        if 10.0 <= service <= 7200.0:  # a misclick or a forgotten button says nothing about service time
            a = self.hall.policy.ewma_alpha
            old = self.state.avg_service.get(t.category, service)
            self.state.avg_service[t.category] = (1 - a) * old + a * service
        return [C.TicketCompleted(at=now, ticket=t.id, window=w.id, service_s=service)]

    # ------------------------------------------------------------------ ticket commands
    def _issue(self, cmd: C.IssueTicket) -> list[C.Event]:
        cat = self.hall.category(cmd.category)
        if cat is None:
            raise UnknownCategory(f"unknown category {cmd.category!r}")
        if not self._windows_of(cmd.category):
            raise QueueError(f"no window serves category {cmd.category}", code="no_window")
        s = self.state
        n = s.counters.get(cat.id, 0) + 1
        number = format_number(cat.prefix, n)
        tid = f"{s.day.replace('-', '')}-{number}"
        seq = s.next_seq
        band = FRONT_BAND if cmd.front else NORMAL_BAND
        t = Ticket(id=tid, number=number, category=cat.id, priority=cmd.priority, issued_at=cmd.now,
                   day=s.day, band=band, seq=seq, appointment=cmd.appointment, source=cmd.source,
                   priority_reason=cmd.priority_reason if cmd.priority else "")
        s.counters[cat.id] = n
        s.next_seq = seq + 1
        s.tickets[tid] = t
        self._index_add(t)
        s.by_number[number] = tid
        ahead, eta = self.estimate(t)
        return [C.TicketIssued(at=cmd.now, ticket=tid, number=number, category=cat.id, priority=cmd.priority,
                               people_ahead=ahead, eta_s=eta)]

    def _deliver(self, cmd: C.DeliverTicket) -> list[C.Event]:
        t = self.find(cmd.ticket)
        if cmd.how not in ("printed", "on_screen"):
            raise QueueError(f"unknown delivery {cmd.how!r}", code="bad_value")
        if t.state in (TicketState.VOIDED, TicketState.EXPIRED):
            raise QueueError(f"ticket {t.number} is {t.state.value}")
        t.delivery = cmd.how
        return [C.TicketDelivered(at=cmd.now, ticket=t.id, how=cmd.how)]

    def _void(self, cmd: C.VoidTicket) -> list[C.Event]:
        t = self.find(cmd.ticket)
        self._set_state(t, self._check(t, "void"))
        t.finished_at = cmd.now
        return [C.TicketVoided(at=cmd.now, ticket=t.id, reason=cmd.reason)]

    def _within_grace(self, t: Ticket, now: float) -> None:
        missed_at = t.finished_at if t.finished_at is not None else now
        if t.state is TicketState.NO_SHOW and now - missed_at > self.hall.policy.noshow_grace_s:
            raise QueueError(f"ticket {t.number} missed its turn too long ago; please take a new number",
                             code="grace_expired")

    def _requeue(self, cmd: C.RequeueTicket) -> list[C.Event]:
        t = self.find(cmd.ticket)
        nxt = self._check(t, "requeue")
        self._within_grace(t, cmd.now)
        t.band = NORMAL_BAND
        t.seq = self.state.next_seq
        self._set_state(t, nxt)
        self.state.next_seq += 1
        t.window = None
        t.finished_at = None
        return [C.TicketRequeued(at=cmd.now, ticket=t.id)]

    # ------------------------------------------------------------------ window commands
    def _call_next(self, cmd: C.CallNext) -> list[C.Event]:
        w = self._win(cmd.window)
        self._window_can_call(w)
        if w.current is not None:
            self._check(self.state.tickets[w.current], "complete")
        t, counts = self.select_next(w.id)
        events = self._finish_current(w, cmd.now)
        if t is None:
            return events + [C.QueueEmpty(at=cmd.now, window=w.id)]
        return events + self._do_call(w, t, cmd.now, counts_streak=counts)

    def _call_ticket(self, cmd: C.CallTicket) -> list[C.Event]:
        w = self._win(cmd.window)
        self._window_can_call(w)
        t = self.find(cmd.ticket)
        self._check(t, "call")
        self._within_grace(t, cmd.now)
        if w.current is not None and w.current != t.id:
            self._check(self.state.tickets[w.current], "complete")
        events = self._finish_current(w, cmd.now)
        return events + self._do_call(w, t, cmd.now, counts_streak=None)

    def _recall(self, cmd: C.Recall) -> list[C.Event]:
        w = self._win(cmd.window)
        t = self._current(w, "recall")
        self._check(t, "recall")
        if t.recalls >= self.hall.policy.recall_limit:
            return self._no_show(w, t, cmd.now)
        t.recalls += 1
        self._remember_call(t, w.id, cmd.now, t.recalls)
        return [C.TicketCalled(at=cmd.now, ticket=t.id, number=t.number, window=w.id, recall=t.recalls)]

    def _no_show(self, w: WindowRuntime, t: Ticket, now: float) -> list[C.Event]:
        self._set_state(t, self._check(t, "skip"))
        t.finished_at = now
        w.current = None
        return [C.TicketNoShow(at=now, ticket=t.id, window=w.id)]

    def _skip(self, cmd: C.Skip) -> list[C.Event]:
        w = self._win(cmd.window)
        return self._no_show(w, self._current(w, "skip"), cmd.now)

    def _start(self, cmd: C.StartService) -> list[C.Event]:
        w = self._win(cmd.window)
        t = self._current(w, "start")
        self._set_state(t, self._check(t, "start"))
        t.started_at = cmd.now
        return [C.TicketStarted(at=cmd.now, ticket=t.id, window=w.id)]

    def _complete(self, cmd: C.CompleteService) -> list[C.Event]:
        w = self._win(cmd.window)
        return self._complete_ticket(w, self._current(w, "complete"), cmd.now)

    def _transfer(self, cmd: C.Transfer) -> list[C.Event]:
        w = self._win(cmd.window)
        t = self._current(w, "transfer")
        self._check(t, "transfer")
        if (cmd.to_category is None) == (cmd.to_window is None):
            raise QueueError("transfer needs exactly one of to_category or to_window", code="bad_value")
        to_cat = t.category
        if cmd.to_category is not None:
            if self.hall.category(cmd.to_category) is None:
                raise UnknownCategory(f"unknown category {cmd.to_category!r}")
            to_cat = cmd.to_category
        if cmd.to_category is not None and not any(cmd.to_category in x.categories for x in self.hall.windows):
            raise QueueError(f"no window serves category {cmd.to_category}", code="no_window")
        if cmd.to_window is not None:
            self._win(cmd.to_window)
            if not self.hall.window(cmd.to_window).ticketed:  # type: ignore[union-attr]
                raise QueueError(f"window {cmd.to_window} takes no numbered tickets", code="bad_value")
            if cmd.to_window == w.id:
                raise QueueError("cannot transfer a ticket to the window it is at", code="bad_value")
        t.category = to_cat
        t.target_window = cmd.to_window
        t.band = FRONT_BAND
        t.seq = self.state.next_seq
        self.state.next_seq += 1
        self._set_state(t, TicketState.WAITING)
        t.window = None
        t.called_at = t.started_at = None
        t.recalls = 0
        w.current = None
        return [C.TicketTransferred(at=cmd.now, ticket=t.id, from_window=w.id, to_category=to_cat,
                                    to_window=cmd.to_window)]

    def _window_to(self, cmd: C.WindowCommand, action: str, reason: str) -> list[C.Event]:
        w = self._win(cmd.window)
        nxt = WINDOW_TRANSITIONS[w.status].get(action)
        if nxt is None:
            raise QueueError(f"cannot {action} window {w.id}: it is {w.status.value}")
        w.status = nxt
        w.reason = reason if nxt is not _OPEN else ""
        return [C.WindowChanged(at=cmd.now, window=w.id, status=nxt.value, reason=w.reason)]

    def _close(self, cmd: C.CloseWindow) -> list[C.Event]:
        w = self._win(cmd.window)
        if w.current is not None:
            raise QueueError(f"window {w.id} is still serving {self.state.tickets[w.current].number}",
                             code="busy")
        return self._window_to(cmd, "close", "")

    # ------------------------------------------------------------------ estimates
    def _windows_of(self, category: str) -> tuple[str, ...]:
        """The windows that serve ``category`` (the hall's config: fixed while the hub runs)."""
        ids = self._serving.get(category)
        if ids is None:
            ids = self._serving[category] = tuple(w.id for w in self.hall.windows if category in w.categories)
        return ids

    def open_windows_for(self, category: str) -> int:
        rts = self.state.windows
        return sum(1 for wid in self._windows_of(category) if rts[wid].status is _OPEN)

    @staticmethod
    def _rank(band: int, priority: bool) -> tuple[int, bool]:
        """Call order class: the front band goes by seq alone; elsewhere priority comes first."""
        return (band, False if band == FRONT_BAND else not priority)

    def people_ahead(self, t: Ticket) -> int:
        """Waiting tickets of the same category that will be called before ``t``."""
        rank = self._rank(t.band, t.priority)
        if t.state is _WAITING and t.seq == self.state.next_seq - 1:
            # just issued: everyone waiting of an earlier-or-equal class is ahead (counted, not scanned)
            return sum(n for (c, band, prio), n in self._wcount.items()
                       if c == t.category and self._rank(band, prio) <= rank) - 1
        n = 0
        for ids in self._waiting.values():
            for tid in ids:
                o = self.state.tickets[tid]
                if o is not t and o.category == t.category and \
                        (*self._rank(o.band, o.priority), o.seq) < (*rank, t.seq):
                    n += 1
        return n

    def expected_wait(self, category: str, ahead: int) -> float | None:
        """Seconds until a visitor with ``ahead`` people before them is called; None with no open window.

        Visitors already at the counters count too: with every window busy, even the first in line waits
        for one of them to finish. ``max(0, ahead + 1 - idle windows)`` services must end first.
        """
        rts = self.state.windows
        open_n = idle = 0
        for wid in self._windows_of(category):
            rt = rts[wid]
            if rt.status is _OPEN:
                open_n += 1
                if rt.current is None:
                    idle += 1
        if not open_n:
            return None
        return max(0, ahead + 1 - idle) * self.state.avg_service.get(category, 300.0) / open_n

    def waiting_in_order(self, category: str) -> list[Ticket]:
        """A category's waiting tickets in the order they will be called: each one's index is its
        ``people_ahead`` (one sort for all of them, where ``people_ahead`` scans the queue per ticket)."""
        waiting = [self.state.tickets[tid] for ids in self._waiting.values() for tid in ids]
        return sorted((o for o in waiting if o.category == category),
                      key=lambda o: (*self._rank(o.band, o.priority), o.seq))

    def estimate(self, t: Ticket) -> tuple[int, float | None]:
        ahead = self.people_ahead(t)
        return ahead, self.expected_wait(t.category, ahead)
