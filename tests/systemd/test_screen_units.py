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

from kiosk.bus.broker import free_port

from .checks import WATCHDOG_USEC, assert_screen_lifecycle
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
    assert_screen_lifecycle(unit, notify_socket, unit_name=unit_name, port=port, device=device,
                            broker_dir=tmp_path / "broker")
