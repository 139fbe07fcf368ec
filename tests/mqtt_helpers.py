"""A recording MQTT client for tests: real paho against the test's mosquitto."""

from __future__ import annotations

import json
import secrets
import threading
import time
from typing import Any, Callable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


def wait_until(pred: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll ``pred`` until it is truthy or the deadline passes (no fixed sleeps in tests)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


class Recorder:
    def __init__(self, port: int, site: str, subs: tuple[str, ...] = (), device: str | None = None) -> None:
        self.site = site
        self.root = f"hall/{site}/"
        self.device = device or f"test-{secrets.token_hex(3)}"
        self.messages: list[tuple[str, bytes, bool]] = []
        self.lock = threading.Lock()
        self.connected = threading.Event()
        self.subs = [self.root + s if not s.startswith("hall/") else s for s in subs]
        self.subs.append(f"{self.root}device/{self.device}/reply")
        self.seq = 0
        self.c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=self.device,
                             protocol=mqtt.MQTTv311)
        self.c.on_connect = self._on_connect
        self.c.on_message = self._on_message
        self.c.connect("127.0.0.1", port, keepalive=30)
        self.c.loop_start()
        assert self.connected.wait(10), "test client could not connect"

    def _on_connect(self, client, userdata, flags, rc, props):
        for s in self.subs:
            client.subscribe(s, qos=1)
        self.connected.set()

    def _on_message(self, client, userdata, msg):
        with self.lock:
            self.messages.append((msg.topic, bytes(msg.payload), bool(msg.retain)))

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()

    # ----------------------------------------------------------------- reading
    def on(self, suffix: str) -> list[dict]:
        topic = self.root + suffix
        with self.lock:
            out = []
            for t, p, _ in self.messages:
                if t == topic:
                    try:
                        out.append(json.loads(p))
                    except ValueError:
                        out.append({"_raw": p})
            return out

    def last(self, suffix: str) -> dict | None:
        got = self.on(suffix)
        return got[-1] if got else None

    def wait_for(self, suffix: str, pred: Callable[[dict], bool] = lambda m: True, timeout: float = 10.0) -> dict:
        def find():
            for m in reversed(self.on(suffix)):
                if pred(m):
                    return m
            return None
        return wait_until(find, timeout, f"a message on {suffix}")

    # ----------------------------------------------------------------- writing
    def publish(self, suffix: str, body: Any, *, raw: bool = False, retain: bool = False) -> None:
        payload = body if raw else json.dumps(body, ensure_ascii=False).encode()
        info = self.c.publish(self.root + suffix, payload, qos=1, retain=retain)
        info.wait_for_publish(10)

    def press(self, window: str, action: str, seq: int | None = None, device: str | None = None, **extra) -> int:
        if seq is None:
            self.seq += 1
            seq = self.seq
        self.publish(f"window/{window}/press", {"v": 1, "device": device or self.device, "seq": seq,
                                                "action": action, **extra})
        return seq

    def request(self, op: str, txn: str | None = None, **args) -> str:
        txn = txn or secrets.token_hex(6)
        self.publish(f"request/{op}", {"v": 1, "txn": txn, "reply_to": f"{self.root}device/{self.device}/reply",
                                       **args})
        return txn

    def reply(self, txn: str, timeout: float = 10.0) -> dict:
        return self.wait_for(f"device/{self.device}/reply", lambda m: m.get("txn") == txn, timeout)

    def call(self, op: str, timeout: float = 10.0, **args) -> dict:
        return self.reply(self.request(op, **args), timeout)
