"""The hub's units under a real systemd (PID 1 in its own namespaces, see ``booted.py``), installed the way
a technician installs them: ``kiosk install --role hub`` creates the user, folders, units, journald
settings and enables the backup timer; mosquitto.service and kiosk-hub.service start; Type=notify makes
``systemctl start`` return only once the hub is ready and systemd shows its STATUS; the sandbox
(ProtectSystem=strict, DevicePolicy, SystemCallFilter, the user) lets the hub serve a ticket and the
backup oneshot write its copy; and a frozen hub (SIGSTOP) is killed by the watchdog and restarted.
"""

from __future__ import annotations

import signal
import time

import pytest

from ..conftest import HALL_CONFIG, REPO
from .booted import Booted, can_boot

WHY_NOT = can_boot()
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=f"no systemd in a namespace here: {WHY_NOT}")
KIOSK = "/opt/kiosk/.venv/bin/kiosk"


@pytest.fixture
def booted():
    b = Booted(REPO).start()
    yield b
    b.stop()


def wait_for(pred, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        got = pred()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout:.0f} s")
        time.sleep(0.2)  # polling systemctl, not timing


def service_python(b: Booted) -> None:
    """Inside the booted root only: point the checkout's venv at Debian's python3.11 (same ABI, same
    site-packages). This machine's venv was made from an interpreter under /root, which the service
    user may not enter and ProtectHome=yes hides; on a Pi the venv comes from /usr/bin/python3 anyway."""
    venv = f"{REPO}/.venv"
    r = b.run("sh", "-c", f"test -x /usr/bin/python3.11 && ln -sfn /usr/bin/python3.11 {venv}/bin/python3 && "
                          f"sed -i 's|^home = .*|home = /usr/bin|' {venv}/pyvenv.cfg")
    assert r.returncode == 0, r.stderr
    if REPO.resolve().is_relative_to("/tmp"):
        # A checkout under /tmp (a CI clone, say) is hidden from every unit by its PrivateTmp=yes; on a Pi the
        # code lives in /opt/kiosk. Only then, and only here, the units share the booted root's /tmp.
        b.write("/etc/systemd/system/service.d/checkout-in-tmp.conf", "[Service]\nPrivateTmp=no\n")
        assert b.run("systemctl", "daemon-reload").returncode == 0
    r = b.run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", f"{venv}/bin/python", "-c",
              "import kiosk.cli, paho.mqtt, sqlite3")
    assert r.returncode == 0, r.stderr


def test_hub_units_under_a_booted_systemd(booted):
    b = booted
    assert b.run("ln", "-s", str(REPO), "/opt/kiosk").returncode == 0
    service_python(b)
    r = b.run(KIOSK, "install", "--role", "hub")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "systemctl enable kiosk-backup.timer" in r.stdout
    assert b.run("id", "kiosk").returncode == 0
    assert b.run("systemctl", "is-enabled", "kiosk-backup.timer").stdout.strip() == "enabled"
    b.write("/etc/kiosk/site.toml", HALL_CONFIG.read_text(encoding="utf-8"))  # the hall, always open

    assert b.run("systemctl", "start", "mosquitto.service").returncode == 0, b.journal("mosquitto")
    started = b.run("systemctl", "start", "kiosk-hub.service", timeout=120)  # returns at READY=1
    assert started.returncode == 0, b.journal("kiosk-hub")
    hub = b.show("kiosk-hub.service", "ActiveState", "SubState", "StatusText", "MainPID", "User", "NRestarts")
    assert hub["ActiveState"] == "active" and hub["SubState"] == "running", hub
    assert hub["StatusText"] == "serving the hall" and hub["User"] == "kiosk"
    owner = b.run("stat", "-c", "%U %a", "/var/lib/kiosk/hub.sqlite3").stdout.split()
    assert owner == ["kiosk", "600"]

    ticket = b.run(KIOSK, "ticket", "A", "--config", "/etc/kiosk/site.toml", "--broker", "127.0.0.1:1883")
    assert ticket.returncode == 0 and "A001" in ticket.stdout, ticket.stdout + ticket.stderr

    backup = b.run("systemctl", "start", "kiosk-backup.service", timeout=300)
    assert backup.returncode == 0, b.journal("kiosk-backup")
    assert b.show("kiosk-backup.service", "Result")["Result"] == "success"
    assert "integrity ok" in b.journal("kiosk-backup")
    copies = b.run("sh", "-c", "stat -c '%U %a %n' /var/backups/kiosk/hub-*.sqlite3").stdout.splitlines()
    assert len(copies) == 1 and copies[0].startswith("kiosk 600 "), copies
    assert b.run("systemctl", "start", "kiosk-backup.timer").returncode == 0
    assert b.show("kiosk-backup.timer", "ActiveState")["ActiveState"] == "active"

    # the watchdog, shortened for the test: a frozen hub is killed and started again
    b.write("/etc/systemd/system/kiosk-hub.service.d/test.conf", "[Service]\nWatchdogSec=6\n")
    assert b.run("systemctl", "daemon-reload").returncode == 0
    assert b.run("systemctl", "restart", "kiosk-hub.service", timeout=120).returncode == 0
    first = b.show("kiosk-hub.service", "MainPID", "NRestarts")
    assert b.run("kill", f"-{signal.SIGSTOP.value}", first["MainPID"]).returncode == 0
    again = wait_for(lambda: (s := b.show("kiosk-hub.service", "MainPID", "NRestarts", "ActiveState", "SubState"))
                     and s["NRestarts"] != first["NRestarts"] and s["SubState"] == "running" and s, 90,
                     "a restart by the watchdog")
    assert again["MainPID"] != first["MainPID"]
    assert "Watchdog timeout" in b.run("journalctl", "--no-pager", "-u", "kiosk-hub").stdout
    assert b.show("kiosk-hub.service", "StatusText")["StatusText"] == "serving the hall"


SCREEN_TEST_DROPIN = """[Service]
# The test's only changes: no panel and no sound card here, and the host's tty1 is left alone.
Environment=SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
StandardInput=null
TTYReset=no
TTYVHangup=no
TTYVTDisallocate=no
"""


@pytest.mark.parametrize("role,serving", [("terminal", "serving: screen home, normal print"),
                                          ("display", "serving: board layout 1920x1080")])
def test_screen_units_under_a_booted_systemd(booted, role, serving):
    b = booted
    assert b.run("ln", "-s", str(REPO), "/opt/kiosk").returncode == 0
    service_python(b)
    r = b.run(KIOSK, "install", "--role", role)
    assert r.returncode == 0, r.stdout + r.stderr
    for group in ("video", "render", "input", "audio"):  # created by install where the image lacks them
        assert b.run("getent", "group", group).returncode == 0, (group, r.stdout)
    site = HALL_CONFIG.read_text(encoding="utf-8").replace('host = ""', 'host = "127.0.0.1"', 1)
    b.write("/etc/kiosk/site.toml", site)
    b.write(f"/etc/systemd/system/kiosk-{role}.service.d/test.conf", SCREEN_TEST_DROPIN)
    assert b.run("systemctl", "daemon-reload").returncode == 0
    assert b.run("systemctl", "start", "mosquitto.service").returncode == 0, b.journal("mosquitto")
    started = b.run("systemctl", "start", f"kiosk-{role}.service", timeout=120)  # returns at READY=1
    assert started.returncode == 0, b.journal(f"kiosk-{role}")
    wait_for(lambda: b.show(f"kiosk-{role}.service", "StatusText")["StatusText"] == serving, 60,
             f"STATUS {serving!r}")
    unit = b.show(f"kiosk-{role}.service", "ActiveState", "User", "WatchdogUSec", "NRestarts")
    assert unit["ActiveState"] == "active" and unit["User"] == "kiosk" and unit["NRestarts"] == "0", unit
    assert b.run("systemctl", "stop", "mosquitto.service").returncode == 0
    wait_for(lambda: b.show(f"kiosk-{role}.service", "StatusText")["StatusText"].startswith("offline since"), 60,
             "STATUS offline since")
    assert b.show(f"kiosk-{role}.service", "NRestarts")["NRestarts"] == "0"  # alive throughout, watchdog fed
