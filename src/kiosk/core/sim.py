"""Traffic simulation for benchmarks and robustness tests: arrivals, service times, a hall day.

Rule: pure and deterministic — standard library plus ``kiosk.core``, a seeded ``random.Random`` passed
in, simulated time passed in. Nothing here touches the bus, the store or the wall clock, so the same
seed gives the same day on every machine.

Two uses:

- ``simulate_mmc`` drives the queue core itself as an M/M/c queue (Poisson arrivals, exponential
  service, c identical windows) and pairs each ticket's predicted wait (``TicketIssued.eta_s``) with
  the wait that happened (called_at - issued_at); ``erlang_c_wait`` is the textbook mean for comparison.
- ``day_plan`` draws one business day of a busy hall (arrival times, categories, service times, who
  does not show up, help calls) for the soak benchmark, which plays it through the real hub.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from . import commands as C
from .model import Category, Hall, QueuePolicy, Window, WindowKind
from .queue import Queue

# ---------------------------------------------------------------- M/M/c through the queue core


def erlang_c(c: int, offered: float) -> float:
    """Probability that an arrival waits in an M/M/c queue with offered load ``offered`` = λ/μ (< c)."""
    if offered >= c:
        return 1.0
    term, total = 1.0, 1.0  # a^k / k! summed for k < c
    for k in range(1, c):
        term *= offered / k
        total += term
    top = term * offered / c * (c / (c - offered))  # a^c / c! · c/(c-a)
    return top / (total + top)


def erlang_c_wait(c: int, lam: float, mu: float) -> float:
    """Mean time in queue (before service) of an M/M/c queue: C(c, λ/μ) / (cμ - λ)."""
    return erlang_c(c, lam / mu) / (c * mu - lam)


def mmc_hall(c: int, start_service_s: float, alpha: float = 0.2) -> Hall:
    """One category served by ``c`` identical windows; the EWMA starts at ``start_service_s``."""
    return Hall(categories=(Category(id="A", name="综合", default_service_s=start_service_s),),
                windows=tuple(Window(id=f"w{i}", number=i, name=f"窗口{i}", kind=WindowKind("comprehensive"),
                                     categories=("A",)) for i in range(1, c + 1)),
                policy=QueuePolicy(ewma_alpha=alpha))


@dataclass(slots=True)
class MMCResult:
    c: int
    load: float
    mean_service_s: float
    predicted: list[float] = field(default_factory=list)  # eta_s at issue, tickets after the warm-up
    actual: list[float] = field(default_factory=list)  # called_at - issued_at, same tickets
    busy_at_issue: list[int] = field(default_factory=list)  # windows with someone at the counter
    ahead: list[int] = field(default_factory=list)  # TicketIssued.people_ahead
    avg_at_issue: list[float] = field(default_factory=list)  # the core's EWMA service time then

    @property
    def erlang_wait(self) -> float:
        mu = 1.0 / self.mean_service_s
        return erlang_c_wait(self.c, self.load * self.c * mu, mu)


def simulate_mmc(c: int, load: float, *, mean_service_s: float = 300.0, arrivals: int = 20000,
                 warmup: int = 500, seed: int = 1, start_service_s: float | None = None,
                 t0: float = 1_800_000_000.0, alpha: float = 0.2) -> MMCResult:
    """Play an M/M/c queue through ``Queue``: issue on arrival, ``CallNext`` when a window frees up.

    A window calls the next ticket the moment its visitor leaves (``CallNext`` completes the visitor
    and calls, as the big button does); a window with nobody waiting calls as soon as a ticket
    arrives. Service runs from the call to the next ``CallNext`` of that window, so the core's own
    EWMA learns the same service times the simulation draws.
    """
    rng = random.Random(seed)
    mu = 1.0 / mean_service_s
    lam = load * c * mu
    q = Queue(mmc_hall(c, mean_service_s if start_service_s is None else start_service_s, alpha))
    q.apply(C.StartDay(now=t0, day="2027-01-04"))
    windows = [f"w{i}" for i in range(1, c + 1)]
    busy_until: dict[str, float | None] = {w: None for w in windows}  # None: idle
    issued: dict[str, tuple[float, float, int, int, float]] = {}  # id -> (at, eta, busy, ahead, avg)
    order: list[str] = []
    res = MMCResult(c=c, load=load, mean_service_s=mean_service_s)
    t = t0
    next_arrival = t0 + rng.expovariate(lam)
    n = 0

    def call(w: str, now: float) -> None:
        events = q.apply(C.CallNext(now=now, window=w))
        called = [e for e in events if isinstance(e, C.TicketCalled)]
        busy_until[w] = now + rng.expovariate(mu) if called else None

    while n < arrivals or any(v is not None for v in busy_until.values()):
        ends = [(v, w) for w, v in busy_until.items() if v is not None]
        end_t, end_w = min(ends) if ends else (math.inf, "")
        if n < arrivals and next_arrival <= end_t:
            t = next_arrival
            n += 1
            ev = q.apply(C.IssueTicket(now=t, category="A"))[0]
            assert isinstance(ev, C.TicketIssued)
            busy = sum(1 for v in busy_until.values() if v is not None)
            issued[ev.ticket] = (t, ev.eta_s or 0.0, busy, ev.people_ahead, q.state.avg_service["A"])
            order.append(ev.ticket)
            idle = [w for w, v in busy_until.items() if v is None]
            if idle:
                call(idle[0], t)
            next_arrival = t + rng.expovariate(lam)
        else:
            t = end_t
            call(end_w, t)
    for tid in order[warmup:]:
        tk = q.state.tickets[tid]
        at, eta, busy, ahead, avg = issued[tid]
        if tk.called_at is None:
            continue
        res.predicted.append(eta)
        res.actual.append(tk.called_at - at)
        res.busy_at_issue.append(busy)
        res.ahead.append(ahead)
        res.avg_at_issue.append(avg)
    return res


# ---------------------------------------------------------------- a busy hall's day, for the soak

@dataclass(frozen=True, slots=True)
class Arrival:
    at: float  # seconds after opening
    category: str
    priority: bool = False


@dataclass(frozen=True, slots=True)
class HelpCall:
    at: float
    where: str


@dataclass(slots=True)
class DayPlan:
    """What happens in one day, drawn up front. Service times and no-shows are drawn per call, in order."""

    arrivals: list[Arrival]
    help_calls: list[HelpCall]
    open_s: float
    rng: random.Random

    def service_s(self, mean: float) -> float:
        # a gamma with shape 2: most services near the mean, a few long ones, none of 0 s
        return max(15.0, self.rng.gammavariate(2.0, mean / 2.0))

    def no_show(self, p: float) -> bool:
        return self.rng.random() < p


# the hall's mix of walk-in business (shares of the day's tickets), see config/huangtan.toml
CATEGORY_MIX = {"A": 0.22, "B": 0.12, "C": 0.24, "D": 0.2, "E": 0.2, "F": 0.02}


def day_plan(rng: random.Random, *, tickets: int, open_s: float = 9 * 3600.0, help_calls: int = 8,
             priority_share: float = 0.05, mix: dict[str, float] | None = None) -> DayPlan:
    """``tickets`` arrivals spread over the opening hours with a morning peak, categories by ``mix``."""
    mix = mix or CATEGORY_MIX
    cats, weights = list(mix), list(mix.values())
    times = []
    while len(times) < tickets:
        # two humps (09:00–11:00 and 14:30–16:00) on a flat base, by rejection sampling
        x = rng.uniform(0.0, open_s)
        h = x / 3600.0
        density = 0.6 + 0.8 * math.exp(-((h - 1.5) ** 2) / 1.5) + 0.5 * math.exp(-((h - 6.5) ** 2) / 1.0)
        if rng.uniform(0.0, 1.9) < density:
            times.append(x)
    times.sort()
    arrivals = [Arrival(at=t, category=rng.choices(cats, weights)[0], priority=rng.random() < priority_share)
                for t in times]
    helps = sorted((HelpCall(at=rng.uniform(0.0, open_s), where=rng.choice(["自助区", "1号窗口旁", "门口"]))
                    for _ in range(help_calls)), key=lambda h: h.at)
    return DayPlan(arrivals=arrivals, help_calls=helps, open_s=open_s, rng=rng)
