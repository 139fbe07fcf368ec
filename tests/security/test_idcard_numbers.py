"""Attacks on the ID numbers a card brings to the hub: every shape of bad number, sent on purpose, is
refused without being repeated anywhere a subscriber or a log could see it — reply, hub/error, log line —
and no op but the two that need it takes a number at all."""

from __future__ import annotations

import logging
import secrets

import pytest

from tests.conftest import HubThread
from tests.mqtt_helpers import wait_until
from tests.test_appointments_mqtt import PHONE, at, with_appointments

GOOD = "42900619520615007X"
BAD = ["42900619520615007Y", "4290061952061500711", "42900619520615007", "42900619520615007x ", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨",
       "429006195206150071", "42900619521315007X"]


@pytest.fixture
def id_hub(broker, real_cfg, tmp_path):
    key = tmp_path / "idcard.key"
    key.write_text(secrets.token_hex(32))
    cfg = with_appointments(real_cfg, id_key_file=str(key))
    h = HubThread(cfg, tmp_path / "st", broker.port, clock=lambda: at(2026, 11, 30, 8, 40)).start()
    yield h.hub
    h.stop()


def test_bad_numbers_are_never_echoed(id_hub, recorder, caplog):
    caplog.set_level(logging.DEBUG)
    spy = recorder("hub/error", "alert")
    for bad in BAD:
        for op, args in (("appointment.checkin", {"id_number": bad}),
                         ("appointment.book", {"category": "C", "slot": "2026-11-30T09:00", "phone": PHONE,
                                               "id_number": bad})):
            r = spy.call(op, **args)
            assert not r["ok"] and r["error"]["code"] in ("bad_value", "bad_id_number", "bad_type"), (bad, r)
    # and ops that have no use for a number refuse to carry one
    for op, args in (("ticket.issue", {"category": "C"}), ("help.request", {"kind": "desk"})):
        assert spy.call(op, id_number=GOOD, **args)["error"]["code"] == "unknown_field"
    # the refusals did reach hub/error, so the check below looked at them
    wait_until(lambda: len(spy.on("hub/error")) >= len(BAD), what="the refusals on hub/error")
    seen = b"".join(p for t, p, _ in spy.messages if "/request/" not in t).decode("utf-8", "replace")
    seen += caplog.text
    for number in (GOOD, *BAD):
        assert number.strip() not in seen
