"""The city bridge template between two real mosquitto instances on loopback: the city sees a hall's
state and alerts, and nothing published on the city side reaches the hall."""

from __future__ import annotations

import pytest

from kiosk.bus.broker import PrivateBroker
from kiosk.tools import provision_tools as P

from .conftest import ROOT, SITE, hall_broker_conf
from .mqtt_acl import Client, Mosquitto, free_port


@pytest.fixture
def city(tmp_path):
    b = PrivateBroker(tmp_path / "city").start()
    yield b
    b.stop()


@pytest.fixture
def bridged_hall(provisioned, city, tmp_path):
    bridge = P.bridge_conf(SITE, "127.0.0.1", city.port, "bridge-secret")
    port = free_port()
    conf = hall_broker_conf(provisioned.out, port, tmp_path / "hall", extra=bridge)
    m = Mosquitto(conf, port, tmp_path / "hall.log").start()
    yield m
    m.stop()


def test_template_forwards_only_state_calls_and_alerts_outwards():
    text = P.bridge_conf(SITE, "city.example", 1883, "pw")
    topics = [ln.split() for ln in text.splitlines() if ln.startswith("topic ")]
    assert topics and all(t[2] == "out" for t in topics)
    patterns = {t[1] for t in topics}
    assert {"board", "window/+/state", "call", "alert", "mode"} <= patterns
    assert not any("press" in p or "request" in p or "#" in p or p == "+" for p in patterns)


def test_city_watches_a_hall_but_cannot_press_its_buttons(bridged_hall, city, provisioned):
    watcher = Client(city.port, "city-watch", None)
    hub = None
    try:
        watcher.subscribe(f"city/bridge/{SITE}/state")
        watcher.wait_for(f"city/bridge/{SITE}/state", b"1", timeout=20)  # the bridge is connected
        watcher.subscribe(ROOT + "#")
        pw = (provisioned.out / "devices" / "hub" / "mqtt.password").read_text().strip()
        hub = Client(bridged_hall.port, "hub", pw)
        assert hub.accepted
        hub.subscribe(ROOT + "#")
        hub.publish(ROOT + "board", b'{"v":1,"version":1}', retain=True)
        hub.publish(ROOT + "alert", b'{"v":1,"kind":"help"}')
        hub.publish(ROOT + "window/w3/state", b'{"v":1,"window":"w3"}', retain=True)
        watcher.wait_for(ROOT + "board", b'{"v":1,"version":1}')
        watcher.wait_for(ROOT + "alert", b'{"v":1,"kind":"help"}')
        watcher.wait_for(ROOT + "window/w3/state")

        # the city side publishes a press, a request and a fake board …
        watcher.publish(ROOT + "window/w3/press", b'{"v":1,"device":"city","seq":1,"action":"next"}')
        watcher.publish(ROOT + "request/ticket.issue", b'{"v":1}')
        watcher.publish(ROOT + "board", b"city board", retain=True)
        # … then a full round trip through the bridge: the hall's next alert reaches the city
        hub.publish(ROOT + "alert", b"after")
        watcher.wait_for(ROOT + "alert", b"after")
        late = Client(bridged_hall.port, "hub", pw, client_id="hub-late-reader")
        try:
            late.subscribe(ROOT + "board")
            late.wait_for(ROOT + "board")
            assert late.got(ROOT + "board") == [b'{"v":1,"version":1}']  # the hall's retained board is its own
        finally:
            late.close()
        assert hub.got(ROOT + "window/w3/press") == []
        assert hub.got(ROOT + "request/ticket.issue") == []
        assert b"city board" not in hub.got(ROOT + "board")
    finally:
        watcher.close()
        if hub is not None:
            hub.close()
