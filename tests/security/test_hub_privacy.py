"""Privacy to the end: a phone number and an ID number typed into every free-text field and form of the
hall are masked at intake where they are not needed, and once retention has passed (the hub's clock
injected) neither is anywhere in the SQLite file's bytes — after a WAL checkpoint and VACUUM."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.conftest import HubThread
from tests.mqtt_helpers import wait_until

PHONE = "13912345678"
ID = "11010519491231002X"  # a valid resident ID (GB 11643's example)
DAY = 86400.0


def _at(y, m, d, hh=10) -> float:
    return datetime(y, m, d, hh, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()


def _file_bytes(db) -> bytes:
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("VACUUM")
    con.close()
    wal = db.with_name(db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_a_phone_and_an_id_number_are_gone_after_retention(broker, hall_cfg, tmp_path, recorder):
    clock = {"now": _at(2026, 12, 1)}
    state = tmp_path / "state"
    h = HubThread(hall_cfg, state, broker.port, clock=lambda: clock["now"]).start()
    kiosk = recorder("window/+/state")
    typed = f"我的电话{PHONE}，身份证{ID}"
    try:
        assert kiosk.call("help.request", kind="home_visit", phone=PHONE, name="王小明", address="黄潭村三组",
                          note=typed, where=typed[:40])["ok"]
        assert kiosk.call("feedback.submit", problem=typed, item_text=typed[:100], phone=PHONE)["ok"]
        t = kiosk.call("ticket.issue", category="C")["result"]
        kiosk.press("w3", "next")
        kiosk.press("w3", "complete")
        kiosk.wait_for("window/w3/state", lambda s: s["ticket"] is None and s["served"] == 1)
        rated = kiosk.call("evaluation.submit", ticket=t["number"], level=1, reasons=["attitude"], text=typed,
                           phone=PHONE)
        assert rated["ok"] and rated["result"]["case"]
        applied = kiosk.call("disclosure.apply", applicant_type="citizen", name="张小三", id_type="resident_id",
                             id_number=ID, phone=PHONE, address="天门市黄潭镇荷沙公路88号", info_description=typed,
                             purpose=typed[:100], form="paper", delivery="collect")
        assert applied["ok"], applied
        for cid in ("c1", "c2"):  # staff work both cases through to the end, writing the number down again
            for action, extra in (("verify", {}), ("rectify", {}),
                                  ("callback", {"callback_result": "满意"})):
                rep = kiosk.call("case.advance", id=cid, action=action, by="王主任", note=typed, **extra)
                assert rep["ok"], rep
        stored = _file_bytes(state / "hub.sqlite3")
        assert PHONE.encode() in stored and ID.encode() in stored  # kept while needed (call-back, the form)
    finally:
        h.stop()
    clock["now"] = _at(2027, 12, 20)  # past every retention period (cases: 180 days after closing)
    h = HubThread(hall_cfg, state, broker.port, clock=lambda: clock["now"]).start()
    try:
        assert kiosk.call("ticket.issue", category="C")["ok"]  # the new day has started (and purged)
        wait_until(lambda: h.hub.queue.state.day == "2027-12-20", what="the new business day")
    finally:
        h.stop()
    stored = _file_bytes(state / "hub.sqlite3")
    for secret in (PHONE, ID, ID[:17]):
        assert secret.encode() not in stored, f"{secret} is still in the state file"
    assert "王小明".encode() not in stored and "黄潭村三组".encode() not in stored
