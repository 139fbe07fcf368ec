"""预约签到 by ID card the way production runs it: a real broker, the real hub with its provisioned key, the
terminal's own poller on the fake reader's pty. A booking made with the number is found by the card; the
number is in no log line, no reply and not in the hub's database."""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import replace

from kiosk.devices.fake_idreader import FakeCard, FakeIdReader, FakeReaderMode
from kiosk.terminal.app import Terminal
from kiosk.terminal.settings import load_settings
from kiosk.ui.app import DisplayConfig
from kiosk.ui.pilot import LiveClock, Pilot

from ..conftest import HubThread
from ..test_appointments_mqtt import with_appointments
from .appointment_helpers import choose, type_keys
from .conftest import OPEN_HOURS_START


def keyed_hub(real_cfg, tmp_path, broker):
    """The real hub with a provisioned ID key, its clock in the hall's opening hours → (cfg, hub)."""
    key = tmp_path / "idcard.key"
    key.write_text(secrets.token_hex(32) + "\n")
    base = time.time()
    cfg = with_appointments(real_cfg, id_key_file=str(key))
    hub = HubThread(cfg, tmp_path / "state", broker.port,
                    clock=lambda: OPEN_HOURS_START + (time.time() - base)).start()
    return cfg, hub


def kiosk(cfg, fake, broker):
    """The terminal on the broker with the fake reader's pty, connected, reader ready, check-in offered."""
    kcfg = replace(cfg, roles={**cfg.roles, "idcard": {"port": fake.port, "poll_hz": 10.0}})
    clock = LiveClock()
    t = Terminal(kcfg, host="127.0.0.1", port=broker.port, device_id="kiosk-t",
                 settings=replace(load_settings(kcfg), reply_timeout=5.0),
                 display=DisplayConfig(orientation="portrait"), clock=clock)
    t.start()
    p = Pilot(t.app, clock)
    p.run_until(lambda: t.session.connected and t.session.reader_state == "ready" and t.session.checkin_open,
                what="connected, reader ready, check-in offered")
    return t, p


def test_check_in_by_card_end_to_end(broker, real_cfg, recorder, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    card = FakeCard()
    cfg, hub = keyed_hub(real_cfg, tmp_path, broker)
    fake = FakeIdReader().start()
    t = None
    try:
        phone = recorder()
        booked = phone.call("appointment.book", category="C", slot="2026-11-18T10:30", phone="13812345678",
                            id_number=card.id_number)
        assert booked["ok"], booked
        t, p = kiosk(cfg, fake, broker)
        choose(p, "menu", "checkin")
        fake.place(card, FakeReaderMode.CARD)
        p.run_until(lambda: p.app.top.flow.stage.value == "ticket", timeout=20, what="checked in by card")
        result = p.app.top.flow.result
        assert result["appointment"]["code"] == booked["result"]["code"]
        assert p.app.top.flow.id_number == ""  # done with the card
        shown = " ".join(p.visible_texts())
        assert result["number"] in shown and card.id_number not in shown
    finally:
        if t is not None:
            t.close()
        fake.stop()
        hub.stop()
    logged = caplog.text
    assert "ID card reader" in logged  # the logs were captured: the reader's state is in them, the card is not
    for secret in (card.id_number, card.id_number[6:14]):
        assert secret not in logged
    raw = b"".join(f.read_bytes() for f in (tmp_path / "state").glob("hub.sqlite3*"))
    assert card.id_number.encode() not in raw and card.id_number.encode("utf-16-le") not in raw


def test_a_booking_made_at_the_kiosk_with_the_card_is_found_by_the_card(broker, real_cfg, tmp_path, caplog):
    """预约办理 at the kiosk with 刷身份证 → 关联身份证, then 预约签到 by the same card finds that booking; the
    hub's database never holds the number."""
    caplog.set_level(logging.DEBUG)
    card = FakeCard()
    cfg, hub = keyed_hub(real_cfg, tmp_path, broker)
    fake = FakeIdReader().start()
    t = None
    try:
        t, p = kiosk(cfg, fake, broker)
        choose(p, "menu", "book")
        fake.place(card, FakeReaderMode.CARD)
        p.run_until(lambda: p.app.top.flow.stage.value == "card", timeout=20, what="the card offered")
        p.tap("book-card-use")
        choose(p, "book-cats", "C")
        if p.exists("book-skip"):
            p.tap("book-skip")
        p.run_until(lambda: p.app.top.flow.stage.value == "day", timeout=20, what="the hub's slots")
        choose(p, "book-days", "2026-11-18")
        choose(p, "book-slots", "2026-11-18T10:30")
        type_keys(p, "book-phone", "13812345678")
        p.tap("book-submit")
        p.run_until(lambda: p.app.top.flow.stage.value == "done", timeout=20, what="booked")
        code = p.app.top.flow.result["code"]
        assert code in " ".join(p.visible_texts())
        p.tap("go-home")
        fake.take_away()  # the reader must see it empty before the card counts as placed again
        n = fake.commands().count((0x20, 0x01))
        fake.wait_for(lambda c: c.count((0x20, 0x01)) >= n + 2)
        choose(p, "menu", "checkin")
        fake.place(card, FakeReaderMode.CARD)
        p.run_until(lambda: p.app.top.flow.stage.value == "ticket", timeout=20, what="checked in by card")
        assert p.app.top.flow.result["appointment"]["code"] == code
        assert card.id_number not in " ".join(p.visible_texts())
    finally:
        if t is not None:
            t.close()
        fake.stop()
        hub.stop()
    for secret in (card.id_number, card.id_number[6:14]):
        assert secret not in caplog.text
    raw = b"".join(f.read_bytes() for f in (tmp_path / "state").glob("hub.sqlite3*"))
    assert raw and card.id_number.encode() not in raw and card.id_number.encode("utf-16-le") not in raw
