from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.devices import evdev_decode as ev
from kiosk.devices.evdev_decode import (
    EV_ABS, EV_KEY, EV_SYN, SYN_DROPPED, SYN_REPORT, EventStream, KeypadDecoder,
    ScannerDecoder, TouchConfig, TouchDecoder, TouchKind, code, decode_events, keymap_from_names,
    pack_event, transform_point,
)

K = code


def syn() -> bytes:
    return pack_event(EV_SYN, SYN_REPORT, 0)


def key(name: str, value: int) -> bytes:
    return pack_event(EV_KEY, K(name), value)


def tap(name: str, shift: bool = False) -> bytes:
    out = key("KEY_LEFTSHIFT", 1) + syn() if shift else b""
    out += key(name, 1) + syn() + key(name, 0) + syn()
    if shift:
        out += key("KEY_LEFTSHIFT", 0) + syn()
    return out


def run(decoder, data: bytes) -> list:
    results = []
    for event in decode_events(data):
        results += decoder.feed(event)
    return results


def test_event_layout_is_native_input_event():
    assert ev.EVENT_SIZE == (24 if sys.maxsize > 2**32 else 16)
    raw = pack_event(EV_ABS, 53, -7, sec=12, usec=500_000)
    (event,) = decode_events(raw)
    assert (event.type, event.code, event.value, event.timestamp) == (EV_ABS, 53, -7, 12.5)
    with pytest.raises(ValueError):
        decode_events(raw[:-1])


def test_event_stream_reassembles_split_reads():
    data = b"".join(pack_event(EV_KEY, n, 1) for n in range(5))
    stream = EventStream()
    got = []
    for i in range(0, len(data), 7):
        got += stream.feed(data[i:i + 7])
    assert [e.code for e in got] == list(range(5))


def test_fallback_table_matches_python_evdev():
    from evdev import ecodes  # a dependency on Linux, where the terminal runs: missing is a failure
    for name, value in ev._FALLBACK_CODES.items():
        assert getattr(ecodes, name) == value, name


def test_module_imports_without_python_evdev():
    probe = ("import sys; sys.modules['evdev'] = None\n"
             "from kiosk.devices import evdev_decode as ev\n"
             "assert ev._ecodes is None and ev.BTN_TOUCH == 330 and ev.code('KEY_KP1') == 79\n"
             "print('ok')")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr


def test_scanner_text_with_shift_and_enter():
    data = (tap("KEY_H", shift=True) + tap("KEY_T") + tap("KEY_1") + tap("KEY_SLASH", shift=True)
            + tap("KEY_MINUS", shift=True) + tap("KEY_DOT") + tap("KEY_ENTER")
            + tap("KEY_4") + tap("KEY_2") + tap("KEY_KPENTER"))
    assert run(ScannerDecoder(), data) == ["Ht1?_.", "42"]


def test_scanner_right_shift_capslock_and_autorepeat():
    data = (key("KEY_RIGHTSHIFT", 1) + key("KEY_2", 1) + key("KEY_2", 2) + key("KEY_2", 0)
            + key("KEY_RIGHTSHIFT", 0) + tap("KEY_CAPSLOCK") + tap("KEY_A")
            + tap("KEY_A", shift=True) + tap("KEY_7") + tap("KEY_ENTER") + tap("KEY_ENTER"))
    assert run(ScannerDecoder(), data) == ["@Aa7"]  # empty scan after second Enter dropped


def mt(slot: int | None = None, tid: int | None = None, x: int | None = None,
       y: int | None = None) -> bytes:
    out = b""
    if slot is not None:
        out += pack_event(EV_ABS, ev.ABS_MT_SLOT, slot)
    if tid is not None:
        out += pack_event(EV_ABS, ev.ABS_MT_TRACKING_ID, tid)
    if x is not None:
        out += pack_event(EV_ABS, ev.ABS_MT_POSITION_X, x)
    if y is not None:
        out += pack_event(EV_ABS, ev.ABS_MT_POSITION_Y, y)
    return out


def summary(events):
    return [(t.kind.value, t.finger, round(t.x, 3), round(t.y, 3)) for t in events]


def test_two_finger_multitouch_protocol_b():
    config = TouchConfig(x_max=1000, y_max=1000)
    data = (mt(slot=0, tid=45, x=100, y=200)
            + key("BTN_TOUCH", 1) + pack_event(EV_ABS, ev.ABS_X, 100) + syn()  # ST emulation
            + mt(slot=1, tid=46, x=800, y=900) + syn()
            + mt(slot=0, x=150) + mt(slot=1, y=850) + syn()
            + mt(slot=0, tid=-1) + syn()
            + mt(slot=1, tid=-1) + key("BTN_TOUCH", 0) + syn())
    assert summary(run(TouchDecoder(config), data)) == [
        ("down", 0, 0.1, 0.2),
        ("down", 1, 0.8, 0.9),
        ("move", 0, 0.15, 0.2),
        ("move", 1, 0.8, 0.85),
        ("up", 0, 0.15, 0.2),
        ("up", 1, 0.8, 0.85),
    ]


def test_quick_tap_and_contact_replacement_in_one_report():
    config = TouchConfig(x_max=100, y_max=100)
    data = (mt(slot=2, tid=7, x=10, y=10) + mt(tid=-1) + syn()
            + mt(slot=2, tid=8, x=50, y=50) + syn()
            + mt(tid=9, x=60, y=60) + syn())
    assert [(k, f) for k, f, *_ in summary(run(TouchDecoder(config), data))] == [
        ("down", 2), ("up", 2), ("down", 2), ("up", 2), ("down", 2)]


def test_single_touch_btn_touch_panel():
    config = TouchConfig(x_min=200, x_max=3800, y_min=300, y_max=3900)
    data = (key("BTN_TOUCH", 1) + pack_event(EV_ABS, ev.ABS_X, 2000)
            + pack_event(EV_ABS, ev.ABS_Y, 2100) + syn()
            + pack_event(EV_ABS, ev.ABS_X, 2360) + syn()
            + key("BTN_TOUCH", 0) + syn()
            + pack_event(EV_ABS, ev.ABS_X, 100) + syn())  # hover noise: ignored
    assert summary(run(TouchDecoder(config), data)) == [
        ("down", 0, 0.5, 0.5), ("move", 0, 0.6, 0.5), ("up", 0, 0.6, 0.5)]


def test_syn_dropped_discards_the_partial_frame():
    data = (mt(slot=0, tid=1, x=10, y=10) + syn()
            + pack_event(EV_SYN, SYN_DROPPED, 0) + mt(x=99) + syn()
            + mt(x=20) + syn())
    events = run(TouchDecoder(TouchConfig(x_max=100, y_max=100)), data)
    assert [(t.kind, round(t.x, 2)) for t in events] == [(TouchKind.DOWN, 0.1), (TouchKind.MOVE, 0.2)]


@pytest.mark.parametrize("rotation, expected", [
    (0, (0.25, 0.1)), (90, (0.9, 0.25)), (180, (0.75, 0.9)), (270, (0.1, 0.75))])
def test_rotation(rotation, expected):
    got = transform_point(250, 100, TouchConfig(x_max=1000, y_max=1000, rotation=rotation))
    assert got == pytest.approx(expected)


def test_calibration_matrix_then_rotation_and_clamping():
    # Panel mirrored in x and scaled/offset in y, like a libinput matrix.
    cal = (-1.0, 0.0, 1.0, 0.0, 0.5, 0.25)
    config = TouchConfig(x_max=1000, y_max=1000, calibration=cal)
    assert transform_point(200, 400, config) == pytest.approx((0.8, 0.45))
    rotated = TouchConfig(x_max=1000, y_max=1000, calibration=cal, rotation=90)
    assert transform_point(200, 400, rotated) == pytest.approx((0.55, 0.8))
    assert transform_point(5000, -50, TouchConfig(x_max=1000, y_max=1000)) == (1.0, 0.0)
    with pytest.raises(ValueError):
        TouchConfig(rotation=45)


def test_keypad_default_map():
    names = ["KEY_KP1", "KEY_KP2", "KEY_KP3", "KEY_KP4", "KEY_KP5", "KEY_KP6", "KEY_KP7",
             "KEY_KPENTER", "KEY_KP9"]
    data = b"".join(tap(n) for n in names) + key("KEY_KP1", 1) + key("KEY_KP1", 2)
    assert run(KeypadDecoder(), data) == [
        "next", "recall", "skip", "start", "complete", "pause", "resume", "next", "next"]


def test_keypad_configured_map_and_validation():
    keypad = KeypadDecoder(keymap_from_names({"KEY_KP0": "pause", "KEY_KPDOT": "resume"}))
    assert run(keypad, tap("KEY_KP0") + tap("KEY_KPDOT") + tap("KEY_KP1")) == ["pause", "resume"]
    with pytest.raises(ValueError, match="transfer"):
        keymap_from_names({"KEY_KP8": "transfer"})
    with pytest.raises(ValueError, match="KEY_NOPE"):
        keymap_from_names({"KEY_NOPE": "next"})
