"""A software ESC/POS printer on a pseudo-terminal, for tests and ``kiosk demo``.

Rule: it behaves like the real thing at the byte level. The driver under test
opens ``fake.port`` (the pty slave) exactly as it would open /dev/ttyUSB0; a
thread on the master side parses the stream with ``escpos.Parser`` (the same
parser the tests trust), answers DLE EOT queries from a settable state, and
records everything. Nothing in the driver knows it is talking to a fake.

POSIX only (``os.openpty``); it lives in the package, not under tests, so the
demo can run a whole hall without hardware.
"""

from __future__ import annotations

import enum
import threading
import time
from dataclasses import dataclass
from typing import Callable

from kiosk.devices import escpos
from kiosk.devices.ptyfake import PtyFake

_BASE = 0x12  # fixed bits of every status byte


class FakePrinterState(enum.Enum):
    OK = "ok"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    CUTTER_ERROR = "cutter_error"
    SILENT = "silent"  # reads everything, never answers


def status_byte(state: FakePrinterState, n: int) -> int:
    """What a printer in ``state`` answers to DLE EOT ``n``."""
    offline = state in (FakePrinterState.PAPER_OUT, FakePrinterState.COVER_OPEN,
                        FakePrinterState.CUTTER_ERROR)
    if n == 1:
        return _BASE | (0x08 if offline else 0)
    if n == 2:
        return (_BASE
                | (0x04 if state is FakePrinterState.COVER_OPEN else 0)
                | (0x20 if state is FakePrinterState.PAPER_OUT else 0)
                | (0x40 if state is FakePrinterState.CUTTER_ERROR else 0))
    if n == 3:
        return _BASE | (0x08 if state is FakePrinterState.CUTTER_ERROR else 0)
    if n == 4:
        if state is FakePrinterState.PAPER_OUT:
            return _BASE | 0x0C | 0x60
        return _BASE | (0x0C if state is FakePrinterState.PAPER_NEAR_END else 0)
    raise ValueError(f"DLE EOT n must be 1..4, got {n}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """A consistent copy of what the fake has received so far."""

    raw: bytes
    commands: tuple[escpos.Command, ...]
    lines: tuple[escpos.PrintedLine, ...]
    qr_payloads: tuple[str, ...]
    cuts: int
    status_queries: tuple[int, ...]

    @property
    def text_lines(self) -> list[str]:
        return [line.text for line in self.lines]


class FakePrinter(PtyFake):
    """Start with ``with FakePrinter() as fake:`` then open ``fake.port``."""

    THREAD_NAME = "fake-printer"

    def __init__(self, state: FakePrinterState = FakePrinterState.OK) -> None:
        super().__init__()
        self._state = state
        self._cond = threading.Condition()
        self._raw = bytearray()
        self._commands: list[escpos.Command] = []
        self._assembler = escpos.LineAssembler()
        self._queries: list[int] = []
        self._parser = escpos.Parser()

    # -- state and records ------------------------------------------------

    @property
    def state(self) -> FakePrinterState:
        with self._cond:
            return self._state

    @state.setter
    def state(self, value: FakePrinterState) -> None:
        with self._cond:
            self._state = value

    def snapshot(self) -> Snapshot:
        with self._cond:
            return self._snapshot_locked()

    def _snapshot_locked(self) -> Snapshot:
        return Snapshot(
            raw=bytes(self._raw),
            commands=tuple(self._commands),
            lines=tuple(self._assembler.lines),
            qr_payloads=tuple(escpos.qr_payloads(self._commands)),
            cuts=sum(isinstance(c, escpos.Cut) for c in self._commands),
            status_queries=tuple(self._queries),
        )

    def clear(self) -> None:
        with self._cond:
            self._raw.clear()
            self._commands.clear()
            self._assembler = escpos.LineAssembler()
            self._queries.clear()

    def wait_for(self, predicate: Callable[[Snapshot], bool], timeout: float = 5.0) -> Snapshot:
        """Block until ``predicate(snapshot)`` holds; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                snap = self._snapshot_locked()
                if predicate(snap):
                    return snap
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"fake printer: condition not met in {timeout}s; "
                                       f"got {len(snap.raw)} bytes, {snap.cuts} cuts")
                self._cond.wait(remaining)

    def wait_for_cuts(self, count: int = 1, timeout: float = 5.0) -> Snapshot:
        return self.wait_for(lambda s: s.cuts >= count, timeout)

    # -- the printer thread -----------------------------------------------

    def _receive(self, chunk: bytes) -> bytes:
        replies = bytearray()
        with self._cond:
            self._raw += chunk
            for cmd in self._parser.feed(chunk):
                self._commands.append(cmd)
                self._assembler.add(cmd)
                if isinstance(cmd, escpos.StatusRequest):
                    self._queries.append(cmd.n)
                    if self._state is not FakePrinterState.SILENT and 1 <= cmd.n <= 4:
                        replies.append(status_byte(self._state, cmd.n))
            self._cond.notify_all()
        return bytes(replies)
