"""The screens at a counter run as systemd runs them: kiosk-pad.service (window and identity from
/etc/kiosk/pad.env) and kiosk-display.service with ``--layout window --window w3`` in display.env.

Same protocol as the other screens (tests/systemd/test_screen_units.py): broker down at first, READY=1 from
the main pid after the first frame, regular watchdog pings while idle, STATUS serving once the broker is up
and offline since <hall time> when it goes, silence while frozen, a clean stop on SIGTERM.
"""

from __future__ import annotations

import pytest

from kiosk.bus.broker import free_port

from .checks import WATCHDOG_USEC, assert_screen_lifecycle
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
    assert_screen_lifecycle(unit, notify_socket, unit_name=unit_name, port=port, device=device,
                            broker_dir=tmp_path / "broker", serving=serving)
