"""Fixtures of the attack tests: the hall broker run from exactly what `kiosk provision` wrote (the ops
tests' fixtures), and the real hub as a process logged in with its own provisioned credentials."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from ..conftest import HubProcess
from ..mqtt_helpers import wait_until
from ..ops.conftest import ROOT, as_device, hall_broker, provisioned, site_toml  # noqa: F401  (fixtures)
from ..ops.mqtt_acl import Client


def with_broker_login(site_toml: Path, out: Path, device: str, extra: str = "") -> Path:
    """The site config a device runs with: its provisioned user and password file (and ``extra`` keys)
    as the whole [broker] table."""
    text = site_toml.read_text(encoding="utf-8")
    head, rest = text.split("[broker]\n", 1)
    rest = rest[rest.index("\n["):]  # drop the old table's keys
    login = (f'[broker]\nusername = "{device}"\npassword_file = "{out / "devices" / device / "mqtt.password"}"\n'
             + extra)
    p = site_toml.with_name(f"site-{device}.toml")
    p.write_text(head + login + rest, encoding="utf-8")
    return p


@pytest.fixture
def real_hub(hall_broker, provisioned, site_toml, tmp_path):
    """``python -m kiosk hub`` as user ``hub`` on the provisioned broker; ready once it says online."""
    conf = with_broker_login(site_toml, provisioned.out, "hub")
    proc = HubProcess(conf, tmp_path / "hub-state", hall_broker.port, tmp_path / "hub.log").start()
    try:
        watcher = Client(hall_broker.port, "staff-monitor", password(provisioned.out, "staff-monitor"))
        try:
            watcher.subscribe(ROOT + "device/hub/availability")
            wait_until(lambda: watcher.got(ROOT + "device/hub/availability")[-1:] == [b"online"] or
                       proc.proc.poll() is not None, 60, "the hub online")
        finally:
            watcher.close()
        assert proc.proc.poll() is None, (tmp_path / "hub.log").read_text()
        yield proc
    finally:
        proc.stop()


def password(out: Path, device: str) -> str:
    return (out / "devices" / device / "mqtt.password").read_text(encoding="utf-8").strip()


class Device:
    """A provisioned device speaking the hall protocol: JSON requests and presses as its own user."""

    def __init__(self, client: Client, device: str) -> None:
        self.c, self.device, self.seq = client, device, 0
        self.reply_topic = f"{ROOT}device/{device}/reply"
        client.subscribe(self.reply_topic)

    def request(self, op: str, txn: str | None = None, **args) -> str:
        txn = txn or secrets.token_hex(6)
        body = {"v": 1, "txn": txn, "reply_to": self.reply_topic, **args}
        self.c.publish(f"{ROOT}request/{op}", json.dumps(body, ensure_ascii=False).encode())
        return txn

    def reply(self, txn: str, timeout: float = 15.0) -> dict:
        def find():
            for p in self.c.got(self.reply_topic):
                m = json.loads(p)
                if m.get("txn") == txn:
                    return m
            return None
        return wait_until(find, timeout, f"reply to {txn}")

    def call(self, op: str, **args) -> dict:
        return self.reply(self.request(op, **args))

    def press(self, window: str, action: str, seq: int | None = None, device: str | None = None, **extra) -> int:
        if seq is None:
            self.seq += 1
            seq = self.seq
        body = {"v": 1, "device": device or self.device, "seq": seq, "action": action, **extra}
        self.c.publish(f"{ROOT}window/{window}/press", json.dumps(body).encode())
        return seq


@pytest.fixture
def device(as_device):
    def make(name: str, **kw) -> Device:
        return Device(as_device(name, **kw), name)
    return make
