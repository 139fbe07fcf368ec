"""Staff tools as real processes, zeroconf discovery on loopback, systemd notify and unit files."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import HALL_CONFIG, REPO
from tests.mqtt_helpers import wait_until

KIOSK = [sys.executable, "-m", "kiosk"]


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([*KIOSK, *args], capture_output=True, text=True, timeout=timeout, cwd=REPO)


def test_ticket_press_watch_status_commands(hub, broker):
    b = f"127.0.0.1:{broker.port}"
    r = run("ticket", "C", "--priority", "--broker", b)
    assert r.returncode == 0, r.stderr
    assert "C001" in r.stdout and "绿色通道" in r.stdout
    r = run("press", "w3", "next", "--broker", b)
    assert r.returncode == 0, r.stderr
    assert "C001 (called)" in r.stdout
    r = run("press", "w2", "recall", "--broker", b)
    assert r.returncode == 1 and "no_current" in r.stdout
    r = run("press", "w42", "next", "--broker", b)
    assert r.returncode == 2 and "no window 'w42'" in r.stderr
    r = run("watch", "--duration", "1.5", "--broker", b)
    assert r.returncode == 0 and "C001" in r.stdout and "黄潭镇便民服务中心" in r.stdout
    r = run("status", "--broker", b)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "hub: online" in r.stdout


def test_status_exits_non_zero_when_hub_is_down(broker):
    r = run("status", "--broker", f"127.0.0.1:{broker.port}", "--wait", "0.5")
    assert r.returncode == 1 and "OFFLINE" in r.stdout


def test_tools_report_unreachable_broker():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = run("ticket", "A", "--broker", f"127.0.0.1:{port}")
    assert r.returncode == 3 and "cannot reach the broker" in r.stderr


def test_broken_config_stops_the_hub_with_file_key_reason(tmp_path):
    bad = tmp_path / "site.toml"
    w8 = 'id = "w8"\nnumber = 8\nname = "综合窗口"\nkind = "comprehensive"\ncategories = ["E"]'
    text = HALL_CONFIG.read_text(encoding="utf-8")
    assert w8 in text
    bad.write_text(text.replace(w8, w8.replace('["E"]', '["E", "Z"]')), encoding="utf-8")
    r = run("hub", "--config", str(bad), "--state", str(tmp_path / "st"), "--broker", "127.0.0.1:1")
    assert r.returncode == 2
    assert str(bad) in r.stderr and "windows[7].categories[1]" in r.stderr and "'Z'" in r.stderr


def own_site() -> str:
    """A site id no other hub on this loopback advertises (other suites may run hubs of "huangtan" now)."""
    return f"zc{uuid.uuid4().hex[:10]}"


def test_zeroconf_discovery_on_loopback(broker):
    from kiosk.bus.discovery import Advertiser, discover
    site = own_site()
    adv = Advertiser(site=site, broker_host="127.0.0.1", broker_port=broker.port, version="t",
                     interfaces=["127.0.0.1"])
    try:
        found = discover(site, timeout=30, interfaces=["127.0.0.1"])  # returns as soon as it answers
    finally:
        adv.close()
    assert found is not None and (found.site, found.host, found.port) == (site, "127.0.0.1", broker.port)


def test_hub_found_by_tool_without_broker_address(broker, tmp_path):
    """The hub advertises; `kiosk ticket` given no broker finds it (zeroconf bound to 127.0.0.1)."""
    cfg = tmp_path / "site.toml"
    text = HALL_CONFIG.read_text(encoding="utf-8")
    assert '[site]\nid = "huangtan"\n' in text
    cfg.write_text(text.replace('[site]\nid = "huangtan"\n', f'[site]\nid = "{own_site()}"\n'), encoding="utf-8")
    hub = subprocess.Popen([*KIOSK, "hub", "--config", str(cfg), "--state", str(tmp_path / "st"),
                            "--broker", f"127.0.0.1:{broker.port}", "--zeroconf-interface", "127.0.0.1"],
                           cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def issued():
            r = run("ticket", "A", "--config", str(cfg), "--zeroconf-interface", "127.0.0.1")
            return r if r.returncode == 0 else None
        r = wait_until(issued, timeout=40, what="ticket via discovery")
        assert "A00" in r.stdout
    finally:
        hub.terminate()
        hub.wait(10)


def test_hub_notifies_systemd_ready_and_watchdog(broker, tmp_path):
    sock_path = str(tmp_path / "notify.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    srv.bind(sock_path)
    srv.settimeout(20)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="400000")
    hub = subprocess.Popen([*KIOSK, "hub", "--config", str(HALL_CONFIG), "--state", str(tmp_path / "st"),
                            "--broker", f"127.0.0.1:{broker.port}", "--no-advertise"], env=env, cwd=REPO,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        got: list[str] = []
        while not any("READY=1" in m for m in got):  # recv times out (the deadline) if it never comes
            got.append(srv.recv(4096).decode())
        ready = got[-1]
        assert "STATUS=serving the hall" in ready
        assert not any("WATCHDOG=1" in m for m in got), "pinged before it was ready"
        pings = 0
        while pings < 2:  # the worker keeps pinging once it serves (recv's timeout is the deadline)
            pings += "WATCHDOG=1" in srv.recv(4096).decode().splitlines()
    finally:
        hub.terminate()
        hub.wait(10)
        srv.close()


def test_hub_does_not_report_ready_without_broker(tmp_path):
    sock_path = str(tmp_path / "notify.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    srv.bind(sock_path)
    srv.settimeout(3)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    hub = subprocess.Popen([*KIOSK, "hub", "--config", str(HALL_CONFIG), "--state", str(tmp_path / "st"),
                            "--broker", f"127.0.0.1:{dead_port}", "--no-advertise"], env=env, cwd=REPO,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        msgs = []
        try:
            while True:
                msgs.append(srv.recv(4096).decode())
        except socket.timeout:
            pass
        assert hub.poll() is None, "hub must keep running without a broker"
        assert not any("READY=1" in m for m in msgs)
    finally:
        hub.terminate()
        hub.wait(10)
        srv.close()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize("unit", sorted(p.name for p in (REPO / "systemd").glob("*.service")))
def test_units_pass_systemd_analyze_verify(unit, tmp_path):
    text = (REPO / "systemd" / unit).read_text()
    # verify checks that ExecStart exists: point it at this checkout's interpreter entry point
    exe = Path(sys.executable).with_name("kiosk")
    text = text.replace("/opt/kiosk/.venv/bin/kiosk", str(exe))
    (tmp_path / unit).write_text(text)
    r = subprocess.run(["systemd-analyze", "verify", str(tmp_path / unit)], capture_output=True, text=True,
                       timeout=60)
    problems = [ln for ln in (r.stderr + r.stdout).splitlines() if unit.split("@")[0] in ln or "Unknown" in ln]
    assert r.returncode == 0 and not problems, r.stderr


def test_status_report_flags_paper_out_and_calendar(capsys):
    from kiosk.tools.queue_tools import print_status
    devices = {"hub": {"availability": "online", "status": {"version": "0.1.0", "day": "2026-11-29",
                                                            "started_at": 0, "store_ok": True}},
               "kiosk-1": {"availability": "online", "status": {"kind": "terminal", "printer": "paper_out"}},
               "display-1": {"availability": "online", "status": {"kind": "display", "fps": 3.0}}}
    summary = {"devices": {"kiosk-1": {"last_seen": 90.0}}, "calendar_warning": "2027年节假日安排尚未录入"}
    assert print_status(devices, summary, now=100.0, tz=ZoneInfo("Asia/Shanghai")) == 1
    out = capsys.readouterr().out
    assert "PROBLEM: kiosk-1: printer paper_out" in out and "seen 10 s ago" in out
    assert "warning: 2027年节假日安排尚未录入" in out
    devices["kiosk-1"]["status"]["printer"] = "ok"
    assert print_status(devices, summary, now=100.0, tz=ZoneInfo("Asia/Shanghai")) == 0
