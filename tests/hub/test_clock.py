"""The clock guard in the real hub: a Pi without an RTC may boot with an old time; numbering must stay
unique per business day and the day never rolls back."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.conftest import HubThread

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh, mm=0) -> float:
    return datetime(y, m, d, hh, mm, tzinfo=TZ).timestamp()


def test_clock_back_a_day_after_restart_then_forward(broker, hall_cfg, tmp_path, recorder):
    clock = {"now": at(2026, 12, 1, 10)}
    r = recorder()

    def run_hub():
        return HubThread(hall_cfg, tmp_path / "st", broker.port, clock=lambda: clock["now"]).start()

    h = run_hub()
    assert [r.call("ticket.issue", category="A")["result"]["number"] for _ in range(2)] == ["A001", "A002"]
    h.stop()

    clock["now"] = at(2026, 11, 30, 10)  # rebooted without NTP: one day behind
    h = run_hub()
    t = r.call("ticket.issue", category="A")["result"]
    assert t["number"] == "A003" and t["ticket"].startswith("20261201-")
    assert h.hub.queue.state.day == "2026-12-01"
    assert t["issued_at"] >= at(2026, 12, 1, 10)  # event times never run back

    clock["now"] = at(2026, 12, 1, 13, 30)  # NTP steps the clock forward within the same day
    assert r.call("ticket.issue", category="A")["result"]["number"] == "A004"

    clock["now"] = at(2026, 12, 2, 8, 31)  # the next morning: a new business day
    t = r.call("ticket.issue", category="A")["result"]
    assert t["number"] == "A001" and t["ticket"].startswith("20261202-")
    h.stop()

    clock["now"] = at(2026, 12, 1, 9)  # and back again after another reboot
    h = run_hub()
    try:
        t = r.call("ticket.issue", category="A")["result"]
        assert t["number"] == "A002" and t["ticket"].startswith("20261202-")
    finally:
        h.stop()
