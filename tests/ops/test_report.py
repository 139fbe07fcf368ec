"""Reports: figures of a small hand-made day, missing feature tables, CSV and HTML output, demo history."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.config import load
from kiosk.core import commands as C
from kiosk.core.queue import Queue
from kiosk.reports import NO_DATA, Source, build_report, day_period, month_period, open_readonly, quantile
from kiosk.reports.render import render_html, render_text, write_csv
from kiosk.store.db import Store
from kiosk.store.help import HelpRequests

from ..conftest import HALL_CONFIG, REPO

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 30)


def at(hh: int, mm: int, d: date = DAY) -> float:
    return datetime(d.year, d.month, d.day, hh, mm, tzinfo=TZ).timestamp()


class Hall:
    """Queue + Store driven like the hub does: apply, then log the command with its events."""

    def __init__(self, path, cfg) -> None:
        self.store = Store(path)
        self.q = Queue(cfg.hall)

    def __call__(self, cmd: C.Command) -> list[C.Event]:
        events = self.q.apply(cmd)
        with self.store.batch():
            self.store.add_events(self.store.add_command(cmd), self.q.state.day, events)
        return events


@pytest.fixture
def cfg():
    return load(HALL_CONFIG)


@pytest.fixture
def small_day(tmp_path, cfg):
    """Five tickets on 30 Nov 2026 with waits and services easy to work out by hand."""
    db = tmp_path / "state" / "hub.sqlite3"
    h = Hall(db, cfg)
    h(C.StartDay(now=at(8, 0, date(2026, 11, 27)), day="2026-11-27"))
    h(C.IssueTicket(now=at(16, 0, date(2026, 11, 27)), category="A"))  # left waiting: expires on the 30th
    h(C.StartDay(now=at(8, 0), day=DAY.isoformat()))
    h(C.IssueTicket(now=at(9, 0), category="A"))      # A001
    h(C.IssueTicket(now=at(9, 1), category="C"))      # C001
    h(C.IssueTicket(now=at(9, 2), category="A"))      # A002
    h(C.CallNext(now=at(9, 4), window="w3"))          # C001 waited 3 min
    h(C.IssueTicket(now=at(9, 5), category="C"))      # C002
    h(C.CallNext(now=at(9, 10), window="w1"))         # A001 waited 10 min
    h(C.CompleteService(now=at(9, 10), window="w3"))  # C001 served 6 min (from the call)
    h(C.StartService(now=at(9, 11), window="w1"))
    h(C.CompleteService(now=at(9, 16), window="w1"))  # A001 served 5 min (from the start)
    h(C.CallNext(now=at(9, 20), window="w1"))         # A002 waited 18 min
    h(C.Skip(now=at(9, 22), window="w1"))             # A002 过号
    h(C.VoidTicket(now=at(9, 30), ticket="C002"))     # C002 left
    h(C.IssueTicket(now=at(10, 10), category="D"))    # D001
    h(C.CallNext(now=at(10, 20), window="w4"))        # D001 waited 10 min
    h(C.StartService(now=at(10, 21), window="w4"))
    h(C.CompleteService(now=at(10, 30), window="w4"))  # D001 served 9 min
    help_table = HelpRequests.open(h.store)
    with h.store.batch():
        help_table.add({"id": "h1", "at": at(9, 40), "kind": "desk", "device": "kiosk-1", "txn": "t1",
                          "state": "acknowledged", "acked_by": "王", "acked_at": at(9, 42)})
        help_table.add({"id": "h2", "at": at(11, 0), "kind": "home_visit", "device": "kiosk-1", "txn": "t2",
                          "grp": "老年人", "phone": "13812345678", "address": "黄潭村", "state": "waiting"})
        help_table.add({"id": "h3", "at": at(11, 0, date(2026, 11, 27)), "kind": "desk", "device": "kiosk-1",
                          "txn": "t3", "state": "waiting"})
    h.store.close()
    return db


def rows(report, section: str, table: str) -> dict:
    t = next(t for t in report.section(section).tables if t.key == table)
    return {r[0]: r[1:] for r in t.rows}


def test_quantile_interpolates_between_ranks():
    assert quantile([], 0.5) is None
    assert quantile([7], 0.9) == 7
    assert quantile([10, 18], 0.5) == 14 and quantile([10, 18], 0.9) == pytest.approx(17.2)
    assert quantile([3, 10, 10, 18], 0.9) == pytest.approx(15.6)


def test_small_day_figures_match_hand_computation(small_day, cfg):
    r = build_report(small_day, cfg, day_period(DAY))
    totals = rows(r, "summary", "totals")
    assert totals["取号 tickets issued"] == [5] and totals["办结 served"] == [3]
    assert totals["过号 no-show"] == [1] and totals["作废 voided"] == [1]
    assert totals["未办 unserved (expired/open)"] == [0]
    # waits 3, 10, 10, 18 min; services 5, 6, 9 min
    assert totals["等候中位(分)"] == [10.0] and totals["等候P90(分)"] == [15.6]
    assert totals["办理中位(分)"] == [6.0] and totals["办理P90(分)"] == [8.4]

    cats = rows(r, "categories", "categories")
    #                  name      issued served noshow void unserved  wait med/p90  service med/p90
    assert cats["A"] == ["公安业务", 2, 1, 1, 0, 0, 14.0, 17.2, 5.0, 5.0]
    assert cats["C"] == ["人社业务", 2, 1, 0, 1, 0, 3.0, 3.0, 6.0, 6.0]
    assert cats["D"] == ["医保业务", 1, 1, 0, 0, 0, 10.0, 10.0, 9.0, 9.0]
    assert cats["B"][1:6] == [0, 0, 0, 0, 0] and cats["B"][6] is None

    wins = rows(r, "windows", "windows")
    assert wins["w1"][2:] == [2, 1, 1, 14.0, 17.2, 5.0, 5.0]
    assert wins["w3"][2:] == [1, 1, 0, 3.0, 3.0, 6.0, 6.0]
    assert wins["w4"][2:] == [1, 1, 0, 10.0, 10.0, 9.0, 9.0]
    assert "desk" not in wins

    hours = rows(r, "hours", "hours")
    assert hours["09:00"][:2] == [4, 4.0] and hours["10:00"][:2] == [1, 1.0]
    assert hours["09:00"][2:4] == [10.0, 16.4]  # waits 3, 10, 18 (A002), C002 never called
    assert list(rows(r, "hours", "busiest")) == ["09:00", "10:00"]

    help_kinds = rows(r, "help", "kinds")
    assert help_kinds["现场帮办 desk"] == [1, 1, 2.0, 2.0]  # the 27th's request is outside the day
    assert help_kinds["上门服务 home visit"] == [1, 0, None, None]
    assert rows(r, "help", "home_visit_groups") == {"老年人": [1]}
    assert "days" not in [s.key for s in r.sections]  # a one-day report has no per-day table


def test_range_report_counts_each_ticket_on_its_own_day(small_day, cfg):
    from kiosk.reports import Period
    r = build_report(small_day, cfg, Period(date(2026, 11, 27), DAY, "range"))
    days = rows(r, "days", "days")
    assert days["2026-11-27"][:5] == [1, 0, 0, 0, 1]  # issued, expired unserved at the next day's start
    assert days["2026-11-30"][:5] == [5, 3, 1, 1, 0]


def test_missing_feature_tables_say_no_data_and_present_ones_are_read(small_day, cfg):
    r = build_report(small_day, cfg, day_period(DAY))
    for key in ("evaluations", "appointments", "cases"):
        assert r.section(key).note.startswith(NO_DATA) and not r.section(key).tables
    db = sqlite3.connect(small_day)
    db.execute("CREATE TABLE evaluations (id TEXT, at REAL, level INTEGER, window TEXT)")
    db.executemany("INSERT INTO evaluations VALUES (?,?,?,?)", [
        ("e1", at(9, 20), 5, "w3"), ("e2", at(9, 30), 5, "w1"), ("e3", at(10, 40), 1, "w4"),
        ("e0", at(9, 0, date(2026, 11, 27)), 1, "w1")])
    db.execute("CREATE TABLE cases (id TEXT, opened REAL)")  # a schema the generic reader cannot use
    db.commit()
    db.close()
    r = build_report(small_day, cfg, day_period(DAY))
    ev = r.section("evaluations")
    assert ev.note == ""
    t = {t.key: t for t in ev.tables}
    assert t["summary"].rows == [["记录 rows", 3], ["平均 level", 3.67]]
    assert t["by_level"].rows == [[5, 2], [1, 1]]
    assert t["by_window"].rows == [["w1", 1], ["w3", 1], ["w4", 1]]
    assert "by_category" not in t and "by_channel" not in t  # absent columns are skipped
    assert "cases" in r.section("cases").note and NO_DATA in r.section("cases").note


def test_custom_source_builder(small_day, cfg, monkeypatch):
    from kiosk.reports import Section, sources as R
    monkeypatch.setattr(R, "SOURCES", list(R.SOURCES))
    R.register_source(Source("appointments", "预约", "appointments",
                             build=lambda db, period, tz: Section("appointments", "预约", note="built")))
    R.register_source(Source("broken", "坏", "nope", build=lambda db, period, tz: db.execute("SELECT * FROM nope")))
    r = build_report(small_day, cfg, day_period(DAY))
    assert r.section("appointments").note == "built"
    assert r.section("broken").note.startswith(NO_DATA)


def test_report_opens_read_only_and_changes_nothing(small_day, cfg):
    digest = hashlib.sha256(small_day.read_bytes()).hexdigest()
    db = open_readonly(small_day)
    with pytest.raises(sqlite3.OperationalError):
        db.execute("DELETE FROM events")
    db.close()
    build_report(small_day, cfg, month_period(DAY))
    assert hashlib.sha256(small_day.read_bytes()).hexdigest() == digest


def test_text_csv_and_html_with_charts(small_day, cfg, tmp_path):
    import matplotlib  # noqa: F401 - the charts need the report extra, which ./run installs: missing is a failure
    r = build_report(small_day, cfg, month_period(DAY))
    text = render_text(r)
    assert "公安业务" in text and "无数据" in text
    files = write_csv(r, tmp_path / "csv")
    names = {p.name for p in files}
    assert "2026-11-categories-categories.csv" in names and "2026-11-windows-windows.csv" in names
    assert "2026-11-days-days.csv" in names and "2026-11-help-kinds.csv" in names
    first = (tmp_path / "csv" / "2026-11-categories-categories.csv").read_text(encoding="utf-8-sig").splitlines()
    assert first[0].startswith("类别,名称,取号") and first[1].startswith("A,公安业务,3,1,1,0,1,14.0,17.2,5.0,5.0")  # + the 27th's A001
    page = render_html(r)
    charts = re.findall(r'<img alt="[^"]*" data-chart="(\w+)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert {"wait_by_category", "served_by_window", "issued_by_hour", "wait_by_hour", "issued_by_day"} <= \
        {k for k, _ in charts}
    import base64
    assert all(base64.b64decode(b)[:8] == b"\x89PNG\r\n\x1a\n" for _, b in charts)
    assert "<table>" in page and "matplotlib" not in page


def test_html_without_matplotlib_has_tables_and_says_so(small_day, cfg):
    page = render_html(build_report(small_day, cfg, day_period(DAY)), charts=False)
    assert "<img" not in page and "<table>" in page and "matplotlib" in page


def test_cli_day_month_range(small_day, cfg, tmp_path):
    state = str(small_day.parent)

    def run(*a):
        return subprocess.run([sys.executable, "-m", "kiosk", "report", *a, "--config", str(HALL_CONFIG),
                               "--state", state], capture_output=True, text=True, cwd=REPO, timeout=120)
    r = run("day", "--date", "2026-11-30")
    assert r.returncode == 0, r.stderr
    assert "公安业务" in r.stdout and "2026-11-30" in r.stdout
    r = run("month", "--date", "2026-11", "--format", "csv", "--out", str(tmp_path / "csv"))
    assert r.returncode == 0 and (tmp_path / "csv" / "2026-11-summary-totals.csv").exists(), r.stderr
    r = run("range", "--from", "2026-11-27", "--to", "2026-11-30", "--format", "html", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "report-2026-11-27_2026-11-30.html").exists()
    r = run("range", "--from", "2026-11-30")
    assert r.returncode == 2 and "--to" in r.stderr
    r = subprocess.run([sys.executable, "-m", "kiosk", "report", "day", "--state", str(tmp_path / "none")],
                       capture_output=True, text=True, cwd=REPO, timeout=60)
    assert r.returncode == 3 and "no hub database" in r.stderr


def test_demo_history_is_realistic_and_replayable(tmp_path, cfg):
    from kiosk.reports.demo_history import generate_demo_history
    db = tmp_path / "hub.sqlite3"
    stats = generate_demo_history(db, cfg, days=7, seed=5, end=date(2026, 12, 1), per_day=800)
    assert stats["days"] == 5  # 24–30 Nov 2026: Mon–Fri work, the weekend rests
    assert 700 * 5 <= stats["tickets"] <= 1000 * 5
    r = build_report(db, cfg, month_period(date(2026, 11, 1)))
    totals = rows(r, "summary", "totals")
    assert totals["取号 tickets issued"] == [stats["tickets"]]
    served, issued = totals["办结 served"][0], stats["tickets"]
    assert served > 0.9 * issued and totals["过号 no-show"][0] > 0 and totals["作废 voided"][0] > 0
    assert not any(h.startswith(("12:", "13:")) for h in rows(r, "hours", "hours"))  # lunch gap
    assert 2 <= totals["办理中位(分)"][0] <= 6
    assert rows(r, "help", "kinds")["现场帮办 desk"][0] > 0
    # the hub rebuilds the same state from the file: snapshot + commands after it
    store = Store(db)
    seq, snap = store.latest_snapshot()
    assert seq == store.last_seq() and snap["day"] == "2026-11-30"
    store.close()
    with pytest.raises(Exception, match="already holds"):
        generate_demo_history(db, cfg, days=3, seed=1)


def test_feature_tables_as_the_hub_creates_them(small_day, cfg):
    """The evaluation and case features' own schemas read without error."""
    from kiosk.hub import feature_cases, feature_evaluations
    store = Store(small_day)
    for mod in (feature_evaluations, feature_cases):
        store.ensure_schema(mod.SCHEMA)
    store.close()
    r = build_report(small_day, cfg, day_period(DAY))
    for key in ("evaluations", "cases"):
        s = r.section(key)
        assert s.note == NO_DATA and s.tables[0].rows[0] == ["记录 rows", 0]
