"""Decode Linux input events: raw bytes -> events -> scans, touches, key actions.

Rule: pure and importable anywhere (no /dev/input, no python-evdev needed).
The reader in ``input_device`` and the tests feed the same decoders the same
bytes; each decoder's ``feed(event)`` returns a (usually empty) list of
results and never blocks.

Event layout is the kernel's native ``struct input_event``: a ``timeval``
(two C longs), u16 type, u16 code, s32 value — 24 bytes on 64-bit.
Constants come from ``evdev.ecodes`` when python-evdev is installed, else from
the small table below (same numbers as linux/input-event-codes.h).
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, field
from typing import Mapping

EVENT_FORMAT = "@llHHi"
EVENT_SIZE = struct.calcsize(EVENT_FORMAT)
_EVENT = struct.Struct(EVENT_FORMAT)

_FALLBACK_CODES = {
    "EV_SYN": 0, "EV_KEY": 1, "EV_ABS": 3, "EV_MSC": 4,
    "SYN_REPORT": 0, "SYN_DROPPED": 3,
    "ABS_X": 0, "ABS_Y": 1, "ABS_MT_SLOT": 47, "ABS_MT_POSITION_X": 53,
    "ABS_MT_POSITION_Y": 54, "ABS_MT_TRACKING_ID": 57, "BTN_TOUCH": 330,
    "KEY_ESC": 1, "KEY_1": 2, "KEY_2": 3, "KEY_3": 4, "KEY_4": 5, "KEY_5": 6, "KEY_6": 7,
    "KEY_7": 8, "KEY_8": 9, "KEY_9": 10, "KEY_0": 11, "KEY_MINUS": 12, "KEY_EQUAL": 13,
    "KEY_BACKSPACE": 14, "KEY_TAB": 15, "KEY_Q": 16, "KEY_W": 17, "KEY_E": 18, "KEY_R": 19,
    "KEY_T": 20, "KEY_Y": 21, "KEY_U": 22, "KEY_I": 23, "KEY_O": 24, "KEY_P": 25,
    "KEY_LEFTBRACE": 26, "KEY_RIGHTBRACE": 27, "KEY_ENTER": 28, "KEY_LEFTCTRL": 29,
    "KEY_A": 30, "KEY_S": 31, "KEY_D": 32, "KEY_F": 33, "KEY_G": 34, "KEY_H": 35,
    "KEY_J": 36, "KEY_K": 37, "KEY_L": 38, "KEY_SEMICOLON": 39, "KEY_APOSTROPHE": 40,
    "KEY_GRAVE": 41, "KEY_LEFTSHIFT": 42, "KEY_BACKSLASH": 43, "KEY_Z": 44, "KEY_X": 45,
    "KEY_C": 46, "KEY_V": 47, "KEY_B": 48, "KEY_N": 49, "KEY_M": 50, "KEY_COMMA": 51,
    "KEY_DOT": 52, "KEY_SLASH": 53, "KEY_RIGHTSHIFT": 54, "KEY_KPASTERISK": 55,
    "KEY_SPACE": 57, "KEY_CAPSLOCK": 58, "KEY_NUMLOCK": 69,
    "KEY_KP7": 71, "KEY_KP8": 72, "KEY_KP9": 73, "KEY_KPMINUS": 74, "KEY_KP4": 75,
    "KEY_KP5": 76, "KEY_KP6": 77, "KEY_KPPLUS": 78, "KEY_KP1": 79, "KEY_KP2": 80,
    "KEY_KP3": 81, "KEY_KP0": 82, "KEY_KPDOT": 83, "KEY_KPENTER": 96, "KEY_KPSLASH": 98,
}

try:  # pragma: no cover - depends on the platform
    from evdev import ecodes as _ecodes
except ImportError:  # pragma: no cover
    _ecodes = None


def code(name: str) -> int:
    """The numeric value of an input constant such as ``"KEY_KP1"``."""
    if _ecodes is not None and isinstance(getattr(_ecodes, name, None), int):
        return getattr(_ecodes, name)
    try:
        return _FALLBACK_CODES[name]
    except KeyError:
        raise ValueError(f"unknown input event code name {name!r}") from None


EV_SYN, EV_KEY, EV_ABS = code("EV_SYN"), code("EV_KEY"), code("EV_ABS")
SYN_REPORT, SYN_DROPPED = code("SYN_REPORT"), code("SYN_DROPPED")
ABS_X, ABS_Y = code("ABS_X"), code("ABS_Y")
ABS_MT_SLOT, ABS_MT_TRACKING_ID = code("ABS_MT_SLOT"), code("ABS_MT_TRACKING_ID")
ABS_MT_POSITION_X, ABS_MT_POSITION_Y = code("ABS_MT_POSITION_X"), code("ABS_MT_POSITION_Y")
BTN_TOUCH = code("BTN_TOUCH")
KEY_RELEASE, KEY_PRESS, KEY_REPEAT = 0, 1, 2


@dataclass(frozen=True, slots=True, kw_only=True)
class InputEvent:
    sec: int
    usec: int
    type: int
    code: int
    value: int

    @property
    def timestamp(self) -> float:
        return self.sec + self.usec / 1_000_000


def pack_event(type_: int, code_: int, value: int, sec: int = 0, usec: int = 0) -> bytes:
    """Native ``struct input_event`` bytes (used by tests and tools)."""
    return _EVENT.pack(sec, usec, type_, code_, value)


def decode_events(data: bytes) -> list[InputEvent]:
    """Decode whole events; ``len(data)`` must be a multiple of EVENT_SIZE."""
    if len(data) % EVENT_SIZE:
        raise ValueError(f"{len(data)} bytes is not a whole number of {EVENT_SIZE}-byte events")
    return [InputEvent(sec=s, usec=u, type=t, code=c, value=v)
            for s, u, t, c, v in _EVENT.iter_unpack(data)]


class EventStream:
    """Reassemble events from reads of any size (a pipe may split one)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[InputEvent]:
        self._buf += data
        whole = len(self._buf) - len(self._buf) % EVENT_SIZE
        events = decode_events(bytes(self._buf[:whole]))
        del self._buf[:whole]
        return events


# --------------------------------------------------------------------------
# (a) HID keyboard barcode / QR scanner
# --------------------------------------------------------------------------

# key name -> (plain, shifted) for a US keyboard layout, which is what
# scanners emulate.
_KEY_CHARS = {
    **{f"KEY_{d}": (d, s) for d, s in zip("1234567890", "!@#$%^&*()")},
    **{f"KEY_{c}": (c.lower(), c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
    "KEY_MINUS": ("-", "_"), "KEY_EQUAL": ("=", "+"), "KEY_LEFTBRACE": ("[", "{"),
    "KEY_RIGHTBRACE": ("]", "}"), "KEY_SEMICOLON": (";", ":"), "KEY_APOSTROPHE": ("'", '"'),
    "KEY_GRAVE": ("`", "~"), "KEY_BACKSLASH": ("\\", "|"), "KEY_COMMA": (",", "<"),
    "KEY_DOT": (".", ">"), "KEY_SLASH": ("/", "?"), "KEY_SPACE": (" ", " "),
    "KEY_KPASTERISK": ("*", "*"), "KEY_KPMINUS": ("-", "-"), "KEY_KPPLUS": ("+", "+"),
    "KEY_KPDOT": (".", "."), "KEY_KPSLASH": ("/", "/"),
    **{f"KEY_KP{d}": (d, d) for d in "0123456789"},
}
SCANNER_KEYMAP: dict[int, tuple[str, str]] = {code(k): v for k, v in _KEY_CHARS.items()}
_SHIFTS = frozenset((code("KEY_LEFTSHIFT"), code("KEY_RIGHTSHIFT")))
_ENTERS = frozenset((code("KEY_ENTER"), code("KEY_KPENTER")))
_CAPSLOCK = code("KEY_CAPSLOCK")


class ScannerDecoder:
    """Key presses -> text; a scan ends at Enter. ``feed`` returns finished scans."""

    def __init__(self, *, max_length: int = 4096) -> None:
        self.max_length = max_length
        self._chars: list[str] = []
        self._shift_down: set[int] = set()
        self._caps = False

    def feed(self, event: InputEvent) -> list[str]:
        if event.type != EV_KEY:
            return []
        if event.code in _SHIFTS:
            if event.value == KEY_RELEASE:
                self._shift_down.discard(event.code)
            else:
                self._shift_down.add(event.code)
            return []
        if event.value != KEY_PRESS:
            return []  # releases and autorepeat add nothing
        if event.code == _CAPSLOCK:
            self._caps = not self._caps
            return []
        if event.code in _ENTERS:
            text, self._chars = "".join(self._chars), []
            return [text] if text else []
        chars = SCANNER_KEYMAP.get(event.code)
        if chars is None:
            return []
        shifted = bool(self._shift_down)
        if self._caps and chars[0].isalpha():
            shifted = not shifted
        if len(self._chars) < self.max_length:
            self._chars.append(chars[1] if shifted else chars[0])
        return []


# --------------------------------------------------------------------------
# (b) touch panels: multi-touch protocol B and single-touch BTN_TOUCH
# --------------------------------------------------------------------------


class TouchKind(enum.Enum):
    DOWN = "down"
    MOVE = "move"
    UP = "up"


@dataclass(frozen=True, slots=True, kw_only=True)
class TouchEvent:
    kind: TouchKind
    finger: int   # MT slot number; 0 for single-touch panels
    x: float      # 0..1 across the screen after calibration and rotation
    y: float
    time: float


IDENTITY_CALIBRATION = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class TouchConfig:
    x_min: int = 0
    x_max: int = 4095
    y_min: int = 0
    y_max: int = 4095
    # libinput-style 3x2 matrix (a b c / d e f) on normalised coordinates:
    # x' = a*x + b*y + c, y' = d*x + e*y + f
    calibration: tuple[float, float, float, float, float, float] = IDENTITY_CALIBRATION
    rotation: int = 0  # degrees clockwise the picture is turned: 0, 90, 180, 270

    def __post_init__(self) -> None:
        if self.rotation not in (0, 90, 180, 270):
            raise ValueError(f"touch rotation must be 0, 90, 180 or 270, got {self.rotation}")
        if len(self.calibration) != 6:
            raise ValueError(f"touch calibration needs 6 numbers, got {len(self.calibration)}")
        if self.x_max <= self.x_min or self.y_max <= self.y_min:
            raise ValueError("touch axis range is empty")


def transform_point(raw_x: int, raw_y: int, config: TouchConfig) -> tuple[float, float]:
    """Raw axis values -> screen coordinates in 0..1 (normalise, calibrate, rotate)."""
    x = (raw_x - config.x_min) / (config.x_max - config.x_min)
    y = (raw_y - config.y_min) / (config.y_max - config.y_min)
    a, b, c, d, e, f = config.calibration
    x, y = a * x + b * y + c, d * x + e * y + f
    if config.rotation == 90:
        x, y = 1.0 - y, x
    elif config.rotation == 180:
        x, y = 1.0 - x, 1.0 - y
    elif config.rotation == 270:
        x, y = y, 1.0 - x
    return min(1.0, max(0.0, x)), min(1.0, max(0.0, y))


@dataclass(slots=True)
class _Slot:
    active: bool = False
    x: int = 0
    y: int = 0
    # Changes since the last SYN_REPORT.
    began: bool = False
    ended: bool = False  # the contact active before this report ended
    tap: bool = False    # a contact began and ended within this report
    moved: bool = False


@dataclass(slots=True)
class _SingleTouch:
    touching: bool = False
    x: int = 0
    y: int = 0
    pressed: bool = False
    released: bool = False
    moved: bool = False


class TouchDecoder:
    """Raw ABS/BTN events -> finger down/move/up, emitted at each SYN_REPORT."""

    def __init__(self, config: TouchConfig = TouchConfig(), *, max_slots: int = 16) -> None:
        self.config = config
        self.max_slots = max_slots
        self._slots: dict[int, _Slot] = {}
        self._slot = 0
        self._multitouch = False  # once MT events are seen, ignore ST emulation
        self._single = _SingleTouch()
        self._dropping = False

    def _current(self) -> _Slot | None:
        if not 0 <= self._slot < self.max_slots:
            return None
        return self._slots.setdefault(self._slot, _Slot())

    def feed(self, event: InputEvent) -> list[TouchEvent]:
        if event.type == EV_SYN:
            if event.code == SYN_DROPPED:
                self._dropping = True
                return []
            if event.code == SYN_REPORT:
                if self._dropping:
                    # The kernel lost events; state until here is unreliable.
                    self._dropping = False
                    self._clear_pending()
                    return []
                return self._report(event.timestamp)
            return []
        if self._dropping:
            return []
        if event.type == EV_ABS:
            self._abs(event.code, event.value)
        elif event.type == EV_KEY and event.code == BTN_TOUCH and not self._multitouch:
            if event.value == 1 and not self._single.touching:
                self._single.pressed = True
            elif event.value == 0 and self._single.touching:
                self._single.released = True
        return []

    def _abs(self, code_: int, value: int) -> None:
        if code_ == ABS_MT_SLOT:
            self._multitouch = True
            self._slot = value
        elif code_ == ABS_MT_TRACKING_ID:
            self._multitouch = True
            slot = self._current()
            if slot is None:
                return
            if value < 0:
                if slot.began:
                    slot.tap = True
                elif slot.active:
                    slot.ended = True
            else:
                if slot.active:
                    slot.ended = True  # a new contact replaces the old one
                slot.began = True
                slot.tap = False
        elif code_ in (ABS_MT_POSITION_X, ABS_MT_POSITION_Y):
            self._multitouch = True
            slot = self._current()
            if slot is None:
                return
            if code_ == ABS_MT_POSITION_X:
                slot.x = value
            else:
                slot.y = value
            slot.moved = True
        elif not self._multitouch and code_ in (ABS_X, ABS_Y):
            if code_ == ABS_X:
                self._single.x = value
            else:
                self._single.y = value
            self._single.moved = True

    def _event(self, kind: TouchKind, finger: int, raw_x: int, raw_y: int, t: float) -> TouchEvent:
        x, y = transform_point(raw_x, raw_y, self.config)
        return TouchEvent(kind=kind, finger=finger, x=x, y=y, time=t)

    def _report(self, t: float) -> list[TouchEvent]:
        out: list[TouchEvent] = []
        for n in sorted(self._slots):
            s = self._slots[n]
            if s.ended and s.active:
                out.append(self._event(TouchKind.UP, n, s.x, s.y, t))
                s.active = False
            if s.began:
                out.append(self._event(TouchKind.DOWN, n, s.x, s.y, t))
                s.active = True
                if s.tap:
                    out.append(self._event(TouchKind.UP, n, s.x, s.y, t))
                    s.active = False
            elif s.moved and s.active:
                out.append(self._event(TouchKind.MOVE, n, s.x, s.y, t))
            s.began = s.ended = s.tap = s.moved = False
        st = self._single
        if st.pressed:
            out.append(self._event(TouchKind.DOWN, 0, st.x, st.y, t))
            st.touching = True
        elif st.moved and st.touching and not st.released:
            out.append(self._event(TouchKind.MOVE, 0, st.x, st.y, t))
        if st.released:
            out.append(self._event(TouchKind.UP, 0, st.x, st.y, t))
            st.touching = False
        st.pressed = st.released = st.moved = False
        return out

    def _clear_pending(self) -> None:
        for s in self._slots.values():
            s.began = s.ended = s.tap = s.moved = False
        self._single.pressed = self._single.released = self._single.moved = False


# --------------------------------------------------------------------------
# (c) window keypad -> call-button actions
# --------------------------------------------------------------------------

ACTIONS = frozenset(("next", "recall", "skip", "start", "complete", "pause", "resume"))

DEFAULT_KEYPAD_NAMES: dict[str, str] = {
    "KEY_KP1": "next", "KEY_KP2": "recall", "KEY_KP3": "skip", "KEY_KP4": "start",
    "KEY_KP5": "complete", "KEY_KP6": "pause", "KEY_KP7": "resume",
    # Big, easy keys double the two most used actions.
    "KEY_KPENTER": "next", "KEY_KPPLUS": "recall",
    # Keypads that send the digit row instead of the keypad block.
    "KEY_1": "next", "KEY_2": "recall", "KEY_3": "skip", "KEY_4": "start",
    "KEY_5": "complete", "KEY_6": "pause", "KEY_7": "resume",
}


def keymap_from_names(names: Mapping[str, str]) -> dict[int, str]:
    """``{"KEY_KP1": "next", ...}`` (as written in config) -> ``{79: "next", ...}``."""
    keymap: dict[int, str] = {}
    for key_name, action in names.items():
        if action not in ACTIONS:
            raise ValueError(f"keypad key {key_name}: unknown action {action!r}; "
                             f"expected one of {sorted(ACTIONS)}")
        keymap[code(key_name)] = action
    return keymap


@dataclass
class KeypadDecoder:
    """Key presses -> action names; releases and autorepeat are ignored."""

    keymap: dict[int, str] = field(default_factory=lambda: keymap_from_names(DEFAULT_KEYPAD_NAMES))

    def feed(self, event: InputEvent) -> list[str]:
        if event.type != EV_KEY or event.value != KEY_PRESS:
            return []
        action = self.keymap.get(event.code)
        return [action] if action else []
