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
    for category in "ECC":  # w5 serves E, w3 serves C (专线限制: C only at its domain window)
        assert kiosk.call("ticket.issue", category=category)["ok"]
    monitor = device("staff-monitor")
    monitor.c.subscribe(ROOT + "window/+/state")
    monitor.c.subscribe(ROOT + "hub/error")
    rogue = device("btn-w3")
    rogue.press("w3", "next", seq=1, device="btn-w5")  # the body claims to be w5's button
    wait_until(lambda: _errors(monitor, "forbidden"), 15, "the forged press refused")
    owner = device("btn-w5")
    owner.press("w5", "next", seq=1)
    wait_until(lambda: (_state(monitor, "w5").get("ticket") or {}).get("number"), 15, "w5 calling")
    assert _state(monitor, "w5")["ticket"]["number"] == "E001"
    assert (_state(monitor, "w3").get("ticket") or None) is None  # the forged press changed nothing
    rogue.press("w3", "next", seq=1)  # its own press, same seq number as w5's: a different button
    wait_until(lambda: (_state(monitor, "w3").get("ticket") or {}).get("number") == "C001", 15, "w3 calling")




def test_a_kiosk_has_no_staff_powers_on_the_provisioned_hall(real_hub, device):
    """The observed attack: kiosk-1 read alert.list (another kiosk's home-visit note with a phone number),
    disclosure.list and case.list, advanced a case and acknowledged kiosk-2's help request with a made-up
    name. The broker drops every one of these requests; the help request stays unacknowledged."""
    victim = device("kiosk-2")
    assert victim.call("help.request", kind="home_visit", name="李奶奶", phone="13812345678", address="黄潭镇",
                       note="腿脚不便")["ok"]
    desk = device("staff-desk")
    help_id = desk.call("alert.list")["result"]["help"][0]["id"]
    attacker = device("kiosk-1")
    txns = [attacker.request(op, **args) for op, args in (
        ("alert.list", {}), ("case.list", {}), ("disclosure.list", {}), ("case.get", {"id": "c1"}),
        ("case.advance", {"id": "c1", "action": "close", "by": "冒充"}),
        ("help.ack", {"alert": help_id, "by": "张主任"}))]
    sentinel = attacker.call("ticket.issue", category="C")  # answered: the requests before it were dropped
    assert sentinel["ok"]
    assert [m for m in map(json.loads, attacker.c.got(attacker.reply_topic)) if m["txn"] in txns] == []
    listed = desk.call("alert.list")["result"]["help"]
    assert [(h["id"], h["state"], h.get("acked_by")) for h in listed] == [(help_id, "waiting", None)]
    assert "13812345678" not in json.dumps(attacker.c.messages, default=repr)


GARBAGE_REQUESTS = [
    b'{"v": 1.0, "txn": "g1", "reply_to": "REPLY", "category": "C"}',  # 1.0 is not 1
    b'{"v": 1, "txn": "g2", "reply_to": "REPLY", "category": "C", "category": "A"}',  # duplicate key
    b'{"v": 1, "txn": "g3", "reply_to": "REPLY", "category": "C", "priority": ' + b"9" * 5000 + b"}",
    b'{"v": 1, "txn": "g4", "reply_to": "REPLY", "category": "\\ud800"}',  # lone surrogate
    b'{"v": ' + b"1" * 5000 + b', "txn": "g5", "reply_to": "REPLY", "category": "C"}',
]


def test_garbage_requests_are_refused_with_a_code_never_internal_error(real_hub, device):
    kiosk = device("kiosk-1")
    monitor = device("staff-monitor")
    monitor.c.subscribe(ROOT + "hub/error")
    for raw in GARBAGE_REQUESTS:
        kiosk.c.publish(ROOT + "request/ticket.issue", raw.replace(b"REPLY", kiosk.reply_topic.encode()))
    for i in range(1, 6):
        rep = kiosk.reply(f"g{i}")
        assert rep["ok"] is False and rep["error"]["code"] != "internal_error", rep
    button = device("btn-w3")
    button.c.publish(ROOT + "window/w3/press", b'{"v": 1, "device": "btn-w3", "action": "next", "seq": '
                     + b"9" * 5000 + b"}")
    wait_until(lambda: len(monitor.c.got(ROOT + "hub/error")) >= 6, 15, "every refusal on hub/error")
    assert not _errors(monitor, "internal_error")
    assert kiosk.call("ticket.issue", category="C")["result"]["number"] == "C001"  # nothing was issued


def test_nobody_rates_other_peoples_tickets_by_counting(real_hub, device):
    """The observed attack: ticket numbers are sequential, so one device rated everyone's tickets one star
    (and opened a 差评 case for each); the real visitors then got already_rated."""
    kiosk = device("kiosk-1")
    monitor = device("staff-monitor")
    monitor.c.subscribe(ROOT + "window/+/state")
    button = device("btn-w3")
    issued = [kiosk.call("ticket.issue", category="C")["result"] for _ in range(5)]
    for n in range(1, 6):
        button.press("w3", "next")
        button.press("w3", "complete")
        wait_until(lambda: _state(monitor, "w3").get("served", 0) >= n, 15, f"{n} served at w3")
    attacker = device("kiosk-2")
    for t in issued:
        for token in (None, "A" * 22, issued[0]["token"] if t is not issued[0] else issued[1]["token"]):
            args = {"ticket": t["number"], "level": 1, "reasons": ["attitude"], **({"token": token} if token else {})}
            rep = attacker.call("evaluation.submit", **args)
            assert rep["ok"] is False and rep["error"]["code"] == "bad_token", rep
    desk = device("staff-desk")
    assert desk.call("case.list")["result"]["cases"] == []  # no 差评 case opened
    for t in issued:  # every real visitor can still rate
        rep = kiosk.call("evaluation.submit", ticket=t["number"], level=5, token=t["token"])
        assert rep["ok"], rep
