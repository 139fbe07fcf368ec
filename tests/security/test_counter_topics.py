"""Attacks on the counter's topics, on the broker run from exactly what ``kiosk provision`` wrote.

Only a staff console (web) may say who is on duty at a window; a pad, a display or a kiosk cannot put a
name and photo on a window screen. A pad reads only its own window's offer: it cannot see (or rate from)
the offers of other windows.
"""

from __future__ import annotations

import json

import pytest

from ..ops.conftest import ROOT, as_device, hall_broker, provisioned  # noqa: F401  (fixtures)
from ..pad.conftest import counter_site_toml

STAFF = json.dumps({"v": 1, "window": "w3", "staff": {"name": "冒名", "staff_no": "X1"}}, ensure_ascii=False).encode()


@pytest.fixture
def site_toml(tmp_path):
    return counter_site_toml(tmp_path, '\nweb = ["web-1"]')


def test_only_a_staff_console_says_who_is_on_duty(as_device):
    # one connection per identity at a time: the broker ties the client id to the user name
    screen = as_device("display-1")
    assert screen.subscribe(ROOT + "window/+/staff") in (0, 1)
    for intruder in ("pad-w3", "kiosk-1", "info-1", "btn-w3"):
        as_device(intruder).publish(ROOT + "window/w3/staff", STAFF, retain=True)
    legit = json.dumps({"v": 1, "window": "w3", "staff": {"name": "王芳", "staff_no": "HT0307"}},
                       ensure_ascii=False).encode()
    as_device("web-1").publish(ROOT + "window/w3/staff", legit, retain=True)
    assert screen.wait_for(ROOT + "window/w3/staff", legit) == legit
    assert screen.got(ROOT + "window/w3/staff") == [legit], "only the staff console's message arrived"
    late = as_device("display-1")  # and the broker kept only the console's retained message
    late.subscribe(ROOT + "window/w3/staff")
    assert late.wait_for(ROOT + "window/w3/staff") == legit


def test_a_pad_reads_only_its_own_window_and_nobody_but_the_hub_writes_offers(as_device):
    pad = as_device("pad-w3")
    assert pad.subscribe(ROOT + "window/w3/evaluation") in (0, 1)
    pad.subscribe(ROOT + "window/w4/evaluation")  # the broker may grant it; it delivers nothing of w4
    pad.subscribe(ROOT + "window/w4/staff")
    forged = json.dumps({"v": 1, "window": "w3", "ticket": "20261201-C001", "number": "C001", "at": 1.0}).encode()
    for intruder in ("pad-w4", "kiosk-1", "web-1", "display-1"):
        as_device(intruder).publish(ROOT + "window/w3/evaluation", forged, retain=True)
    as_device("pad-w4").publish(ROOT + "window/w4/evaluation", forged, retain=True)
    marker = json.dumps({"v": 1, "window": "w3", "ticket": None, "number": None, "at": 2.0}).encode()
    hub = as_device("hub")
    hub.publish(ROOT + "window/w4/evaluation", forged.replace(b'"w3"', b'"w4"'), retain=True)
    as_device("web-1").publish(ROOT + "window/w4/staff", STAFF, retain=True)
    hub.publish(ROOT + "window/w3/evaluation", marker, retain=True)  # the hub's own, after all of them
    pad.wait_for(ROOT + "window/w3/evaluation", marker)
    assert pad.got(ROOT + "window/w3/evaluation") == [marker]
    assert pad.got(ROOT + "window/w4/evaluation") == [] and pad.got(ROOT + "window/w4/staff") == []
