"""What residents type or scan on the terminal: phone numbers, booking codes, and the text of the QR codes
the terminal shows and prints.

Rule: pure functions, no state and no Chinese text. A phone number is shown only masked once it has
been entered (138****5678). A booking code uses the hub's alphabet (no 0/O, 1/I/L); its QR payload is
``HTYY|<site>|<code>`` — the form a scanner at the terminal reads back in a :class:`ScanResult`. A ticket's
QR payload is ``HT1|<site>|<ticket id>[|<token>]`` (docs/protocol.md).
"""

from __future__ import annotations

from ..core.appointments import CODE_ALPHABET, CODE_LENGTH, normalise_code

BOOKING_QR_PREFIX = "HTYY"  # booking QR payload: HTYY|<site>|<code>, e.g. HTYY|huangtan|K7M3QX
TICKET_QR_PREFIX = "HT1"  # ticket QR payload: HT1|<site>|<ticket id>, e.g. HT1|huangtan|20261129-A001
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


def booking_qr(site: str, code: str) -> str:
    return f"{BOOKING_QR_PREFIX}|{site}|{code}"


def ticket_qr(site: str, ticket: str, token: str | None = None) -> str:
    """The ticket's QR payload; with the hub's secret token when the reply carried one (docs/protocol.md)."""
    return f"{TICKET_QR_PREFIX}|{site}|{ticket}" + (f"|{token}" if token else "")


def plausible_code(text: str) -> bool:
    code = normalise_code(text)
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def code_from_scan(text: str, site: str) -> str | None:
    """The booking code in a scanned ``HTYY|<site>|<code>``; a bare code is accepted too.
    None for anything else (a ticket QR, another centre's booking, noise)."""
    text = text.strip()
    parts = text.split("|")
    if len(parts) == 3:
        prefix, where, code = parts
        if prefix.strip().upper() != BOOKING_QR_PREFIX or where.strip() != site:
            return None
        text = code
    elif len(parts) != 1:
        return None
    return normalise_code(text) if plausible_code(text) else None
