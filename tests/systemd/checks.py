"""What every notify unit test checks: regular pings, silence while frozen, a clean stop, hall time."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.mqtt_helpers import wait_until

from .conftest import UNITS
from .units import NotifySocket, UnitProcess, VENV_KIOSK, one, parse_unit

WATCHDOG_USEC = 6_000_000  # pings expected every 1.5 s; a gap over 3 s fails
HALF = WATCHDOG_USEC / 2e6
HALL_TZ = ZoneInfo("Asia/Shanghai")


def start_timeout(unit_name: str) -> float:
    return float(one(parse_unit(UNITS / unit_name), "Service", "TimeoutStartSec"))


def assert_pings_regular(sock: NotifySocket, pid: int, since: float, count: int) -> None:
    sock.wait_for(lambda d: d.at >= since and len(sock.after(since, "WATCHDOG")) >= count,
                  timeout=count * HALF + 20, what=f"{count} watchdog pings")
    pings = sock.after(since, "WATCHDOG")
    assert all(p.pid == pid and p.fields["WATCHDOG"] == "1" for p in pings)
    gaps = [b.at - a.at for a, b in zip(pings, pings[1:])]
    assert max(gaps) <= HALF, f"watchdog gaps {gaps} exceed half of WatchdogSec"


def wait_stopped(pid: int) -> None:
    def state() -> str:
        stat = open(f"/proc/{pid}/stat").read()
        return stat[stat.rindex(")") + 2]
    wait_until(lambda: state() == "T", timeout=10, what=f"process {pid} stopped")


def hall_minutes_now() -> set[str]:
    now = datetime.now(HALL_TZ)
    return {(now + timedelta(minutes=d)).strftime("%Y-%m-%d %H:%M") for d in (-1, 0, 1)}


def assert_frozen_is_silent_then_stops_cleanly(unit: UnitProcess, sock: NotifySocket) -> None:
    """SIGSTOP: not one ping for a whole watchdog timeout; SIGCONT: pings again; SIGTERM: exit 0, STOPPING=1."""
    unit.signal(signal.SIGSTOP)
    wait_stopped(unit.pid)
    assert sock.quiet_for(WATCHDOG_USEC / 1e6, "WATCHDOG"), "pings while the process was stopped"
    resumed = time.monotonic()
    unit.signal(signal.SIGCONT)
    sock.wait_for(lambda d: d.at >= resumed and "WATCHDOG" in d.fields, timeout=HALF + 20,
                  what="a ping after SIGCONT")
    asked = time.monotonic()
    code = unit.stop()
    assert code == 0, f"exit {code} {time.monotonic() - asked:.1f} s after SIGTERM\n{unit.output()}"
    assert any("STOPPING" in f for f in sock.messages())


def assert_screen_lifecycle(unit: UnitProcess, sock: NotifySocket, *, unit_name: str, port: int, device: str,
                            broker_dir, serving: str | None = None) -> None:
    """A screen unit whose broker (on ``port``) is down at start: READY=1 from the main pid with STATUS
    connecting and regular pings while idle; STATUS serving (containing ``serving``) and the device's status
    published once the broker is up; offline since <hall time> when it goes; silence while frozen; a clean
    stop. Stops the unit and any broker it started, whatever fails."""
    from kiosk.bus.broker import PrivateBroker
    from tests.mqtt_helpers import Recorder

    broker = None
    unit.start()
    try:
        ready = sock.wait_for(lambda d: "READY" in d.fields, timeout=start_timeout(unit_name), what="READY=1")
        assert ready.pid == unit.pid, "NotifyAccess=main: READY must come from the main process"
        assert ready.fields["STATUS"] == f"connecting to the broker 127.0.0.1:{port}"
        assert "READY" in sock.messages()[0], "nothing before READY=1 (the watchdog starts with it)"
        # idle: no broker, nothing changes on screen, yet the loop is alive and pings
        assert_pings_regular(sock, unit.pid, ready.at, 3)

        broker = PrivateBroker(broker_dir, port=port).start()
        online = sock.wait_for(lambda d: d.fields.get("STATUS", "").startswith("serving:"), timeout=60,
                               what="STATUS serving")
        if serving is not None:
            assert serving in online.fields["STATUS"], online.fields["STATUS"]
        rec = Recorder(port, "huangtan", ("device/+/status",))
        try:
            rec.wait_for(f"device/{device}/status", timeout=30)  # the env file's device id reached argv
        finally:
            rec.close()

        broker.stop()
        broker = None
        lost = sock.wait_for(lambda d: d.at > online.at and d.fields.get("STATUS", "").startswith("offline"),
                             timeout=60, what="STATUS offline since")
        text = lost.fields["STATUS"]
        assert "(Asia/Shanghai)" in text and any(f"offline since {m} " in text for m in hall_minutes_now()), text

        # a frozen loop: not one ping for a whole watchdog timeout, so systemd would restart it
        assert_frozen_is_silent_then_stops_cleanly(unit, sock)
    finally:
        unit.stop()
        if broker is not None:
            broker.stop()


def verify_timer_pair(tmp_path: Path, name: str, iterations: int, base: str | None = None) -> str:
    """``systemd-analyze verify`` of <name>.service + .timer as installed (our venv's kiosk), clean; then
    the timer's OnCalendar expanded ``iterations`` times (from ``base``), the output, in UTC."""
    for unit in (f"{name}.service", f"{name}.timer"):
        text = (UNITS / unit).read_text(encoding="utf-8").replace("/opt/kiosk/.venv/bin/kiosk", VENV_KIOSK)
        (tmp_path / unit).write_text(text, encoding="utf-8")
    r = subprocess.run(["systemd-analyze", "verify", str(tmp_path / f"{name}.timer"),
                        str(tmp_path / f"{name}.service")], capture_output=True, text=True, timeout=60)
    problems = [ln for ln in (r.stderr + r.stdout).splitlines() if "kiosk-" in ln or "Unknown" in ln]
    assert r.returncode == 0 and not problems, r.stderr
    when = one(parse_unit(UNITS / f"{name}.timer"), "Timer", "OnCalendar")
    r = subprocess.run(["systemd-analyze", "calendar", f"--iterations={iterations}",
                        *([f"--base-time={base}"] if base else []), when],
                       capture_output=True, text=True, timeout=60, env=dict(os.environ, TZ="UTC"))
    assert r.returncode == 0, r.stderr
    return r.stdout
