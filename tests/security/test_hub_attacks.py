"""Attacks through the provisioned broker on the real hub (``python -m kiosk hub`` logged in as ``hub``):
what the broker's ACL lets through must still be refused by the hub when the sender claims to be someone
it is not, and retained commands are never applied."""

from __future__ import annotations

import json

from ..mqtt_helpers import wait_until
from ..ops.conftest import ROOT


def _state(monitor, window: str) -> dict:
    got = monitor.c.got(f"{ROOT}window/{window}/state")
    return json.loads(got[-1]) if got else {}


def _errors(monitor, code: str) -> list[dict]:
    return [e for e in map(json.loads, monitor.c.got(ROOT + "hub/error")) if e["code"] == code]


def test_one_windows_button_cannot_silence_anothers(real_hub, device):
    """A press on w3 carrying ``device: btn-w5`` must not use up btn-w5's seq: btn-w5's real press with
    the same seq is applied."""
    kiosk = device("kiosk-1")
    for _ in range(3):
        assert kiosk.call("ticket.issue", category="C")["ok"]
    monitor = device("staff-monitor")
    monitor.c.subscribe(ROOT + "window/+/state")
    monitor.c.subscribe(ROOT + "hub/error")
    rogue = device("btn-w3")
    rogue.press("w3", "next", seq=1, device="btn-w5")  # the body claims to be w5's button
    wait_until(lambda: _errors(monitor, "forbidden"), 15, "the forged press refused")
    owner = device("btn-w5")
    owner.press("w5", "next", seq=1)
    wait_until(lambda: (_state(monitor, "w5").get("ticket") or {}).get("number"), 15, "w5 calling")
    assert _state(monitor, "w5")["ticket"]["number"] == "C001"
    assert (_state(monitor, "w3").get("ticket") or None) is None  # the forged press changed nothing
    rogue.press("w3", "next", seq=1)  # its own press, same seq number as w5's: a different button
    wait_until(lambda: (_state(monitor, "w3").get("ticket") or {}).get("number") == "C002", 15, "w3 calling")


