"""What the fault tests share: a hall config without the catalogue (the hub restarts in ~1 s instead
of ~4 s), replays of the state file, and clients that keep going through a broker restart."""

from __future__ import annotations

import atexit
import json
import re
import shutil
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from kiosk.core.queue import Queue, QueueState
from kiosk.store.db import Store
from tests.conftest import HALL_CONFIG


def quick_config() -> Path:
    """The test hall (always open) without the service catalogue, which the hub loads at each start."""
    out = Path(tempfile.mkdtemp(prefix="kiosk-faults-cfg-")) / "site.toml"
    atexit.register(shutil.rmtree, out.parent, True)
    text = re.sub(r'catalog_dir = "[^"]*"', f'catalog_dir = "{out.parent / "no-catalog"}"',
                  HALL_CONFIG.read_text(encoding="utf-8"))
    out.write_text(text, encoding="utf-8")
    return out


def replay(cfg, path: Path, *, use_snapshot: bool) -> Queue:
    """The queue rebuilt from the file: as the hub does (snapshot + later commands) or from command 1."""
    store = Store(path)
    try:
        seq, snap = store.latest_snapshot() if use_snapshot else (0, None)
        q = Queue(cfg.hall, QueueState.from_dict(snap) if snap else None)
        for _, cmd in store.commands_after(seq):
            q.apply(cmd)
        return q
    finally:
        store.close()


def query(path: Path, sql: str, args: tuple = ()) -> list[tuple]:
    """Read the hub's file from outside (WAL: readers never block the writer)."""
    db = sqlite3.connect(path, timeout=10)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def event_bodies(path: Path, kind: str) -> list[dict[str, Any]]:
    return [json.loads(b) for (b,) in query(path, "SELECT body FROM events WHERE kind=? ORDER BY id", (kind,))]


class Sender:
    """A device that publishes QoS 1 and never blocks on the broker: paho keeps an unacknowledged
    message and sends it again (DUP) after it reconnects, which is what a button's firmware does."""

    def __init__(self, port: int, client_id: str) -> None:
        self.id = client_id
        self.c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id,
                             clean_session=False, protocol=mqtt.MQTTv311)
        self.c.reconnect_delay_set(min_delay=1, max_delay=2)
        self.c.max_queued_messages_set(0)
        self.connects = 0
        self.up = threading.Event()
        self.c.on_connect = self._on_connect
        self.c.on_disconnect = lambda *a: self.up.clear()
        self.pending: set[int] = set()  # mids the broker has not acknowledged yet
        self._early: set[int] = set()
        self._lock = threading.Lock()
        self.c.on_publish = self._on_publish
        self.log: list[str] = []
        self.c.on_log = lambda c, u, level, buf: self.log.append(f"{time.monotonic():.2f} {buf}")
        self.c.connect("127.0.0.1", port, keepalive=5)
        self.c.loop_start()
        assert self.up.wait(10), "sender could not connect"

    def _on_connect(self, client, userdata, flags, rc, props):
        self.connects += 1
        self.up.set()

    def _on_publish(self, client, userdata, mid, reason_code, props):
        with self._lock:
            if mid in self.pending:
                self.pending.remove(mid)
            else:
                self._early.add(mid)  # acknowledged before publish() below had noted it

    def publish(self, topic: str, body: dict[str, Any]) -> None:
        # paho returns "not connected" while the broker is away but keeps the message and sends it
        # after the reconnect; the PUBACK (on_publish) is the proof it arrived
        # (never call paho while holding our lock: its network thread takes the lock in on_publish)
        info = self.c.publish(topic, json.dumps(body, ensure_ascii=False), qos=1)
        with self._lock:
            if info.mid in self._early:
                self._early.remove(info.mid)
            else:
                self.pending.add(info.mid)

    def all_published(self) -> bool:
        with self._lock:
            return not self.pending

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def wait_progress(get, at_least: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while get() < at_least:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what} (have {get()}, want {at_least})")
        time.sleep(0.01)
