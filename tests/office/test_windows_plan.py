"""The demo hall, played through the real queue core, calls every category only at windows allowed to
serve it (专线限制), and every category is called somewhere."""

from __future__ import annotations

import random

from kiosk.config import load
from kiosk.core import commands as C
from kiosk.core.queue import Queue
from kiosk.demo import busy_hall
from tests.conftest import REAL_CONFIG


def _allowed(cfg):
    groups = {c.id: c.group for c in cfg.hall.categories}
    return {w.id: {c for c in w.categories if groups[c] != "domain" or w.kind.value == "domain"}
            for w in cfg.hall.windows}


def test_a_busy_day_calls_each_category_at_an_allowed_window():
    cfg = load(REAL_CONFIG)
    allowed = _allowed(cfg)
    q = Queue(cfg.hall)
    q.apply(C.StartDay(now=1000.0, day="2026-12-01"))
    rng = random.Random(7)
    cats = [c.id for c in cfg.hall.categories]
    windows = [w.id for w in cfg.hall.windows if w.ticketed and w.categories]  # as the demo's staff press
    called: dict[str, set[str]] = {}
    t = 1000.0
    for _ in range(600):
        t += 10
        if rng.random() < 0.5:
            q.apply(C.IssueTicket(now=t, category=rng.choice(cats)))
            continue
        w = rng.choice(windows)
        try:
            events = q.apply(C.CallNext(now=t, window=w))
        except Exception:  # nothing this window may call: the button is refused, as in the hall
            continue
        for e in events:
            if isinstance(e, C.TicketCalled):
                cat = q.state.tickets[e.ticket].category
                assert cat in allowed[w], (cat, w)
                called.setdefault(cat, set()).add(w)
    assert set(called) == set(cats)
    assert called["A"] == {"w1"} and called["C"] == {"w3"} and called["E"] <= {"w5", "w6", "w7", "w8"}


def test_the_demo_screens_hall_calls_only_allowed_windows():
    cfg = load(REAL_CONFIG)
    allowed = _allowed(cfg)
    q, calls = busy_hall.hall_queue()
    assert calls
    for e in calls:
        assert q.state.tickets[e.ticket].category in allowed[e.window], e
