"""The hub's own role check against a real mosquitto: a kiosk has no staff powers, a sender the hall does
not know is refused on a provisioned hall, a button presses only for its window; every refusal is
answered with `forbidden` and put on hub/error, and changes nothing."""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import HubThread
from tests.mqtt_helpers import wait_until


@pytest.fixture
def strict_hub(broker, hall_cfg, tmp_path):
    """A hub configured as on a provisioned hall (it has a broker account, so every sender must be known)."""
    cfg = dataclasses.replace(hall_cfg, broker=dataclasses.replace(hall_cfg.broker, username="hub"))
    h = HubThread(cfg, tmp_path / "state", broker.port).start()
    assert h.hub.strict_roles
    yield h.hub
    h.stop()


def _refused(rec, rep) -> None:
    assert rep["ok"] is False and rep["error"]["code"] == "forbidden", rep
    rec.wait_for("hub/error", lambda e: e["code"] == "forbidden")


def test_kiosk_cannot_use_staff_ops(strict_hub, recorder):
    kiosk = recorder("hub/error", device="kiosk-1")
    assert kiosk.call("help.request", kind="desk", where="自助区")["ok"]
    for op, args in (("alert.list", {}), ("case.list", {}), ("disclosure.list", {}),
                     ("help.ack", {"alert": "h1", "by": "冒充"}),
                     ("case.advance", {"id": "c-1", "action": "close", "by": "x"})):
        _refused(kiosk, kiosk.call(op, **args))
    desk = recorder(device="staff-desk")
    listed = desk.call("alert.list")
    assert listed["ok"] and [h["state"] for h in listed["result"]["help"]] == ["waiting"]


def test_unknown_sender_refused_on_a_provisioned_hall(strict_hub, recorder):
    stranger = recorder("hub/error", device="laptop-7")
    _refused(stranger, stranger.call("ticket.issue", category="A"))
    assert strict_hub.queue.state.tickets == {}


def test_device_field_must_match_reply_to(strict_hub, recorder):
    kiosk = recorder("hub/error", device="kiosk-1")
    _refused(kiosk, kiosk.call("ticket.issue", category="A", device="staff-desk"))
    assert kiosk.call("ticket.issue", category="A", device="kiosk-1")["ok"]


def test_a_button_presses_only_for_its_own_window(strict_hub, recorder):
    kiosk = recorder(device="kiosk-1")
    assert kiosk.call("ticket.issue", category="A")["ok"]
    rogue = recorder("hub/error", device="btn-w5")
    rogue.press("w1", "next", device="btn-w5")
    rogue.wait_for("hub/error", lambda e: e["code"] == "forbidden" and e["topic"].endswith("w1/press"))
    stranger = recorder("hub/error")
    stranger.press("w1", "next")
    wait_until(lambda: len([e for e in stranger.on("hub/error") if e["code"] == "forbidden"]) >= 1,
               what="the stranger's press refused")
    assert strict_hub.queue.state.windows["w1"].current is None
    owner = recorder(device="btn-w1")
    owner.press("w1", "next", device="btn-w1")
    wait_until(lambda: strict_hub.queue.state.windows["w1"].current is not None, what="w1 calls A001")


def test_open_broker_holds_known_identities_to_their_role(hub, recorder):
    kiosk = recorder("hub/error", device="kiosk-1")
    _refused(kiosk, kiosk.call("alert.list"))
    anyone = recorder()  # the demo's and the bench's own clients: unknown ids on an open broker
    assert anyone.call("alert.list")["ok"]
