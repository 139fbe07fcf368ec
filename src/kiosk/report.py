"""Reports for the centre's management, read straight from the hub's SQLite file.

Rule: read-only — the file is opened with a ``mode=ro`` URI, so a report can run beside the live hub
and can never change it. Figures come from the event log (``events``) and ``help_requests``; a ticket
belongs to the business day it was issued on and to the category it was issued for (a transfer is
counted, not re-attributed). Waiting time is issued → first call; service time is the hub's own
``service_s`` (start, else call → complete). Percentiles interpolate linearly between ranks.

Tables other features add later (evaluations, cases, appointments …) are read through ``Source``: a
small description of a table (its time column, the columns to count by, the columns to average). A
missing table or column never fails a report: its section says "no data". A feature with its own
idea of a report registers a ``Source`` with a ``build`` function instead.

Rendering (text, CSV, HTML with optional matplotlib charts) is ``kiosk.report_html``. ``generate_demo_history`` fills a demo hall's database with a month of
traffic by driving the real queue core and store, so there is something to report on.
"""

from __future__ import annotations

import heapq
import json
import math
import random
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from .errors import StoreError

NO_DATA = "无数据 (no data)"


# ---------------------------------------------------------------------------------------------- model
@dataclass(slots=True)
class Table:
    key: str  # file name of its CSV: <section>-<key>.csv
    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass(slots=True)
class Chart:
    key: str
    title: str
    labels: list[str]
    series: dict[str, list[float]]  # legend → one value per label
    kind: str = "bar"  # bar / line
    ylabel: str = ""


@dataclass(slots=True)
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    note: str = ""  # e.g. NO_DATA when the table behind it does not exist yet


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str = "day"  # day / month / range

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return self.start.isoformat() if self.start == self.end else f"{self.start}_{self.end}"

    def days(self) -> list[date]:
        return [self.start + timedelta(d) for d in range((self.end - self.start).days + 1)]

    def bounds(self, tz: ZoneInfo) -> tuple[float, float]:
        """Epoch seconds of local midnight at the start and after the end."""
        a = datetime.combine(self.start, time(0), tz).timestamp()
        b = datetime.combine(self.end + timedelta(1), time(0), tz).timestamp()
        return a, b


@dataclass(slots=True)
class Report:
    site: str
    name: str
    period: Period
    generated_at: float
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def day_period(d: date) -> Period:
    return Period(d, d, "day")


def month_period(d: date) -> Period:
    first = d.replace(day=1)
    nxt = (first + timedelta(32)).replace(day=1)
    return Period(first, nxt - timedelta(1), "month")


# ---------------------------------------------------------------------------------------------- reading
def open_readonly(path: str | Path) -> sqlite3.Connection:
    p = Path(path)
    if not p.exists():
        raise StoreError(f"{p}: no hub database here (use --state DIR, the hub's state folder)")
    try:
        db = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1")
    except sqlite3.Error as exc:
        raise StoreError(f"{p}: cannot open read-only: {exc}") from exc
    return db


def table_columns(db: sqlite3.Connection, table: str) -> list[str]:
    """Column names, or [] when the table does not exist."""
    return [r[1] for r in db.execute(f"PRAGMA table_info({_ident(table)})")]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(slots=True)
class TicketFacts:
    """One ticket's life, folded from its events."""

    id: str
    day: str
    category: str
    priority: bool
    issued_at: float
    called_at: float | None = None
    called_window: str | None = None
    completed_at: float | None = None
    completed_window: str | None = None
    service_s: float | None = None
    no_show: bool = False
    voided: bool = False
    expired: bool = False
    transfers: int = 0
    recalls: int = 0

    @property
    def wait_s(self) -> float | None:
        return None if self.called_at is None else self.called_at - self.issued_at

    @property
    def outcome(self) -> str:
        if self.completed_at is not None:
            return "served"
        if self.voided:
            return "voided"
        if self.no_show:
            return "no_show"
        return "unserved"


def load_tickets(db: sqlite3.Connection, period: Period) -> tuple[list[TicketFacts], list[tuple[str, str]]]:
    """Tickets issued in the period, and (window, ticket) of every no-show event at a window."""
    # One day more: tickets still open at closing expire in the next day's first command.
    hi = (period.end + timedelta(1)).isoformat()
    rows = db.execute("SELECT kind, at, day, ticket, window, body FROM events WHERE day BETWEEN ? AND ? "
                      "AND ticket IS NOT NULL ORDER BY id", (period.start.isoformat(), hi))
    tickets: dict[str, TicketFacts] = {}
    noshows: list[tuple[str, str]] = []
    last = period.end.isoformat()
    for kind, at, day, tid, window, body in rows:
        if kind == "TicketIssued":
            if day > last:
                continue
            b = json.loads(body)
            tickets[tid] = TicketFacts(tid, day, b["category"], bool(b.get("priority")), at)
            continue
        t = tickets.get(tid)
        if t is None:
            continue
        if kind == "TicketCalled":
            if t.called_at is None:
                t.called_at, t.called_window = at, window
            elif json.loads(body).get("recall", 0) > 0:
                t.recalls += 1
        elif kind == "TicketCompleted":
            t.completed_at, t.completed_window = at, window
            t.service_s = json.loads(body).get("service_s")
        elif kind == "TicketNoShow":
            t.no_show = True
            noshows.append((window, tid))
        elif kind == "TicketVoided":
            t.voided = True
        elif kind == "TicketExpired":
            t.expired = True
        elif kind == "TicketTransferred":
            t.transfers += 1
    return list(tickets.values()), noshows


# ---------------------------------------------------------------------------------------------- figures
def quantile(values: Iterable[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (the usual spreadsheet/numpy definition)."""
    xs = sorted(values)
    if not xs:
        return None
    pos = (len(xs) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60.0, 1)


def _stats(waits: list[float], services: list[float]) -> list[Any]:
    return [minutes(quantile(waits, 0.5)), minutes(quantile(waits, 0.9)),
            minutes(quantile(services, 0.5)), minutes(quantile(services, 0.9))]


STAT_COLS = ["等候中位(分)", "等候P90(分)", "办理中位(分)", "办理P90(分)"]


def _counts(ts: list[TicketFacts]) -> list[int]:
    c = Counter(t.outcome for t in ts)
    return [len(ts), c["served"], c["no_show"], c["voided"], c["unserved"]]


COUNT_COLS = ["取号", "办结", "过号", "作废", "未办"]


def queue_sections(tickets: list[TicketFacts], noshows: list[tuple[str, str]], cfg, period: Period,
                   tz: ZoneInfo) -> list[Section]:
    waits = [t.wait_s for t in tickets if t.wait_s is not None]
    services = [t.service_s for t in tickets if t.service_s is not None]
    working_days = len({t.day for t in tickets})
    summary = Section("summary", "总览 Summary")
    if not tickets:
        summary.note = NO_DATA
    c = _counts(tickets)
    summary.tables.append(Table("totals", "总览", ["指标", "数值"], [
        ["取号 tickets issued", c[0]], ["办结 served", c[1]], ["过号 no-show", c[2]], ["作废 voided", c[3]],
        ["未办 unserved (expired/open)", c[4]], ["转办 transfers", sum(t.transfers for t in tickets)],
        ["绿色通道 priority", sum(t.priority for t in tickets)], ["有取号的天数 days with tickets", working_days],
        ["日均取号 issued per day", round(c[0] / working_days, 1) if working_days else 0],
        *[[name, v] for name, v in zip(STAT_COLS, _stats(waits, services))]]))

    by_cat: dict[str, list[TicketFacts]] = defaultdict(list)
    for t in tickets:
        by_cat[t.category].append(t)
    cat_rows = []
    for cat in cfg.hall.categories:
        ts = by_cat.pop(cat.id, [])
        cat_rows.append([cat.id, cat.name, *_counts(ts), *_stats([t.wait_s for t in ts if t.wait_s is not None],
                                                                 [t.service_s for t in ts if t.service_s is not None])])
    for cid, ts in sorted(by_cat.items()):  # a category since removed from the config
        cat_rows.append([cid, "", *_counts(ts), *_stats([t.wait_s for t in ts if t.wait_s is not None],
                                                        [t.service_s for t in ts if t.service_s is not None])])
    cats = Section("categories", "按业务类别 By category",
                   [Table("categories", "按业务类别", ["类别", "名称", *COUNT_COLS, *STAT_COLS], cat_rows)])
    cats.charts.append(Chart("wait_by_category", "各类别等候时间（分钟）", [r[0] for r in cat_rows],
                             {"中位 median": [r[7] or 0 for r in cat_rows], "P90": [r[8] or 0 for r in cat_rows]},
                             ylabel="分钟"))

    win_rows = []
    ns = Counter(w for w, _ in noshows)
    for w in cfg.hall.windows:
        if not w.ticketed:
            continue
        called = [t for t in tickets if t.called_window == w.id]
        done = [t for t in tickets if t.completed_window == w.id]
        win_rows.append([w.id, w.number, w.name, len(called), len(done), ns[w.id],
                         *_stats([t.wait_s for t in called if t.wait_s is not None],
                                 [t.service_s for t in done if t.service_s is not None])])
    wins = Section("windows", "按窗口 By window",
                   [Table("windows", "按窗口", ["窗口", "号", "名称", "叫号", "办结", "过号", *STAT_COLS], win_rows)])
    wins.charts.append(Chart("served_by_window", "各窗口办结数", [f"{r[1]}号" for r in win_rows],
                             {"办结 served": [r[4] for r in win_rows]}))

    by_hour: dict[int, list[TicketFacts]] = defaultdict(list)
    for t in tickets:
        by_hour[datetime.fromtimestamp(t.issued_at, tz).hour].append(t)
    hour_rows = []
    for h in sorted(by_hour):
        ts = by_hour[h]
        hour_rows.append([f"{h:02d}:00", len(ts), round(len(ts) / max(working_days, 1), 1),
                          *_stats([t.wait_s for t in ts if t.wait_s is not None],
                                  [t.service_s for t in ts if t.service_s is not None])])
    busiest = sorted(hour_rows, key=lambda r: (-r[1], r[0]))[:3]
    hours = Section("hours", "按时段 By hour of day (issue time)", [
        Table("hours", "按时段", ["时段", "取号", "日均取号", *STAT_COLS], hour_rows),
        Table("busiest", "最忙时段 Busiest hours", ["时段", "取号", "日均取号"], [r[:3] for r in busiest])])
    hours.charts.append(Chart("issued_by_hour", "各时段取号量（日均）", [r[0][:2] for r in hour_rows],
                              {"日均取号": [r[2] for r in hour_rows]}))
    hours.charts.append(Chart("wait_by_hour", "各时段等候时间（分钟）", [r[0][:2] for r in hour_rows],
                              {"中位 median": [r[3] or 0 for r in hour_rows], "P90": [r[4] or 0 for r in hour_rows]},
                              kind="line", ylabel="分钟"))
    if not tickets:
        for s in (cats, wins, hours):
            s.note = NO_DATA
    out = [summary, cats, wins, hours]
    if period.start != period.end:
        by_day: dict[str, list[TicketFacts]] = defaultdict(list)
        for t in tickets:
            by_day[t.day].append(t)
        day_rows = [[d, *_counts(ts), minutes(quantile([t.wait_s for t in ts if t.wait_s is not None], 0.5))]
                    for d, ts in sorted(by_day.items())]
        days = Section("days", "按日 By day", [Table("days", "按日", ["日期", *COUNT_COLS, "等候中位(分)"], day_rows)],
                       note="" if day_rows else NO_DATA)
        days.charts.append(Chart("issued_by_day", "每日取号与办结", [r[0][5:] for r in day_rows],
                                 {"取号": [r[1] for r in day_rows], "办结": [r[2] for r in day_rows]}, kind="line"))
        out.append(days)
    return out


def help_section(db: sqlite3.Connection, period: Period, tz: ZoneInfo) -> Section:
    sec = Section("help", "帮办代办与上门服务 Help requests and home visits")
    if not {"at", "kind", "state"} <= set(table_columns(db, "help_requests")):
        sec.note = NO_DATA
        return sec
    a, b = period.bounds(tz)
    rows = db.execute("SELECT kind, state, at, acked_at, grp FROM help_requests WHERE at >= ? AND at < ?",
                      (a, b)).fetchall()
    if not rows:
        sec.note = NO_DATA
    by_kind: dict[str, list[tuple]] = defaultdict(list)
    for r in rows:
        by_kind[r[0]].append(r)
    names = {"desk": "现场帮办 desk", "home_visit": "上门服务 home visit"}
    kind_rows = []
    for kind in sorted(set(by_kind) | {"desk", "home_visit"}):
        rs = by_kind.get(kind, [])
        acks = [r[3] - r[2] for r in rs if r[3] is not None]
        kind_rows.append([names.get(kind, kind), len(rs), len(acks), minutes(quantile(acks, 0.5)),
                          minutes(quantile(acks, 0.9))])
    sec.tables.append(Table("kinds", "按类型", ["类型", "请求", "已响应", "响应中位(分)", "响应P90(分)"], kind_rows))
    groups = Counter((r[4] or "其他") for r in by_kind.get("home_visit", []))
    sec.tables.append(Table("home_visit_groups", "上门服务对象", ["对象", "次数"], [list(g) for g in sorted(groups.items())]))
    return sec


# ---------------------------------------------------------------------------------------------- extension
@dataclass(frozen=True, slots=True)
class Source:
    """A table some hub feature writes, described well enough to report on it.

    ``time_column`` holds epoch seconds; rows in the period are counted, counted per value of each
    ``group_by`` column that exists, and each ``average`` column that exists is averaged. ``build``,
    when given, replaces all that: ``build(db, period, tz) -> Section``.
    """

    key: str
    title: str
    table: str
    time_column: str = "at"
    group_by: tuple[str, ...] = ()
    average: tuple[str, ...] = ()
    build: Callable[[sqlite3.Connection, Period, ZoneInfo], Section] | None = None


# Matched to the tables the evaluation and case features create today (kiosk.hub.feature_*); a column
# they drop or rename is simply skipped.
SOURCES: list[Source] = [
    Source("evaluations", "好差评 Evaluations", "evaluations", group_by=("level", "window", "category", "channel"),
           average=("level",)),
    Source("appointments", "预约 Appointments", "appointments", group_by=("state", "category")),
    Source("cases", "办件与差评整改 Cases", "cases", time_column="opened_at", group_by=("state",)),
]


def register_source(src: Source) -> None:
    """Add or replace (by key) the description of a feature's table."""
    SOURCES[:] = [s for s in SOURCES if s.key != src.key] + [src]


def source_section(db: sqlite3.Connection, src: Source, period: Period, tz: ZoneInfo) -> Section:
    if src.build is not None:
        try:
            return src.build(db, period, tz)
        except sqlite3.Error as exc:  # the feature's table is not (yet) what its builder expects
            return Section(src.key, src.title, note=f"{NO_DATA}: {exc}")
    cols = table_columns(db, src.table)
    sec = Section(src.key, src.title)
    if not cols:
        sec.note = f"{NO_DATA}（{src.table} 表尚不存在）"
        return sec
    if src.time_column not in cols:
        sec.note = f"{NO_DATA}（{src.table} 表没有 {src.time_column} 列）"
        return sec
    a, b = period.bounds(tz)
    where = f"FROM {_ident(src.table)} WHERE {_ident(src.time_column)} >= ? AND {_ident(src.time_column)} < ?"
    total = db.execute(f"SELECT COUNT(*) {where}", (a, b)).fetchone()[0]
    summary = [["记录 rows", total]]
    for col in (c for c in src.average if c in cols):
        avg = db.execute(f"SELECT AVG({_ident(col)}) {where}", (a, b)).fetchone()[0]
        summary.append([f"平均 {col}", None if avg is None else round(avg, 2)])
    sec.tables.append(Table("summary", src.title, ["指标", "数值"], summary))
    for col in (c for c in src.group_by if c in cols):
        rows = db.execute(f"SELECT {_ident(col)}, COUNT(*) {where} GROUP BY 1 ORDER BY 2 DESC, 1", (a, b)).fetchall()
        sec.tables.append(Table(f"by_{col}", f"按 {col}", [col, "记录"], [list(r) for r in rows]))
    if total == 0:
        sec.note = NO_DATA
    return sec


# ---------------------------------------------------------------------------------------------- entry
def build_report(db_path: str | Path, cfg, period: Period, *, now: float | None = None) -> Report:
    tz = ZoneInfo(cfg.timezone)
    db = open_readonly(db_path)
    try:
        tickets, noshows = load_tickets(db, period)
        sections = queue_sections(tickets, noshows, cfg, period, tz)
        sections.append(help_section(db, period, tz))
        sections += [source_section(db, s, period, tz) for s in SOURCES]
    except sqlite3.Error as exc:
        raise StoreError(f"{db_path}: cannot read: {exc}") from exc
    finally:
        db.close()
    return Report(cfg.site_id, cfg.name, period, now if now is not None else datetime.now(tz).timestamp(), sections)


# ---------------------------------------------------------------------------------------------- demo data
# Mean service minutes per category in the demo (quick items dominate a township hall's day), the
# share of visitors per category, and the fallback office hours when no calendar file is configured.
DEMO_SERVICE_MIN = {"A": 3.5, "B": 6.0, "C": 2.5, "D": 2.2, "E": 3.0, "F": 10.0}
DEMO_WEIGHT = {"A": 3.0, "B": 1.0, "C": 3.0, "D": 3.0, "E": 4.0, "F": 0.2}
DEMO_SESSIONS = ((time(8, 30), time(12, 0)), (time(14, 30), time(17, 30)))
WEEKDAY_LOAD = (1.15, 1.0, 0.95, 1.0, 0.9, 0.8, 0.8)  # Monday is the busiest


def _demo_sessions(cfg) -> Callable[[date], list[tuple[time, time]]]:
    """Walk-in sessions of a day from the hall's calendar, else Monday–Friday fallback hours."""
    if cfg.calendar_path is not None:
        try:
            from .calendar_data import load_calendar, load_hours
            from .core.hours import HallSchedule, SessionKind
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
    from .core.queue import Queue
    from .store.db import Store
    from .store.help import HelpRequests
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
        from .store.help import HelpRequests
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
        from .core import commands as C
        from .core.errors import QueueError
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
