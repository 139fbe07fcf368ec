"""The screens at a counter run as systemd runs them: kiosk-pad.service (window and identity from
/etc/kiosk/pad.env) and kiosk-display.service with ``--layout window --window w3`` in display.env.

Same protocol as the other screens (tests/systemd/test_screen_units.py): broker down at first, READY=1 from
the main pid after the first frame, regular watchdog pings while idle, STATUS serving once the broker is up
and offline since <hall time> when it goes, silence while frozen, a clean stop on SIGTERM.
"""

from __future__ import annotations

import pytest

from kiosk.bus.broker import PrivateBroker, free_port
from tests.mqtt_helpers import Recorder

from .checks import (WATCHDOG_USEC, assert_frozen_is_silent_then_stops_cleanly, assert_pings_regular,
                     hall_minutes_now, start_timeout)
from .conftest import UNITS, write_site
from .units import UnitProcess

COUNTER = [("kiosk-pad.service", "pad.env", "KIOSK_WINDOW=w3\nKIOSK_DEVICE_ID=pad-w3\n", "pad-w3", "pad at window w3"),
           ("kiosk-display.service", "display.env",
            "KIOSK_DEVICE_ID=counter-w3\nKIOSK_ARGS=--layout window --window w3\n", "counter-w3", "window layout")]


@pytest.mark.parametrize("unit_name,env_file,env,device,serving", COUNTER)
def test_counter_unit_notifies_systemd(unit_name, env_file, env, device, serving, layout, notify_socket, tmp_path):
    port = free_port()
    write_site(layout, port)
    (layout.etc / env_file).write_text(env, encoding="utf-8")
    unit = UnitProcess(UNITS / unit_name, layout, notify_socket, watchdog_usec=WATCHDOG_USEC,
                       log=tmp_path / "unit.log")
    assert ["--device-id", device] == unit.argv[unit.argv.index("--device-id"):][:2]
    assert "w3" in unit.argv
    broker = None
    unit.start()
    try:
        ready = notify_socket.wait_for(lambda d: "READY" in d.fields, timeout=start_timeout(unit_name),
                                       what="READY=1")
        assert ready.pid == unit.pid, "NotifyAccess=main: READY must come from the main process"
        assert ready.fields["STATUS"] == f"connecting to the broker 127.0.0.1:{port}"
        assert_pings_regular(notify_socket, unit.pid, ready.at, 3)

        broker = PrivateBroker(tmp_path / "broker", port=port).start()
        online = notify_socket.wait_for(lambda d: d.fields.get("STATUS", "").startswith("serving:"), timeout=60,
                                        what="STATUS serving")
        assert serving in online.fields["STATUS"], online.fields["STATUS"]
        rec = Recorder(port, "huangtan", ("device/+/status",))
        try:
            rec.wait_for(f"device/{device}/status", timeout=30)
        finally:
            rec.close()

        broker.stop()
        broker = None
        lost = notify_socket.wait_for(lambda d: d.at > online.at and d.fields.get("STATUS", "").startswith("offline"),
                                      timeout=60, what="STATUS offline since")
        text = lost.fields["STATUS"]
        assert "(Asia/Shanghai)" in text and any(f"offline since {m} " in text for m in hall_minutes_now()), text
        assert_frozen_is_silent_then_stops_cleanly(unit, notify_socket)
    finally:
        unit.stop()
        if broker is not None:
            broker.stop()
