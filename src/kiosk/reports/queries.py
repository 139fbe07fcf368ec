"""Reports for the centre's management, read straight from the hub's SQLite file: the report's shape
(tables, sections, periods) and the queries of the queue's own figures.

Rule: read-only — the file is opened with a ``mode=ro`` URI, so a report can run beside the live hub
and can never change it. Figures come from the event log (``events``) and ``help_requests``; a ticket
belongs to the business day it was issued on and to the category it was issued for (a transfer is
counted, not re-attributed). Waiting time is issued → first call; service time is the hub's own
``service_s`` (start, else call → complete). Percentiles interpolate linearly between ranks.
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

from ..errors import StoreError

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
