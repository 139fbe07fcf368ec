"""The hub's own connection on the provisioned broker (client id = user name, the ACL from the role table):
every press the broker acknowledged while the hub was away is applied once it is back (its MQTT 5 session
persists), and a retained press from the window's own button is refused and deleted, never applied."""

from __future__ import annotations

import json

from ..mqtt_helpers import wait_until
from ..ops.conftest import ROOT


def test_presses_acknowledged_while_the_hub_is_down_are_all_applied(real_hub, hall_broker, provisioned, device):
    kiosk = device("kiosk-1")
    numbers = [kiosk.call("ticket.issue", category="C")["result"]["number"] for _ in range(6)]
    monitor = device("staff-monitor")
    monitor.c.subscribe(ROOT + "call")
    real_hub.stop()
    button = device("btn-w3")
    for _ in range(6):
        button.press("w3", "next")  # each acknowledged by the broker (PUBACK), queued for the hub
    real_hub.start()
    called = wait_until(lambda: len(monitor.c.got(ROOT + "call")) >= 6 and monitor.c.got(ROOT + "call"), 60,
                        "six calls")
    assert [json.loads(p)["number"] for p in called] == numbers


def test_a_retained_press_on_the_provisioned_broker_is_deleted_not_applied(real_hub, hall_broker, provisioned,
                                                                         device):
    kiosk = device("kiosk-1")
    assert kiosk.call("ticket.issue", category="C")["ok"]
    monitor = device("staff-monitor")
    monitor.c.subscribe(ROOT + "hub/error")
    button = device("btn-w3")
    button.c.publish(ROOT + "window/w3/press", json.dumps({"v": 1, "device": "btn-w3", "seq": 1,
                                                             "action": "next"}), retain=True)
    wait_until(lambda: any(json.loads(p)["code"] == "retained_command" for p in monitor.c.got(ROOT + "hub/error")),
               30, "the retained press refused")

    # (that it is deleted from the broker is shown in test_hub_retained.py: here only the hub may read it)
    state = device("btn-w3")
    state.c.subscribe(ROOT + "window/w3/state")
    st = wait_until(lambda: state.c.got(ROOT + "window/w3/state"), 10, "w3 state")
    assert json.loads(st[-1])["ticket"] is None  # never called
