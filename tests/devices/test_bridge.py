"""The keypad bridge end to end: raw input_event bytes through a pipe → decoder → MQTT press → the real
hub on a real broker. There is no /dev/input here, so the opener hands the bridge a pipe."""

from __future__ import annotations

import os
import threading

from kiosk.bridge.main import Bridge, SeqFile
from kiosk.devices.evdev_decode import code, pack_event
from tests.mqtt_helpers import wait_until

EV_KEY, EV_SYN = 1, 0


class PipeDevice:
    def __init__(self) -> None:
        self.fd, self.w = os.pipe()

    def close(self) -> None:
        os.close(self.fd)

    def key(self, name: str) -> None:
        k = code(name)
        os.write(self.w, pack_event(EV_KEY, k, 1) + pack_event(EV_SYN, 0, 0) + pack_event(EV_KEY, k, 0)
                 + pack_event(EV_SYN, 0, 0))


def test_keypad_presses_reach_the_hub(hub, broker, hall_cfg, tmp_path, recorder):
    r = recorder("window/w3/state")
    for _ in range(2):
        r.call("ticket.issue", category="C")
    dev = PipeDevice()
    bridge = Bridge(hall_cfg, window="w3", device="keypad-w3", device_id="btn-w3", host="127.0.0.1",
                    port=broker.port, seq_path=tmp_path / "seq", opener=lambda path: dev)
    stop = threading.Event()
    t = threading.Thread(target=bridge.run, args=(stop,), daemon=True)
    t.start()
    try:
        wait_until(bridge.source.connected.is_set, what="keypad opened")
        dev.key("KEY_KP1")  # next
        r.wait_for("window/w3/state", lambda s: s["ticket"] and s["ticket"]["number"] == "C001")
        dev.key("KEY_KP4")  # start
        r.wait_for("window/w3/state", lambda s: s["ticket"] and s["ticket"]["state"] == "serving")
        dev.key("KEY_KP6")  # pause
        st = r.wait_for("window/w3/state", lambda s: s["status"] == "paused")
        assert st["reason"] == "暂停服务，请稍候"
    finally:
        stop.set()
        t.join(5)
        os.close(dev.w)
    assert SeqFile(tmp_path / "seq").value == 3  # persisted: a restarted bridge continues at 4


def test_seq_survives_restart(tmp_path):
    s = SeqFile(tmp_path / "b.seq")
    assert [s.next(), s.next()] == [1, 2]
    assert SeqFile(tmp_path / "b.seq").next() == 3
