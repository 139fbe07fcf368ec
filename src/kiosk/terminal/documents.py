"""The words of what the terminal prints: each document is made from the hub's result (a flow's
:class:`~kiosk.terminal.flows.base.Print` facts) and the hall's own words, and shows nothing personal.

Rule: pure functions of their arguments (no session, no printer, no clock: the time printed is passed in).
The screens say which document a ``Print`` effect names; the printer worker only renders what it gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .printing import BookingSlip
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

