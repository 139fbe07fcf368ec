"""The input read loop on a real pipe fed with packed input_event bytes."""

from __future__ import annotations

import os
import queue
import threading
import time

import pytest

from kiosk.devices.errors import InputDeviceError, InputDeviceGone
from kiosk.devices.evdev_decode import (
    EV_KEY, EV_SYN, SYN_REPORT, KeypadDecoder, ScannerDecoder, code, pack_event,
)
from kiosk.devices.input_device import InputSource, read_loop


def keystrokes(text_keys: list[str]) -> bytes:
    out = b""
    for name in text_keys:
        for value in (1, 0):
            out += pack_event(EV_KEY, code(name), value) + pack_event(EV_SYN, SYN_REPORT, 0)
    return out


def test_read_loop_feeds_decoder_and_reports_eof():
    r, w = os.pipe()
    scans: list[str] = []
    decoder = ScannerDecoder()
    data = keystrokes(["KEY_A", "KEY_1", "KEY_ENTER"])
    # Split mid-event to prove reads of any size are reassembled.
    os.write(w, data[:30])
    os.write(w, data[30:])
    os.close(w)
    try:
        with pytest.raises(InputDeviceGone):
            read_loop(r, lambda e: scans.extend(decoder.feed(e)), threading.Event())
    finally:
        os.close(r)
    assert scans == ["a1"]


def test_read_loop_stops_promptly_when_asked():
    r, w = os.pipe()
    stop = threading.Event()
    thread = threading.Thread(target=read_loop, args=(r, lambda e: None, stop),
                              kwargs={"poll_interval": 0.05})
    thread.start()
    stop.set()
    thread.join(timeout=2)
    assert not thread.is_alive()
    os.close(r)
    os.close(w)


class PipeDevice:
    """Stands in for an opened evdev device: a real pipe, closable."""

    def __init__(self) -> None:
        self.fd, self.writer = os.pipe()

    def close(self) -> None:
        os.close(self.fd)


def test_source_reopens_after_unplug():
    devices: "queue.Queue[PipeDevice]" = queue.Queue()
    opened_paths: list[str] = []
    present = threading.Event()

    def opener(path: str) -> PipeDevice:
        opened_paths.append(path)
        if not present.is_set():
            raise InputDeviceGone(f"{path}: not present")
        device = PipeDevice()
        devices.put(device)
        return device

    actions: "queue.Queue[str]" = queue.Queue()
    source = InputSource("usb-Keypad-event-kbd", KeypadDecoder(), actions.put,
                         rescan_interval=0.02, by_id_dir="/dev/input/by-id", opener=opener)
    stop = threading.Event()
    thread = source.start(stop)
    try:
        deadline = time.monotonic() + 5
        while len(opened_paths) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(opened_paths) >= 2  # kept rescanning while absent
        present.set()

        first = devices.get(timeout=5)
        os.write(first.writer, keystrokes(["KEY_KP1"]))
        assert actions.get(timeout=5) == "next"
        os.close(first.writer)  # unplug: EOF

        second = devices.get(timeout=5)
        os.write(second.writer, keystrokes(["KEY_KP2"]))
        assert actions.get(timeout=5) == "recall"
        assert source.opened_count == 2
        assert set(opened_paths) == {"/dev/input/by-id/usb-Keypad-event-kbd"}
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    os.close(second.writer)


def test_open_errors_are_reported_and_retried():
    errors: list[InputDeviceError] = []
    stop = threading.Event()

    def opener(path: str):
        if len(errors) >= 2:
            stop.set()
        raise InputDeviceError(f"{path}: permission denied")

    InputSource("x", ScannerDecoder(), print, rescan_interval=0.01, opener=opener,
                on_error=errors.append).run(stop)
    assert len(errors) >= 2 and "/dev/input/by-id/x" in str(errors[0])
