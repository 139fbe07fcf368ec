"""The ticket printer: ESC/POS bytes out, DLE EOT status in.

Rule: every call is bounded in time. A printer that never answers makes
``status()`` report ``answered=False`` after ``status_timeout``; a printer that
never takes bytes makes ``print_ticket()`` raise ``PrinterWriteTimeout``.
pyserial and OS errors never leave this module untranslated: they become
``PrinterError`` subclasses naming the port and what failed.

Two transports: a serial / USB-serial port through pyserial (baud rate
configurable), and a USB printer-class device file such as ``/dev/usb/lp0``
written with plain ``os.write`` (status reads work where the printer is
bidirectional). Both sit behind the same small interface.
"""

from __future__ import annotations

import enum
import errno
import os
import select
import threading
import time
from dataclasses import dataclass
from typing import Mapping, Protocol

from kiosk.devices import escpos
from kiosk.devices.errors import (
    PrinterNotOpenError,
    PrinterOpenError,
    PrinterWriteError,
    PrinterWriteTimeout,
)

# Every DLE EOT answer byte has bit 1 and bit 4 set and bits 0 and 7 clear;
# anything else on the line (echo, noise, auto status) is not an answer.
_STATUS_FIXED_MASK = 0x93
_STATUS_FIXED_BITS = 0x12


class PortKind(enum.Enum):
    AUTO = "auto"
    SERIAL = "serial"
    DEVICE_FILE = "device_file"


@dataclass(frozen=True, slots=True, kw_only=True)
class PrinterConfig:
    port: str                       # /dev/ttyUSB0, /dev/serial/by-id/..., /dev/usb/lp0
    kind: PortKind = PortKind.AUTO  # AUTO: /dev/usb/lp* is a device file, else serial
    baud: int = 9600
    status_timeout: float = 0.5     # seconds to wait for each DLE EOT answer
    write_timeout: float = 10.0     # seconds allowed for one write

    def __post_init__(self) -> None:
        if self.baud <= 0:
            raise ValueError(f"printer baud must be positive, got {self.baud}")
        if self.status_timeout <= 0 or self.write_timeout <= 0:
            raise ValueError("printer timeouts must be positive")

    @property
    def resolved_kind(self) -> PortKind:
        if self.kind is not PortKind.AUTO:
            return self.kind
        if os.path.basename(self.port).startswith("lp") or "/usb/lp" in self.port:
            return PortKind.DEVICE_FILE
        return PortKind.SERIAL


@dataclass(frozen=True, slots=True, kw_only=True)
class PrinterStatus:
    online: bool
    cover_open: bool
    paper_near_end: bool
    paper_out: bool
    error: bool
    answered: bool

    @property
    def ready(self) -> bool:
        """Can a ticket be printed now?"""
        return (self.answered and self.online and not self.cover_open
                and not self.paper_out and not self.error)


NO_ANSWER = PrinterStatus(online=False, cover_open=False, paper_near_end=False,
                          paper_out=False, error=False, answered=False)


def decode_status(answers: Mapping[int, int]) -> PrinterStatus:
    """Decode the answers to DLE EOT 1..4 (n -> status byte)."""
    printer, offline, err, paper = (answers[n] for n in (1, 2, 3, 4))
    return PrinterStatus(
        online=not printer & 0x08,
        cover_open=bool(offline & 0x04),
        paper_near_end=bool(paper & 0x0C),
        paper_out=bool(paper & 0x60) or bool(offline & 0x20),
        # n=2 bit 6: an error occurred; n=3 bits 2,3,5,6: mechanical,
        # auto-cutter, unrecoverable, auto-recoverable.
        error=bool(offline & 0x40) or bool(err & 0x6C),
        answered=True,
    )


def is_status_byte(b: int) -> bool:
    return b & _STATUS_FIXED_MASK == _STATUS_FIXED_BITS


class _Transport(Protocol):
    def write(self, data: bytes, timeout: float) -> None: ...
    def read_byte(self, timeout: float) -> int | None: ...
    def discard_input(self) -> None: ...
    def close(self) -> None: ...


class _SerialTransport:
    def __init__(self, port: str, baud: int) -> None:
        import serial

        self._serial_mod = serial
        self.port = port
        try:
            self._ser = serial.Serial(port=port, baudrate=baud, bytesize=8, parity="N",
                                      stopbits=1, timeout=0, write_timeout=None,
                                      exclusive=True)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise PrinterOpenError(port, f"cannot open serial port at {baud} baud: {exc}") from exc

    def write(self, data: bytes, timeout: float) -> None:
        serial = self._serial_mod
        try:
            self._ser.write_timeout = timeout
            written = self._ser.write(data)
        except serial.SerialTimeoutException as exc:
            raise PrinterWriteTimeout(self.port, f"write of {len(data)} bytes timed out "
                                                 f"after {timeout:.1f}s") from exc
        except (serial.SerialException, OSError) as exc:
            raise PrinterWriteError(self.port, f"write of {len(data)} bytes failed: {exc}") from exc
        if written is not None and written != len(data):
            raise PrinterWriteError(self.port, f"wrote only {written} of {len(data)} bytes")

    def read_byte(self, timeout: float) -> int | None:
        serial = self._serial_mod
        try:
            self._ser.timeout = max(0.0, timeout)
            got = self._ser.read(1)
        except (serial.SerialException, OSError) as exc:
            raise PrinterWriteError(self.port, f"reading status failed: {exc}") from exc
        return got[0] if got else None

    def discard_input(self) -> None:
        try:
            self._ser.reset_input_buffer()
        except (self._serial_mod.SerialException, OSError) as exc:
            raise PrinterWriteError(self.port, f"flushing input failed: {exc}") from exc

    def close(self) -> None:
        try:
            self._ser.close()
        except (self._serial_mod.SerialException, OSError):
            pass  # closing a port that already vanished is not an error


class _DeviceFileTransport:
    """A printer-class device file; opened read-write where the kernel allows."""

    def __init__(self, path: str) -> None:
        self.port = path
        flags = os.O_NOCTTY | os.O_NONBLOCK
        try:
            self._fd = os.open(path, os.O_RDWR | flags)
            self._readable = True
        except PermissionError:
            try:
                self._fd = os.open(path, os.O_WRONLY | flags)
                self._readable = False
            except OSError as exc:
                raise PrinterOpenError(path, f"cannot open device file: {exc.strerror}") from exc
        except OSError as exc:
            raise PrinterOpenError(path, f"cannot open device file: {exc.strerror}") from exc

    def write(self, data: bytes, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PrinterWriteTimeout(
                    self.port, f"write timed out after {timeout:.1f}s with "
                               f"{len(view)} of {len(data)} bytes unsent")
            try:
                _, writable, _ = select.select([], [self._fd], [], remaining)
                if not writable:
                    continue
                n = os.write(self._fd, view)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as exc:
                raise PrinterWriteError(self.port, f"write failed: {exc.strerror}") from exc
            view = view[n:]

    def read_byte(self, timeout: float) -> int | None:
        if not self._readable:
            return None
        try:
            readable, _, _ = select.select([self._fd], [], [], max(0.0, timeout))
            if not readable:
                return None
            got = os.read(self._fd, 1)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as exc:
            if exc.errno == errno.EIO:
                return None
            raise PrinterWriteError(self.port, f"reading status failed: {exc.strerror}") from exc
        return got[0] if got else None

    def discard_input(self) -> None:
        while self.read_byte(0) is not None:
            pass

    def close(self) -> None:
        try:
            os.close(self._fd)
        except OSError:
            pass


class Printer:
    """One ticket printer. Thread-safe: status and printing never interleave."""

    def __init__(self, config: PrinterConfig) -> None:
        self.config = config
        self._transport: _Transport | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> "Printer":
        self.open()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self._transport is not None

    def open(self) -> None:
        with self._lock:
            if self._transport is not None:
                return
            if self.config.resolved_kind is PortKind.DEVICE_FILE:
                self._transport = _DeviceFileTransport(self.config.port)
            else:
                self._transport = _SerialTransport(self.config.port, self.config.baud)

    def close(self) -> None:
        with self._lock:
            if self._transport is not None:
                self._transport.close()
                self._transport = None

    def _require(self) -> _Transport:
        if self._transport is None:
            raise PrinterNotOpenError(self.config.port, "printer is not open")
        return self._transport

    def status(self) -> PrinterStatus:
        """Ask DLE EOT 1..4; ``answered=False`` if the printer stays silent."""
        with self._lock:
            transport = self._require()
            transport.discard_input()
            answers: dict[int, int] = {}
            for n in (1, 2, 3, 4):
                try:
                    transport.write(escpos.status_request(n), self.config.write_timeout)
                except PrinterWriteTimeout:
                    return NO_ANSWER
                answer = self._read_answer(transport)
                if answer is None:
                    # One silent query is enough: don't wait four timeouts.
                    return NO_ANSWER
                answers[n] = answer
            return decode_status(answers)

    def _read_answer(self, transport: _Transport) -> int | None:
        deadline = time.monotonic() + self.config.status_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            b = transport.read_byte(remaining)
            if b is None:
                return None
            if is_status_byte(b):
                return b

    def print_ticket(self, data: bytes) -> int:
        """Send rendered ticket bytes; returns the byte count sent."""
        with self._lock:
            self._require().write(data, self.config.write_timeout)
            return len(data)
