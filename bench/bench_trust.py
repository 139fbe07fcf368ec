"""What trust costs: the provisioned broker with TLS, the hub as its own process logged in as ``hub``.

- press → window state over TLS (a window PC's button on the hall listener, 8883) and over the plain
  loopback listener, same run: a call button publishes ``next`` and waits for its own window's new state,
  p50/p99 over 150 presses each (the ACL, client id = user name and TLS all in the path)
- connect: TCP (+ TLS handshake) + MQTT login with a hashed password until CONNACK, p50 over 30 connects
- ``kiosk provision --tls`` for the real hall (passwords hashed, CA and broker certificate made), seconds

``run() -> dict``; as a script prints JSON.
"""

from __future__ import annotations

import json
import socket
import ssl
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from bench_display import always_open_config, pct, start_hub, wait_for  # noqa: E402

from kiosk.bus.broker import find_mosquitto, free_port  # noqa: E402
from kiosk.config import load  # noqa: E402
from kiosk.tools import provision_tools as P  # noqa: E402

ROOT = "hall/huangtan/"
PRESSES = 150


class Device:
    """A provisioned device: its user, its password, TLS with the hall CA when given one."""

    def __init__(self, out: Path, user: str, port: int, *, ca: Path | None = None, subs: tuple[str, ...] = ()):
        self.got: list[tuple[str, bytes, float]] = []
        self.ready = threading.Event()
        self.c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=user,
                             protocol=mqtt.MQTTv311)
        self.c.username_pw_set(user, (out / "devices" / user / "mqtt.password").read_text().strip())
        if ca:
            self.c.tls_set(ca_certs=str(ca), cert_reqs=ssl.CERT_REQUIRED)
        self.c.on_connect = lambda c, u, f, rc, p: ([c.subscribe(s, qos=1) for s in subs], self.ready.set())
        self.c.on_message = lambda c, u, m: self.got.append((m.topic, bytes(m.payload), time.perf_counter()))
        self.c.on_socket_open = lambda c, u, sock: sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.c.connect("localhost" if ca else "127.0.0.1", port)
        self.c.loop_start()
        if not self.ready.wait(10):
            raise RuntimeError(f"{user} could not connect")

    def publish(self, topic: str, body: dict) -> None:
        self.c.publish(ROOT + topic, json.dumps(body).encode(), qos=1).wait_for_publish(10)

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def _connect_ms(out: Path, port: int, ca: Path | None, n: int = 30) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        d = Device(out, "staff-monitor", port, ca=ca)
        times.append((time.perf_counter() - t0) * 1000)
        d.close()
    return round(statistics.median(times), 2)


def _presses(out: Path, port: int, window: str, category: str, ca: Path | None) -> list[float]:
    kiosk = Device(out, "kiosk-1", port, ca=ca, subs=(ROOT + "device/kiosk-1/reply",))
    for i in range(PRESSES + 5):
        kiosk.publish("request/ticket.issue", {"v": 1, "txn": f"{window}-{i}", "category": category,
                                               "reply_to": ROOT + "device/kiosk-1/reply"})
    wait_for(lambda: len(kiosk.got) >= PRESSES + 5, 60, "tickets issued")
    button = Device(out, f"btn-{window}", port, ca=ca, subs=(ROOT + f"window/{window}/state",))
    wait_for(lambda: button.got, 10, "the window's retained state")
    lat = []
    for seq in range(1, PRESSES + 1):
        n = len(button.got)
        t0 = time.perf_counter()
        button.publish(f"window/{window}/press", {"v": 1, "device": f"btn-{window}", "seq": seq, "action": "next"})
        wait_for(lambda: len(button.got) > n, 10, "the new window state")
        lat.append((button.got[n][2] - t0) * 1000)
    kiosk.close()
    button.close()
    return lat


def run() -> dict:
    import subprocess
    with tempfile.TemporaryDirectory(prefix="bench-trust-") as tmp:
        tmp_path = Path(tmp)
        site = always_open_config(tmp_path)
        site.write_text(site.read_text(encoding="utf-8") + '\n[provision]\nterminals = ["kiosk-1"]\n'
                        'staff = ["staff-monitor"]\nhub_hosts = ["localhost"]\n', encoding="utf-8")
        out = tmp_path / "prov"
        t0 = time.perf_counter()
        P.provision(load(site), out, tls=True, broker_dir=str(out / "mosquitto"))
        provision_s = time.perf_counter() - t0
        plain, tls = free_port(), free_port()
        conf = tmp_path / "hall.conf"
        conf.write_text(P.hall_conf("huangtan", broker_dir=str(out / "mosquitto"), port=plain, bind="127.0.0.1",
                                    tls=True, tls_port=tls, cert_dir=str(out / "mosquitto" / "certs"),
                                    persistence_location=str(tmp_path)) + "\nuser root\n", encoding="utf-8")
        broker = subprocess.Popen([find_mosquitto(), "-c", str(conf)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        hub_conf = tmp_path / "hub.toml"
        text = site.read_text(encoding="utf-8")
        hub_conf.write_text(text.replace("[broker]\n", f'[broker]\nusername = "hub"\npassword_file = '
                                         f'"{out / "devices" / "hub" / "mqtt.password"}"\n', 1), encoding="utf-8")
        hub = None
        try:
            time.sleep(0.3)
            hub = start_hub(tmp_path / "state", plain, hub_conf)
            probe = Device(out, "staff-monitor", plain, subs=(ROOT + "device/hub/availability",))
            wait_for(lambda: any(p == b"online" for _, p, _ in probe.got), 60, "the hub online")
            probe.close()
            ca = out / "devices" / "kiosk-1" / "ca.crt"
            tls_lat = _presses(out, tls, "w1", "A", ca)
            plain_lat = _presses(out, plain, "w2", "B", None)
            return {
                "press_to_state_ms_tls": {"p50": round(pct(tls_lat, 50), 2), "p99": round(pct(tls_lat, 99), 2),
                                          "samples": len(tls_lat)},
                "press_to_state_ms_plain": {"p50": round(pct(plain_lat, 50), 2),
                                            "p99": round(pct(plain_lat, 99), 2), "samples": len(plain_lat)},
                "connect_ms_tls_p50": _connect_ms(out, tls, ca),
                "connect_ms_plain_p50": _connect_ms(out, plain, None),
                "provision_tls_s": round(provision_s, 2),
            }
        finally:
            if hub is not None:
                hub.terminate()
                hub.wait(15)
            broker.terminate()
            broker.wait(10)


ROWS = [
    ("press_to_state_ms_tls.p50", "press → window state over TLS, provisioned broker, p50 (ms)", "", None),
    ("press_to_state_ms_tls.p99", "press → window state over TLS, provisioned broker, p99 (ms)", "", None),
    ("press_to_state_ms_plain.p50", "the same on the plain loopback listener, same run, p50 (ms)", "", None),
    ("press_to_state_ms_plain.p99", "the same on the plain loopback listener, same run, p99 (ms)", "", None),
    ("connect_ms_tls_p50", "connect with TLS + password until CONNACK, p50 (ms)", "", None),
    ("connect_ms_plain_p50", "connect, plain + password, p50 (ms)", "", None),
    ("provision_tls_s", "kiosk provision --tls for the hall (s)", "", None),
]

if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
