"""`kiosk printer status|test` against the fake printer on a real pty."""

from __future__ import annotations

import subprocess
import sys

from kiosk.devices.fake_printer import FakePrinter, FakePrinterState
from tests.conftest import REPO


def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "printer", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=60)


def test_status_and_test_print():
    with FakePrinter() as fp:
        r = kiosk("status", "--port", fp.port)
        assert r.returncode == 0 and "在线" in r.stdout and "ready" in r.stdout
        r = kiosk("test", "--port", fp.port)
        assert r.returncode == 0, r.stderr
        snap = fp.wait_for_cuts(1)
        assert "C012" in "\n".join(snap.text_lines) and list(snap.qr_payloads) == ["HT1|huangtan|20261130-C012"]


def test_paper_out_and_silent_printer():
    with FakePrinter(FakePrinterState.PAPER_OUT) as fp:
        r = kiosk("status", "--port", fp.port)
        assert r.returncode == 1 and "缺纸" in r.stdout
        r = kiosk("test", "--port", fp.port)
        assert r.returncode == 1 and "not printing" in r.stderr
        assert fp.snapshot().cuts == 0
    with FakePrinter(FakePrinterState.SILENT) as fp:
        r = kiosk("status", "--port", fp.port, "--timeout", "0.2")
        assert r.returncode == 1 and "无应答" in r.stdout


def test_missing_port_is_named():
    r = kiosk("status", "--port", "/dev/nonexistent-printer")
    assert r.returncode == 1 and "/dev/nonexistent-printer" in r.stderr
