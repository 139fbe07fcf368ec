"""The SQLite store on its own: a batch commits whole or not at all; snapshots plus the log rebuild the
queue; dedupe records and personal data are forgotten on time."""

from __future__ import annotations

import os
import stat

import pytest

from kiosk.core import commands as C
from kiosk.core.queue import Queue, QueueState
from kiosk.errors import StoreError
from kiosk.store.db import Store


def test_batch_is_atomic(tmp_path):
    s = Store(tmp_path / "h.sqlite3")
    with pytest.raises(RuntimeError):
        with s.batch():
            s.add_command(C.StartDay(now=1.0, day="2026-11-30"))
            raise RuntimeError("crash in the middle")
    assert s.last_seq() == 0
    with s.batch():
        s.add_command(C.StartDay(now=1.0, day="2026-11-30"))
    assert s.last_seq() == 1


def test_snapshot_plus_log_rebuilds_the_queue(tmp_path, hall_cfg):
    s = Store(tmp_path / "h.sqlite3")
    q = Queue(hall_cfg.hall)
    cmds = [C.StartDay(now=0.0, day="2026-11-30")] + [C.IssueTicket(now=float(i), category="A") for i in range(5)]
    with s.batch():
        for c in cmds[:3]:
            s.add_events(s.add_command(c), "2026-11-30", q.apply(c))
        s.save_snapshot(s.last_seq(), q.state.to_dict())
        for c in cmds[3:] + [C.CallNext(now=9.0, window="w1")]:
            s.add_events(s.add_command(c), "2026-11-30", q.apply(c))
    seq, snap = s.latest_snapshot()
    assert seq == 3
    r = Queue(hall_cfg.hall, QueueState.from_dict(snap))
    for _, c in s.commands_after(seq):
        r.apply(c)
    assert r.state.to_dict() == q.state.to_dict()
    assert [e["kind"] for e in s.events(kind="TicketCalled")] == ["TicketCalled"]


def test_database_is_private_and_dedupe_is_forgotten(tmp_path):
    s = Store(tmp_path / "h.sqlite3")
    assert stat.S_IMODE(os.stat(tmp_path / "h.sqlite3").st_mode) == 0o600
    with s.batch():
        s.mark_press("w1", "btn-w1", 7, 100.0, "ok")
        s.save_reply("kiosk-1", "t1", 100.0, {"txn": "t1", "ok": True})
    assert s.press_seen("w1", "btn-w1", 7) == "ok" and s.stored_reply("kiosk-1", "t1")["ok"]
    assert s.press_seen("w3", "btn-w1", 7) is None  # the same (device, seq) on another window is another press
    with s.batch():
        s.forget_dedupe(before=200.0)
    assert s.press_seen("w1", "btn-w1", 7) is None and s.stored_reply("kiosk-1", "t1") is None


def test_a_file_with_presses_keyed_by_device_only_is_upgraded(tmp_path):
    import sqlite3
    db = sqlite3.connect(tmp_path / "h.sqlite3")
    db.execute("CREATE TABLE presses (device TEXT NOT NULL, seq INTEGER NOT NULL, at REAL NOT NULL, "
               "outcome TEXT NOT NULL, PRIMARY KEY (device, seq)) WITHOUT ROWID")
    db.execute("INSERT INTO presses VALUES ('btn-w1', 7, 100.0, 'ok')")
    db.commit()
    db.close()
    s = Store(tmp_path / "h.sqlite3")
    assert s.rows("SELECT window, device, seq, outcome FROM presses") == [
        {"window": "", "device": "btn-w1", "seq": 7, "outcome": "ok"}]
    with s.batch():
        s.mark_press("w1", "btn-w1", 7, 200.0, "ok")
    assert s.press_seen("w1", "btn-w1", 7) == "ok"
    s.close()


def test_unopenable_path_is_a_store_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot open"):
        Store(tmp_path / "file" / "h.sqlite3")


def test_rows_waiting_for_the_batch_end_are_seen_by_every_read_in_the_batch(tmp_path):
    s = Store(tmp_path / "h.sqlite3")
    day = "2026-11-30"
    with s.batch():
        seq = s.add_command(C.StartDay(now=1.0, day=day))
        s.add_events(seq, day, [C.DayStarted(at=1.0, day=day)])
        s.mark_press("w1", "btn-1", 7, 1.0, "ok")
        s.save_reply("kiosk-1", "t1", 1.0, b'{"v":1,"txn":"t1","ok":true,"result":{}}')
        assert s.last_seq() == seq == 1
        assert s.press_seen("w1", "btn-1", 7) == "ok" and s.stored_reply("kiosk-1", "t1") == {
            "txn": "t1", "ok": True, "result": {}}
        assert [e["kind"] for e in s.events(day=day)] == ["DayStarted"]  # SQL on a hot table writes them first
        assert s.rows("SELECT COUNT(*) AS n FROM presses")[0]["n"] == 1
    with pytest.raises(RuntimeError):
        with s.batch():
            s.add_command(C.StartDay(now=2.0, day="2026-12-01"))
            s.save_reply("kiosk-1", "t2", 2.0, {"txn": "t2", "ok": True})
            raise RuntimeError("crash before the commit")
    assert s.last_seq() == 1 and s.stored_reply("kiosk-1", "t2") is None
    with s.batch():
        assert s.add_command(C.StartDay(now=3.0, day="2026-12-01")) == 2
    assert [c.day for _, c in s.commands_after(0)] == [day, "2026-12-01"]


def test_meta_set_in_a_batch_is_read_back_at_once_written_with_the_batch_and_lost_with_it(tmp_path):
    import sqlite3
    path = tmp_path / "h.sqlite3"
    s = Store(path)
    s.set_meta("pad:w1", "T-1")  # outside a batch: written at once
    with s.batch():
        s.set_meta("pad:w1", "T-2")
        s.set_meta("pad:w2", None)
        s.set_meta("pad:w1", "T-3")  # the last value of a key wins
        assert s.get_meta("pad:w1") == "T-3" and s.get_meta("pad:w2", "default") is None
        with sqlite3.connect(path) as other:  # not yet on disk
            assert other.execute("SELECT value FROM meta WHERE key='pad:w1'").fetchone() == ('"T-1"',)
        assert s.rows("SELECT value FROM meta WHERE key='pad:w1'") == [{"value": '"T-3"'}]  # raw reads see it
    with sqlite3.connect(path) as other:
        assert dict(other.execute("SELECT key, value FROM meta WHERE key LIKE 'pad:%'")) == \
            {"pad:w1": '"T-3"', "pad:w2": "null"}
    with pytest.raises(RuntimeError):
        with s.batch():
            s.set_meta("pad:w1", "lost")
            raise RuntimeError("the batch fails")
    assert s.get_meta("pad:w1") == "T-3"
    s.close()
    assert Store(path).get_meta("pad:w1") == "T-3"
