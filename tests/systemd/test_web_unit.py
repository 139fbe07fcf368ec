"""kiosk-web.service run as systemd runs it: READY=1 once the HTTP port is open, even with the broker down
(its STATUS says it is connecting); serving once the broker is there; watchdog pings from the event loop at
most half a timeout apart; none while frozen; a clean stop on SIGTERM with STOPPING=1. The web's broker
identity is the provisioned ``web`` and its accounts live in its own state folder."""

from __future__ import annotations

import urllib.request

from kiosk.bus.broker import PrivateBroker, free_port
from tests.mqtt_helpers import Recorder, wait_until

from .checks import (WATCHDOG_USEC, assert_frozen_is_silent_then_stops_cleanly, assert_pings_regular,
                     start_timeout)
from .conftest import UNITS, write_site
from .units import UnitProcess


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_web_unit_notifies_systemd(layout, notify_socket, tmp_path):
    port, web_port = free_port(), free_port()
    write_site(layout, port, f'\n[web]\nbind = "127.0.0.1"\nport = {web_port}\n[provision]\nweb = ["web"]\n')
    unit = UnitProcess(UNITS / "kiosk-web.service", layout, notify_socket, watchdog_usec=WATCHDOG_USEC,
                       log=tmp_path / "web.log")
    assert unit.argv[1:4] == ["web", "--config", str(layout.etc / "site.toml")]
    unit.start()
    broker = None
    try:
        ready = notify_socket.wait_for(lambda d: "READY" in d.fields, timeout=start_timeout("kiosk-web.service"),
                                       what="READY=1")
        assert ready.pid == unit.pid
        assert ready.fields["STATUS"] == f"connecting to the broker 127.0.0.1:{port}"
        assert _get(f"http://127.0.0.1:{web_port}/healthz") == (503, b"offline")
        assert b"<form" in _get(f"http://127.0.0.1:{web_port}/login")[1]

        broker = PrivateBroker(tmp_path / "broker", port=port).start()
        rec = Recorder(port, "huangtan", ("device/web/availability", "device/web/status"))
        try:
            notify_socket.wait_for(lambda d: d.fields.get("STATUS", "").startswith("serving"), timeout=30,
                                   what="STATUS serving")
            assert _get(f"http://127.0.0.1:{web_port}/healthz") == (200, b"ok")
            rec.wait_for("device/web/availability", lambda m: m.get("_raw") == b"online", timeout=10)
            assert rec.wait_for("device/web/status", timeout=10)["kind"] == "web"
        finally:
            rec.close()
        assert (layout.state / "web" / "web.sqlite3").exists()
        assert_pings_regular(notify_socket, unit.pid, ready.at, 3)

        broker.stop()
        broker = None
        notify_socket.wait_for(lambda d: d.fields.get("STATUS", "").startswith("offline since"), timeout=60,
                               what="STATUS offline since")
        wait_until(lambda: _get(f"http://127.0.0.1:{web_port}/healthz")[0] == 503, timeout=10, what="offline")
        assert_frozen_is_silent_then_stops_cleanly(unit, notify_socket)
    finally:
        unit.stop()
        if broker is not None:
            broker.stop()
