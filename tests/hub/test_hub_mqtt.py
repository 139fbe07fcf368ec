"""The hub against a real mosquitto: tickets over MQTT, button presses, retained state, dedupe and
malformed payloads."""

from __future__ import annotations

import json

from tests.mqtt_helpers import Recorder, wait_until


def test_issue_ticket_over_mqtt_and_call_it(hub, recorder):
    kiosk = recorder()
    rep = kiosk.call("ticket.issue", category="C")
    assert rep["ok"] is True
    t = rep["result"]
    assert t["number"] == "C001" and t["category_name"] == "人社业务" and t["state"] == "waiting"
    assert t["people_ahead"] == 0

    rep2 = kiosk.call("ticket.issue", category="C")["result"]
    # only the 人社 window serves C (专线限制): the second visitor waits for the first one's service
    assert rep2["number"] == "C002" and rep2["people_ahead"] == 1 and rep2["eta_s"] > 0
    e1, e2 = (kiosk.call("ticket.issue", category="E")["result"] for _ in range(2))
    # four idle no-difference windows serve E: the second visitor also goes straight to a counter
    assert e2["number"] == "E002" and e2["people_ahead"] == 1 and e2["eta_s"] == 0

    button = recorder("window/w3/state", "call")
    button.press("w3", "next")
    st = button.wait_for("window/w3/state", lambda m: m["ticket"] and m["ticket"]["number"] == "C001")
    assert st["ticket"]["state"] == "called" and st["status"] == "open"
    call = button.wait_for("call")
    assert call["number"] == "C001" and call["window_number"] == 3
    assert call["text"] == "请C001号到3号窗口办理"
    assert "零 零 一" in call["speech"]


def test_late_joiner_sees_whole_hall_from_retained_state(hub, recorder, broker, hall_cfg):
    staff = recorder()
    for _ in range(3):
        assert staff.call("ticket.issue", category="A")["ok"]
    staff.press("w1", "next")
    wait_until(lambda: hub.queue.state.windows["w1"].current is not None, what="w1 calling")
    staff.press("w4", "pause", reason="系统维护")
    wait_until(lambda: hub.queue.state.windows["w4"].status.value == "paused", what="w4 paused")

    late = Recorder(broker.port, hall_cfg.site_id, ("board", "window/+/state"))
    try:
        board = late.wait_for("board", lambda b: b["windows"][3]["status"] == "paused")
        assert board["windows"][0]["ticket"]["number"] == "A001"
        assert board["windows"][3]["reason"] == "系统维护"
        assert {c["category"]: c["waiting"] for c in board["categories"]}["A"] == 2
        states = wait_until(lambda: len({t for t, _, r in late.messages if t.endswith("/state") and r}) == 10,
                            what="all 10 retained window states")
        assert states
    finally:
        late.close()


def test_board_version_increases(hub, recorder):
    r = recorder("board")
    r.call("ticket.issue", category="D")
    r.press("w4", "next")
    wait_until(lambda: any(b["windows"][3]["ticket"] for b in r.on("board")), what="board with D001")
    versions = [b["version"] for b in r.on("board")]
    assert versions == sorted(versions) and versions[-1] > versions[0]
    live = [b["version"] for t, p, retained in r.messages if t.endswith("/board") and not retained
            for b in [json.loads(p)]]
    assert len(set(live)) == len(live)  # each change is published once


def test_duplicate_press_is_applied_once(hub, recorder):
    r = recorder("window/w3/state")
    for _ in range(3):
        r.call("ticket.issue", category="C")
    r.press("w3", "next", seq=41)
    r.press("w3", "next", seq=41)  # QoS 1 redelivery of the same press
    r.press("w3", "recall", seq=42)
    wait_until(lambda: (r.last("window/w3/state") or {}).get("ticket", {}) and
               r.last("window/w3/state")["ticket"]["recalls"] == 1, what="recall applied")
    assert r.last("window/w3/state")["ticket"]["number"] == "C001"  # not C002: the duplicate was ignored
    assert sum(1 for t in hub.queue.state.tickets.values() if t.state.value == "called") == 1


def test_request_retry_with_same_txn_gets_same_ticket(hub, recorder):
    r = recorder()
    first = r.call("ticket.issue", txn="retry-1", category="E")
    r.messages.clear()
    again = r.call("ticket.issue", txn="retry-1", category="E")
    assert again == first
    assert len(hub.queue.state.tickets) == 1


def test_refused_press_reports_on_hub_error(hub, recorder):
    r = recorder("hub/error")
    r.press("w2", "recall")
    err = r.wait_for("hub/error")
    assert err["code"] == "no_current" and err["topic"].endswith("window/w2/press")


def test_malformed_payloads_are_rejected_and_hub_keeps_running(hub, recorder):
    r = recorder("hub/error")
    bad = [
        ("window/w1/press", b"{not json"),
        ("window/w1/press", b"\xff\xfe\x00garbage"),
        ("window/w1/press", json.dumps({"v": 1, "device": "b1", "seq": "x", "action": "next"}).encode()),
        ("window/w1/press", json.dumps({"v": 2, "device": "b1", "seq": 1, "action": "next"}).encode()),
        ("window/w1/press", json.dumps({"v": 1, "device": "b1", "seq": 1, "action": "dance"}).encode()),
        ("window/w99/press", json.dumps({"v": 1, "device": "b1", "seq": 1, "action": "next"}).encode()),
        ("window/w1/press", b"[1,2,3]"),
        ("window/w1/press", b"x" * (1024 * 1024)),
        ("request/ticket.issue", json.dumps({"v": 1, "txn": "t1", "reply_to": "hall/huangtan/device/"
                                             + r.device + "/reply", "category": 5}).encode()),
        ("request/no.such.op", json.dumps({"v": 1, "txn": "t2", "reply_to": "hall/huangtan/device/"
                                           + r.device + "/reply"}).encode()),
        ("request/ticket.issue", json.dumps({"v": 1, "txn": "t3", "reply_to": "elsewhere/topic",
                                             "category": "A"}).encode()),
    ]
    for suffix, payload in bad:
        r.publish(suffix, payload, raw=True)
    errs = wait_until(lambda: len(r.on("hub/error")) >= len(bad) and r.on("hub/error"), what="all rejections")
    codes = [e["code"] for e in errs]
    assert codes == ["bad_json", "bad_utf8", "bad_type", "bad_version", "bad_value", "unknown_window",
                     "bad_json", "too_large", "bad_type", "unknown_op", "bad_reply_to"]
    assert all(e["reason"] for e in errs)
    # requests with a usable envelope also got an error reply
    assert r.reply("t1")["error"]["code"] == "bad_type"
    assert r.reply("t2")["error"]["code"] == "unknown_op"
    # and the hub still works
    assert r.call("ticket.issue", category="A")["result"]["number"] == "A001"


def test_void_and_delivered(hub, recorder):
    r = recorder()
    t = r.call("ticket.issue", category="B")["result"]
    assert r.call("ticket.delivered", ticket=t["number"], how="printed")["result"]["delivery"] == "printed"
    v = r.call("ticket.void", ticket=t["ticket"], reason="printer jam")
    assert v["ok"] and v["result"]["state"] == "voided"
    again = r.call("ticket.void", ticket=t["ticket"])
    assert again["ok"] is False and again["error"]["code"] == "illegal"


def test_hub_restart_rebuilds_identical_state(broker, hall_cfg, tmp_path, recorder):
    from tests.conftest import HubThread
    h = HubThread(hall_cfg, tmp_path / "st", broker.port).start()
    r = recorder()
    for cat in "AACDDE":
        r.call("ticket.issue", category=cat, priority=cat == "D")
    r.press("w1", "next")
    r.press("w4", "next")
    r.press("w4", "start")
    wait_until(lambda: h.hub.queue.state.windows["w4"].current and
               h.hub.queue.state.tickets[h.hub.queue.state.windows["w4"].current].state.value == "serving",
               what="w4 serving")
    before = h.hub.queue.state.to_dict()
    h.stop()
    h2 = HubThread(hall_cfg, tmp_path / "st", broker.port).start()
    try:
        assert h2.hub.queue.state.to_dict() == before
        assert r.call("ticket.issue", category="A")["result"]["number"] == "A003"
    finally:
        h2.stop()


def test_availability_is_last_will(broker, hall_cfg, tmp_path, recorder):
    from tests.conftest import HubThread
    watcher = recorder("device/hub/availability")
    h = HubThread(hall_cfg, tmp_path / "st", broker.port).start()
    watcher.wait_for("device/hub/availability", lambda m: m.get("_raw") == b"online")
    h.stop()
    watcher.wait_for("device/hub/availability", lambda m: m.get("_raw") == b"offline")


def test_a_defect_in_a_handler_costs_one_message_not_the_hub(hub, recorder, monkeypatch):
    from kiosk.core.commands import IssueTicket
    from kiosk.hub.features import Op

    def broken(ctx, req):
        ctx.queue.apply(IssueTicket(now=ctx.now, category="A"))
        raise RuntimeError("simulated defect after a change")

    monkeypatch.setitem(hub.ops, "ticket.info", Op(broken, read_only=True))
    r = recorder("hub/error")
    r.request("ticket.info", ticket="A001")
    err = r.wait_for("hub/error", lambda e: e["code"] == "internal_error")
    assert "simulated defect" in err["reason"]
    # the unlogged change was dropped, and the hub still serves
    assert r.call("ticket.issue", category="A")["result"]["number"] == "A001"


def test_hub_status_sums_up_every_device(hub, recorder):
    r = recorder("hub/status")
    r.publish("device/kiosk-7/availability", b"online", raw=True, retain=True)
    r.publish("device/kiosk-7/status", {"v": 1, "kind": "terminal", "fps": 15.0, "printer": "paper_low"},
              retain=True)
    st = r.wait_for("hub/status", lambda s: s["devices"].get("kiosk-7", {}).get("status", {}).get("printer"))
    dev = st["devices"]["kiosk-7"]
    assert dev["availability"] == "online" and dev["status"]["kind"] == "terminal" and dev["last_seen"] > 0
    alerts = recorder("alert")
    r.publish("device/kiosk-7/status", {"v": 1, "kind": "terminal", "fps": 15.0, "printer": "paper_out"},
              retain=True)
    alert = alerts.wait_for("alert", lambda a: a.get("kind") == "printer")
    assert alert["printer"] == "paper_out" and "缺纸" in alert["text"]
    r.publish("device/kiosk-7/availability", b"offline", raw=True, retain=True)
    r.wait_for("hub/status", lambda s: s["devices"].get("kiosk-7", {}).get("availability") == "offline")
