"""Ticket tokens: only the issuing device learns a ticket's secret; a kiosk (or anyone the hall does not
know, on a provisioned hall) rates a ticket only with its token; a window's pad rates only the ticket that
window has just completed. Sequential ticket numbers are no longer enough to rate other people's tickets."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.conftest import HubThread
from tests.mqtt_helpers import wait_until


@pytest.fixture
def strict_hub(broker, hall_cfg, tmp_path):
    roles = dict(hall_cfg.roles, provision={"pads": ["w3", "w5"]})
    cfg = dataclasses.replace(hall_cfg, broker=dataclasses.replace(hall_cfg.broker, username="hub"), roles=roles)
    h = HubThread(cfg, tmp_path / "state", broker.port).start()
    yield h.hub
    h.stop()


def _served(kiosk, staff, window: str, category: str = "C") -> dict:
    t = kiosk.call("ticket.issue", category=category)["result"]
    staff.press(window, "next", device=f"btn-{window}")
    staff.press(window, "complete", device=f"btn-{window}")
    staff.wait_for(f"window/{window}/state", lambda s: s["ticket"] is None and s["served"] >= 1)
    return t


def test_only_the_issuing_device_gets_the_token(strict_hub, recorder):
    watcher = recorder("board", "window/+/state", "hub/status", "alert", "call", "window/+/evaluation")
    kiosk = recorder(device="kiosk-1")
    t = kiosk.call("ticket.issue", category="C")["result"]
    assert isinstance(t["token"], str) and len(t["token"]) >= 16  # ≥ 96 bits, URL-safe
    info = kiosk.call("ticket.info", ticket=t["number"])["result"]
    assert "token" not in info
    watcher.wait_for("board", lambda b: any(c["waiting"] for c in b["categories"]))
    raw = b"".join(p for _, p, _ in watcher.messages)
    assert t["token"].encode() not in raw
    again = kiosk.call("ticket.issue", category="C")["result"]
    assert again["token"] != t["token"]


def test_a_kiosk_rates_only_with_the_tickets_token(strict_hub, recorder):
    kiosk = recorder("hub/error", device="kiosk-1")
    staff = recorder("window/+/state", device="btn-w3")
    mine = _served(kiosk, staff, "w3")
    other = _served(kiosk, staff, "w3")
    for token in (None, "x" * 16, other["token"]):
        args = {"ticket": mine["number"], "level": 1, "reasons": ["attitude"]}
        if token:
            args["token"] = token
        rep = kiosk.call("evaluation.submit", **args)
        assert rep["ok"] is False and rep["error"]["code"] == "bad_token", rep
    kiosk.wait_for("hub/error", lambda e: e["code"] == "bad_token")
    ok = kiosk.call("evaluation.submit", ticket=mine["number"], level=5, token=mine["token"])
    assert ok["ok"] and ok["result"]["ticket"] == mine["ticket"]
    assert strict_hub.store.rows("SELECT COUNT(*) AS n FROM cases")[0]["n"] == 0  # no 差评 case was opened


def test_a_pad_rates_only_what_its_window_just_completed(strict_hub, recorder):
    kiosk = recorder(device="kiosk-1")
    staff = recorder("window/+/state", "window/+/evaluation")
    at_w5 = _served(kiosk, recorder("window/+/state", device="btn-w5"), "w5", "E")  # w5: no-difference
    at_w3 = _served(kiosk, recorder("window/+/state", device="btn-w3"), "w3")
    staff.wait_for("window/w3/evaluation", lambda m: m.get("ticket") == at_w3["ticket"])
    pad = recorder(device="pad-w3")
    refused = pad.call("evaluation.submit", ticket=at_w5["number"], level=1, channel="pad")
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    ok = pad.call("evaluation.submit", ticket=at_w3["number"], level=4, channel="pad")
    assert ok["ok"], ok
    cleared = staff.wait_for("window/w3/evaluation", lambda m: m.get("ticket") is None)
    assert json.dumps(cleared)  # the pad went back to its idle page
    again = pad.call("evaluation.submit", ticket=at_w3["number"], level=1, channel="pad")
    assert again["ok"] is False and again["error"]["code"] == "already_rated"
    other_pad = recorder(device="pad-w5")  # the ticket was completed at w3: another window's pad may not
    assert other_pad.call("evaluation.submit", ticket=at_w3["number"], level=1,
                          channel="pad")["error"]["code"] == "forbidden"
    wait_until(lambda: strict_hub.store.rows("SELECT COUNT(*) AS n FROM evaluations")[0]["n"] == 1,
               what="one rating stored")


def test_the_scanned_qr_carries_the_token_into_the_rating():
    from kiosk.protocol.links import ScannedTicket
    from kiosk.terminal.evaluate import ticket_from_scan
    from kiosk.terminal.codes import ticket_qr
    payload = ticket_qr("huangtan", "20261201-C001", "s3cr3t-Token_0123")  # no base address: kiosk-only
    assert payload == "HT1|huangtan|20261201-C001|s3cr3t-Token_0123"
    assert ticket_from_scan(payload, "huangtan") == ScannedTicket("20261201-C001", "s3cr3t-Token_0123")
    assert ticket_from_scan("HT1|huangtan|20261201-C001", "huangtan") == ScannedTicket("20261201-C001", "")
    base = "http://192.168.10.2:8080"
    link = ticket_qr("huangtan", "20261201-C001", "s3cr3t-Token_0123", base)
    assert link == "http://192.168.10.2:8080/t/s3cr3t-Token_0123"  # the number is not in the link
    assert ticket_from_scan(link, "huangtan", base) == ScannedTicket("", "s3cr3t-Token_0123")
    assert ticket_from_scan(payload, "huangtan", base).ref == "20261201-C001"  # tickets printed before
    assert ticket_from_scan(link, "huangtan") is None  # a link, but no address configured here
    assert ticket_from_scan("http://10.9.9.9:8080/t/s3cr3t-Token_0123", "huangtan", base) is None  # another hall
    assert ticket_from_scan(f"{base}/t/short", "huangtan", base) is None


def test_a_kiosk_finds_a_linked_ticket_by_its_token_only(strict_hub, recorder):
    kiosk = recorder(device="kiosk-1")
    staff = recorder("window/+/state", device="btn-w3")
    mine = _served(kiosk, staff, "w3")
    info = kiosk.call("ticket.info", token=mine["token"])["result"]
    assert info["ticket"] == mine["ticket"] and info["state"] == "completed" and "token" not in info
    for bad in ("x" * 16, mine["token"][:-1] + ("A" if mine["token"][-1] != "A" else "B")):
        rep = kiosk.call("ticket.info", token=bad)
        assert rep["ok"] is False and rep["error"]["code"] == "unknown_ticket", rep
    assert kiosk.call("ticket.info")["error"]["code"] == "missing_field"
    ok = kiosk.call("evaluation.submit", ticket=info["ticket"], level=4, token=mine["token"])
    assert ok["ok"], ok
