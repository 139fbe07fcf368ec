"""Short versions of the two simulations in bench/: a few business days of a busy hall through the
real hub and broker (the month's totals in SQLite equal what the driver did), and the ETA printed on
tickets against an M/M/c queue played through the queue core.

Long versions: ``python bench/bench_soak.py`` (30 days × 800 tickets) and ``python bench/bench_eta.py``.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys

from tests.conftest import REPO

from kiosk.core.sim import erlang_c_wait, simulate_mmc


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_soak_three_days_totals_match_truth():
    res = _bench("bench_soak").run(days=3, tickets_per_day=200, seed=3, probe_pairs=1, probe_presses=20)
    assert res["truth"]["issued"] == 600
    assert res["hub_events"] == res["truth"], (res["hub_events"], res["truth"])
    assert res["ratios_last_vs_day1"]["rss"] <= 1.2
    # the alternated probes: a hub on each copy started its next day and called a ticket at every press
    assert res["alternated"]["first_day"]["samples"] == res["alternated"]["month"]["samples"] == 20


def test_erlang_c_formula():
    # M/M/1: Wq = ρ / (μ - λ); M/M/2 at λ=1, μ=1: C = 1/3, Wq = 1/3
    assert abs(erlang_c_wait(1, 0.5, 1.0) - 1.0) < 1e-9
    assert abs(erlang_c_wait(2, 1.0, 1.0) - 1 / 3) < 1e-9


def test_simulated_queue_matches_erlang_c():
    """The simulation itself is a faithful M/M/c (else its ETA verdict would mean nothing)."""
    waits = []
    for seed in (1, 2, 3):
        waits += simulate_mmc(4, 0.8, arrivals=8000, seed=seed).actual
    expected = simulate_mmc(4, 0.8, arrivals=10, warmup=0).erlang_wait
    assert abs(statistics.fmean(waits) / expected - 1) < 0.12


def test_eta_error_of_mean_wait_within_20_percent_at_50_and_80_percent_load():
    """Target from the issue: the predicted wait is within 20 % of the real mean at 50–80 % load."""
    errors = {}
    for load in (0.5, 0.8):
        pred, actual = [], []
        for seed in (1, 2, 3):
            r = simulate_mmc(4, load, arrivals=8000, seed=seed)
            pred += r.predicted
            actual += r.actual
        errors[load] = abs(statistics.fmean(pred) - statistics.fmean(actual)) / statistics.fmean(actual)
    assert all(e <= 0.2 for e in errors.values()), \
        f"ETA error of the mean wait by load: {errors} — the estimate leaves out the visitors at the counters"
