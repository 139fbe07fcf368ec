"""`kiosk install` in --dry-run and into a temporary root, and the role units under systemd-analyze."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import REPO

KIOSK = [sys.executable, "-m", "kiosk"]


def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*KIOSK, *args], capture_output=True, text=True, cwd=REPO, timeout=120)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else b"<dir>" for p in sorted(root.rglob("*"))}


def test_dry_run_prints_every_step_and_changes_nothing(tmp_path):
    root = tmp_path / "root"
    r = kiosk("install", "--role", "hub", "--root", str(root), "--dry-run")
    assert r.returncode == 0, r.stderr
    assert not root.exists()
    for step in ("/etc/kiosk/site.toml", "calendar.toml", "catalog", "/var/lib/kiosk", "kiosk-hub.service",
                 "systemctl enable kiosk-hub.service"):
        assert step in r.stdout, step
    assert "would" in r.stdout


def test_dry_run_on_the_system_touches_nothing(tmp_path):
    r = kiosk("install", "--role", "terminal", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "kiosk-terminal.service" in r.stdout and "systemctl enable kiosk-terminal.service" in r.stdout
    assert "user kiosk" in r.stdout


@pytest.mark.parametrize("role", ["hub", "terminal", "display", "pad"])
def test_install_into_root_is_idempotent_and_keeps_config(tmp_path, role):
    root = tmp_path / "root"
    r = kiosk("install", "--role", role, "--root", str(root))
    assert r.returncode == 0, r.stderr
    etc = root / "etc" / "kiosk"
    assert (etc / "site.toml").read_text(encoding="utf-8") == (REPO / "config" / "huangtan.toml").read_text(
        encoding="utf-8")
    assert (etc / "calendar.toml").exists() and (etc / "catalog" / "renshe.toml").exists()
    state = root / "var" / "lib" / "kiosk"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    unit = root / "etc" / "systemd" / "system" / f"kiosk-{role}.service"
    assert unit.read_bytes() == (REPO / "systemd" / unit.name).read_bytes()
    assert "skipped with --root" in r.stdout

    before = tree(root)
    again = kiosk("install", "--role", role, "--root", str(root))
    assert again.returncode == 0 and "nothing to do" in again.stdout, again.stdout
    assert tree(root) == before

    (etc / "site.toml").write_text("# edited by staff\n", encoding="utf-8")
    (etc / "catalog" / "renshe.toml").unlink()
    unit.write_text("[Unit]\nDescription=old\n")
    third = kiosk("install", "--role", role, "--root", str(root))
    assert third.returncode == 0, third.stderr
    assert (etc / "site.toml").read_text(encoding="utf-8") == "# edited by staff\n"  # never overwritten
    assert not (etc / "catalog" / "renshe.toml").exists()  # the catalogue is copied on first install only
    assert unit.read_bytes() == (REPO / "systemd" / unit.name).read_bytes()  # units are code: updated


def test_bridge_install_needs_an_instance_and_writes_its_env(tmp_path):
    root = tmp_path / "root"
    r = kiosk("install", "--role", "bridge", "--root", str(root))
    assert r.returncode != 0 and "--instance" in r.stderr
    r = kiosk("install", "--role", "bridge", "--root", str(root), "--instance", "usb-Keypad-event-kbd",
              "--window", "w3")
    assert r.returncode == 0, r.stderr
    env = root / "etc" / "kiosk" / "bridge-usb-Keypad-event-kbd.env"
    assert env.read_text() == "KIOSK_WINDOW=w3\nKIOSK_BRIDGE_ARGS=--device-id btn-w3\n"
    assert (root / "etc" / "systemd" / "system" / "kiosk-bridge@.service").exists()
    assert "kiosk-bridge@usb-Keypad-event-kbd.service" in r.stdout


ROLE_UNITS = ["kiosk-terminal.service", "kiosk-display.service", "kiosk-pad.service", "kiosk-web.service", "kiosk-bridge@.service",
              "kiosk-bridge@usb-1a2c_USB_Keypad-event-kbd.service"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize("name", ROLE_UNITS)
def test_role_units_pass_systemd_analyze_verify(name, tmp_path):
    source = name if "@" not in name or name.endswith("@.service") else "kiosk-bridge@.service"
    text = (REPO / "systemd" / source).read_text()
    text = text.replace("/opt/kiosk/.venv/bin/kiosk", str(Path(sys.executable).with_name("kiosk")))
    (tmp_path / name).write_text(text)
    r = subprocess.run(["systemd-analyze", "verify", str(tmp_path / name)], capture_output=True, text=True,
                       timeout=60)
    problems = [ln for ln in (r.stderr + r.stdout).splitlines() if "kiosk-" in ln or "Unknown" in ln]
    assert r.returncode == 0 and not problems, r.stderr


@pytest.mark.parametrize("name", ["kiosk-terminal.service", "kiosk-display.service", "kiosk-pad.service"])
def test_fullscreen_units_settings(name):
    text = (REPO / "systemd" / name).read_text()
    for line in ("Type=notify", "TTYPath=/dev/tty1", "Conflicts=getty@tty1.service", "Environment=SDL_VIDEODRIVER=kmsdrm",
                 "StartLimitAction=reboot", "DeviceAllow=char-drm rw", "WatchdogSec="):
        assert line in text, line
    assert "PrivateDevices=" not in text
    assert "video render" in text


def test_bridge_unit_reads_window_from_env_file():
    text = (REPO / "systemd" / "kiosk-bridge@.service").read_text()
    assert "EnvironmentFile=/etc/kiosk/bridge-%i.env" in text
    assert "--device /dev/input/by-id/%i" in text and "${KIOSK_WINDOW}" in text


def test_hub_install_brings_the_nightly_backup_and_every_role_the_journald_settings(tmp_path):
    root = tmp_path / "root"
    r = kiosk("install", "--role", "hub", "--root", str(root))
    assert r.returncode == 0, r.stderr
    system = root / "etc" / "systemd" / "system"
    for name in ("kiosk-hub.service", "kiosk-backup.service", "kiosk-backup.timer", "kiosk-report.service",
                 "kiosk-report.timer"):
        assert (system / name).read_bytes() == (REPO / "systemd" / name).read_bytes(), name
    assert "systemctl enable kiosk-backup.timer" in r.stdout
    assert "enable kiosk-report.timer" not in r.stdout  # it needs report.toml with the reporter account first
    backups = root / "var" / "backups" / "kiosk"
    assert stat.S_IMODE(backups.stat().st_mode) == 0o700
    dropin = root / "etc" / "systemd" / "journald.conf.d" / "kiosk.conf"
    assert dropin.read_bytes() == (REPO / "systemd" / "journald.conf.d" / "kiosk.conf").read_bytes()
    again = kiosk("install", "--role", "hub", "--root", str(root))
    assert "nothing to do" in again.stdout, again.stdout

    r = kiosk("install", "--role", "display", "--root", str(tmp_path / "display"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "display" / "etc" / "systemd" / "journald.conf.d" / "kiosk.conf").exists()
    assert not (tmp_path / "display" / "etc" / "systemd" / "system" / "kiosk-backup.timer").exists()
    assert "kiosk-backup" not in r.stdout


JOURNALD = Path("/lib/systemd/systemd-journald")


@pytest.mark.skipif(not JOURNALD.exists(), reason="systemd-journald not installed")
def test_journald_dropin_names_only_settings_journald_has():
    """Every key of the drop-in is in journald's own table of settings (a typo would be ignored with a
    warning and the card would get the defaults)."""
    import re
    table = set(re.findall(rb"Journal\.([A-Za-z]+)\x00", JOURNALD.read_bytes()))
    assert b"SystemMaxUse" in table and len(table) > 20  # the table really was found
    text = (REPO / "systemd" / "journald.conf.d" / "kiosk.conf").read_text(encoding="utf-8")
    assert text.count("[Journal]") == 1
    keys = {ln.split("=", 1)[0].encode() for ln in text.splitlines() if "=" in ln and not ln.startswith("#")}
    assert keys <= table, keys - table
    assert "Storage=persistent" in text and "SystemMaxUse=64M" in text
