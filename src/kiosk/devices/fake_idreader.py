"""A software ID card reader on a pseudo-terminal, for tests, the demo and ``kiosk idcard test``.

Rule: it speaks the GA 467 framing byte by byte, built here from the layout (preamble, 2-byte big-endian
length, SW1 SW2 SW3, data, XOR checksum) — it shares no code with the driver's encoder or deframer, so a
mistake in one is caught by the other. The driver opens ``fake.port`` (the pty slave) exactly as it would
open /dev/ttyUSB0. ``mode`` picks the behaviour, including every failure the kiosk must survive; ``card``
is the card on the reader, as raw field strings, so a test can place a card with bad fields too.

POSIX only (``os.openpty``); it lives in the package, not under tests, so the demo can run without
hardware.
"""

from __future__ import annotations

import enum
import threading
import time
from dataclasses import dataclass, replace
from typing import Callable

from .ptyfake import PtyFake

_PREAMBLE = bytes([0xAA, 0xAA, 0xAA, 0x96, 0x69])
# (field, bytes) of the 256-byte text block, in order
_FIELDS = (("name", 30), ("gender", 2), ("nation", 4), ("birth", 16), ("address", 70), ("id_number", 36),
           ("authority", 30), ("valid_from", 16), ("valid_to", 16), ("reserved", 36))


class FakeReaderMode(enum.Enum):
    NO_CARD = "no_card"              # find answers 80
    CARD = "card"                    # a card that reads whole
    PULLED_MID_READ = "pulled"       # the base message stops half way, then nothing
    BROKEN_FRAME = "broken"          # the base message arrives with a wrong checksum
    READ_FAILS = "read_fails"        # read answers 41
    WRONG_CARD = "wrong_card"        # select answers 40 (not a resident ID card)
    SAM_FAILED = "sam_failed"        # every command answers 60
    NOT_AUTHORISED = "not_authorised"  # every command answers 66
    SILENT = "silent"                # reads everything, answers nothing
    NOISE = "noise"                  # answers bytes that are no frame


@dataclass(frozen=True, slots=True)
class FakeCard:
    """The card's text fields exactly as stored on the card (codes, YYYYMMDD)."""

    name: str = "黄秀英"
    gender: str = "2"
    nation: str = "01"
    birth: str = "19520615"
    address: str = "湖北省天门市黄潭镇杨场村三组18号"
    id_number: str = "42900619520615007X"
    authority: str = "天门市公安局"
    valid_from: str = "20160301"
    valid_to: str = "长期"
    photo: bytes = bytes(range(256)) * 4  # 1,024 bytes standing in for the compressed photo


YOUNG_CARD = FakeCard(name="杨志强", gender="1", birth="19880706", id_number="429006198807060022",
                      address="湖北省天门市黄潭镇黄潭社区新街25号", valid_from="20180520", valid_to="20380520")


def text_block(card: FakeCard) -> bytes:
    """The 256 bytes of text: each field UCS-2 little-endian, space padded to its size."""
    out = b""
    for name, size in _FIELDS:
        raw = getattr(card, name, "").encode("utf-16-le") if name != "reserved" else b""
        raw = raw[:size]
        out += raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    assert len(out) == 256
    return out


def reply_frame(sw3: int, data: bytes = b"", *, bad_checksum: bool = False) -> bytes:
    """A frame from the reader: preamble, LEN, 00 00 SW3, data, XOR of everything after the preamble."""
    length = 3 + len(data) + 1
    body = bytes([length >> 8, length & 0xFF, 0x00, 0x00, sw3]) + data
    chk = 0
    for b in body:
        chk ^= b
    if bad_checksum:
        chk ^= 0xFF
    return _PREAMBLE + body + bytes([chk])


def base_message(card: FakeCard) -> bytes:
    """The DATA of the read-base-message answer: text length, photo length (2 bytes each), text, photo."""
    text = text_block(card)
    return bytes([len(text) >> 8, len(text) & 0xFF, len(card.photo) >> 8, len(card.photo) & 0xFF]) + text + card.photo


class FakeIdReader(PtyFake):
    """Start with ``with FakeIdReader() as fake:`` then open ``fake.port``."""

    THREAD_NAME = "fake-idreader"

    def __init__(self, mode: FakeReaderMode = FakeReaderMode.NO_CARD, card: FakeCard = FakeCard()) -> None:
        super().__init__()
        self._mode, self._card = mode, card
        self._cond = threading.Condition()
        self._commands: list[tuple[int, int]] = []
        self._buf = bytearray()
        self.bad_frames = 0  # command frames with a bad checksum or length (answered 10 / 11)

    def unplug(self) -> None:
        """The USB cable is pulled: the port goes away under the driver."""
        self.stop()

    # -- state ---------------------------------------------------------------
    @property
    def mode(self) -> FakeReaderMode:
        with self._cond:
            return self._mode

    @mode.setter
    def mode(self, value: FakeReaderMode) -> None:
        with self._cond:
            self._mode = value

    def place(self, card: FakeCard = FakeCard(), mode: FakeReaderMode = FakeReaderMode.CARD) -> None:
        with self._cond:
            self._card, self._mode = card, mode

    def take_away(self) -> None:
        self.mode = FakeReaderMode.NO_CARD

    def commands(self) -> list[tuple[int, int]]:
        with self._cond:
            return list(self._commands)

    def wait_for(self, predicate: Callable[[list[tuple[int, int]]], bool], timeout: float = 5.0) -> list:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(list(self._commands)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"fake ID reader: condition not met in {timeout}s; "
                                       f"got {len(self._commands)} commands")
                self._cond.wait(remaining)
            return list(self._commands)

    # -- the reader thread ---------------------------------------------------
    def _receive(self, chunk: bytes) -> bytes:
        """Command frames out of the stream, byte by byte, each answered by the mode."""
        answers = []
        with self._cond:
            self._buf += chunk
            while True:
                i = self._buf.find(_PREAMBLE)
                if i < 0:
                    del self._buf[:max(0, len(self._buf) - 4)]
                    break
                del self._buf[:i]
                if len(self._buf) < 7:
                    break
                length = self._buf[5] << 8 | self._buf[6]
                if length < 3 or length > 64:
                    self.bad_frames += 1
                    del self._buf[:5]
                    answers.append(reply_frame(0x11))
                    continue
                if len(self._buf) < 7 + length:
                    break
                frame = bytes(self._buf[:7 + length])
                del self._buf[:7 + length]
                chk = 0
                for b in frame[5:-1]:
                    chk ^= b
                if chk != frame[-1]:
                    self.bad_frames += 1
                    answers.append(reply_frame(0x10))
                    continue
                cmd = (frame[7], frame[8])
                self._commands.append(cmd)
                answers.append(self._answer(cmd))
            self._cond.notify_all()
        return b"".join(answers)

    def _answer(self, cmd: tuple[int, int]) -> bytes:
        m, card = self._mode, self._card
        if m is FakeReaderMode.SILENT:
            return b""
        if m is FakeReaderMode.NOISE:
            return bytes([0x55, 0xAA, 0x96, 0x01, 0x02, 0x03])
        if m is FakeReaderMode.SAM_FAILED:
            return reply_frame(0x60)
        if m is FakeReaderMode.NOT_AUTHORISED:
            return reply_frame(0x66)
        if cmd in ((0x11, 0xFF), (0x10, 0xFF)):  # status, reset
            return reply_frame(0x90)
        if cmd == (0x20, 0x01):  # find
            return reply_frame(0x80 if m is FakeReaderMode.NO_CARD else 0x9F)
        if cmd == (0x20, 0x02):  # select
            if m is FakeReaderMode.NO_CARD:
                return reply_frame(0x81)
            return reply_frame(0x40 if m is FakeReaderMode.WRONG_CARD else 0x90)
        if cmd == (0x30, 0x01):  # read base message
            if m is FakeReaderMode.NO_CARD:
                return reply_frame(0x41)
            if m is FakeReaderMode.READ_FAILS:
                return reply_frame(0x41)
            whole = reply_frame(0x90, base_message(card), bad_checksum=m is FakeReaderMode.BROKEN_FRAME)
            if m is FakeReaderMode.PULLED_MID_READ:
                self._mode = FakeReaderMode.NO_CARD  # the card is gone
                return whole[:len(whole) // 2]
            return whole
        return reply_frame(0x21)  # a command this reader does not know


def with_fields(card: FakeCard, **fields: str) -> FakeCard:
    """``card`` with some fields replaced (a test's bad card)."""
    return replace(card, **fields)
