"""`kiosk calendar` as staff use it: why a day is (not) worked, its hours, and the missing-schedule warning."""

from __future__ import annotations

import subprocess
import sys

from kiosk.loaders.calendar_data import package_official_years
from tests.conftest import REAL_CONFIG, REPO


def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "calendar", "--config", str(REAL_CONFIG), *args],
                          capture_output=True, text=True, cwd=REPO, timeout=60)


def test_named_days_say_why_and_when():
    r = kiosk("2026-10-01", "2026-02-14", "2026-11-28", "2026-11-30", "--today", "2026-06-01")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "2026-10-01 周四 休息 国庆节"
    assert lines[1] == "2026-02-14 周六 上班 调休上班 08:30-12:00,14:00-17:00"  # winter timetable
    assert lines[2] == "2026-11-28 周六 休息 周末 预约09:00-12:00"  # appointment-only Saturday
    assert lines[3] == "2026-11-30 周一 上班 工作日 08:30-12:00,14:00-17:00"
    assert len(lines) == 4  # in June, no warning: 2026 is official and next year's check starts 1 November


def test_whole_year_with_summary():
    r = kiosk("--year", "2026", "--today", "2026-06-01")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 365 + 1
    assert lines[0].startswith("2026-01-01 周四 休息 元旦")
    summer = "2026-05-06 周三 上班 工作日 08:30-12:00,14:30-17:30"
    assert summer in lines
    summary = lines[-1]
    assert summary.startswith("2026年：上班 ") and "调休上班 6 天" in summary


def test_missing_next_year_schedule_is_flagged_from_november():
    r = kiosk("2026-11-29", "--today", "2026-11-29")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "2026-11-29 周日 休息 周末"
    warnings = [line for line in lines if line.startswith("警告：")]
    if 2027 in package_official_years():  # a newer holidays package carries the 2027 notice
        assert warnings == []
    else:
        assert len(warnings) == 1 and "2027" in warnings[0]


def test_unpublished_year_is_marked_provisional():
    r = kiosk("2027-10-01", "--today", "2026-06-01")
    assert r.returncode == 0, r.stderr
    if 2027 not in package_official_years():
        assert "（未公布，预计）" in r.stdout and "2027年的国务院节假日安排尚未收录" in r.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    r = kiosk("2026-02-30")
    assert r.returncode == 2 and "2026-02-30" in r.stderr
    broken = tmp_path / "calendar.toml"
    broken.write_text("[hours]\nclosing_minutes = 999\n[[hours.season]]\nname='x'\nstarts='01-01'\n"
                      "sessions=[['08:30','12:00']]\n", encoding="utf-8")
    r = kiosk("--calendar", str(broken), "2026-10-01")
    assert r.returncode == 2 and "hours.closing_minutes" in r.stderr
