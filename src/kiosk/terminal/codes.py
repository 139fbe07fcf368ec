"""What residents type or scan on the terminal: phone numbers, booking codes, and the text of the QR codes
the terminal shows and prints (a ticket's: its phone link ``<base>/t/<token>``, else ``HT1|…``).

Rule: pure functions, no state and no Chinese text. A phone number is shown only masked once it has
been entered (138****5678). A booking code uses the hub's alphabet (no 0/O, 1/I/L); its QR payload is
the booking's phone link ``<base>/b/<code>`` (``HTYY|<site>|<code>`` while no base address is configured,
see :mod:`kiosk.protocol.links`) — the forms a scanner at the terminal reads back in a :class:`ScanResult`.
"""

from __future__ import annotations

from ..core.appointments import CODE_ALPHABET, CODE_LENGTH, normalise_code
from ..protocol import links

# The on-screen keyboard for booking codes: the code alphabet only, digits first.
CODE_ROWS = ("23456789", "QWERTYUP", "ASDFGHJK", "ZXCVBNM")
assert set("".join(CODE_ROWS)) == set(CODE_ALPHABET), "the code keyboard must offer exactly the code alphabet"


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits stay readable."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def valid_phone(phone: str) -> bool:
    """An 11-digit mobile number, or a landline with its area code (0728…)."""
    if not phone.isdigit():
        return False
    return (len(phone) == 11 and phone.startswith("1")) or (phone.startswith("0") and 10 <= len(phone) <= 12)


def booking_qr(site: str, code: str, base: str = "") -> str:
    """A booking's QR payload: its phone link with a base address, else ``HTYY|<site>|<code>``."""
    return links.booking_qr(site, code, base)


def ticket_qr(site: str, ticket: str, token: str | None = None, base: str = "") -> str:
    """A ticket's QR payload: its phone link ``<base>/t/<token>`` with a base address and the hub's token,
    else ``HT1|<site>|<ticket id>[|<token>]`` (docs/protocol.md)."""
    return links.ticket_qr(site, ticket, token, base)


def plausible_code(text: str) -> bool:
    code = normalise_code(text)
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def code_from_scan(text: str, site: str, base: str = "") -> str | None:
    """The booking code in a scanned ``<base>/b/<code>`` or ``HTYY|<site>|<code>``; a bare code is accepted
    too. None for anything else (a ticket QR, another centre's booking, noise)."""
    code = links.scanned_booking(text, site=site, base=base)
    return normalise_code(code) if code is not None and plausible_code(code) else None
