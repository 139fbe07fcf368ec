"""The state file stops taking writes: disk full, or the file turned read-only.

Disk full is simulated with SQLite's own limit, ``PRAGMA max_page_count`` set to the file's current
size on the hub's own connection, so inserts fail with SQLITE_FULL exactly as on a full card. The
read-only case makes the WAL and the database file immutable (``chattr +i``), which stops root too.

Proves: the hub refuses each new command with ``store_unavailable`` (reply and ``hub/error``) and tells
staff (``alert`` store_failed); nothing committed before is lost and nothing refused was half-applied
(the memory equals a replay of the file, and again after a restart); when the disk has room again
the next command succeeds and staff get ``store_recovered``.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import HubThread
from tests.mqtt_helpers import wait_until

from .helpers import query, replay

MAX_TRIES = 400  # requests until the last page with room is used up (a few hundred bytes each)


def _issue(kiosk, n: int) -> dict:
    return kiosk.call("ticket.issue", txn=f"full-{n}", category="C")


def _fill_until_refused(kiosk, start: int) -> tuple[list[str], int]:
    """Issue tickets until the hub refuses one; returns the numbers acknowledged and the next index."""
    acked = []
    for n in range(start, start + MAX_TRIES):
        rep = _issue(kiosk, n)
        if not rep["ok"]:
            assert rep["error"]["code"] == "store_unavailable", rep
            return acked, n + 1
        acked.append(rep["result"]["number"])
    raise AssertionError(f"{MAX_TRIES} tickets and the store never refused one")


@pytest.fixture
def hub_thread(broker, hall_cfg, tmp_path):
    threads = []

    def make():
        h = HubThread(hall_cfg, tmp_path / "state", broker.port).start()
        threads.append(h)
        return h
    yield make
    for h in threads:
        h.stop()


def press_outcome(db, seq: int) -> str | None:
    """Read from a connection of our own: the hub's belongs to its worker thread."""
    rows = query(db, "SELECT outcome FROM presses WHERE device='btn-full' AND seq=?", (seq,))
    return rows[0][0] if rows else None


def _break_and_heal(hub_thread, recorder, hall_cfg, tmp_path, break_store, heal_store) -> None:
    h = hub_thread()
    hub = h.hub
    staff = recorder("alert", "hub/error")
    kiosk = recorder(device="kiosk-full")
    buttons = recorder(device="btn-full")
    before = [_issue(kiosk, n)["result"]["number"] for n in range(5)]
    db = tmp_path / "state" / "hub.sqlite3"

    break_store(hub)
    acked, n = _fill_until_refused(kiosk, 5)
    acked = before + acked
    staff.wait_for("alert", lambda m: m.get("kind") == "store_failed")
    staff.wait_for("hub/error", lambda m: m.get("code") == "store_unavailable" and "request/ticket.issue" in m["topic"])
    # still full: presses are refused too (a small row may still fit in the last page, so press until
    # one is refused), and the memory is what the file says (nothing half-applied)
    for _ in range(MAX_TRIES):
        seq = buttons.press("w3", "next")
        wait_until(lambda: press_outcome(db, seq) is not None or any(
            m.get("code") == "store_unavailable" and m["topic"].endswith("w3/press") for m in staff.on("hub/error")),
            what="the press handled")
        if press_outcome(db, seq) is None:
            break
    else:
        raise AssertionError("no press was refused while the store was full")
    refused, n = _fill_until_refused(kiosk, n)
    acked += refused  # (a small request may still have fitted)
    on_disk = replay(hall_cfg, db, use_snapshot=False).state.to_dict()
    assert hub.queue.state.to_dict() == on_disk
    numbers = {t["number"] for t in on_disk["tickets"]}
    assert set(acked) <= numbers, "an acknowledged ticket is not in the file"
    assert len(numbers) == len(acked), "a refused ticket was written"
    assert press_outcome(db, seq) is None

    heal_store(hub)
    ok = _issue(kiosk, n + 1)
    assert ok["ok"], ok
    staff.wait_for("alert", lambda m: m.get("kind") == "store_recovered")
    acked.append(ok["result"]["number"])
    buttons.press("w3", "next", seq=seq)  # the button's retry of the press refused while full
    wait_until(lambda: press_outcome(db, seq) == "ok", what="the retried press applied")
    live = hub.queue.state.to_dict()

    h.stop()  # a restart rebuilds exactly the same state from the file
    again = hub_thread().hub
    assert again.queue.state.to_dict() == live
    assert {t.number for t in again.queue.state.tickets.values()} == set(acked)
    assert again.store_ok


def test_disk_full_refuses_then_recovers(hub_thread, recorder, hall_cfg, tmp_path):
    def fill(hub):
        pages = hub.store._db.execute("PRAGMA page_count").fetchone()[0]
        hub.store._db.execute(f"PRAGMA max_page_count = {pages}")

    def make_room(hub):
        hub.store._db.execute("PRAGMA max_page_count = 1073741823")

    _break_and_heal(hub_thread, recorder, hall_cfg, tmp_path, fill, make_room)


def _chattr(flag: str, *paths) -> subprocess.CompletedProcess:
    return subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True, text=True)


def test_read_only_state_file_refuses_then_recovers(hub_thread, recorder, hall_cfg, tmp_path):
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed (e2fsprogs)")
    db = tmp_path / "state" / "hub.sqlite3"
    files = [db, db.with_name(db.name + "-wal")]
    probe = tmp_path / "chattr-probe"
    probe.write_text("x")
    if _chattr("+i", probe).returncode != 0:
        pytest.skip("this filesystem or user cannot set the immutable attribute")
    _chattr("-i", probe)

    def freeze(hub):
        assert _chattr("+i", *files).returncode == 0

    def thaw(hub):
        assert _chattr("-i", *files).returncode == 0

    try:
        _break_and_heal(hub_thread, recorder, hall_cfg, tmp_path, freeze, thaw)
    finally:
        _chattr("-i", *files)
