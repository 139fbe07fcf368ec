"""kiosk-hub.service run as systemd runs it, against a real mosquitto: READY after the state is loaded and
the broker connected, watchdog pings from the worker loop at most half a timeout apart while it serves
tickets, STATUS through connecting → serving → offline since (hall time), no ping while frozen, a clean
stop on SIGTERM with STOPPING=1."""

from __future__ import annotations

from kiosk.bus.broker import PrivateBroker, free_port
from tests.mqtt_helpers import Recorder

from .checks import (WATCHDOG_USEC, assert_frozen_is_silent_then_stops_cleanly, assert_pings_regular,
                     hall_minutes_now, start_timeout)
from .conftest import UNITS, write_site
from .units import UnitProcess


def test_hub_unit_notifies_systemd(layout, notify_socket, tmp_path):
    port = free_port()
    write_site(layout, port)
    (layout.etc / "hub.env").write_text("KIOSK_ARGS=--zeroconf-interface 127.0.0.1\n", encoding="utf-8")
    unit = UnitProcess(UNITS / "kiosk-hub.service", layout, notify_socket, watchdog_usec=WATCHDOG_USEC,
                       log=tmp_path / "hub.log")
    assert unit.argv[-2:] == ["--zeroconf-interface", "127.0.0.1"]
    assert unit.argv[unit.argv.index("--state") + 1] == str(layout.state)
    unit.start()
    broker = None
    try:
        connecting = notify_socket.wait_for(lambda d: "STATUS" in d.fields, timeout=30, what="the first STATUS")
        assert connecting.fields == {"STATUS": f"connecting to the broker 127.0.0.1:{port}"}
        broker = PrivateBroker(tmp_path / "broker", port=port, persistence=True).start()
        ready = notify_socket.wait_for(lambda d: "READY" in d.fields, timeout=start_timeout("kiosk-hub.service"),
                                       what="READY=1")
        assert ready.pid == unit.pid and ready.fields["STATUS"] == "serving the hall"
        assert (layout.state / "hub.sqlite3").exists()

        rec = Recorder(port, "huangtan", ())
        try:
            for _ in range(3):
                assert rec.call("ticket.issue", category="A", timeout=30)["ok"]
        finally:
            rec.close()
        assert_pings_regular(notify_socket, unit.pid, ready.at, 3)

        broker.stop()
        broker = None
        lost = notify_socket.wait_for(lambda d: d.fields.get("STATUS", "").startswith("offline"), timeout=60,
                                      what="STATUS offline")
        assert any(f"offline since {m} (Asia/Shanghai)" in lost.fields["STATUS"] for m in hall_minutes_now())

        assert_frozen_is_silent_then_stops_cleanly(unit, notify_socket)
    finally:
        unit.stop()
        if broker is not None:
            broker.stop()
