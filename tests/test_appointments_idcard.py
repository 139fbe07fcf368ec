"""预约 by ID card end to end (real mosquitto, the real hub): a booking made with an ID number keeps only
a keyed hash of it, the card at check-in finds it, and the number is nowhere in the database."""

from __future__ import annotations

import dataclasses
import hmac
import hashlib
import secrets

import pytest

from kiosk.errors import ConfigError
from kiosk.hub.feature_appointments import load_id_key
from tests.test_appointments_mqtt import PHONE, at, db_rows, with_appointments
from tests.conftest import HubThread

ID = "42900619520615007X"
OTHER_ID = "429006198807060022"


@pytest.fixture
def key_file(tmp_path):
    key = secrets.token_bytes(32)
    f = tmp_path / "idcard.key"
    f.write_text(key.hex() + "\n")
    f.chmod(0o600)
    return f, key


@pytest.fixture
def id_hall(broker, real_cfg, tmp_path, key_file):
    clock = {"now": at(2026, 11, 30, 8, 40)}
    cfg = with_appointments(real_cfg, id_key_file=str(key_file[0]))
    h = HubThread(cfg, tmp_path / "st", broker.port, clock=lambda: clock["now"]).start()
    yield h.hub, clock
    h.stop()


def test_book_with_id_then_check_in_by_card(id_hall, recorder, tmp_path, key_file):
    hub, clock = id_hall
    kiosk = recorder("call")
    booked = kiosk.call("appointment.book", category="C", slot="2026-11-30T09:00", phone=PHONE,
                        id_number=ID.lower())
    assert booked["ok"], booked
    assert booked["result"]["id_card"] is True and ID not in str(booked)
    other = kiosk.call("appointment.book", category="C", slot="2026-11-30T09:30", phone="13900001111")["result"]
    assert other["id_card"] is False

    [row] = db_rows(tmp_path, "SELECT * FROM appointments WHERE code = ?", (booked["result"]["code"],))
    assert row["id_hash"] == hmac.new(key_file[1], ID.encode(), hashlib.sha256).hexdigest()

    assert kiosk.call("appointment.checkin", id_number=OTHER_ID)["error"]["code"] == "unknown_appointment"
    clock["now"] = at(2026, 11, 30, 8, 50)
    checked = kiosk.call("appointment.checkin", id_number=ID)
    assert checked["ok"], checked
    r = checked["result"]
    assert r["appointment"]["code"] == booked["result"]["code"] and r["appointment"]["placement"] == "on_time"
    again = kiosk.call("appointment.checkin", id_number=ID)  # used: no booked one left today
    assert again["error"]["code"] == "unknown_appointment"
    assert "预约码" in again["error"]["message"]

    # neither or both ways at once, and a number that fails the check digit: refused, never echoed
    assert kiosk.call("appointment.checkin")["error"]["code"] == "bad_request"
    assert kiosk.call("appointment.checkin", code="ABCDEF", id_number=ID)["error"]["code"] == "bad_request"
    bad = kiosk.call("appointment.book", category="C", slot="2026-11-30T10:00", phone=PHONE,
                     id_number="429006195206150071")
    assert bad["error"]["code"] == "bad_id_number"
    shape = kiosk.call("appointment.checkin", id_number="4290061952061500711")
    assert shape["error"]["code"] == "bad_value" and "4290061952061500711" not in str(shape)

    # the number itself is nowhere: not in any table, not on the bus
    raw = (tmp_path / "st" / "hub.sqlite3").read_bytes()
    for f in (tmp_path / "st").glob("hub.sqlite3*"):
        raw += f.read_bytes()
    for form in (ID, ID.lower(), OTHER_ID, "429006195206150071"):
        assert form.encode() not in raw and form.encode("utf-16-le") not in raw
    replies = b"".join(p for t, p, _ in kiosk.messages if "/request/" not in t)
    assert ID.encode() not in replies


def test_purge_forgets_the_hash_with_the_phone(id_hall, recorder, tmp_path):
    hub, clock = id_hall
    kiosk = recorder()
    assert kiosk.call("appointment.book", category="C", slot="2026-11-30T09:00", phone=PHONE, id_number=ID)["ok"]
    clock["now"] = at(2027, 1, 5, 8, 0)  # past retention_days (30)
    kiosk.call("appointment.slots", category="C")  # any request: the new day's chores run first
    [row] = db_rows(tmp_path, "SELECT phone, id_hash FROM appointments")
    assert row == {"phone": None, "id_hash": None}


def test_no_key_means_no_id_bookings(broker, real_cfg, tmp_path, recorder):
    cfg = with_appointments(real_cfg)  # no id_key_file, and the default /etc/kiosk/idcard.key is absent here
    h = HubThread(cfg, tmp_path / "st", broker.port, clock=lambda: at(2026, 11, 30, 8, 40)).start()
    try:
        kiosk = recorder()
        r = kiosk.call("appointment.book", category="C", slot="2026-11-30T09:00", phone=PHONE, id_number=ID)
        assert r["error"]["code"] == "id_card_off"
        assert kiosk.call("appointment.checkin", id_number=ID)["error"]["code"] == "id_card_off"
        assert kiosk.call("appointment.book", category="C", slot="2026-11-30T09:00", phone=PHONE)["ok"]
    finally:
        h.stop()


@pytest.mark.parametrize("content, reason", [(None, "does not exist"), ("abc", "64 hex digits"),
                                             ("00" * 16, "64 hex digits")])
def test_a_broken_key_file_stops_the_hub_naming_it(real_cfg, tmp_path, content, reason):
    f = tmp_path / "idcard.key"
    if content is not None:
        f.write_text(content)
    cfg = with_appointments(real_cfg, id_key_file=str(f))
    with pytest.raises(ConfigError) as exc:
        load_id_key(cfg)
    assert "appointments.id_key_file" in str(exc.value) and reason in str(exc.value) and str(f) in str(exc.value)


def test_provision_writes_the_key_once_and_keeps_it(real_cfg, tmp_path):
    from kiosk.tools.provision_tools import provision
    out = tmp_path / "prov"
    provision(real_cfg, out)
    f = out / "hub" / "idcard.key"
    first = f.read_text()
    assert f.stat().st_mode & 0o777 == 0o600 and len(bytes.fromhex(first.strip())) == 32
    provision(real_cfg, out, rotate=True)  # new passwords; the key stays, or every booking by card is lost
    assert f.read_text() == first
    assert load_id_key(with_appointments(real_cfg, id_key_file=str(f))) == bytes.fromhex(first.strip())


def test_ticket_records_only_that_priority_was_by_age(id_hall, recorder):
    kiosk = recorder()
    r = kiosk.call("ticket.issue", category="C", priority=True, priority_reason="age")["result"]
    assert (r["priority"], r["priority_reason"]) == (True, "age")
    plain = kiosk.call("ticket.issue", category="C", priority=True)["result"]
    assert (plain["priority"], plain["priority_reason"]) == (True, "")
    assert kiosk.call("ticket.issue", category="C", priority=True, priority_reason="70")["error"]["code"] == "bad_value"
    assert kiosk.call("ticket.issue", category="C", priority=True, id_number=ID)["error"]["code"] == "unknown_field"
