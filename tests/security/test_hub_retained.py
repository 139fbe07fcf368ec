"""Retained commands: a press or request published with the retain flag is never applied — not live, not
queued for the hub while it was down, not at its next start — is refused on hub/error, and is deleted from
the broker (an empty retained message). A retained request's stored reply is never sent again."""

from __future__ import annotations

import json

from tests.conftest import HubThread
from tests.mqtt_helpers import Recorder, wait_until


def _retained_on(broker, site: str, suffix: str) -> list[bytes]:
    """What a fresh subscriber gets as retained on one topic (after the hub's board proves it is there)."""
    probe = Recorder(broker.port, site, (suffix, "board"))
    try:
        wait_until(lambda: probe.on("board"), what="a retained board")  # retained messages come together
        return [p for t, p, r in probe.messages if t.endswith(suffix) and r]
    finally:
        probe.close()


def test_a_retained_press_is_refused_and_deleted_while_the_hub_runs(hub, recorder, broker, hall_cfg):
    r = recorder("hub/error")
    assert r.call("ticket.issue", category="A")["ok"]
    r.publish("window/w1/press", {"v": 1, "device": "remote-1", "seq": 1, "action": "next"}, retain=True)
    r.wait_for("hub/error", lambda e: e["code"] == "retained_command" and e["topic"].endswith("w1/press"))
    wait_until(lambda: not _retained_on(broker, hall_cfg.site_id, "window/w1/press"), what="the press deleted")
    assert hub.queue.state.windows["w1"].current is None


def test_retained_commands_sent_while_the_hub_is_down_are_never_applied(broker, hall_cfg, tmp_path, recorder):
    state = tmp_path / "state"
    h = HubThread(hall_cfg, state, broker.port).start()
    kiosk = recorder("hub/error", device="kiosk-9")
    done = kiosk.call("ticket.issue", category="A", txn="t-issue-1")
    assert done["ok"]
    h.stop()  # the hub's persistent session keeps its subscriptions: the broker queues for it
    kiosk.publish("window/w1/press", {"v": 1, "device": "remote-1", "seq": 1, "action": "next"}, retain=True)
    kiosk.publish("request/ticket.issue", {"v": 1, "txn": "t-issue-1", "category": "A",
                                           "reply_to": f"hall/{hall_cfg.site_id}/device/kiosk-9/reply"}, retain=True)
    before = len(kiosk.on("device/kiosk-9/reply"))
    h2 = HubThread(hall_cfg, state, broker.port).start()
    try:
        wait_until(lambda: {e["topic"].rsplit("/", 1)[-1] for e in kiosk.on("hub/error")
                            if e["code"] == "retained_command"} >= {"press", "ticket.issue"},
                   what="both retained commands refused")
        for suffix in ("window/w1/press", "request/ticket.issue"):
            wait_until(lambda: not _retained_on(broker, hall_cfg.site_id, suffix), what=f"{suffix} deleted")
        assert h2.hub.queue.state.windows["w1"].current is None  # the press was not applied
        assert len(h2.hub.queue.state.tickets) == 1
        # the stored answer to t-issue-1 was not sent again: a plain request proves the hub has answered all
        assert kiosk.call("ticket.info", ticket="A001")["ok"]
        replies = [m for m in kiosk.on("device/kiosk-9/reply")[before:] if m.get("txn") == "t-issue-1"]
        assert replies == [], json.dumps(replies, ensure_ascii=False)
    finally:
        h2.stop()
    refused = sum(1 for e in kiosk.on("hub/error") if e["code"] == "retained_command")
    h3 = HubThread(hall_cfg, state, broker.port).start()  # and at the start after that: nothing left to refuse
    try:
        assert kiosk.call("ticket.info", ticket="A001")["ok"]
        assert sum(1 for e in kiosk.on("hub/error") if e["code"] == "retained_command") == refused
        assert h3.hub.queue.state.windows["w1"].current is None
    finally:
        h3.stop()
