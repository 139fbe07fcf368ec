"""Soak: a month of a busy hall through the real hub and a real broker, at accelerated time.

The hub (``kiosk.hub.service.Hub``) runs in this process with a clock the benchmark sets: each
simulated business day is played event by event (``kiosk.core.sim.day_plan``: arrivals with a morning peak
across the categories, gamma service times, a few visitors who do not show up, help calls), each
action sent over MQTT and its answer awaited before the clock moves on. Windows press ``next`` when a
visitor leaves, ``skip`` for a visitor who never came, ``complete`` at the end of the day.

Per simulated day: size of the state file (+ WAL), press → window state latency p50/p99 (wall time),
RSS of this process (hub + driver). At the end the month's totals in the hub's ``events`` table are
compared with what the driver did (tickets issued, completed, no-shows, expired; help requests).
Evaluations are sent for a share of finished tickets when ``evaluation.submit`` is in ``REQUEST_OPS``.
Appointments are left out: booking needs the hall calendar's sessions, and this bench runs without one.

Whether a month's data slows the hub is then measured apart from the machine's drift through the month:
the hub's database is backed up (``kiosk backup``'s own code) after the first day and after the last, and
a hub started on each backup in turn (``PROBE_PAIRS`` pairs, the order alternating, the same work each
time: ``PROBE_PRESSES`` tickets, each called by a ``next`` of its window on the next business day) gives
press → state latencies pooled per backup. The two single days' p99 (about ten worst samples each,
minutes apart on a shared machine) are reported too.

``run(days=30, tickets_per_day=800) -> dict``; as a script prints JSON.
"""

from __future__ import annotations

import heapq
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
import psutil
from paho.mqtt.enums import CallbackAPIVersion

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from kiosk.bus.broker import PrivateBroker  # noqa: E402
from kiosk.config import load  # noqa: E402
from kiosk.protocol import REQUEST_OPS  # noqa: E402
from kiosk.tools.backup_tools import BackupSettings, take_backup  # noqa: E402
from kiosk.core.sim import day_plan  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
ROOT = "hall/huangtan/"
SERVICE_SCALE = 0.55  # × the configured service minutes: about 85 % busy windows at 800 tickets a day
NO_SHOW = 0.03
OVERTIME_S = 3600.0  # windows keep calling up to an hour after the doors close
PROBE_PAIRS = 6
PROBE_PRESSES = 250


class FakeClock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def soak_config(work: Path) -> Path:
    """The real hall without office hours (the fake clock decides the day) and without the catalogue."""
    text = (REPO / "config" / "huangtan.toml").read_text(encoding="utf-8")
    text = text.replace("[hub]\n", f'[hub]\ncalendar = ""\ncatalog_dir = "{work / "no-catalog"}"\n', 1)
    out = work / "site.toml"
    out.write_text(text, encoding="utf-8")
    return out


class Driver:
    """The kiosk, the buttons and a display in one MQTT client; waits on the hub's answers."""

    def __init__(self, port: int, name: str = "soak") -> None:
        self.name = name  # its reply topic and its buttons' device ids
        self.cv = threading.Condition()
        self.states: dict[str, dict] = {}
        self.replies: dict[str, dict] = {}
        self.c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"{name}-driver",
                             protocol=mqtt.MQTTv311)
        self.c.max_inflight_messages_set(100)
        # small messages must leave at once (Nagle + delayed ACK would add ~40 ms to every answer)
        self.c.on_socket_open = lambda c, u, sock: sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        up = threading.Event()
        self.c.on_connect = lambda c, *a: (c.subscribe([(ROOT + "window/+/state", 1),
                                                        (ROOT + f"device/{name}/reply", 1)]), up.set())
        self.c.on_message = self._msg
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        if not up.wait(10):
            raise RuntimeError("driver could not connect")
        self.seq = 0
        self.n = 0

    def _msg(self, c, u, m) -> None:
        body = json.loads(m.payload)
        with self.cv:
            if m.topic.endswith("/state"):
                self.states[m.topic.split("/")[3]] = body
            else:
                self.replies[body["txn"]] = body
            self.cv.notify_all()

    def _wait(self, pred, what: str, timeout: float = 30.0):
        with self.cv:
            if not self.cv.wait_for(pred, timeout):
                raise RuntimeError(f"timed out waiting for {what}")

    def request(self, op: str, **args) -> dict:
        self.n += 1
        txn = f"s{self.n}"
        self.c.publish(ROOT + f"request/{op}", json.dumps(
            {"v": 1, "txn": txn, "reply_to": ROOT + f"device/{self.name}/reply", **args}, ensure_ascii=False), qos=1)
        self._wait(lambda: txn in self.replies, f"the reply to {op}")
        with self.cv:
            return self.replies.pop(txn)

    def press(self, window: str, action: str) -> tuple[dict, float]:
        """Press and wait for the window's new state; returns it and the wall latency."""
        with self.cv:
            before = self.states.get(window, {}).get("version", -1)
        self.seq += 1
        t0 = time.perf_counter()
        self.c.publish(ROOT + f"window/{window}/press", json.dumps(
            {"v": 1, "device": f"{self.name}-{window}", "seq": self.seq, "action": action}), qos=1)
        self._wait(lambda: self.states.get(window, {}).get("version", -1) > before, f"{window} after {action}")
        dt = time.perf_counter() - t0
        with self.cv:
            return self.states[window], dt

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def play_day(drv: Driver, cfg, clock: FakeClock, opening: float, rng: random.Random, tickets: int,
             truth: dict, evaluate: bool) -> list[float]:
    plan = day_plan(rng, tickets=tickets)
    windows = [w for w in cfg.hall.windows if w.ticketed]
    means = {c.id: c.default_service_s * SERVICE_SCALE for c in cfg.hall.categories}
    current: dict[str, tuple[str, bool] | None] = {w.id: None for w in windows}  # (number, no-show)
    lat: list[float] = []
    heap: list[tuple[float, int, str, object]] = []
    k = 0
    for a in plan.arrivals:
        heap.append((opening + a.at, k, "arrive", a))
        k += 1
    for h in plan.help_calls:
        heap.append((opening + h.at, k, "help", h))
        k += 1
    heapq.heapify(heap)
    served: list[str] = []

    def call(wid: str, action: str, now: float) -> None:
        nonlocal k
        state, dt = drv.press(wid, action)
        lat.append(dt)
        t = state.get("ticket")
        if t and t["state"] == "called":
            noshow = plan.no_show(NO_SHOW)
            current[wid] = (t["number"], noshow)
            cat = t["category"]
            due = now + (120.0 if noshow else plan.service_s(means[cat]))
            heapq.heappush(heap, (due, k, "done", wid))
            k += 1
        else:
            current[wid] = None

    while heap:
        now, _, kind, what = heapq.heappop(heap)
        if now > opening + plan.open_s + OVERTIME_S:
            break
        clock.t = now
        if kind == "arrive":
            rep = drv.request("ticket.issue", category=what.category, priority=what.priority)
            if not rep["ok"]:
                raise RuntimeError(f"ticket refused: {rep}")
            truth["issued"] += 1
            idle = next((w.id for w in windows if current[w.id] is None and what.category in w.categories), None)
            if idle is not None:
                call(idle, "next", now)
        elif kind == "help":
            rep = drv.request("help.request", kind="desk", where=what.where)
            truth["help"] += rep["ok"]
        else:
            wid = what
            number, noshow = current[wid]
            if noshow:
                lat.append(drv.press(wid, "skip")[1])
                truth["no_show"] += 1
            else:
                truth["completed"] += 1  # "next" completes the visitor at the counter
                served.append(number)
            call(wid, "next", now)
    clock.t = opening + plan.open_s + OVERTIME_S
    for wid, cur in current.items():  # the end of the day
        if cur is None:
            continue
        if cur[1]:
            lat.append(drv.press(wid, "skip")[1])
            truth["no_show"] += 1
        else:
            lat.append(drv.press(wid, "complete")[1])
            truth["completed"] += 1
            served.append(cur[0])
    if evaluate:
        for number in served[:: 5]:  # one visitor in five rates the service
            rep = drv.request("evaluation.submit", ticket=number, level=rng.randint(1, 5), channel="kiosk")
            truth["evaluations"] += bool(rep["ok"])
    return lat


def totals(db: Path) -> dict:
    con = sqlite3.connect(db)
    try:
        kinds = dict(con.execute("SELECT kind, COUNT(*) FROM events GROUP BY kind").fetchall())
        help_n = con.execute("SELECT COUNT(*) FROM help_requests").fetchone()[0]
        try:
            evals = con.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]
        except sqlite3.Error:
            evals = 0
    finally:
        con.close()
    return {"issued": kinds.get("TicketIssued", 0), "completed": kinds.get("TicketCompleted", 0),
            "no_show": kinds.get("TicketNoShow", 0), "expired": kinds.get("TicketExpired", 0),
            "help": help_n, "evaluations": evals}


def day_started(db: Path) -> int:
    if not db.exists():
        return 0
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT COUNT(*) FROM events WHERE kind='DayStarted'").fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        con.close()


def probe(cfg, port: int, copy: Path, work: Path, start: float, tag: str, presses: int) -> list[float]:
    """A hub on a fresh copy of ``copy`` at ``start`` (an hour into the business day after the copy's last):
    ``presses`` times a ticket for a window and that window's ``next``; the press → state latencies."""
    from kiosk.hub.service import Hub
    state = work / f"probe-{tag}"
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True)
    shutil.copyfile(copy, state / "hub.sqlite3")  # as `kiosk restore` puts a backup in place
    days = day_started(state / "hub.sqlite3")
    hub = Hub(cfg, state_dir=state, host="127.0.0.1", port=port, clock=FakeClock(start))
    th = threading.Thread(target=hub.run, daemon=True)
    th.start()
    drv = None
    try:
        if not hub.wait_ready(20):
            raise RuntimeError("the probe's hub did not become ready")
        deadline = time.monotonic() + 20
        while day_started(state / "hub.sqlite3") <= days:
            if time.monotonic() > deadline:
                raise RuntimeError("the probe's hub did not start its day")
            time.sleep(0.01)
        drv = Driver(port, name=f"probe-{tag}")
        windows = [w for w in cfg.hall.windows if w.ticketed]
        drv._wait(lambda: all(w.id in drv.states for w in windows), "the windows' retained states")
        lat: list[float] = []
        for i in range(presses):
            w = windows[i % len(windows)]
            rep = drv.request("ticket.issue", category=w.categories[0])
            if not rep["ok"]:
                raise RuntimeError(f"probe ticket refused: {rep}")
            state_, dt = drv.press(w.id, "next")
            if (state_.get("ticket") or {}).get("state") != "called":
                raise RuntimeError(f"{w.id} called nothing: {state_}")
            lat.append(dt)
        return lat
    finally:
        if drv is not None:
            drv.close()
        hub.stop()
        th.join(20)
        shutil.rmtree(state, ignore_errors=True)


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.exists())


def run(days: int = 30, tickets_per_day: int = 800, seed: int = 30, probe_pairs: int = PROBE_PAIRS,
        probe_presses: int = PROBE_PRESSES) -> dict:
    from kiosk.hub.service import Hub
    work = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    cfg = load(soak_config(work))
    rng = random.Random(seed)
    first = datetime(2027, 3, 1, 8, 30, tzinfo=TZ)
    clock = FakeClock(first.timestamp())
    truth = {"issued": 0, "completed": 0, "no_show": 0, "expired": 0, "help": 0, "evaluations": 0}
    me = psutil.Process(os.getpid())
    t_start = time.monotonic()
    copies: dict[str, Path] = {}  # the hub's own backups (`kiosk backup`) after the first and the last day
    evaluate = "evaluation.submit" in REQUEST_OPS
    try:
        per_day: list[dict] = []
        with PrivateBroker(work / "broker") as broker:
            hub = Hub(cfg, state_dir=work / "state", host="127.0.0.1", port=broker.port, clock=clock)
            th = threading.Thread(target=hub.run, daemon=True)
            th.start()
            if not hub.wait_ready(20):
                raise RuntimeError("the hub did not become ready")
            drv = Driver(broker.port)
            db = work / "state" / "hub.sqlite3"
            try:
                for d in range(days + 1):
                    opening = (first + timedelta(days=d)).timestamp()
                    clock.t = opening
                    day = (first + timedelta(days=d)).date().isoformat()
                    deadline = time.monotonic() + 20
                    while day_started(db) < d + 1:  # the hub starts the day (and commits it) on its next tick
                        if time.monotonic() > deadline:
                            raise RuntimeError(f"the hub did not start {day}")
                        time.sleep(0.01)
                    if d == days:
                        break  # the month's last day is closed: its open tickets are now expired
                    before = totals(db)
                    issued_before = truth["issued"]
                    completed_before = truth["completed"]
                    lat = play_day(drv, cfg, clock, opening, rng, tickets_per_day, truth, evaluate)
                    if d in (0, days - 1):  # after the first day and after the last: the probes' starting points
                        which = "first_day" if d == 0 else "month"
                        (work / which).mkdir()
                        copies[which], _ = take_backup(db.parent, BackupSettings(dir=work / which), now=clock.t,
                                                       tz=TZ)
                    # at the next StartDay every ticket still open expires: never called, or 过号 (a no-show
                    # stays callable until the day ends, so it expires too)
                    truth["expired"] += (truth["issued"] - issued_before) - (truth["completed"] - completed_before)
                    per_day.append({"day": day, "db_mb": round(db_bytes(db) / 2**20, 2),
                                    "press_p50_ms": round(1000 * statistics.median(lat), 2),
                                    "press_p99_ms": round(1000 * pct(lat, 99), 2), "presses": len(lat),
                                    "rss_mb": round(me.memory_info().rss / 2**20, 1),
                                    "issued": totals(db)["issued"] - before["issued"]})
                hub_totals = totals(db)
            finally:
                drv.close()
                hub.stop()
                th.join(20)
            probes: dict[str, list[float]] = {"first_day": [], "month": []}
            for i in range(probe_pairs):
                for which in (("first_day", "month") if i % 2 == 0 else ("month", "first_day")):
                    after = 1 if which == "first_day" else days  # the probe's day: the one after its copy's last
                    start = (first + timedelta(days=after)).timestamp() + 3600
                    probes[which] += probe(cfg, broker.port, copies[which], work, start, f"{which}-{i}", probe_presses)
        d1, dn = per_day[0], per_day[-1]
        growth = [b["db_mb"] - a["db_mb"] for a, b in zip(per_day, per_day[1:])] or [per_day[0]["db_mb"]]
        return {
            "days": days, "tickets_per_day": tickets_per_day, "wall_s": round(time.monotonic() - t_start, 1),
            "truth": truth, "hub_events": hub_totals, "totals_match": truth == hub_totals,
            "day1": d1, "last_day": dn,
            "ratios_last_vs_day1": {
                "press_p50": round(dn["press_p50_ms"] / d1["press_p50_ms"], 2),
                "press_p99": round(dn["press_p99_ms"] / d1["press_p99_ms"], 2),
                "rss": round(dn["rss_mb"] / d1["rss_mb"], 2),
                "db_growth_per_day": round(growth[-1] / growth[0], 2) if growth[0] else None},
            "alternated": {
                "pairs": probe_pairs, "presses_each": probe_presses,
                **{k: {"p50_ms": round(1000 * statistics.median(v), 2), "p99_ms": round(1000 * pct(v, 99), 2),
                       "samples": len(v)} for k, v in probes.items()},
                "press_p99_month_vs_first_day": round(pct(probes["month"], 99) / pct(probes["first_day"], 99), 2),
                "press_p50_month_vs_first_day": round(statistics.median(probes["month"])
                                                      / statistics.median(probes["first_day"]), 2)},
            "db_mb_per_day": round(statistics.fmean(growth), 2),
            "main_db_mb_end": round(db.stat().st_size / 2**20, 2),
            "per_day": per_day,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the copies are a month's database each


ROWS = [
    ("totals_match", "soak, 30 days × 800 tickets: month totals in SQLite = generated truth", "true",
     lambda v: v is True),
    ("alternated.press_p99_month_vs_first_day",
     "soak: press → state p99 on the month's database ÷ on the first day's, hubs alternated in one run", "≤ 1.5",
     lambda v: v <= 1.5),
    ("alternated.press_p50_month_vs_first_day", "… the same for p50", "", None),
    ("ratios_last_vs_day1.press_p99", "soak: press → state p99 while playing, day 30 ÷ day 1 (minutes apart)", "",
     None),
    ("ratios_last_vs_day1.rss", "soak: RSS, day 30 ÷ day 1", "≤ 1.2", lambda v: v <= 1.2),
    ("db_mb_per_day", "soak: state file growth per business day (MB)", "", None),
]

if __name__ == "__main__":
    kw = {}
    if len(sys.argv) > 1:
        kw["days"] = int(sys.argv[1])
    if len(sys.argv) > 2:
        kw["tickets_per_day"] = int(sys.argv[2])
    print(json.dumps(run(**kw), indent=2, ensure_ascii=False))
