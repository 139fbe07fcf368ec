"""Every time a staff tool prints is hall time from the config (Asia/Shanghai), whatever the machine's
zone: the tools run here with TZ=UTC, where a machine-zone time would be eight hours early."""

from __future__ import annotations

import ast
import logging
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.halltime import MINUTE, SECOND, hall_time, log_in_hall_time
from kiosk.tools.case_tools import describe_case_full
from kiosk.tools.help_tools import describe_alert, describe_help

from ..conftest import HALL_CONFIG, REPO

HALL = ZoneInfo("Asia/Shanghai")
AT = 1796120100.0  # 2026-12-01 10:15 UTC = 18:15 in the hall


def run_utc(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TZ="UTC")
    return subprocess.run([sys.executable, "-m", "kiosk", *args, "--config", str(HALL_CONFIG)], env=env,
                          capture_output=True, text=True, cwd=REPO, timeout=120)


def hall_and_utc(ts: float, fmt: str) -> tuple[str, str]:
    return hall_time(ts, HALL, fmt), datetime.fromtimestamp(ts, timezone.utc).strftime(fmt)


@pytest.fixture
def machine_in_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_kiosk_status_prints_the_hub_start_in_hall_time(hub, broker):
    r = run_utc("status", "--broker", f"127.0.0.1:{broker.port}")
    hall, utc = hall_and_utc(hub.started_at, MINUTE)
    assert f"since {hall} (Asia/Shanghai)" in r.stdout, r.stdout + r.stderr
    assert utc not in r.stdout


def test_kiosk_alerts_prints_request_times_in_hall_time(hub, broker, recorder):
    kiosk = recorder(device="kiosk-9")
    assert kiosk.call("help.request", kind="desk", where="自助区1号机")["ok"]
    rows = kiosk.call("alert.list")["result"]["help"]
    at = rows[0]["at"]
    r = run_utc("alerts", "--broker", f"127.0.0.1:{broker.port}")
    assert r.returncode == 0, r.stderr
    hall, utc = hall_and_utc(at, SECOND)
    assert hall in r.stdout and utc not in r.stdout, r.stdout


def test_kiosk_content_list_prints_publication_in_hall_time(broker, tmp_path):
    page = tmp_path / "notice.md"
    page.write_text("# 停水通知\n\n十二月二日上午停水。\n", encoding="utf-8")
    b = f"127.0.0.1:{broker.port}"
    assert run_utc("content", "publish", str(page), "--broker", b).returncode == 0
    import json
    listed = json.loads(run_utc("content", "list", "--json", "--broker", b).stdout)
    at = next(iter(listed.values()))["published_at"]
    r = run_utc("content", "list", "--broker", b)
    hall, utc = hall_and_utc(at, MINUTE)
    assert hall in r.stdout and utc not in r.stdout, r.stdout


def test_alert_help_and_case_lines_in_hall_time(machine_in_utc):
    assert datetime.fromtimestamp(AT).hour == 10  # the machine really is in UTC here
    assert describe_help({"id": "h1", "at": AT, "kind": "desk", "state": "open"}, HALL).split()[1] == "18:15:00"
    assert describe_alert({"at": AT, "text": "请求帮办"}, HALL).startswith("18:15:00")
    case = {"id": "c1", "state_label": "待核实", "source_label": "差评", "opened_at": AT,
            "history": [{"at": AT + 3600, "action": "verify", "action_label": "核实", "by": "李明"}]}
    text = describe_case_full(case, HALL)
    assert "登记 2026-12-01 18:15" in text and "2026-12-01 19:15 核实" in text
    assert describe_alert({"at": None, "text": "x"}, HALL).startswith("--:--:--")


def test_hand_run_log_lines_are_stamped_in_hall_time(machine_in_utc):
    logger = logging.getLogger("kiosk.test.halltime")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    try:
        log_in_hall_time(HALL, logger)
        record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "x", (), None)
        record.created = AT
        assert handler.format(record).startswith("2026-12-01 18:15:00")
    finally:
        logger.removeHandler(handler)


MACHINE_ZONE_CALLS = {("time", "localtime"), ("time", "strftime"), ("time", "ctime"), ("time", "asctime"),
                      ("date", "today")}


def _machine_zone_uses(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value.id if isinstance(node.func.value, ast.Name) else ""
        name = node.func.attr
        has_tz = len(node.args) >= (2 if name == "fromtimestamp" else 1) or any(k.arg == "tz" for k in node.keywords)
        if (owner, name) in MACHINE_ZONE_CALLS or name in ("fromtimestamp", "now") and owner == "datetime" \
                and not has_tz:
            out.append(f"{path.name}:{node.lineno} {owner}.{name}")
    return out


def test_no_staff_tool_formats_a_time_in_the_machine_zone(tmp_path):
    src = REPO / "src" / "kiosk"
    files = [*sorted((src / "tools").glob("*.py")), *sorted((src / "reports").glob("*.py")), src / "cli.py"]
    problems = [p for f in files for p in _machine_zone_uses(f)]
    assert not problems, problems
    bad = tmp_path / "bad.py"
    bad.write_text("import time\nfrom datetime import datetime\ndatetime.fromtimestamp(1)\ntime.localtime(1)\n"
                   "datetime.fromtimestamp(1, tz)\n")
    assert _machine_zone_uses(bad) == ["bad.py:3 datetime.fromtimestamp", "bad.py:4 time.localtime"]
