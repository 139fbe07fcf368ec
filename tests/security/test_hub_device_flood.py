"""A flood of made-up devices on the hall network: the hub's device table, and the retained ``hub/status``
it re-sends whole, stay bounded; the hall's own devices stay in it; the hub keeps serving. The web's cache
of device statuses takes no status the hub would refuse as too large."""

from __future__ import annotations

import json

from kiosk.bus.client import Inbound
from kiosk.config import identities
from kiosk.hub.devices import MAX_FIELDS, MAX_OTHERS, MAX_TEXT
from kiosk.protocol import Topics
from kiosk.protocol.codec import MAX_PAYLOAD
from kiosk.web.link import Link

FAKES = 1000


def test_made_up_devices_cannot_grow_the_hubs_summary(hub, recorder, hall_cfg):
    """On an open broker anyone may name any id: 1,000 made-up ids each send a status of 40 fields
    with 400-character texts. The summary keeps the hall's kiosk, the 64 made-up ids heard last, each
    cut to 24 fields of 120 characters; an id longer than 64 characters is refused."""
    r = recorder("hub/status", "hub/error")
    r.publish("device/kiosk-1/status", {"v": 1, "kind": "terminal", "printer": "ok"}, retain=True)
    r.wait_for("hub/status", lambda s: "kiosk-1" in s["devices"])
    junk = {"v": 1, "kind": "terminal", **{f"f{i:03d}": "x" * 400 for i in range(40)}}
    for i in range(FAKES):
        r.publish(f"device/fake-{i:04d}/status", junk)
    last = f"fake-{FAKES - 1:04d}"
    st = r.wait_for("hub/status", lambda s: last in s["devices"], timeout=60)
    fakes = sorted(d for d in st["devices"] if d.startswith("fake-"))
    assert fakes == [f"fake-{i:04d}" for i in range(FAKES - MAX_OTHERS, FAKES)]
    assert st["devices"]["kiosk-1"]["status"] == {"kind": "terminal", "printer": "ok"}
    kept = st["devices"][last]["status"]
    assert len(kept) == MAX_FIELDS and kept["kind"] == "terminal"
    assert all(len(v) == MAX_TEXT for k, v in kept.items() if k != "kind")
    hall = {i.id for i in identities(hall_cfg)}
    assert set(st["devices"]) - hall - set(fakes) == set()
    assert len(json.dumps(st["devices"], ensure_ascii=False).encode()) < 400_000

    r.publish("device/" + "x" * 65 + "/availability", b"online", raw=True)
    err = r.wait_for("hub/error", lambda e: e["code"] == "bad_device")
    assert err["topic"].endswith("/availability")
    assert r.call("ticket.issue", category="A")["result"]["number"] == "A001"  # still serving
    assert not [d for s in r.on("hub/status") for d in s["devices"] if d.startswith("xx")]


def test_the_oldest_other_device_makes_room_not_a_halls_own(hub, recorder, hall_cfg):
    """Ids outside the hall's identities are remembered by when they were last heard: one that keeps
    reporting stays through a flood that pushes out the quiet ones."""
    r = recorder("hub/status")
    r.publish("device/screen-lobby/availability", b"online", raw=True)  # said once: it must never be dropped
    for i in range(MAX_OTHERS * 2):
        r.publish(f"device/rig-{i:03d}/status", {"v": 1, "kind": "display"})
        if i % 16 == 15:
            r.publish("device/screen-lobby/status", {"v": 1, "kind": "display", "round": i})
    st = r.wait_for("hub/status", lambda s: s["devices"].get("screen-lobby", {}).get("status", {}).get("round")
                    == MAX_OTHERS * 2 - 1)  # its last report, after the last rig's
    assert st["devices"]["screen-lobby"]["availability"] == "online"
    hall = {i.id for i in identities(hall_cfg)}
    others = [d for d in st["devices"] if d not in hall]
    assert len(others) == MAX_OTHERS and "screen-lobby" in others
    rigs = sorted(d for d in others if d.startswith("rig-"))
    assert rigs == [f"rig-{i:03d}" for i in range(MAX_OTHERS * 2 - len(rigs), MAX_OTHERS * 2)]


def test_the_web_keeps_no_device_status_larger_than_the_hub_takes():
    """The broker passes packets up to 2 MiB, and the web keeps big retained state (content pages, the
    catalogue) up to that; a device's status is a command-size message, refused above 64 KiB."""
    topics = Topics("huangtan")
    link = Link(topics=topics, device_id="web-1")
    fine = json.dumps({"v": 1, "kind": "terminal", "printer": "ok"}).encode()
    link.deliver(Inbound(topics.status("kiosk-1"), fine))
    assert link.state[topics.status("kiosk-1")]["printer"] == "ok"
    big = json.dumps({"v": 1, "kind": "terminal", "note": "x" * MAX_PAYLOAD}).encode()
    link.deliver(Inbound(topics.status("kiosk-1"), big))
    link.deliver(Inbound(topics.status("kiosk-2"), big))
    assert link.state[topics.status("kiosk-1")]["printer"] == "ok"  # the last good status stays
    assert topics.status("kiosk-2") not in link.state
    page = json.dumps({"v": 1, "title": "办事指南", "body": "字" * MAX_PAYLOAD}).encode()
    link.deliver(Inbound(topics.content("guide"), page))
    assert link.state[topics.content("guide")]["title"] == "办事指南"  # large retained state still kept
