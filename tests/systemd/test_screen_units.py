"""kiosk-terminal.service and kiosk-display.service run as systemd runs them (Type=notify, WatchdogSec).

Each unit's ExecStart, with the environment the unit sets, is started with NOTIFY_SOCKET bound to a socket
this test owns and WATCHDOG_USEC set. The broker is down at first, comes up, then goes away again:
READY=1 comes from the main pid after the first frame, the watchdog is pinged at most half a timeout
apart (also while the screen is idle and draws nothing), STATUS follows the link (connecting → serving →
offline since <hall time>), a frozen process (SIGSTOP) sends no ping for a whole timeout, and SIGTERM
ends it cleanly with STOPPING=1.
"""

from __future__ import annotations

import pytest

from kiosk.bus.broker import PrivateBroker, free_port
from tests.mqtt_helpers import Recorder

from .checks import (WATCHDOG_USEC, assert_frozen_is_silent_then_stops_cleanly, assert_pings_regular,
                     hall_minutes_now, start_timeout)
from .conftest import UNITS, write_site
from .units import UnitProcess

SCREENS = [("kiosk-terminal.service", "terminal.env", "kiosk-7"),
           ("kiosk-display.service", "display.env", "info-7")]


@pytest.mark.parametrize("unit_name,env_file,device", SCREENS)
def test_screen_unit_notifies_systemd(unit_name, env_file, device, layout, notify_socket, tmp_path):
    port = free_port()  # nobody listens yet: the screen must come up without its broker
    write_site(layout, port)
    (layout.etc / env_file).write_text(f"KIOSK_DEVICE_ID={device}\n", encoding="utf-8")
    unit = UnitProcess(UNITS / unit_name, layout, notify_socket, watchdog_usec=WATCHDOG_USEC,
                       log=tmp_path / "unit.log")
    assert unit.unit_env["SDL_VIDEODRIVER"] == "kmsdrm" and unit.unit_env["KIOSK_DEVICE_ID"] == device
    assert ["--device-id", device] == unit.argv[unit.argv.index("--device-id"):][:2]
    broker = None
    unit.start()
    try:
        ready = notify_socket.wait_for(lambda d: "READY" in d.fields, timeout=start_timeout(unit_name),
                                       what="READY=1")
        assert ready.pid == unit.pid, "NotifyAccess=main: READY must come from the main process"
        assert ready.fields["STATUS"] == f"connecting to the broker 127.0.0.1:{port}"
        assert "READY" in notify_socket.messages()[0], "nothing before READY=1 (the watchdog starts with it)"

        # idle: no broker, nothing changes on screen, yet the loop is alive and pings
        assert_pings_regular(notify_socket, unit.pid, ready.at, 3)

        broker = PrivateBroker(tmp_path / "broker", port=port).start()
        online = notify_socket.wait_for(lambda d: d.fields.get("STATUS", "").startswith("serving:"), timeout=60,
                                        what="STATUS serving")
        rec = Recorder(port, "huangtan", ("device/+/status",))
        try:
            rec.wait_for(f"device/{device}/status", timeout=30)  # the env file's device id reached argv
        finally:
            rec.close()

        broker.stop()
        broker = None
        lost = notify_socket.wait_for(lambda d: d.at > online.at and d.fields.get("STATUS", "").startswith("offline"),
                                      timeout=60, what="STATUS offline since")
        text = lost.fields["STATUS"]
        assert "(Asia/Shanghai)" in text and any(f"offline since {m} " in text for m in hall_minutes_now()), text

        # a frozen loop: not one ping for a whole watchdog timeout, so systemd would restart it
        assert_frozen_is_silent_then_stops_cleanly(unit, notify_socket)
    finally:
        unit.stop()
        if broker is not None:
            broker.stop()
