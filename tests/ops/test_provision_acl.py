"""`kiosk provision` output against a real mosquitto: every allowed action works, every forbidden one
is refused.

A refused publish is silently dropped by the broker (MQTT 3.1.1 has no negative PUBACK), so each
negative check is ordered: the forbidden message is sent first, then an allowed "sentinel" from the
same client; once a subscriber allowed to read both has the sentinel, the forbidden one would already
have arrived (one session, in order)."""

from __future__ import annotations

import stat
import subprocess
import sys

from kiosk.config import load
from kiosk.tools import provision_tools as P

from ..conftest import REPO
from .conftest import ROOT
from .mqtt_acl import Client


def test_plan_covers_every_window_terminal_display_and_staff(site_toml):
    devices = {d.id: d for d in P.plan(load(site_toml))}
    assert devices["hub"].role == "hub"
    assert {d for d in devices if d.startswith("btn-")} == {f"btn-w{i}" for i in range(1, 10)}  # desk: no tickets
    assert devices["btn-w3"].window == "w3"
    assert {"kiosk-1", "kiosk-2", "display-1", "info-1"} <= set(devices)
    assert (devices["staff-desk"].role, devices["staff-content"].role, devices["staff-monitor"].role) == \
        ("desk", "director", "technician")  # the older staff names keep working
    assert (devices["pad-w3"].role, devices["pad-w3"].window) == ("pad", "w3")


def test_counts_and_unknown_staff_role(tmp_path, site_toml):
    from kiosk.errors import ConfigError
    text = site_toml.read_text(encoding="utf-8")
    p = tmp_path / "count.toml"
    p.write_text(text.replace('terminals = ["kiosk-1", "kiosk-2"]', "terminals = 3"), encoding="utf-8")
    ids = [d.id for d in P.plan(load(p))]
    assert {"kiosk-1", "kiosk-2", "kiosk-3"} <= set(ids)
    p.write_text(text.replace('"staff-monitor"]', '"staff-x"]'), encoding="utf-8")
    try:
        P.plan(load(p))
    except ConfigError as exc:
        assert "staff-x" in str(exc) and "staff_roles" in str(exc)
    else:
        raise AssertionError("a staff tool without a role must be refused")
    p.write_text(text.replace('"staff-monitor"]', '"staff-x"]\n[provision.staff_roles]\nstaff-x = "monitor"'),
                 encoding="utf-8")
    assert next(d for d in P.plan(load(p)) if d.id == "staff-x").role == "technician"


def test_files_modes_and_passwords_kept_on_rerun(provisioned, site_toml, tmp_path):
    out = provisioned.out
    pw_file = out / "devices" / "btn-w3" / "mqtt.password"
    assert stat.S_IMODE(pw_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "mosquitto" / "passwd").stat().st_mode) == 0o600
    first = pw_file.read_text()
    passwd = (out / "mosquitto" / "passwd").read_text()
    assert first.strip() not in passwd and "btn-w3:$7$" in passwd  # hashed, never plain
    again = P.provision(load(site_toml), out)
    assert again.new == [] and pw_file.read_text() == first
    rotated = P.provision(load(site_toml), out, rotate=True)
    assert "btn-w3" in rotated.new and pw_file.read_text() != first
    toml = (out / "devices" / "kiosk-1" / "broker.toml").read_text()
    assert 'username = "kiosk-1"' in toml and 'password_file = "/etc/kiosk/mqtt.password"' in toml


def test_cli_writes_tls_config(site_toml, tmp_path):
    r = subprocess.run([sys.executable, "-m", "kiosk", "provision", "--config", str(site_toml), "--out",
                        str(tmp_path / "o"), "--tls", "--hub-host", "hub.local", "--city", "city.example:8883",
                        "--city-ca", "/etc/ca.crt"],
                       capture_output=True, text=True, cwd=REPO, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "btn-w3" in r.stdout and "new password" in r.stdout and "certificate for hub.local" in r.stdout
    conf = (tmp_path / "o" / "mosquitto" / "hall.conf").read_text()
    assert "allow_anonymous false" in conf and "set_tcp_nodelay true" in conf and "persistence true" in conf
    assert "listener 1883 127.0.0.1" in conf and "listener 8883" in conf and "certfile" in conf
    assert "tls_ca" in (tmp_path / "o" / "devices" / "display-1" / "broker.toml").read_text()
    bridge = (tmp_path / "o" / "mosquitto" / "city-bridge.conf").read_text()
    assert "address city.example:8883" in bridge and "bridge_cafile /etc/ca.crt" in bridge


# ------------------------------------------------------------------------------------------ real broker
def test_anonymous_and_wrong_password_are_refused(hall_broker):
    anon = Client(hall_broker.port, None, None)
    wrong = Client(hall_broker.port, "hub", "not-the-password")
    unknown = Client(hall_broker.port, "intruder", "x")
    try:
        assert not anon.accepted and not wrong.accepted and not unknown.accepted
    finally:
        for c in (anon, wrong, unknown):
            c.close()


def test_button_presses_only_its_own_window(as_device):
    hub = as_device("hub")
    hub.subscribe(ROOT + "#")
    btn = as_device("btn-w3", will=ROOT + "device/btn-w3/availability")
    btn.publish(ROOT + "window/w5/press", b"w3 pressing for w5")
    btn.publish(ROOT + "board", b"fake board", retain=True)
    btn.publish(ROOT + "request/ticket.issue", b"ticket from a button")
    btn.publish(ROOT + "device/btn-w5/availability", b"offline", retain=True)
    btn.publish(ROOT + "window/w3/press", b"own press")
    btn.publish(ROOT + "device/btn-w3/availability", b"online", retain=True)
    hub.wait_for(ROOT + "device/btn-w3/availability", b"online")
    assert hub.got(ROOT + "window/w3/press") == [b"own press"]
    assert hub.got(ROOT + "window/w5/press") == []
    assert hub.got(ROOT + "board") == [] and hub.got(ROOT + "request/ticket.issue") == []
    assert hub.got(ROOT + "device/btn-w5/availability") == []


def test_kiosk_requests_and_reads_state_but_never_writes_it(as_device):
    hub = as_device("hub")
    hub.subscribe(ROOT + "#")
    hub.publish(ROOT + "board", b"hub board", retain=True)
    hub.publish(ROOT + "mode", b"open", retain=True)
    kiosk = as_device("kiosk-1")
    kiosk.subscribe(ROOT + "#")  # granted, but only what it may read is delivered
    kiosk.wait_for(ROOT + "board", b"hub board")
    kiosk.wait_for(ROOT + "mode", b"open")
    kiosk.publish(ROOT + "board", b"kiosk board", retain=True)
    kiosk.publish(ROOT + "window/w1/press", b"kiosk press")
    kiosk.publish(ROOT + "alert", b"kiosk alert")
    kiosk.publish(ROOT + "device/kiosk-1/reply", b"forged reply")
    kiosk.publish(ROOT + "request/ticket.issue", b"take a number")
    hub.wait_for(ROOT + "request/ticket.issue", b"take a number")
    assert hub.got(ROOT + "board") == [b"hub board"]
    assert hub.got(ROOT + "window/w1/press") == [] and hub.got(ROOT + "alert") == []
    assert hub.got(ROOT + "device/kiosk-1/reply") == []
    # replies: its own only; other traffic it may not read never reaches it
    hub.publish(ROOT + "device/kiosk-2/reply", b"for kiosk-2")
    hub.publish(ROOT + "call", b"a call")
    hub.publish(ROOT + "device/kiosk-1/reply", b"for kiosk-1")
    kiosk.wait_for(ROOT + "device/kiosk-1/reply", b"for kiosk-1")
    assert kiosk.got(ROOT + "device/kiosk-2/reply") == [] and kiosk.got(ROOT + "call") == []
    assert kiosk.got(ROOT + "request/ticket.issue") == []  # nobody else's requests either


def test_display_publishes_nothing_but_its_own_presence(as_device):
    hub = as_device("hub")
    hub.subscribe(ROOT + "#")
    hub.publish(ROOT + "board", b"hub board", retain=True)
    display = as_device("display-1")
    display.subscribe(ROOT + "#")
    display.wait_for(ROOT + "board", b"hub board")
    for topic in ("board", "call", "mode", "catalog", "alert", "content/notice", "window/w1/press",
                  "window/w1/state", "request/ticket.issue", "device/hub/status", "hub/error"):
        display.publish(ROOT + topic, b"from the display")
    display.publish("other/topic", b"from the display")
    display.publish(ROOT + "device/display-1/status", b"status")
    hub.wait_for(ROOT + "device/display-1/status", b"status")
    assert [t for t, p, _ in hub.messages if p == b"from the display"] == []
    hub.publish(ROOT + "device/hub/availability", b"online", retain=True)
    hub.publish(ROOT + "call", b"C012 to w3")
    display.wait_for(ROOT + "call", b"C012 to w3")
    assert display.got(ROOT + "device/hub/availability") == [b"online"]
    assert display.got(ROOT + "device/display-1/status") == []  # its own status: write, not read


def test_staff_roles(as_device):
    hub = as_device("hub")
    hub.subscribe(ROOT + "#")
    desk = as_device("staff-desk")
    desk.subscribe(ROOT + "alert")
    content = as_device("staff-content")
    content.publish(ROOT + "request/ticket.issue", b"director taking a number")
    content.publish(ROOT + "content/notice", b"page", retain=True)
    hub.wait_for(ROOT + "content/notice", b"page")
    desk.publish(ROOT + "content/notice", b"desk page", retain=True)
    desk.publish(ROOT + "request/help.ack", b"desk acking")
    hub.wait_for(ROOT + "request/help.ack", b"desk acking")
    assert hub.got(ROOT + "request/help.ack") == [b"desk acking"]
    assert hub.got(ROOT + "request/ticket.issue") == []
    assert hub.got(ROOT + "content/notice") == [b"page"]
    hub.publish(ROOT + "alert", b"help at the kiosk")
    desk.wait_for(ROOT + "alert", b"help at the kiosk")
    monitor = as_device("staff-monitor")
    monitor.subscribe(ROOT + "device/+/availability")
    hub.publish(ROOT + "device/hub/availability", b"online", retain=True)
    monitor.wait_for(ROOT + "device/hub/availability", b"online")


def test_only_the_hub_writes_state(as_device):
    reader = as_device("staff-monitor")
    reader.subscribe(ROOT + "#")
    hub = as_device("hub")
    for topic in ("board", "window/w3/state", "mode", "call", "alert", "hub/error", "device/kiosk-1/reply"):
        hub.publish(ROOT + topic, b"hub")
    reader.wait_for(ROOT + "hub/error", b"hub")
    assert reader.got(ROOT + "board") == [b"hub"] and reader.got(ROOT + "window/w3/state") == [b"hub"]
    assert reader.got(ROOT + "device/kiosk-1/reply") == []  # a monitor reads no one's replies
