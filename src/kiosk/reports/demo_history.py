"""``generate_demo_history`` fills a demo hall's database with a month of traffic by driving the real
queue core and store, so there is something to report on."""

from __future__ import annotations

import heapq
import math
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from ..errors import StoreError


# ---------------------------------------------------------------------------------------------- demo data
# Mean service minutes per category in the demo (quick items dominate a township hall's day), the
# share of visitors per category, and the fallback office hours when no calendar file is configured.
# The shares follow what the hall can serve: a domain category has its one domain window (专线限制),
# the items of every other department share the four no-difference windows.
DEMO_SERVICE_MIN = {"A": 3.5, "B": 6.0, "C": 2.5, "D": 2.2, "E": 3.0, "F": 10.0}
DEMO_WEIGHT = {"A": 1.1, "B": 0.6, "C": 1.5, "D": 1.7, "E": 5.0, "F": 0.2}
DEMO_SESSIONS = ((time(8, 30), time(12, 0)), (time(14, 30), time(17, 30)))
WEEKDAY_LOAD = (1.15, 1.0, 0.95, 1.0, 0.9, 0.8, 0.8)  # Monday is the busiest


def _demo_sessions(cfg) -> Callable[[date], list[tuple[time, time]]]:
    """Walk-in sessions of a day from the hall's calendar, else Monday–Friday fallback hours."""
    if cfg.calendar_path is not None:
        try:
            from ..loaders.calendar_data import load_calendar, load_hours
            from ..core.hours import HallSchedule, SessionKind
            cache: dict[int, Any] = {}

            def from_calendar(d: date) -> list[tuple[time, time]]:
                if d.year not in cache:
                    cache[d.year] = HallSchedule(calendar=load_calendar(cfg.calendar_path, years=[d.year]),
                                                 hours=load_hours(cfg.calendar_path))
                return [(s.start, s.end) for s in cache[d.year].sessions_on(d) if s.kind is not SessionKind.APPOINTMENT]
            from_calendar(datetime.now(ZoneInfo(cfg.timezone)).date())  # loads the calendar once, now
            return from_calendar
        except Exception:  # a demo must run even with a broken calendar file: fall back to plain weeks
            pass
    return lambda d: list(DEMO_SESSIONS) if d.weekday() < 5 else []


def generate_demo_history(store_path: str | Path, cfg, days: int = 30, seed: int = 1, *,
                          end: date | None = None, per_day: int = 800) -> dict[str, Any]:
    """Fill an empty hub database with ``days`` calendar days of traffic ending the day before ``end``
    (default today, hall time zone): about ``per_day`` tickets per working day, arrivals peaking
    mid-morning and mid-afternoon, none over lunch, lognormal service times per category, some 过号,
    voids and help requests. Commands go through ``kiosk.core.queue.Queue`` and are logged with their
    events as the hub logs them, so a hub started on the file rebuilds the same state.
    Returns {"days": working days, "tickets": n, "commands": n}."""
    from ..core.queue import Queue
    from ..store.db import Store
    from ..store.help import HelpRequests
    tz = ZoneInfo(cfg.timezone)
    rng = random.Random(seed)
    end = end or datetime.now(tz).date()
    store = Store(store_path, synchronous="OFF")
    try:
        if store.last_seq():
            raise StoreError(f"{store_path}: already holds a hall's history; demo data goes into a new file")
        HelpRequests.open(store)  # the hub's help table, as the hub creates it
        sim = _DemoDay(cfg, Queue(cfg.hall), store, rng)
        sessions_of = _demo_sessions(cfg)
        for n in range(days, 0, -1):
            d = end - timedelta(n)
            sessions = sessions_of(d)
            if sessions:
                spans = [(datetime.combine(d, a, tz).timestamp(), datetime.combine(d, b, tz).timestamp())
                         for a, b in sessions]
                with store.batch():
                    sim.run(d, spans, int(per_day * WEEKDAY_LOAD[d.weekday()] * rng.uniform(0.9, 1.1)))
                sim.stats["days"] += 1
        with store.batch():
            store.set_meta("help_seq", sim.help_seq)
            store.set_meta("last_seen", sim.last_now)
            store.save_snapshot(store.last_seq(), sim.q.state.to_dict())
        return sim.stats
    finally:
        store.close()


class _DemoDay:
    """Discrete-event simulation of one day: visitors arrive, windows call, serve and complete."""

    def __init__(self, cfg, q, store, rng: random.Random) -> None:
        self.q, self.store, self.rng = q, store, rng
        self.cats = [c.id for c in cfg.hall.categories if any(c.id in w.categories for w in cfg.hall.windows)]
        self.weights = [DEMO_WEIGHT.get(c, 1.0) for c in self.cats]
        self.mean = {c.id: 60 * DEMO_SERVICE_MIN.get(c.id, c.default_service_s / 100) for c in cfg.hall.categories}
        self.windows = [w for w in cfg.hall.windows if w.ticketed and w.categories]
        self.stats = {"days": 0, "tickets": 0, "commands": 0}
        self.help_seq = int(store.get_meta("help_seq", 0))
        from ..store.help import HelpRequests
        self.help_table = HelpRequests(store)
        self.last_now = 0.0
        self.heap: list[tuple[float, int, str, Any]] = []
        self.k = 0

    def log(self, cmd) -> list:
        events = self.q.apply(cmd)
        self.store.add_events(self.store.add_command(cmd), self.q.state.day, events)
        self.stats["commands"] += 1
        self.last_now = cmd.now
        return events

    def push(self, at: float, kind: str, arg: Any = None) -> None:
        self.k += 1
        heapq.heappush(self.heap, (at, self.k, kind, arg))

    def help_requests(self, spans: list[tuple[float, float]]) -> None:
        rng = self.rng
        for _ in range(rng.randint(3, 8)):
            at = rng.uniform(spans[0][0], spans[-1][1])
            kind = "home_visit" if rng.random() < 0.2 else "desk"
            acked = at + rng.uniform(60, 600) if rng.random() < 0.95 else None
            self.help_seq += 1
            self.help_table.add({"id": f"h{self.help_seq}", "at": at, "kind": kind, "device": "kiosk-1",
                                 "txn": f"demo-{self.help_seq}", "place": "自助区", "note": "",
                                 "grp": rng.choice(["老年人", "残疾人", "行动不便"]) if kind == "home_visit" else "",
                                 "state": "acknowledged" if acked else "waiting",
                                 "acked_by": "导办员" if acked else None, "acked_at": acked})

    def run(self, d: date, spans: list[tuple[float, float]], total: int) -> None:
        from ..core import commands as C
        from ..core.errors import QueueError
        rng = self.rng
        self.log(C.StartDay(now=spans[0][0] - 1800, day=d.isoformat()))
        self.help_requests(spans)
        lengths = [b - a for a, b in spans]
        for _ in range(total):
            a, b = rng.choices(spans, weights=lengths)[0]
            last_in = b - 15 * 60  # no new numbers in the last quarter hour
            self.push(rng.triangular(a, last_in, a + 0.3 * (last_in - a)), "arrive")
        for w in self.windows:
            self.push(spans[0][0] + rng.uniform(0, 120), "free", w.id)
        idle: set[str] = set()
        while self.heap:
            now, _, kind, arg = heapq.heappop(self.heap)
            if kind == "arrive":
                cat = rng.choices(self.cats, weights=self.weights)[0]
                tid = self.log(C.IssueTicket(now=now, category=cat, priority=rng.random() < 0.06,
                                             source="kiosk-1"))[0].ticket
                self.log(C.DeliverTicket(now=now + 2, ticket=tid, how="printed" if rng.random() < 0.7 else "on_screen"))
                self.stats["tickets"] += 1
                if rng.random() < 0.02:
                    self.push(now + rng.uniform(300, 2400), "void", tid)
                for w in self.windows:
                    if w.id in idle and cat in w.categories:
                        idle.discard(w.id)
                        self.push(now + rng.uniform(5, 30), "free", w.id)
            elif kind == "void":
                if self.q.state.tickets[arg].state.value == "waiting":
                    self.log(C.VoidTicket(now=now, ticket=arg, reason="visitor left"))
            elif kind == "free":
                in_session = any(a <= now < b for a, b in spans)
                nxt = next((a for a, _ in spans if a > now), None)
                ended = max((b for _, b in spans if b <= now), default=None)
                if not in_session and ended is not None and now > ended + 1800:
                    if nxt is not None:  # lunch: staff come back for the afternoon session
                        self.push(nxt + rng.uniform(0, 300), "free", arg)
                    continue  # after closing: whoever still waits expires with the day
                if isinstance(self.log(C.CallNext(now=now, window=arg))[-1], C.QueueEmpty):
                    if in_session:
                        idle.add(arg)
                    elif nxt is not None:
                        self.push(nxt + rng.uniform(0, 300), "free", arg)
                elif rng.random() < 0.03:  # nobody comes: recalls until the ticket is 过号
                    for i in range(1, self.q.hall.policy.recall_limit + 2):
                        self.push(now + 45 * i, "recall", arg)
                    self.push(now + 45 * (self.q.hall.policy.recall_limit + 2), "free", arg)
                else:
                    self.push(now + rng.uniform(15, 50), "start", arg)
            elif kind == "recall":
                try:
                    self.log(C.Recall(now=now, window=arg))
                except QueueError:
                    pass
            elif kind == "start":
                self.log(C.StartService(now=now, window=arg))
                t = self.q.state.tickets[self.q.state.windows[arg].current]
                dur = rng.lognormvariate(math.log(self.mean[t.category]) - 0.125, 0.5)  # mean = self.mean
                self.push(now + min(max(dur, 45.0), 2700.0), "complete", arg)
            elif kind == "complete":
                self.log(C.CompleteService(now=now, window=arg))
                self.push(now + rng.uniform(5, 15), "free", arg)
