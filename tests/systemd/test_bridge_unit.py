"""kiosk-bridge@.service (Type=simple) run as systemd runs an instance: the window and the device id come
from /etc/kiosk/bridge-<instance>.env through ${KIOSK_WINDOW} and $KIOSK_BRIDGE_ARGS; with its keypad not
plugged in it connects, says so in its retained status and waits; SIGTERM ends it cleanly."""

from __future__ import annotations

from tests.mqtt_helpers import Recorder

from .conftest import UNITS, write_site
from .units import UnitProcess

INSTANCE = "usb-1a2c_USB_Keypad-event-kbd"


def test_bridge_instance_runs_from_its_env_file(layout, notify_socket, broker, tmp_path):
    write_site(layout, broker.port)
    (layout.etc / f"bridge-{INSTANCE}.env").write_text("KIOSK_WINDOW=w3\nKIOSK_BRIDGE_ARGS=--device-id btn-w3\n",
                                                       encoding="utf-8")
    unit = UnitProcess(UNITS / "kiosk-bridge@.service", layout, notify_socket, watchdog_usec=0,
                       log=tmp_path / "bridge.log", instance=INSTANCE)
    assert unit.argv[unit.argv.index("--device"):][:4] == ["--device", f"/dev/input/by-id/{INSTANCE}", "--window", "w3"]
    assert unit.argv[-2:] == ["--device-id", "btn-w3"]
    rec = Recorder(broker.port, "huangtan", ("device/btn-w3/status",))
    unit.start()
    try:
        status = rec.wait_for("device/btn-w3/status", timeout=60)
        assert status["window"] == "w3" and status["keypad"] == "missing"
        assert unit.proc.poll() is None, unit.output()
        assert unit.stop() == 0, unit.output()
        assert notify_socket.messages() == []  # Type=simple: nothing on the notify socket
    finally:
        unit.stop()
        rec.close()


def test_units_that_write_state_get_a_state_directory():
    """ProtectSystem=strict makes /var/lib read-only; a role that keeps a file there needs StateDirectory=."""
    for name in ("kiosk-hub.service", "kiosk-terminal.service", "kiosk-display.service", "kiosk-bridge@.service",
                 "kiosk-web.service"):
        text = (UNITS / name).read_text(encoding="utf-8")
        assert "ProtectSystem=strict" in text and "StateDirectory=kiosk" in text, name
