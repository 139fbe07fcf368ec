"""Test helpers for the ops tests: a mosquitto process run from a generated config, and an
authenticating MQTT client that records what it receives and how the broker answered."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from kiosk.bus.broker import find_mosquitto, free_port

from ..mqtt_helpers import wait_until


class Mosquitto:
    """mosquitto -c <conf> on loopback; stopped by the test that started it."""

    def __init__(self, conf: Path, port: int, log: Path) -> None:
        self.conf, self.port, self.log = conf, port, log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 10.0) -> "Mosquitto":
        self.proc = subprocess.Popen([find_mosquitto(), "-c", str(self.conf)], stdout=open(self.log, "ab"),
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

        def listening():
            assert self.proc.poll() is None, f"mosquitto exited: {self.log.read_text()}"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return True
            except OSError:
                return False
        wait_until(listening, timeout, "mosquitto listening")
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class Client:
    """A paho client as one device: user name = device id. Records messages, SUBACKs and the CONNACK."""

    def __init__(self, port: int, user: str | None, password: str | None, *, client_id: str | None = None,
                 will: str | None = None) -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self.suback: dict[int, list[int]] = {}
        self.lock = threading.Lock()
        self.connack: int | None = None
        self.done = threading.Event()
        self.c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2,
                             client_id=client_id or f"t-{user}-{time.monotonic_ns()}", protocol=mqtt.MQTTv311)
        if user is not None:
            self.c.username_pw_set(user, password)
        if will:
            self.c.will_set(will, "offline", qos=1, retain=True)
        self.c.on_connect = self._on_connect
        self.c.on_message = self._on_message
        self.c.on_subscribe = self._on_subscribe
        self.c.on_disconnect = lambda *a: self.done.set()
        self.c.connect("127.0.0.1", port, keepalive=30)
        self.c.loop_start()
        assert self.done.wait(10), "no CONNACK"

    def _on_connect(self, client, userdata, flags, rc, props):
        self.connack = rc.value
        self.done.set()

    def _on_message(self, client, userdata, msg):
        with self.lock:
            self.messages.append((msg.topic, bytes(msg.payload), bool(msg.retain)))

    def _on_subscribe(self, client, userdata, mid, rcs, props):
        self.suback[mid] = [r.value for r in rcs]

    @property
    def accepted(self) -> bool:
        return self.connack == 0

    def subscribe(self, topic: str) -> int:
        """Subscribe and wait for the SUBACK; returns its code (0/1 granted QoS, 128 refused)."""
        _, mid = self.c.subscribe(topic, qos=1)
        return wait_until(lambda: self.suback.get(mid), 10, f"SUBACK for {topic}")[0]

    def publish(self, topic: str, payload: str | bytes = b"x", *, retain: bool = False) -> None:
        self.c.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)

    def got(self, topic: str) -> list[bytes]:
        with self.lock:
            return [p for t, p, _ in self.messages if t == topic]

    def wait_for(self, topic: str, payload: bytes | None = None, timeout: float = 10.0) -> bytes:
        def seen():
            for p in self.got(topic):
                if payload is None or p == payload:
                    return p
            return None
        return wait_until(seen, timeout, f"{topic} {payload!r}")

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


__all__ = ["Mosquitto", "Client", "free_port", "wait_until"]
