"""kiosk-report.service run as production runs it: on the hall broker exactly as `kiosk provision` wrote it
(ACL and passwords), a real hub (kiosk-hub.service's ExecStart, logged in as ``hub``) serves a kiosk's
tickets; the oneshot the timer starts logs in as ``reporter`` with the files docs/operations.md installs
(/etc/kiosk/report.toml, site.toml with the reporter's [broker] table; /etc/kiosk/reporter.password), reads
the hub's database beside it and publishes today's and this month's report retained on
hub/report/day|month, which the web's identity reads and whose figures count those tickets. The timer
fires every 10 minutes from 07:00 to 20:50 hall time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ..ops.conftest import PROVISION, ROOT, as_device, hall_broker, provisioned  # noqa: F401  (fixtures)
from ..security.conftest import Device
from .checks import verify_timer_pair
from .conftest import UNITS, site_toml as unit_site_toml
from .test_backup_unit import start_hub
from .units import Layout, NotifySocket, UnitProcess, one


@pytest.fixture
def site_toml(tmp_path) -> Path:
    """The provisioned hall, with the web's identity (the reader of the reports) provisioned too."""
    p = tmp_path / "site.toml"
    p.write_text(unit_site_toml(1883, tmp_path / "unused") + PROVISION + 'web = ["web"]\n', encoding="utf-8")
    return p


def with_login(layout: Layout, out: Path, account: str, password_file: str, port: int, name: str) -> Path:
    """/etc/kiosk/<name>: the hall's site.toml whose [broker] table is what `kiosk provision` wrote for
    ``account`` (devices/<account>/broker.toml), its password installed where that table says, in the
    unit's folders, and the test broker's port."""
    table = (out / "devices" / account / "broker.toml").read_text(encoding="utf-8")
    pw = layout.etc / Path(password_file).name
    assert f'password_file = "{password_file}"' in table, table
    shutil.copyfile(out / "devices" / account / "mqtt.password", pw)
    pw.chmod(0o600)
    table = table.replace(password_file, str(pw)).replace("port = 1883", f"port = {port}")
    text = unit_site_toml(port, layout.state) + PROVISION + 'web = ["web"]\n'
    head, rest = text.split("[broker]\n", 1)
    conf = layout.etc / name
    conf.write_text(head + table + rest[rest.index("\n["):], encoding="utf-8")
    return conf


def test_the_report_oneshot_logs_in_as_the_reporter_and_publishes_the_days_figures(
        hall_broker, provisioned, as_device, layout, tmp_path):
    out, port = provisioned.out, hall_broker.port
    with_login(layout, out, "hub", "/etc/kiosk/mqtt.password", port, "site.toml")
    with_login(layout, out, "reporter", "/etc/kiosk/reporter.password", port, "report.toml")
    hub, _ = start_hub(layout, tmp_path, "hub")
    web = as_device("web")
    web.subscribe(ROOT + "hub/report/#")
    kiosk = Device(as_device("kiosk-1"), "kiosk-1")
    try:
        for cat in "AAE":
            assert kiosk.call("ticket.issue", category=cat)["ok"]
        sock = NotifySocket()
        try:
            unit = UnitProcess(UNITS / "kiosk-report.service", layout, sock, watchdog_usec=0,
                               log=tmp_path / "report.log")
            assert one(unit.unit, "Service", "Type") == "oneshot"
            unit.start()
            unit.proc.wait(180)
        finally:
            sock.close()
        assert unit.proc.returncode == 0, unit.output()
        assert "published hub/report/day" in unit.output()
        day = json.loads(web.wait_for(ROOT + "hub/report/day", timeout=30))
        assert day["period"] == "day" and day["csv"]
        totals = next(v for k, v in day["csv"].items() if k.endswith("-summary-totals.csv"))
        assert any(line.startswith("取号") and line.rstrip().endswith(",3") for line in totals.splitlines()), totals
        assert json.loads(web.wait_for(ROOT + "hub/report/month", timeout=30))["period"] == "month"
        assert hub.proc.poll() is None  # the hub kept serving, on its own connection
        assert kiosk.call("ticket.issue", category="A")["ok"]
    finally:
        hub.stop()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_report_units_verify_and_the_timer_fires_every_ten_minutes_in_hall_hours(tmp_path):
    out = verify_timer_pair(tmp_path, "kiosk-report", 90, "2026-12-01 12:55:00 UTC")
    times = [ln.split()[-2] for ln in out.splitlines() if "UTC" in ln and ("Iter" in ln or "Next" in ln)]
    # 20:50 hall time is 12:50 UTC: the next run is 07:00 in the hall (23:00 UTC), then every 10 minutes
    assert times[:3] == ["23:00:00", "23:10:00", "23:20:00"], out
    assert "13:00:00" not in times and "22:50:00" not in times, out
