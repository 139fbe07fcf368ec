"""Broker identities cannot be borrowed: on the provisioned broker a device's client id is its user name,
so no account can connect as the hub (MQTT drops the older of two sessions with one client id, and a
clean session wipes the hub's queued presses)."""

from __future__ import annotations

import json
import subprocess
import sys

from ..mqtt_helpers import wait_until
from ..ops.conftest import ROOT
from ..ops.mqtt_acl import Client
from ..conftest import REPO
from .conftest import password, with_broker_login

ATTACKERS = ("kiosk-2", "display-1", "btn-w5", "info-1", "staff-content")
HUB_IDS = ("hub", "huangtan-hub")  # the hub's user name, and the client id its bus client asks for


def test_ten_takeovers_in_ten_seconds_lose_no_acknowledged_press(real_hub, hall_broker, provisioned, device,
                                                                 tmp_path):
    kiosk = device("kiosk-1")
    numbers = [kiosk.call("ticket.issue", category="C")["result"]["number"] for _ in range(20)]
    assert numbers == [f"C{i:03d}" for i in range(1, 21)]
    monitor = device("staff-monitor")
    monitor.c.subscribe(ROOT + "call")
    button = device("btn-w3")
    refused: list[int | None] = []
    for i in range(20):
        button.press("w3", "next")  # returns once the broker has acknowledged it (PUBACK)
        if i % 2:
            who = ATTACKERS[i // 2 % len(ATTACKERS)]
            thief = Client(hall_broker.port, who, password(provisioned.out, who), client_id=HUB_IDS[i // 2 % 2])
            refused.append(thief.connack)
            thief.close()
    assert len(refused) == 10
    called = wait_until(lambda: len(monitor.c.got(ROOT + "call")) >= 20 and monitor.c.got(ROOT + "call"), 30,
                        "20 calls")
    assert [json.loads(p)["number"] for p in called] == numbers
    assert "lost the broker" not in (tmp_path / "hub.log").read_text()  # never knocked off


def test_same_account_twice_keeps_only_one_session(hall_broker, provisioned):
    """The other side of the rule: one user name is one connection (two kiosk-1 processes kick each other),
    which is why a staff tool must never run with a service's credentials."""
    first = Client(hall_broker.port, "kiosk-2", password(provisioned.out, "kiosk-2"), client_id="one")
    try:
        first.done.clear()
        second = Client(hall_broker.port, "kiosk-2", password(provisioned.out, "kiosk-2"), client_id="two")
        try:
            assert second.accepted
            wait_until(first.done.is_set, 10, "the first kiosk-2 session dropped")
        finally:
            second.close()
    finally:
        first.close()


def test_every_listener_ties_the_client_id_to_the_user_name():
    from kiosk.tools.provision_tools import hall_conf
    for tls in (False, True):
        lines = hall_conf("huangtan", tls=tls).splitlines()
        starts = [i for i, ln in enumerate(lines) if ln.startswith("listener ")]
        assert len(starts) == (2 if tls else 1)
        for a, b in zip(starts, starts[1:] + [len(lines)]):
            assert "use_username_as_clientid true" in lines[a:b], lines[a:b]


def test_a_staff_tool_refuses_to_borrow_the_hubs_account(hall_broker, provisioned, site_toml):
    conf = with_broker_login(site_toml, provisioned.out, "hub")
    r = subprocess.run([sys.executable, "-m", "kiosk", "status", "--config", str(conf), "--broker",
                        f"127.0.0.1:{hall_broker.port}"], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert r.returncode == 2 and "hub's own account" in r.stderr and str(conf) in r.stderr
