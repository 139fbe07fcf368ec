"""kiosk-report.service run as production runs it: a real hub (kiosk-hub.service's ExecStart) on a real
mosquitto serves tickets; the oneshot the timer starts reads the hub's database beside it and publishes
today's and this month's report retained on hub/report/day|month, whose figures count those tickets. The
timer fires every 10 minutes from 07:00 to 20:50 hall time."""

from __future__ import annotations

import shutil

import pytest

from tests.mqtt_helpers import Recorder

from .checks import verify_timer_pair
from .conftest import UNITS, write_site
from .test_backup_unit import start_hub
from .units import NotifySocket, UnitProcess, one


def test_the_report_oneshot_publishes_the_days_figures_while_the_hub_serves(broker, layout, tmp_path):
    site = write_site(layout, broker.port)
    (layout.etc / "report.toml").write_text(site.read_text(encoding="utf-8"), encoding="utf-8")
    hub, _ = start_hub(layout, tmp_path, "hub")
    rec = Recorder(broker.port, "huangtan", ("hub/report/+",))
    try:
        for cat in "AAE":
            assert rec.call("ticket.issue", category=cat, timeout=30)["ok"]
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
        day = rec.wait_for("hub/report/day", timeout=30)
        assert day["period"] == "day" and day["csv"]
        totals = next(v for k, v in day["csv"].items() if k.endswith("-summary-totals.csv"))
        assert any(line.startswith("取号") and line.rstrip().endswith(",3") for line in totals.splitlines()), totals
        assert rec.wait_for("hub/report/month", timeout=30)["period"] == "month"
        assert hub.proc.poll() is None  # the hub kept serving
    finally:
        rec.close()
        hub.stop()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_report_units_verify_and_the_timer_fires_every_ten_minutes_in_hall_hours(tmp_path):
    out = verify_timer_pair(tmp_path, "kiosk-report", 90, "2026-12-01 12:55:00 UTC")
    times = [ln.split()[-2] for ln in out.splitlines() if "UTC" in ln and ("Iter" in ln or "Next" in ln)]
    # 20:50 hall time is 12:50 UTC: the next run is 07:00 in the hall (23:00 UTC), then every 10 minutes
    assert times[:3] == ["23:00:00", "23:10:00", "23:20:00"], out
    assert "13:00:00" not in times and "22:50:00" not in times, out
