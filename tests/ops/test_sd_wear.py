"""The SD card: status and availability messages, which every screen, pad and button sends once a
minute day and night, change the hub's memory only; the database is written for queue work, and the
clock guard's record at most every LAST_SEEN_EVERY_S while only devices talk. (bench/bench_sd_writes.py
measures the bytes.)"""

from __future__ import annotations

import sqlite3
from datetime import datetime, time
from zoneinfo import ZoneInfo

from kiosk.hub.service import LAST_SEEN_EVERY_S

from ..conftest import HubThread


class Clock:
    """The hub's clock from noon today in the hall: the test moves it on by minutes and must not cross the
    hall's midnight, where a new business day is rightly written."""

    def __init__(self, timezone: str) -> None:
        zone = ZoneInfo(timezone)
        self.t = datetime.combine(datetime.now(zone).date(), time(12), zone).timestamp()

    def __call__(self) -> float:
        return self.t


def data_version(con: sqlite3.Connection) -> int:
    return con.execute("PRAGMA data_version").fetchone()[0]  # changes when another connection commits


def last_seen(con: sqlite3.Connection) -> float:
    return float(con.execute("SELECT value FROM meta WHERE key='last_seen'").fetchone()[0])


def test_device_status_is_not_written_but_queue_work_is(broker, hall_cfg, recorder, tmp_path):
    clock = Clock(hall_cfg.timezone)
    h = HubThread(hall_cfg, tmp_path / "state", broker.port, clock=clock).start()
    rec = recorder("hub/status")
    con = sqlite3.connect(tmp_path / "state" / "hub.sqlite3")
    try:
        rec.call("ticket.info", ticket="none")  # the hub has started its day and is idle
        before, seen = data_version(con), last_seen(con)
        for i in range(20):
            clock.t += 30
            rec.publish(f"device/kiosk-{i % 3}/status", {"v": 1, "kind": "terminal", "fps": 15.0, "n": i}, retain=True)
            rec.wait_for("hub/status", lambda m, i=i: m.get("devices", {}).get(f"kiosk-{i % 3}", {})
                         .get("status", {}).get("n") == i)
        rec.publish("device/kiosk-9/availability", b"online", raw=True, retain=True)
        rec.wait_for("hub/status", lambda m: m.get("devices", {}).get("kiosk-9", {}).get("availability") == "online")
        assert 20 * 30 >= LAST_SEEN_EVERY_S  # the clock went past the refresh interval once …
        assert data_version(con) != before and last_seen(con) > seen  # … so last_seen was written once
        refreshed = data_version(con)
        for i in range(5):
            clock.t += 30
            rec.publish("device/display-1/status", {"v": 1, "kind": "display", "n": i}, retain=True)
            rec.wait_for("hub/status", lambda m, i=i: m.get("devices", {}).get("display-1", {})
                         .get("status", {}).get("n") == i)
        assert data_version(con) == refreshed, "status messages within the interval wrote to the database"

        assert rec.call("ticket.issue", category="A")["ok"]
        assert data_version(con) != refreshed  # queue work is durable at once
    finally:
        con.close()
        h.stop()
