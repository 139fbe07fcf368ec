"""Nightly backup and restore, run as production runs them.

A real hub (kiosk-hub.service's ExecStart) on a real mosquitto serves tickets; kiosk-backup.service's
ExecStart (the oneshot the timer starts) copies the database while the hub runs; the hub stops; the copy
is restored into a fresh state folder with ``kiosk restore``; a hub started on it serves the same
tickets and numbering continues where it stopped. Restore refuses a running hub's folder and a damaged
file, and keeps the database it replaces. The timer fires at 03:15 hall time.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.mqtt_helpers import Recorder, wait_until

from .checks import WATCHDOG_USEC, start_timeout, verify_timer_pair
from .conftest import UNITS, write_site
from .units import Layout, NotifySocket, UnitProcess, VENV_KIOSK, one, parse_unit

KEEP = 2


def kiosk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([VENV_KIOSK, *args], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, TZ="UTC"))


def start_hub(layout: Layout, tmp_path: Path, name: str) -> tuple[UnitProcess, NotifySocket]:
    sock = NotifySocket()
    (layout.etc / "hub.env").write_text("KIOSK_ARGS=--zeroconf-interface 127.0.0.1\n", encoding="utf-8")
    hub = UnitProcess(UNITS / "kiosk-hub.service", layout, sock, watchdog_usec=WATCHDOG_USEC,
                      log=tmp_path / f"{name}.log").start()
    sock.wait_for(lambda d: "READY" in d.fields, timeout=start_timeout("kiosk-hub.service"), what="hub READY")
    return hub, sock


def run_backup_unit(layout: Layout, tmp_path: Path) -> subprocess.CompletedProcess:
    sock = NotifySocket()
    try:
        unit = UnitProcess(UNITS / "kiosk-backup.service", layout, sock, watchdog_usec=0, log=tmp_path / "backup.log")
        assert one(unit.unit, "Service", "Type") == "oneshot"
        unit.start()
        unit.proc.wait(120)
        assert sock.messages() == []  # a oneshot says nothing on the notify socket
    finally:
        sock.close()
    return subprocess.CompletedProcess(unit.argv, unit.proc.returncode, unit.output(), "")


def tickets(rec: Recorder, ids: list[str]) -> dict[str, str]:
    return {t: rec.call("ticket.info", ticket=t, timeout=30)["result"]["state"] for t in ids}


def test_backup_while_serving_then_restore_serves_the_same_tickets(broker, layout, tmp_path):
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    write_site(layout, broker.port, f'\n[backup]\ndir = "{stick}"\nkeep = {KEEP}\n')
    site = str(layout.etc / "site.toml")
    hub, sock = start_hub(layout, tmp_path, "hub-1")
    try:
        rec = Recorder(broker.port, "huangtan", ())
        try:
            issued = [rec.call("ticket.issue", category="A", timeout=30)["result"] for _ in range(5)]
            assert [t["number"] for t in issued] == ["A001", "A002", "A003", "A004", "A005"]
            ids = [t["ticket"] for t in issued]
            rec.press("w1", "next")
            wait_until(lambda: tickets(rec, ids[:1]) == {ids[0]: "called"}, timeout=30, what="A001 called")
            before = tickets(rec, ids)

            for _ in range(KEEP + 1):  # nightly runs: the oldest goes once there are more than KEEP
                r = run_backup_unit(layout, tmp_path)
                assert r.returncode == 0, r.stdout
                assert "integrity ok" in r.stdout
            made = sorted(p.name for p in stick.iterdir())
            assert len(made) == KEEP and all(n.startswith("hub-") and n.endswith(".sqlite3") for n in made), made
            assert "removed old backup" in r.stdout
            assert hub.proc.poll() is None, "the hub kept running through the backups"
            assert rec.call("ticket.info", ticket=ids[1], timeout=30)["ok"]  # and kept serving
        finally:
            rec.close()
        newest = max(stick.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        assert oct(newest.stat().st_mode & 0o777) == "0o600"
        assert not list(stick.glob("*-wal")) and not list(stick.glob(".*tmp"))

        refused = kiosk("restore", str(newest), "--config", site, "--state", str(layout.state))
        assert refused.returncode == 1 and "in use by a running hub" in refused.stderr, refused.stderr
        second = kiosk("hub", "--config", site, "--state", str(layout.state), "--no-advertise")
        assert second.returncode == 3 and "not starting a second one" in second.stderr, second.stderr
    finally:
        assert hub.stop() == 0, hub.output()
        sock.close()

    fresh = Layout(etc=layout.etc, state=tmp_path / "fresh-state", cache=layout.cache)
    fresh.state.mkdir()
    r = kiosk("restore", str(newest), "--config", site, "--state", str(fresh.state))
    assert r.returncode == 0, r.stderr
    assert "replaced" not in r.stdout  # nothing was there to keep
    hub, sock = start_hub(fresh, tmp_path, "hub-2")
    try:
        rec = Recorder(broker.port, "huangtan", ())
        try:
            assert tickets(rec, ids) == before
            assert rec.call("ticket.issue", category="A", timeout=30)["result"]["number"] == "A006"
        finally:
            rec.close()
    finally:
        assert hub.stop() == 0, hub.output()
        sock.close()

    # restoring over a database keeps the replaced one aside, WAL files included
    r = kiosk("restore", str(newest), "--config", site, "--state", str(fresh.state))
    assert r.returncode == 0, r.stderr
    aside = next((fresh.state / "replaced").iterdir())
    assert (aside / "hub.sqlite3").exists() and str(aside) in r.stdout
    old = sqlite3.connect(aside / "hub.sqlite3")
    try:
        assert old.execute("SELECT count(*) FROM commands").fetchone()[0] > 0
    finally:
        old.close()


def test_restore_refuses_a_damaged_or_foreign_file(layout, tmp_path):
    write_site(layout, 1883)
    site = str(layout.etc / "site.toml")
    good = tmp_path / "hub-good.sqlite3"
    con = sqlite3.connect(good)
    con.executescript("CREATE TABLE commands(x); CREATE TABLE events(x); CREATE TABLE snapshots(x); "
                      "CREATE TABLE meta(x); CREATE TABLE filler(b);")
    con.executemany("INSERT INTO filler VALUES (?)", [(os.urandom(3000),) for _ in range(50)])
    con.commit()
    con.close()
    damaged = tmp_path / "hub-damaged.sqlite3"
    shutil.copyfile(good, damaged)
    with open(damaged, "r+b") as f:  # scribble over a page in the middle of the b-tree
        f.seek(4096 * 5)
        f.write(b"\xff" * 4096)
    foreign = tmp_path / "notes.sqlite3"
    sqlite3.connect(foreign).executescript("CREATE TABLE notes(x);")
    (layout.state / "hub.sqlite3").write_bytes(b"the live one")
    for bad, why in ((damaged, "integrity check failed"), (foreign, "not a hub database"),
                     (tmp_path / "missing.sqlite3", "no such file")):
        r = kiosk("restore", str(bad), "--config", site, "--state", str(layout.state))
        assert r.returncode == 1 and why in r.stderr, (bad, r.stderr)
        assert (layout.state / "hub.sqlite3").read_bytes() == b"the live one"
    assert not (layout.state / "replaced").exists()
    assert kiosk("restore", str(good), "--config", site, "--state", str(layout.state)).returncode == 0


def test_backup_refuses_an_unmounted_stick_and_a_bad_config(layout, tmp_path):
    stick = tmp_path / "not-mounted"
    stick.mkdir()
    sqlite3.connect(layout.state / "hub.sqlite3").executescript(
        "CREATE TABLE commands(x); CREATE TABLE events(x); CREATE TABLE snapshots(x); CREATE TABLE meta(x);")
    write_site(layout, 1883, f'\n[backup]\ndir = "{stick}"\nrequire_mount = true\n')
    r = run_backup_unit(layout, tmp_path)
    assert r.returncode == 1 and "is not a mounted file system" in r.stdout and not list(stick.iterdir())
    write_site(layout, 1883, '\n[backup]\ndir = "backups"\nkeep = 0\n')
    r = kiosk("backup", "--config", str(layout.etc / "site.toml"), "--state", str(layout.state))
    assert r.returncode == 2 and "backup.keep" in r.stderr and "site.toml" in r.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_backup_units_verify_and_the_timer_fires_at_night_in_the_hall(tmp_path):
    out = verify_timer_pair(tmp_path, "kiosk-backup", 2)
    assert out.count("19:15:00 UTC") == 2, out  # 03:15 in Huangtan, every night
    timer = parse_unit(UNITS / "kiosk-backup.timer")
    assert one(timer, "Timer", "Persistent") == "true"
