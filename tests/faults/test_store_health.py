"""Store health is visible: while the state file takes no writes, hub/status and the hub's own status say
store_ok: false and `kiosk status` exits 1; a retried request whose answer is already stored still gets
that answer; a hub started on a full disk says so at once (log and hub/status); and all of it clears
when the disk has room again."""

from __future__ import annotations

import logging
import subprocess
import sys

from tests.conftest import HALL_CONFIG, REPO, HubThread
from tests.mqtt_helpers import wait_until


def _fill(hub) -> None:
    pages = hub.store._db.execute("PRAGMA page_count").fetchone()[0]
    hub.store._db.execute(f"PRAGMA max_page_count = {pages}")


def _make_room(hub) -> None:
    hub.store._db.execute("PRAGMA max_page_count = 1073741823")


def _kiosk_status(port: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "status", "--config", str(HALL_CONFIG), "--broker",
                           f"127.0.0.1:{port}"], capture_output=True, text=True, cwd=REPO, timeout=60)


def test_full_disk_shows_on_hub_status_and_stored_answers_are_still_served(broker, hall_cfg, tmp_path, recorder):
    h = HubThread(hall_cfg, tmp_path / "state", broker.port).start()
    try:
        watch = recorder("hub/status", "device/hub/status")
        kiosk = recorder(device="kiosk-disk")
        first = kiosk.call("ticket.issue", category="C", txn="answered-1")
        assert first["ok"]
        _fill(h.hub)
        for n in range(400):  # until a write needs a page the file may not grow
            rep = kiosk.call("ticket.issue", category="C", txn=f"new-{n}")
            if not rep["ok"]:
                assert rep["error"]["code"] == "store_unavailable"
                break
        else:
            raise AssertionError("the store never refused a write")
        watch.wait_for("hub/status", lambda s: s["store_ok"] is False)
        watch.wait_for("device/hub/status", lambda s: s["store_ok"] is False)
        r = _kiosk_status(broker.port)
        assert r.returncode == 1 and "hub cannot write its database" in r.stdout, r.stdout + r.stderr
        again = kiosk.call("ticket.issue", category="C", txn="answered-1")  # a retry of an answered request
        assert again == first
        _make_room(h.hub)
        assert kiosk.call("ticket.issue", category="C", txn="after")["ok"]
        watch.wait_for("hub/status", lambda s: s["store_ok"] is True and s["at"] > 0)
        wait_until(lambda: watch.last("device/hub/status")["store_ok"] is True, what="the hub's status healed")
    finally:
        h.stop()


def test_a_hub_started_on_a_full_disk_says_so(broker, hall_cfg, tmp_path, recorder, caplog):
    h = HubThread(hall_cfg, tmp_path / "state", broker.port)
    _fill(h.hub)  # before its first write: starting the day needs new pages
    watch = recorder("hub/status")
    with caplog.at_level(logging.ERROR, logger="kiosk.hub.service"):
        h.start()  # it still comes up (READY), serving what it can, and says what is wrong
        try:
            watch.wait_for("hub/status", lambda s: s["store_ok"] is False)
            assert any("state" in r.getMessage() and ("cannot be written" in r.getMessage() or
                                                      "not saved" in r.getMessage()) for r in caplog.records)
            assert _kiosk_status(broker.port).returncode == 1
            _make_room(h.hub)
            watch.wait_for("hub/status", lambda s: s["store_ok"] is True, timeout=30)  # healed while idle
        finally:
            h.stop()
