"""The words of what the terminal prints: each document is made from the hub's result (a flow's
:class:`~kiosk.terminal.flows.base.Print` facts) and the hall's own words, and shows nothing personal.

Rule: pure functions of their arguments (no session, no printer, no clock: the time printed is passed in).
The screens say which document a ``Print`` effect names; the printer worker only renders what it gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from ..config import SiteConfig
from ..devices.ticket import TicketPrint
from .codes import booking_qr, ticket_qr
from .printing import BookingSlip, PrinterTestSlip
from .strings import TerminalStrings
from .strings_voice import VoiceStrings

DISCLOSURE_QR_PREFIX = "HTGK"  # a disclosure receipt's QR: HTGK|<site>|<application number>


def disclosure_receipt(r: Mapping[str, Any], *, centre: str, site: str, v: VoiceStrings, large: bool) -> BookingSlip:
    """The 政府信息公开申请回执 for a ``disclosure.apply`` result: the number, the dates and the statute."""
    number = str(r.get("application", ""))
    return BookingSlip(
        centre_name=centre, title=v.gk_slip_title, code_label=v.gk_number_label, code=number,
        lines=(v.gk_received.format(received=r.get("received", "")),
               v.gk_reply_due.format(reply_due=r.get("reply_due", "")),
               v.gk_extended.format(extended_due=r.get("extended_due", "")), v.gk_statute),
        qr_payload=f"{DISCLOSURE_QR_PREFIX}|{site}|{number}", qr_caption=v.gk_slip_qr, large_print=large)


class Hall(Protocol):
    """The hall's words a document needs (the terminal's :class:`~kiosk.terminal.session.Session`)."""

    cfg: SiteConfig
    strings: TerminalStrings

    def category_name(self, category: str) -> str: ...

    def windows_for(self, category: str) -> str: ...

    def day_text(self, iso: str) -> str: ...

    def phone_for_help(self) -> str: ...


def ticket_document(r: Mapping[str, Any], hall: Hall, *, now: datetime, large: bool) -> TicketPrint:
    """The printed ticket for a ``ticket.issue`` result (the same facts as the ticket screen); its time is
    the hub's ``issued_at`` in the hall's zone (``now``'s), else ``now``."""
    s, policy = hall.strings, hall.cfg.hall.policy
    name = str(r.get("category_name") or hall.category_name(str(r.get("category", ""))))
    if r.get("priority"):
        name += s.ticket_priority
    eta = r.get("eta_s")
    issued = r.get("issued_at")
    when = datetime.fromtimestamp(issued, now.tzinfo) if isinstance(issued, (int, float)) else now
    return TicketPrint(
        centre_name=hall.cfg.name, category_name=name, ticket_number=str(r.get("number", "")),
        people_ahead=max(0, int(r.get("people_ahead") or 0)),
        eta_minutes=None if not isinstance(eta, (int, float)) else max(0, round(eta / 60)),
        issued_at=when.replace(tzinfo=None),
        wait_at=s.wait_at.format(windows=hall.windows_for(str(r.get("category", "")))),
        missed_rule=s.missed_rule.format(calls=policy.recall_limit + 1, minutes=round(policy.noshow_grace_s / 60)),
        qr_payload=ticket_qr(hall.cfg.site_id, str(r.get("ticket", "")), r.get("token"), hall.cfg.phone_base), large_print=large)


def booking_materials(r: Mapping[str, Any], hall: Hall) -> list[str]:
    """A booking's check-in note and what to bring (or whom to ask when the catalogue names nothing)."""
    t = hall.strings
    materials = [str(m) for m in r.get("materials") or []]
    lines = [str(r["checkin"])] if r.get("checkin") else []
    if materials:
        lines += [t.materials_head, *(t.material_item.format(index=i, text=m) for i, m in enumerate(materials, 1))]
    else:
        lines.append(t.materials_general.format(phone=hall.phone_for_help()))
    return lines


def booking_slip(r: Mapping[str, Any], hall: Hall, *, printed_at: datetime, large: bool) -> BookingSlip:
    """The 预约凭条 for an ``appointment.book`` result: the code, the time, the category, what to bring and
    the booking QR (never the phone number; an attached ID card only masked, as the flow passes it)."""
    s = hall.strings
    code = str(r.get("code", ""))
    name = str(r.get("category_name") or hall.category_name(str(r.get("category", ""))))
    lines = (s.slip_day.format(day=hall.day_text(str(r.get("date", "")))),
             s.slip_time.format(start=r.get("start", ""), end=r.get("end", "")),
             s.line_category.format(name=name),
             *([s.line_card.format(id=str(r["card"]))] if r.get("card") else []), *booking_materials(r, hall))
    return BookingSlip(centre_name=hall.cfg.name, title=s.slip_title, code_label=s.code_label, code=code,
                       lines=tuple(lines), qr_payload=booking_qr(hall.cfg.site_id, code, hall.cfg.phone_base), qr_caption=s.book_qr_caption,
                       footer=s.slip_printed_at.format(time=f"{printed_at:%Y-%m-%d %H:%M}"), large_print=large)


def printer_test_slip(*, centre: str, device: str, place: str, by: str, cid: str, now: datetime,
                      s: TerminalStrings) -> PrinterTestSlip:
    """The technician's test slip: hall, device, hall time, who asked — marked top and bottom as no queue
    ticket (it takes no number and the hub never hears of it)."""
    lines = [s.test_device.format(device=device)]
    if place and place != device:
        lines.append(s.test_place.format(place=place))
    lines += [s.test_time.format(time=f"{now:%Y-%m-%d %H:%M:%S}"), s.test_by.format(by=by),
              s.test_id.format(id=cid[:16])]
    return PrinterTestSlip(centre_name=centre, title=s.test_title, subtitle=s.test_subtitle,
                           lines=tuple(lines), footer=s.test_footer, mark=s.test_mark)
