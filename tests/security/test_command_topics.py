"""``device/<id>/command`` on the broker as ``kiosk provision`` configures it: only the web identity writes
commands (its technician page sends the test ticket), each device reads only its own. A kiosk, a button, a
display, a pad, a staff tool or the hub cannot make another kiosk print, and a kiosk cannot read the commands
of another. Refused publishes are dropped silently (MQTT 3.1.1), so each check ends with an allowed sentinel
on the same topic: once it has arrived, anything forged would have arrived before it."""

from __future__ import annotations

import pytest

from kiosk.config import load
from kiosk.tools import provision_tools as P

from ..conftest import HALL_CONFIG
from ..ops.conftest import PROVISION, ROOT

CMD = ROOT + "device/kiosk-1/command"
OTHERS = ("kiosk-2", "btn-w3", "display-1", "info-1", "pad-w3", "staff-desk", "staff-content", "staff-monitor")


@pytest.fixture
def site_toml(tmp_path):
    """The ops tests' hall with a web console identity (``web``) provisioned too."""
    p = tmp_path / "site.toml"
    p.write_text(HALL_CONFIG.read_text(encoding="utf-8") + PROVISION + 'web = ["web"]\n', encoding="utf-8")
    return p


def test_the_acl_lets_only_the_web_write_commands_and_every_device_read_its_own(provisioned, site_toml):
    acl = (provisioned.out / "mosquitto" / "acl").read_text(encoding="utf-8")
    assert f"pattern read {ROOT}device/%u/command" in acl.splitlines()
    writers = {ident.id for ident in P.plan(load(site_toml))
               if ("write", "device/+/command") in P.rules(ident)}
    assert writers == {"web"}
    assert acl.count("device/+/command") == 1 and "command write" not in acl


def test_nobody_but_the_web_can_send_a_kiosk_a_command(as_device):
    kiosk = as_device("kiosk-1")
    assert kiosk.subscribe(CMD) in (0, 1)
    watcher = as_device("hub")  # the hub reads everything: it would see a forged command too
    watcher.subscribe(ROOT + "device/+/command")
    for who in OTHERS:
        as_device(who).publish(CMD, f"forged by {who}".encode())
    # one connection per account (the broker takes the user name as client id): the kiosk itself and the
    # hub try on the connections they already have
    kiosk.publish(CMD, b"forged by kiosk-1 itself")
    watcher.publish(CMD, b"forged by the hub")
    as_device("web").publish(CMD, b"sentinel")
    kiosk.wait_for(CMD, b"sentinel")
    watcher.wait_for(CMD, b"sentinel")
    assert kiosk.got(CMD) == [b"sentinel"]
    assert watcher.got(CMD) == [b"sentinel"]


def test_a_kiosk_cannot_read_another_kiosks_commands(as_device):
    web = as_device("web")
    nosy = as_device("kiosk-2")
    for pattern in (CMD, ROOT + "device/+/command", ROOT + "#"):
        nosy.subscribe(pattern)  # granted or not, the broker filters each message by the ACL
    victim = as_device("kiosk-1")
    victim.subscribe(CMD)
    web.publish(CMD, b"for kiosk-1 only")
    web.publish(ROOT + "device/kiosk-2/command", b"for kiosk-2")
    victim.wait_for(CMD, b"for kiosk-1 only")
    nosy.wait_for(ROOT + "device/kiosk-2/command", b"for kiosk-2")
    assert nosy.got(CMD) == []

