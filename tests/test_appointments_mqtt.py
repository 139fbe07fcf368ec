"""预约 end to end: a real mosquitto, the real hub in a thread with a fake clock, kiosks as MQTT clients."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.errors import ConfigError
from tests.conftest import HALL_CONFIG, REPO, HubThread

TZ = ZoneInfo("Asia/Shanghai")
PHONE = "13812345678"


def at(y, m, d, hh, mm=0) -> float:
    return datetime(y, m, d, hh, mm, tzinfo=TZ).timestamp()


def with_appointments(cfg, **settings):
    base = {"categories": ["A", "B", "C", "D", "E"], "slot_minutes": 30, "capacity": 2, "days_ahead": 7,
            "grace_minutes": 15, "retention_days": 30}
    return dataclasses.replace(cfg, roles={**cfg.roles, "appointments": {**base, **settings}})


@pytest.fixture
def hall(broker, real_cfg, tmp_path):
    """A factory: ``hall(now, **settings)`` starts a hub whose clock is ``clock["now"]``."""
    started: list[HubThread] = []
    clock = {"now": 0.0}

    def make(now: float, **settings):
        clock["now"] = now
        h = HubThread(with_appointments(real_cfg, **settings), tmp_path / "st", broker.port,
                      clock=lambda: clock["now"]).start()
        started.append(h)
        return h.hub, clock

    yield make
    for h in started:
        h.stop()


def db_rows(tmp_path, sql, args=()):
    con = sqlite3.connect(tmp_path / "st" / "hub.sqlite3")
    try:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute(sql, args)]
    finally:
        con.close()


def test_two_kiosks_race_for_the_last_place(hall, recorder, tmp_path):
    hall(at(2026, 11, 30, 8, 0), capacity_by_category={"C": 1})  # a Monday
    kiosks = [recorder(), recorder()]
    barrier = threading.Barrier(2)
    txns = [f"race-{i}" for i in range(2)]

    def book(i: int) -> None:
        k = kiosks[i]
        body = (f'{{"v":1,"txn":"{txns[i]}","reply_to":"hall/huangtan/device/{k.device}/reply",'
                f'"category":"C","slot":"2026-11-30T09:00","phone":"1390000000{i}"}}').encode()
        barrier.wait(5)
        k.c.publish("hall/huangtan/request/appointment.book", body, qos=1)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    replies = [k.reply(txn) for k, txn in zip(kiosks, txns)]
    won = [r for r in replies if r["ok"]]
    lost = [r for r in replies if not r["ok"]]
    assert len(won) == 1 and len(lost) == 1
    assert lost[0]["error"]["code"] == "slot_full"
    assert "2026-11-30T09:30" in lost[0]["error"]["message"]  # the next free slot is suggested
    assert lost[0]["error"]["suggest"] == "2026-11-30T09:30"
    assert len(won[0]["result"]["code"]) == 6 and won[0]["result"]["phone"].startswith("139****")
    rows = db_rows(tmp_path, "SELECT * FROM appointments WHERE slot = ?", ("2026-11-30T09:00",))
    assert len(rows) == 1
    slots = kiosks[0].call("appointment.slots", category="C", date="2026-11-30")["result"]["slots"]
    assert next(s for s in slots if s["slot"] == "2026-11-30T09:00")["remaining"] == 0


def test_checked_in_appointment_is_called_before_walk_ins(hall, recorder):
    hub, clock = hall(at(2026, 11, 30, 8, 40))
    kiosk = recorder("call")
    booked = kiosk.call("appointment.book", category="C", slot="2026-11-30T09:00", phone=PHONE)
    assert booked["ok"], booked
    late = kiosk.call("appointment.book", category="C", slot="2026-11-30T09:30", phone="13900001111")["result"]
    walk_ins = [kiosk.call("ticket.issue", category="C")["result"]["number"] for _ in range(2)]
    clock["now"] = at(2026, 11, 30, 8, 50)  # within ±15 min of 09:00
    checked = kiosk.call("appointment.checkin", code=booked["result"]["code"].lower())
    assert checked["ok"], checked
    r = checked["result"]
    assert r["appointment"]["placement"] == "on_time" and r["people_ahead"] == 0 and "优先" in r["note"]
    assert r["number"] not in walk_ins and r["state"] == "waiting"

    kiosk.press("w3", "next")
    first = kiosk.wait_for("call", lambda m: m["window"] == "w3")
    assert first["number"] == r["number"]
    kiosk.press("w3", "next")
    assert kiosk.wait_for("call", lambda m: m["number"] != r["number"])["number"] == walk_ins[0]

    clock["now"] = at(2026, 11, 30, 9, 50)  # 20 minutes after its 09:30 start: walk-in rules
    tardy = kiosk.call("appointment.checkin", code=late["code"])["result"]
    assert tardy["appointment"]["placement"] == "late" and "迟到" in tardy["note"]
    assert tardy["people_ahead"] == 1  # behind the walk-in still waiting

    again = kiosk.call("appointment.checkin", code=booked["result"]["code"])
    assert again["error"]["code"] == "appointment_used"
    assert kiosk.call("appointment.checkin", code="ZZZZZZ")["error"]["code"] == "unknown_appointment"
    raw = b"".join(p for _, p, _ in kiosk.messages)
    assert PHONE.encode() not in raw


def test_slots_booking_rules_and_cancel(hall, recorder):
    hall(at(2026, 11, 27, 10, 0))  # a Friday
    kiosk = recorder()
    sat = kiosk.call("appointment.slots", category="C", date="2026-11-28")["result"]
    assert [s["start"] for s in sat["slots"]] == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert {s["kind"] for s in sat["slots"]} == {"appointment"} and sat["slots"][0]["remaining"] == 2
    assert kiosk.call("appointment.slots", category="C", date="2026-11-29")["result"]["slots"] == []
    whole = kiosk.call("appointment.slots", category="C")["result"]
    assert whole["from"] == "2026-11-27" and whole["until"] == "2026-12-04"
    assert whole["slots"][0]["slot"] == "2026-11-27T10:30"

    ok = kiosk.call("appointment.book", category="C", slot="2026-11-28T09:00", phone="138 1234 5678",
                    items=[])["result"]
    assert ok["kind"] == "appointment" and ok["phone"] == "138****5678" and "签到" in ok["checkin"]
    errors = {
        "not_bookable": dict(category="F", slot="2026-11-28T09:00", phone=PHONE),
        "bad_phone": dict(category="C", slot="2026-11-28T09:30", phone="12345"),
        "bad_slot": dict(category="C", slot="2026-11-29T09:00", phone="13900000000"),
        "already_booked": dict(category="C", slot="2026-11-28T10:00", phone=PHONE),
        "unknown_item": dict(category="C", slot="2026-11-28T10:00", phone="13900000000", items=["no-such-item"]),
        "missing_field": dict(category="C", slot="2026-11-28T10:00"),
    }
    for code, args in errors.items():
        assert kiosk.call("appointment.book", **args)["error"]["code"] == code, code

    cancelled = kiosk.call("appointment.cancel", code=ok["code"])["result"]
    assert cancelled["state"] == "cancelled" and cancelled["phone"] == "138****5678"
    sat = kiosk.call("appointment.slots", category="C", date="2026-11-28")["result"]
    assert sat["slots"][0]["remaining"] == 2
    assert kiosk.call("appointment.checkin", code=ok["code"])["error"]["code"] == "appointment_cancelled"
    assert kiosk.call("appointment.cancel", code=ok["code"])["error"]["code"] == "appointment_cancelled"
    future = kiosk.call("appointment.book", category="C", slot="2026-11-30T09:00", phone=PHONE)["result"]
    assert kiosk.call("appointment.checkin", code=future["code"])["error"]["code"] == "not_today"


def test_materials_hint_for_named_items(hall, recorder):
    hub, _ = hall(at(2026, 11, 30, 8, 0))
    items = (hub.info.catalog or {}).get("items", [])
    item = next(i for i in items if i["category"] == "C" and i["materials"])
    got = recorder().call("appointment.book", category="C", slot="2026-11-30T10:00", phone=PHONE,
                          items=[item["id"]])["result"]
    assert got["items"][0]["name"] == item["name"]
    assert got["materials"][0].startswith(item["materials"][0]["name"])


def test_no_shows_are_counted_and_phones_purged(hall, recorder, tmp_path):
    hub, clock = hall(at(2026, 11, 30, 8, 0))
    staff = recorder("alert")
    came = staff.call("appointment.book", category="C", slot="2026-11-30T08:30", phone=PHONE)["result"]
    staff.call("appointment.book", category="D", slot="2026-11-30T09:00", phone="13900001111")
    clock["now"] = at(2026, 11, 30, 8, 35)
    assert staff.call("appointment.checkin", code=came["code"])["ok"]

    clock["now"] = at(2026, 12, 1, 8, 0)  # the next business day
    listed = staff.call("appointment.list", date="2026-11-30")["result"]
    assert listed["counts"]["no_show"] == 1 and listed["counts"]["checked_in"] == 1
    assert [a["phone"] for a in listed["appointments"]] == ["138****5678", "139****1111"]
    alert = staff.wait_for("alert", lambda a: a.get("kind") == "appointment_no_show")
    assert alert["count"] == 1 and alert["day"] == "2026-11-30"
    assert len(db_rows(tmp_path, "SELECT * FROM appointments WHERE phone IS NOT NULL")) == 2

    clock["now"] = at(2027, 1, 5, 8, 0)  # more than retention_days (30) after the appointments
    listed = staff.call("appointment.list", date="2026-11-30")["result"]
    assert [a["phone"] for a in listed["appointments"]] == ["", ""]
    rows = db_rows(tmp_path, "SELECT phone, state FROM appointments ORDER BY start_at")
    assert [(r["phone"], r["state"]) for r in rows] == [(None, "checked_in"), (None, "no_show")]


def test_staff_tool_lists_bookings_with_masked_phones(hall, recorder, broker):
    hall(at(2026, 11, 30, 8, 0))
    recorder().call("appointment.book", category="C", slot="2026-11-30T10:00", phone=PHONE)
    r = subprocess.run([sys.executable, "-m", "kiosk", "appointments", "--config", str(HALL_CONFIG),
                        "--broker", f"127.0.0.1:{broker.port}", "--date", "2026-11-30"],
                       capture_output=True, text=True, cwd=REPO, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "10:00-10:30" in r.stdout and "138****5678" in r.stdout and PHONE not in r.stdout
    assert "待签到" in r.stdout


def test_a_broken_section_stops_the_hub_at_start(broker, real_cfg, tmp_path):
    from kiosk.hub.service import Hub
    with pytest.raises(ConfigError, match="appointments.categories"):
        Hub(with_appointments(real_cfg, categories=["Z"]), state_dir=tmp_path / "st", host="127.0.0.1",
            port=broker.port)
    from kiosk.hub import feature_appointments as F
    with pytest.raises(ConfigError, match="slot_minutes"):
        F.load_policy(with_appointments(real_cfg, slot_minutes=1))


def test_materials_hint_follows_a_replaced_catalogue(hall, recorder):
    hub, _ = hall(at(2026, 11, 30, 8, 0))
    shipped = next(i["id"] for i in hub.info.catalog["items"] if i["category"] == "C")
    sample = (REPO / "config" / "catalog" / "sample_import.csv").read_text(encoding="utf-8-sig")
    new = next(line.split(",")[1] for line in sample.splitlines()[1:] if line.split(",")[4] == "C")
    kiosk = recorder()
    assert recorder(device="web").call("catalog.replace", csv=sample, by="lina", timeout=60)["ok"]
    gone = kiosk.call("appointment.book", category="C", slot="2026-11-30T10:00", phone=PHONE, items=[shipped])
    assert gone["error"]["code"] == "unknown_item"
    got = kiosk.call("appointment.book", category="C", slot="2026-11-30T10:00", phone=PHONE, items=[new])
    assert got["result"]["items"][0]["id"] == new and got["result"]["materials"], got
