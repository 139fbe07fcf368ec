"""Fixtures of the ops tests: a site config with a [provision] section, provisioned credentials, and the
hall broker run from exactly the config `kiosk provision` generated."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import load
from kiosk.tools import provision_tools as P

from ..conftest import HALL_CONFIG
from .mqtt_acl import Client, Mosquitto, free_port

PROVISION = """
[provision]
terminals = ["kiosk-1", "kiosk-2"]
displays = ["display-1", "info-1"]
pads = ["w3"]
staff = ["staff-desk", "staff-content", "staff-monitor"]
"""
SITE = "huangtan"
ROOT = f"hall/{SITE}/"


@pytest.fixture
def site_toml(tmp_path) -> Path:
    p = tmp_path / "site.toml"
    p.write_text(HALL_CONFIG.read_text(encoding="utf-8") + PROVISION, encoding="utf-8")
    return p


@pytest.fixture
def provisioned(site_toml, tmp_path):
    return P.provision(load(site_toml), tmp_path / "prov", broker_dir=str(tmp_path / "prov" / "mosquitto"))


def hall_broker_conf(out: Path, port: int, state: Path, extra: str = "") -> Path:
    """The generated hall.conf, with only the listener on loopback and the test's folders swapped in.
    ``user root``: a root test run must not make mosquitto drop to a user that cannot read tmp files."""
    state.mkdir(parents=True, exist_ok=True)
    text = P.hall_conf(SITE, broker_dir=str(out / "mosquitto"), port=port, bind="127.0.0.1",
                       persistence_location=str(state))
    conf = state / "hall.conf"
    conf.write_text(text + "\nuser root\n" + extra, encoding="utf-8")
    return conf


@pytest.fixture
def hall_broker(provisioned, tmp_path):
    port = free_port()
    conf = hall_broker_conf(provisioned.out, port, tmp_path / "hall-broker")
    m = Mosquitto(conf, port, tmp_path / "hall-broker.log").start()
    yield m
    m.stop()


@pytest.fixture
def as_device(hall_broker, provisioned):
    clients: list[Client] = []

    def make(device: str, **kw) -> Client:
        pw = (provisioned.out / "devices" / device / "mqtt.password").read_text().strip()
        c = Client(hall_broker.port, device, pw, **kw)
        assert c.accepted, f"{device} refused: {c.connack}"
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()
