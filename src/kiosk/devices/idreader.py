"""The resident ID card reader (GA 467 framing over a serial or USB-serial line) and its polling worker.

Rule: every call is bounded in time and every failure is a named state, never a crash. The framing is
``ga467`` (pure); this module owns the port. :class:`IdReader` sends one command and waits for one whole
answer (``timeout``; ``read_timeout`` for the base message, 1,295 bytes that take 1.4 s at 9600 baud);
pyserial and OS errors become ``IdReaderError`` subclasses naming the port.

:class:`CardPoller` is the one owner of the port in a terminal: a thread that asks "is there a card?" a
few times a second and posts what happens — :class:`ReaderStatus` when the reader's state changes,
:class:`CardRead` with a whole, checked card, :class:`CardFailed` when a card was placed but could not be
read (pulled out mid-read, a broken frame, a timeout, a card that is not a resident ID). A card is read
once per placement: it must leave the reader (a failed find) before it is read again. Nothing it posts is
ever half a card, and nothing it logs carries the card's text.
"""

from __future__ import annotations

import enum
import logging
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import ga467
from .errors import (IdReaderBrokenFrame, IdReaderError, IdReaderGone, IdReaderOpenError, IdReaderRefused,
                     IdReaderTimeout)
from .ga467 import BadMessage, BaseMessage, BrokenFrame, Command, Deframer, Reply

log = logging.getLogger(__name__)

BAUDS = (9600, 19200, 38400, 57600, 115200)
SILENT_AFTER = 3  # polls in a row without a whole answer before the reader is called silent
NO_CARD = 0x80  # find: no card on the reader (not a failure)


@dataclass(frozen=True, slots=True, kw_only=True)
class IdReaderConfig:
    port: str                   # /dev/serial/by-id/..., /dev/ttyUSB0
    baud: int = 115200
    timeout: float = 0.5        # seconds for a short answer (status, find, select)
    read_timeout: float = 3.0   # seconds for the base message

    def __post_init__(self) -> None:
        if self.baud not in BAUDS:
            raise ValueError(f"ID card reader baud must be one of {', '.join(map(str, BAUDS))}, got {self.baud}")
        if self.timeout <= 0 or self.read_timeout <= 0:
            raise ValueError("ID card reader timeouts must be positive")


class IdReader:
    """One reader on one port. Not thread-safe: one thread (the poller, or the CLI) owns it."""

    def __init__(self, config: IdReaderConfig) -> None:
        self.config = config
        self._ser: Any = None
        self._deframer = Deframer()

    def __enter__(self) -> "IdReader":
        self.open()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self._ser is not None

    def open(self) -> None:
        if self._ser is not None:
            return
        import serial

        try:
            self._ser = serial.Serial(port=self.config.port, baudrate=self.config.baud, bytesize=8, parity="N",
                                      stopbits=1, timeout=0, write_timeout=self.config.timeout, exclusive=True)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise IdReaderOpenError(self.config.port, f"cannot open serial port at {self.config.baud} baud: "
                                                      f"{exc}") from exc
        self._deframer.reset()

    def close(self) -> None:
        ser, self._ser = self._ser, None
        if ser is not None:
            try:
                ser.close()
            except Exception:  # closing a port that already vanished is not an error
                pass

    # ---- one exchange ------------------------------------------------------------------------------
    def transact(self, command: Command, timeout: float | None = None) -> Reply:
        """Send ``command``; the reader's answer, whatever its code. Raises on no answer or a broken one."""
        import serial

        if self._ser is None:
            raise IdReaderGone(self.config.port, "reader is not open")
        port = self.config.port
        limit = self.config.timeout if timeout is None else timeout
        self._deframer.reset()
        try:
            self._ser.reset_input_buffer()
            self._ser.write(ga467.encode_command(command))
        except serial.SerialTimeoutException as exc:
            raise IdReaderTimeout(port, f"{command.name}: the line did not take the command") from exc
        except (serial.SerialException, OSError, termios.error) as exc:
            raise IdReaderGone(port, f"{command.name}: write failed: {exc}") from exc
        deadline = time.monotonic() + limit
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if self._deframer.pending:
                    raise IdReaderBrokenFrame(port, f"{command.name}: the answer stopped half way")
                raise IdReaderTimeout(port, f"{command.name}: no answer in {limit:.1f} s")
            try:
                self._ser.timeout = remaining
                chunk = self._ser.read(max(1, self._ser.in_waiting))
            except (serial.SerialException, OSError, termios.error) as exc:
                raise IdReaderGone(port, f"{command.name}: read failed: {exc}") from exc
            for frame in self._deframer.feed(chunk):
                if isinstance(frame, BrokenFrame):
                    raise IdReaderBrokenFrame(port, f"{command.name}: answer with a bad {frame.why}")
                return frame

    def _expect(self, command: Command, *ok: int, timeout: float | None = None) -> Reply:
        reply = self.transact(command, timeout)
        if reply.sw3 not in ok:
            raise IdReaderRefused(self.config.port, reply.sw3, reply.name)
        return reply

    # ---- the commands -------------------------------------------------------------------------------
    def status(self) -> None:
        """The security module's self-check; raises :class:`IdReaderRefused` (60, 66, …) when it fails."""
        self._expect(Command.STATUS, ga467.OK)

    def reset(self) -> None:
        self._expect(Command.RESET, ga467.OK)

    def find(self) -> bool:
        """Is there a card on the reader? (``9F`` yes, ``80`` no; any other code raises)."""
        reply = self.transact(Command.FIND)
        if reply.sw3 == NO_CARD:
            return False
        if reply.sw3 != ga467.FOUND:
            raise IdReaderRefused(self.config.port, reply.sw3, reply.name)
        return True

    def select(self) -> None:
        self._expect(Command.SELECT, ga467.OK)

    def read_base(self) -> BaseMessage:
        """The card's base message (text decoded, photo dropped). Raises ``BadMessage`` for nonsense text."""
        reply = self._expect(Command.READ_BASE, ga467.OK, timeout=self.config.read_timeout)
        return ga467.decode_base(reply.data)

    def read_card(self) -> BaseMessage | None:
        """find → select → read; None when no card is on the reader."""
        if not self.find():
            return None
        self.select()
        return self.read_base()


# ---- the poller ----------------------------------------------------------------------------------------
class ReaderState(enum.Enum):
    READY = "ready"        # answers and its security module passed its self-check
    ABSENT = "absent"      # the port cannot be opened or failed (unplugged, no permission)
    SILENT = "silent"      # the port opens but nothing answers (wrong baud, not a reader, powered off)
    FAULT = "fault"        # answers with a failure (self-test failed, not authorised, …)


class CardProblem(enum.Enum):
    PULLED = "pulled"          # taken away mid-read, or the read was cut short (timeout, broken frame)
    UNREADABLE = "unreadable"  # not a resident ID card, or its authentication failed
    INVALID = "invalid"        # read whole, but its text is not a valid card (bad ID number, bad fields)


@dataclass(frozen=True, slots=True)
class ReaderStatus:
    state: ReaderState
    detail: str = ""  # the reader's own failure name, for the log and the status topic


@dataclass(frozen=True, slots=True)
class CardRead:
    card: BaseMessage  # whole and checked; its repr leaves the ID number out


@dataclass(frozen=True, slots=True)
class CardFailed:
    problem: CardProblem
    detail: str = ""


PollerMessage = ReaderStatus | CardRead | CardFailed
# card codes that mean "this card cannot be read here", not "the read was interrupted"
_UNREADABLE = frozenset({0x40, 0x31, 0x32, 0x33, 0x91})


class CardPoller:
    """The thread that owns the reader: ``start`` / ``stop``; everything it learns goes to ``post``.

    ``check`` is applied to a read card before it is posted (the terminal passes the resident-ID check);
    it returns a reason to refuse the card, or None."""

    def __init__(self, config: IdReaderConfig, post: Callable[[PollerMessage], Any], *, poll_hz: float = 4.0,
                 retry_seconds: float = 2.0, check: Callable[[BaseMessage], str | None] = lambda card: None,
                 reader_factory: Callable[[IdReaderConfig], IdReader] = IdReader) -> None:
        self.config = config
        self._post = post
        self.period = 1.0 / poll_hz
        self.retry_seconds = retry_seconds
        self._check = check
        self._reader = reader_factory(config)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state: ReaderState | None = None
        self._misses = 0  # unanswered polls in a row: one late answer must not make the card choice flicker
        self._present = False  # the card on the reader was already read (or failed): wait for it to leave

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="idcard", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._reader.close()

    # ---- the thread ---------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self._once()
            except Exception:  # the poller must outlive anything: log it, start the port afresh
                log.exception("ID card reader poll failed")
                self._reader.close()
                self._set(ReaderState.FAULT, "internal")
                wait = self.retry_seconds
            self._stop.wait(wait)

    def _set(self, state: ReaderState, detail: str = "") -> None:
        if state is not self.state:
            self.state = state
            if state is ReaderState.READY:
                log.info("ID card reader %s ready", self.config.port)
            else:
                log.warning("ID card reader %s %s: %s", self.config.port, state.value, detail)
            self._post(ReaderStatus(state, detail))

    def _fail(self, problem: CardProblem, detail: str) -> None:
        log.warning("ID card not read (%s): %s", problem.value, detail)
        self._post(CardFailed(problem, detail))

    def _once(self) -> float:
        """One poll; returns how long to wait before the next."""
        r = self._reader
        if not r.is_open:
            try:
                r.open()
                r.status()
            except IdReaderOpenError as exc:
                self._set(ReaderState.ABSENT, str(exc))
                return self.retry_seconds
            except IdReaderRefused as exc:
                r.close()
                self._set(ReaderState.FAULT, exc.name)
                return self.retry_seconds
            except (IdReaderTimeout, IdReaderBrokenFrame) as exc:
                return self._missed(exc)
            except IdReaderError as exc:
                r.close()
                self._set(ReaderState.ABSENT, str(exc))
                return self.retry_seconds
        try:
            found = r.find()
        except IdReaderRefused as exc:
            self._set(ReaderState.FAULT, exc.name)
            r.close()
            return self.retry_seconds
        except (IdReaderTimeout, IdReaderBrokenFrame) as exc:
            return self._missed(exc)
        except IdReaderError as exc:
            r.close()
            self._set(ReaderState.ABSENT, str(exc))
            return self.retry_seconds
        self._misses = 0
        self._set(ReaderState.READY)
        if not found:
            self._present = False
            return self.period
        if self._present:
            return self.period
        self._present = True  # read once per placement, whatever happens next
        self._read(r)
        return self.period

    def _missed(self, exc: IdReaderError) -> float:
        """No whole answer: start the line afresh; silent only after ``SILENT_AFTER`` polls in a row."""
        self._reader.close()
        self._misses += 1
        if self._misses < SILENT_AFTER:
            return self.period
        self._set(ReaderState.SILENT, str(exc))
        return self.retry_seconds

    def _read(self, r: IdReader) -> None:
        try:
            r.select()
            card = r.read_base()
        except IdReaderRefused as exc:
            self._fail(CardProblem.UNREADABLE if exc.code in _UNREADABLE else CardProblem.PULLED, exc.name)
            return
        except (IdReaderTimeout, IdReaderBrokenFrame) as exc:
            r.close()  # the line may hold the rest of a frame: start afresh
            self._fail(CardProblem.PULLED, str(exc))
            return
        except IdReaderGone as exc:
            r.close()
            self._set(ReaderState.ABSENT, str(exc))
            self._fail(CardProblem.PULLED, str(exc))
            return
        except BadMessage as exc:
            self._fail(CardProblem.INVALID, str(exc))
            return
        why = self._check(card)
        if why is not None:
            self._fail(CardProblem.INVALID, why)
            return
        self._post(CardRead(card))
