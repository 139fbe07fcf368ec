"""The code scanner in the terminal: raw input_event bytes through a pipe (there is no /dev/input here),
decoded on the reader thread, posted as ScanResult on the App's inbox, acted on by the screens."""

from __future__ import annotations

import os

import pytest

from kiosk.devices import input_device
from kiosk.devices.evdev_decode import code, pack_event
from kiosk.terminal.messages import ScanResult

from ..mqtt_helpers import wait_until

EV_KEY, EV_SYN = 1, 0
SHIFTED = {"|": "KEY_BACKSLASH", **{c: f"KEY_{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}}
PLAIN = {"-": "KEY_MINUS", "/": "KEY_SLASH", ".": "KEY_DOT"}


class PipeDevice:
    """Stands in for an opened evdev device: the reader gets the pipe's read end."""

    def __init__(self) -> None:
        self.fd, self.w = os.pipe()
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            os.close(self.fd)
            self.closed = True

    def key(self, name: str, value: int) -> bytes:
        return pack_event(EV_KEY, code(name), value) + pack_event(EV_SYN, 0, 0)

    def type(self, text: str) -> None:
        out = b""
        for ch in text:
            if ch in SHIFTED:
                name = SHIFTED[ch]
                out += self.key("KEY_LEFTSHIFT", 1) + self.key(name, 1) + self.key(name, 0) \
                    + self.key("KEY_LEFTSHIFT", 0)
            else:
                name = PLAIN.get(ch) or "KEY_" + ch.upper()
                out += self.key(name, 1) + self.key(name, 0)
        out += self.key("KEY_ENTER", 1) + self.key("KEY_ENTER", 0)
        os.write(self.w, out)


@pytest.fixture
def scanner(monkeypatch):
    dev = PipeDevice()
    opened: list[tuple[str, bool]] = []

    def fake_open(path: str, *, grab: bool):
        opened.append((path, grab))
        return dev

    monkeypatch.setattr(input_device, "open_evdev", fake_open)
    dev.opened = opened
    yield dev
    os.close(dev.w)


def test_a_scanned_booking_qr_opens_checkin(offline_terminal, scanner):
    p = offline_terminal(scanner="usb-Scanner_HID-event-kbd")
    source = p.terminal.devices.sources[0]
    p.run_until(source.connected.is_set, what="the scanner opened")
    assert scanner.opened == [("/dev/input/by-id/usb-Scanner_HID-event-kbd", True)]  # grabbed
    scanner.type("HTYY|huangtan|K7M3QX")
    p.run_until(lambda: p.app.top.key == "checkin", what="预约签到 opened by the scan")
    sent = p.terminal.session.link.sent
    assert ("appointment.checkin", {"code": "K7M3QX"}) in sent


def test_scans_arrive_as_scan_results_in_order(offline_terminal, scanner):
    p = offline_terminal(scanner="scanner-1")
    t = p.terminal
    p.run_until(t.devices.sources[0].connected.is_set, what="the scanner opened")
    scanner.type("HT1|huangtan|20261129-A001")  # a ticket, not a booking: ignored on the home screen
    scanner.type("abc123")
    # no frames run meanwhile: the reader thread alone put both scans on the inbox
    wait_until(lambda: t.inbox.qsize() >= 2, what="two scans on the inbox")
    assert list(t.inbox.queue) == [ScanResult(text="HT1|huangtan|20261129-A001"), ScanResult(text="abc123")]
    p.frames(3)
    assert p.app.top.key == "home" and t.inbox.empty()


def test_no_scanner_configured(offline_terminal):
    p = offline_terminal()
    assert p.terminal.devices.sources == [] and p.terminal.devices.printer is None
    assert p.terminal.session.printer_state.value == "none"
