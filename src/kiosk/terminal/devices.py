"""The terminal's hardware: the ticket printer's worker thread, the ID card reader's poller
(:mod:`kiosk.terminal.cards`), the code scanner and an evdev touch panel.

Rule: the render loop never touches a device. One worker thread owns the printer port: screens ask
through the session (``PrinterLink`` ``check`` / ``print``), which puts a job on the worker's
queue, and the worker answers by putting :class:`PrinterChecked` / :class:`PrintFinished` on the App's
inbox. Every job is bounded by the printer's own timeouts (``status_timeout``, ``write_timeout``), so a
silent printer costs seconds, never a frozen screen — and screens keep a deadline of their own
(:attr:`PrinterSettings.check_deadline`, :attr:`PrinterSettings.print_deadline`) in case the worker is
stuck behind another job.

Scanner lines become :class:`ScanResult` on the inbox. Touches of a panel SDL cannot read become pygame
``FINGERDOWN`` / ``FINGERMOTION`` / ``FINGERUP`` events posted from the reader thread
(``pygame.event.post`` is thread-safe), so the toolkit handles them exactly like native touch. Reader
threads only decode and enqueue.

No Chinese text here: tickets and slips arrive fully worded (:class:`TicketPrint`, :class:`BookingSlip`).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pygame

from ..config import SiteConfig
from ..devices import escpos
from ..devices.errors import InputDeviceError, PrinterError
from ..devices.evdev_decode import ScannerDecoder, TouchConfig, TouchDecoder, TouchEvent, TouchKind
from ..devices.input_device import InputSource, OpenedDevice
from ..devices.printer import Printer, PrinterConfig, PrinterStatus
from ..devices.ticket import (PAPER_DOTS, QR_MODULE_DOTS, COLUMN_DOTS, TicketPrint, display_columns,
                              render_raster, render_text, wrap_columns)
from .cards import IdCardSettings, card_poller
from .messages import ScanResult
from .printing import BookingSlip, Document, PrinterChecked, PrinterState, PrinterTestSlip, PrintFinished
from .settings import TerminalSettings

log = logging.getLogger(__name__)

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"  # raster mode: a CJK TrueType font
TOUCH_ID = 7001  # touch_id of the evdev panel's pygame events (SDL's own devices use other ids)
Opener = Callable[[str], OpenedDevice]


def state_of(status: PrinterStatus) -> PrinterState:
    if not status.answered:
        return PrinterState.OFFLINE
    if status.paper_out:
        return PrinterState.PAPER_OUT
    if not status.ready:
        return PrinterState.OFFLINE
    return PrinterState.PAPER_LOW if status.paper_near_end else PrinterState.OK


# ---- config: [printer] ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class PrinterSettings:
    port: str = ""               # "" = no printer: every ticket is shown on screen
    baud: int = 9600
    mode: str = "text"           # "text" (the printer's GB18030 font) or "raster" (our font, slow)
    paper_mm: int = 58
    status_timeout: float = 0.5  # per DLE EOT answer
    write_timeout: float = 10.0
    font: str = DEFAULT_FONT     # raster mode only
    poll_seconds: float = 60.0   # status check while idle, so paper low shows on the status topic

    @property
    def present(self) -> bool:
        return bool(self.port)

    @property
    def check_deadline(self) -> float:
        """How long a screen waits for a status answer before calling the printer offline."""
        return 4 * self.status_timeout + 2.0

    @property
    def print_deadline(self) -> float:
        """How long a screen waits for a print (write, then a status check) before calling it failed."""
        return self.write_timeout + 4 * self.status_timeout + 2.0


def _positive(v: float) -> str | None:
    return None if v > 0 else "must be greater than 0"


def load_printer_settings(cfg: SiteConfig) -> PrinterSettings:
    """The ``[printer]`` section (all keys optional; no ``port`` = no printer)."""
    sec = cfg.role("printer")
    s = PrinterSettings(
        port=sec.get("port", str, ""),
        baud=sec.get("baud", int, 9600, check=lambda v: None if v > 0 else "must be a positive baud rate"),
        mode=sec.get("mode", str, "text", check=lambda v: None if v in ("text", "raster")
                     else "must be text or raster"),
        paper_mm=sec.get("paper_mm", int, 58, check=lambda v: None if v in PAPER_DOTS else "must be 58 or 80"),
        status_timeout=sec.get("status_timeout", float, 0.5, check=_positive),
        write_timeout=sec.get("write_timeout", float, 10.0, check=_positive),
        font=sec.get("font", str, DEFAULT_FONT),
        poll_seconds=sec.get("poll_seconds", float, 60.0, check=_positive),
    )
    sec.done()
    return s


def render_slip_text(slip: BookingSlip, paper_mm: int = 58) -> bytes:
    """ESC/POS bytes for a booking slip in the printer's Chinese font."""
    columns = PAPER_DOTS[paper_mm] // COLUMN_DOTS
    big = 2 if slip.large_print else 1
    out = [escpos.init(), escpos.chinese_on(), escpos.align(escpos.Align.CENTER)]

    def text(s: str, width: int, height: int, *, bold: bool = False) -> None:
        width = max(1, min(width, columns // max(1, display_columns(s))))
        out.extend((escpos.bold(bold), escpos.size(width, height)))
        out.extend(escpos.line(part) for part in wrap_columns(s, columns // width))
        out.extend((escpos.size(1, 1), escpos.bold(False)))

    text(slip.centre_name, 1, big, bold=True)
    text(slip.title, big, 2, bold=True)
    text(slip.code_label, big, big)
    text(slip.code, 3 + big, 3 + big, bold=True)
    out.append(escpos.line("-" * columns))
    out.append(escpos.align(escpos.Align.LEFT))
    for s in slip.lines:
        text(s, big, big)
    out.append(escpos.align(escpos.Align.CENTER))
    out.append(escpos.qr(slip.qr_payload, module_dots=QR_MODULE_DOTS[paper_mm, slip.large_print]))
    out.append(escpos.LF)
    text(slip.qr_caption, 1, big)
    if slip.footer:
        text(slip.footer, 1, 1)
    out += [escpos.feed(3), escpos.chinese_off(), escpos.cut(partial=True)]
    return b"".join(out)


def _test_slip_rows(slip: PrinterTestSlip) -> list[tuple[str, int, bool, bool]]:
    """(text, size 1–3, bold, centred) top to bottom: the one layout of the test slip for both renderers."""
    return [(slip.centre_name, 1, True, True), (slip.title, 3, True, True), (slip.subtitle, 2, True, True),
            ("", 0, False, False), *((s, 1, False, False) for s in slip.lines), ("", 0, False, False),
            (slip.footer, 1, False, True), (slip.mark, 1, True, True)]


def render_test_slip_text(slip: PrinterTestSlip, paper_mm: int = 58) -> bytes:
    """ESC/POS bytes for the technician's test slip in the printer's Chinese font."""
    columns = PAPER_DOTS[paper_mm] // COLUMN_DOTS
    out = [escpos.init(), escpos.chinese_on()]
    for text, size, bold, centred in _test_slip_rows(slip):
        out.append(escpos.align(escpos.Align.CENTER if centred else escpos.Align.LEFT))
        if not size:
            out.append(escpos.line("-" * columns))
            continue
        width = max(1, min(size, columns // max(1, display_columns(text))))
        out.extend((escpos.bold(bold), escpos.size(width, size)))
        out.extend(escpos.line(part) for part in wrap_columns(text, columns // width))
        out.extend((escpos.size(1, 1), escpos.bold(False)))
    out += [escpos.feed(3), escpos.chinese_off(), escpos.cut(partial=True)]
    return b"".join(out)


def render_test_slip_raster(slip: PrinterTestSlip, font_path: str, paper_mm: int = 58) -> bytes:
    """The test slip drawn with our font (printers without a Chinese font), as a GS v 0 raster."""
    from PIL import Image, ImageDraw, ImageFont
    width, margin = PAPER_DOTS[paper_mm], 8
    rows: list[tuple[str, ImageFont.FreeTypeFont | None, bool]] = []
    for text, size, _bold, centred in _test_slip_rows(slip):
        if not size:
            rows.append(("", None, False))
            continue
        font = ImageFont.truetype(font_path, 24 * size)
        while font.size > 12 and font.getlength(text) > width - 2 * margin and size > 1:
            font = ImageFont.truetype(font_path, font.size - 4)
        line = ""
        for ch in text:  # wrap by width
            if line and font.getlength(line + ch) > width - 2 * margin:
                rows.append((line, font, centred))
                line = ""
            line += ch
        rows.append((line, font, centred))
    heights = [(sum(f.getmetrics()) + 6) if f else 14 for _, f, _ in rows]
    img = Image.new("L", (width, sum(heights) + 2 * margin), 255)
    draw, y = ImageDraw.Draw(img), margin
    for (text, font, centred), h in zip(rows, heights):
        if font is None:
            draw.rectangle((margin, y + 6, width - margin, y + 7), fill=0)
        else:
            x = (width - font.getlength(text)) / 2 if centred else margin
            draw.text((x, y), text, font=font, fill=0)
        y += h
    image = img.point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)
    return b"".join((escpos.init(), escpos.raster(image), escpos.feed(3), escpos.cut(partial=True)))


# ---- the printer worker ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class _Check:
    tag: str


@dataclass(frozen=True, slots=True, kw_only=True)
class _Print:
    tag: str
    document: Document


class PrinterWorker:
    """The one owner of the printer port. ``check``/``print`` enqueue; answers go to ``post``."""

    def __init__(self, settings: PrinterSettings, post: Callable[[Any], None], *,
                 printer_factory: Callable[[PrinterConfig], Printer] = Printer) -> None:
        self.settings = settings
        self._post = post
        self._printer = printer_factory(PrinterConfig(port=settings.port, baud=settings.baud,
                                                      status_timeout=settings.status_timeout,
                                                      write_timeout=settings.write_timeout))
        self._jobs: queue.Queue[_Check | _Print | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._last: PrinterState | None = None

    # ---- the loop's side ----------------------------------------------------------------------
    @property
    def present(self) -> bool:
        return True

    @property
    def check_deadline(self) -> float:
        return self.settings.check_deadline

    @property
    def print_deadline(self) -> float:
        return self.settings.print_deadline

    def check(self, tag: str) -> None:
        self._jobs.put(_Check(tag=tag))

    def print(self, tag: str, document: Document) -> None:
        self._jobs.put(_Print(tag=tag, document=document))

    def can_print(self, document: Document) -> bool:
        """Booking slips need the printer's own Chinese font (text mode)."""
        return isinstance(document, (TicketPrint, PrinterTestSlip)) or self.settings.mode == "text"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="printer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._jobs.put(None)
        busy = False
        if self._thread is not None:
            self._thread.join(timeout)
            busy, self._thread = self._thread.is_alive(), None
        if not busy:  # a job still writing holds the port until its own write_timeout; the thread is a daemon
            self._printer.close()

    # ---- the worker thread --------------------------------------------------------------------
    def _run(self) -> None:
        self._report("poll", self._status())
        while True:
            try:
                job = self._jobs.get(timeout=self.settings.poll_seconds)
            except queue.Empty:
                self._report("poll", self._status())
                continue
            if job is None:
                return
            try:
                if isinstance(job, _Check):
                    self._report(job.tag, self._status())
                else:
                    self._print(job)
            except Exception:  # the worker must outlive any one job
                log.exception("printer job %s failed", job.tag)
                self._post(PrintFinished(tag=job.tag, ok=False, state=PrinterState.OFFLINE, error="internal")
                           if isinstance(job, _Print) else PrinterChecked(tag=job.tag, state=PrinterState.OFFLINE))

    def _report(self, tag: str, state: PrinterState) -> None:
        changed, self._last = state is not self._last, state
        if tag != "poll" or changed:  # the worker's own polls are news only when something changed
            self._post(PrinterChecked(tag=tag, state=state))

    def _status(self) -> PrinterState:
        try:
            self._printer.open()
            return state_of(self._printer.status())
        except PrinterError as exc:
            log.warning("%s", exc)
            self._printer.close()  # reopened on the next job (a USB printer may come back)
            return PrinterState.OFFLINE

    def _render(self, document: Document) -> bytes:
        s = self.settings
        if isinstance(document, BookingSlip):
            return render_slip_text(document, s.paper_mm)
        if isinstance(document, PrinterTestSlip):
            if s.mode == "raster":
                return render_test_slip_raster(document, s.font, s.paper_mm)
            return render_test_slip_text(document, s.paper_mm)
        if s.mode == "raster":
            return render_raster(document, s.font, PAPER_DOTS[s.paper_mm])
        return render_text(document, s.paper_mm)

    def _print(self, job: _Print) -> None:
        if isinstance(job.document, PrinterTestSlip):  # asked from afar: nobody stands at the printer
            before = self._status()  # a slip sent into a printer without paper would come out much later
            if not before.ready:
                self._last = before
                self._post(PrintFinished(tag=job.tag, ok=False, state=before, error="not ready"))
                return
        data = self._render(job.document)
        try:
            self._printer.open()
            sent = self._printer.print_ticket(data)
        except PrinterError as exc:
            log.warning("%s", exc)
            self._printer.close()
            self._last = PrinterState.OFFLINE
            self._post(PrintFinished(tag=job.tag, ok=False, state=PrinterState.OFFLINE, error=str(exc)))
            return
        state = self._status()  # paper that ran out mid-ticket shows here
        self._last = state
        self._post(PrintFinished(tag=job.tag, ok=state.ready, state=state, sent=sent))


# ---- input devices -------------------------------------------------------------------------------
class TouchPoster:
    """Decoded touches → pygame finger events on the event queue (called on the reader thread)."""

    KINDS = {TouchKind.DOWN: pygame.FINGERDOWN, TouchKind.MOVE: pygame.FINGERMOTION, TouchKind.UP: pygame.FINGERUP}

    def __init__(self, post: Callable[[pygame.event.Event], Any] | None = None, touch_id: int = TOUCH_ID) -> None:
        self._post = post or pygame.event.post
        self.touch_id = touch_id
        self._last: dict[int, tuple[float, float]] = {}

    def __call__(self, ev: TouchEvent) -> None:
        px, py = self._last.get(ev.finger, (ev.x, ev.y))
        if ev.kind is TouchKind.UP:
            self._last.pop(ev.finger, None)
        else:
            self._last[ev.finger] = (ev.x, ev.y)
        event = pygame.event.Event(self.KINDS[ev.kind], x=ev.x, y=ev.y, dx=ev.x - px, dy=ev.y - py,
                                   touch_id=self.touch_id, finger_id=ev.finger, pressure=1.0)
        try:
            self._post(event)
        except pygame.error as exc:  # the window is gone (shutting down)
            log.debug("touch event dropped: %s", exc)


def scanner_source(name: str, inbox: queue.Queue, *, opener: Opener | None = None) -> InputSource[str]:
    """The code scanner, grabbed so its keystrokes reach only us; each line → ``ScanResult``."""
    return InputSource(name, ScannerDecoder(), lambda text: inbox.put(ScanResult(text=text)), grab=True,
                       opener=opener, on_error=_log_input_error)


def touch_source(name: str, config: TouchConfig, *, opener: Opener | None = None,
                 post: Callable[[pygame.event.Event], Any] | None = None) -> InputSource[TouchEvent]:
    return InputSource(name, TouchDecoder(config), TouchPoster(post), grab=True, opener=opener,
                       on_error=_log_input_error)


def _log_input_error(exc: InputDeviceError) -> None:
    log.warning("%s", exc)


class TerminalDevices:
    """Everything attached to one terminal; :meth:`start` after the window exists, :meth:`stop` at close."""

    def __init__(self, printer: PrinterSettings, settings: TerminalSettings, inbox: queue.Queue, *,
                 opener: Opener | None = None, idcard: IdCardSettings = IdCardSettings()) -> None:
        self.printer = PrinterWorker(printer, inbox.put) if printer.present else None
        self.idcard = card_poller(idcard, inbox.put) if idcard.present else None
        self.sources: list[InputSource[Any]] = []
        if settings.scanner:
            self.sources.append(scanner_source(settings.scanner, inbox, opener=opener))
        if settings.touch_device:
            self.sources.append(touch_source(settings.touch_device, settings.touch, opener=opener))
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if self.printer is not None:
            self.printer.start()
        if self.idcard is not None:
            self.idcard.start()
        self._threads = [s.start(self._stop) for s in self.sources]

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(2.0)
        self._threads = []
        if self.idcard is not None:
            self.idcard.stop()
        if self.printer is not None:
            self.printer.stop()
