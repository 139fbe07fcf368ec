"""What the terminal's printer worker and its screens say to each other, with no device code: the
printer's state, the worker's answers on the App's inbox, and the documents (the ticket is
:class:`kiosk.devices.ticket.TicketPrint`; the booking slip is here). The worker and its rendering are
:mod:`kiosk.terminal.devices`; the session and the flows need only these."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..devices.ticket import TicketPrint


# ---- printer state -------------------------------------------------------------------------------
class PrinterState(enum.Enum):
    """What ``device/<id>/status`` says under ``printer`` (docs/protocol.md)."""

    NONE = "none"            # no printer configured
    OK = "ok"
    PAPER_LOW = "paper_low"  # still prints: staff should change the roll soon
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"      # not answering, cover open, or in error

    @property
    def ready(self) -> bool:
        return self in (PrinterState.OK, PrinterState.PAPER_LOW)


# ---- what the worker tells the loop --------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class PrinterChecked:
    """The answer to a status check (``tag`` names who asked; ``poll`` for the worker's own)."""

    tag: str
    state: PrinterState


@dataclass(frozen=True, slots=True, kw_only=True)
class PrintFinished:
    """A print job ended: ``ok`` when the bytes went out and the printer still reads ready afterwards."""

    tag: str
    ok: bool
    state: PrinterState
    sent: int = 0
    error: str = ""


# ---- documents -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class BookingSlip:
    """A booking slip, worded by the caller: heading, the code big, lines, the QR code and its caption."""

    centre_name: str
    title: str
    code_label: str
    code: str
    lines: tuple[str, ...]
    qr_payload: str
    qr_caption: str
    footer: str = ""
    large_print: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PrinterTestSlip:
    """The technician's test slip, worded by the caller: big marks that it is no queue ticket, then lines."""

    centre_name: str
    title: str      # 测试票
    subtitle: str   # 非排队凭证
    lines: tuple[str, ...]
    footer: str
    mark: str       # repeated at the bottom: 测试票 / 非排队凭证


Document = TicketPrint | BookingSlip | PrinterTestSlip
