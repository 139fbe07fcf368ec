"""What a ticket's or a booking's QR code holds, and what the kiosk's scanner reads back from one.

Forms (docs/protocol.md, "QR codes")::

    <base>/t/<token>                  a ticket: its page on the visitor's phone (``kiosk web``)
    <base>/b/<code>                   a booking: its page (the slot, where to go, how to check in)
    HT1|<site>|<ticket id>[|<token>]  a ticket printed while no base address was configured
    HTYY|<site>|<code>                a booking slip printed while no base address was configured

``<base>`` is ``[phone] base_url`` of the site config, e.g. ``http://192.168.10.2:8080``: the address of
``kiosk web`` on the hall's Wi-Fi. ``<token>`` is the ticket's secret (96 bits, URL-safe base64): the link
names no ticket number, so a number alone, or a guessed link, shows nothing.

Rule: pure functions, no I/O, no Chinese. A scan is read leniently (spaces, case of the scheme and host)
but only a code of this hall is accepted: another base address or another site gives None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

TICKET_PREFIX = "HT1"
BOOKING_PREFIX = "HTYY"
TICKET_PATH = "/t/"
BOOKING_PATH = "/b/"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # the hub's token_urlsafe(12) is 16 characters
BASE_MAX = 64  # a longer address makes the ticket's QR code denser than a cheap phone camera likes
_HOST = re.compile(r"^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$")


def base_problem(base: str) -> str | None:
    """Why ``base`` cannot be the phone pages' address (for the config check), or None."""
    if not base:
        return "must not be empty (leave the key out to print kiosk-only codes)"
    if len(base) > BASE_MAX:
        return f"must be at most {BASE_MAX} characters, so the ticket's QR code stays easy to scan"
    try:
        parts = urlsplit(base)
        port = parts.port
    except ValueError as exc:
        return f"is not an address: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"must start with http:// or https://, got {base!r}"
    host = parts.netloc.rsplit("@", 1)[-1].rsplit(":", 1)[0] if port else parts.netloc
    if not parts.hostname or "@" in parts.netloc or not _HOST.match(host):
        return f"must name a host (an address on the hall's Wi-Fi such as 192.168.10.2), got {base!r}"
    if parts.query or parts.fragment or base.endswith("?") or base.endswith("#"):
        return "must not have a query (?) or a fragment (#)"
    if parts.path.rstrip("/").endswith(("/t", "/b")):
        return "is the address of the pages' root, without /t or /b"
    return None


def normalise_base(base: str) -> str:
    return base.strip().rstrip("/")


def ticket_link(base: str, token: str) -> str:
    return f"{normalise_base(base)}{TICKET_PATH}{token}"


def booking_link(base: str, code: str) -> str:
    return f"{normalise_base(base)}{BOOKING_PATH}{code}"


def ticket_qr(site: str, ticket: str, token: str | None, base: str = "") -> str:
    """A ticket's QR payload: its phone link when a base address and the token are known, else the
    kiosk-only ``HT1`` form."""
    if base and token:
        return ticket_link(base, token)
    return f"{TICKET_PREFIX}|{site}|{ticket}" + (f"|{token}" if token else "")


def booking_qr(site: str, code: str, base: str = "") -> str:
    return booking_link(base, code) if base else f"{BOOKING_PREFIX}|{site}|{code}"


@dataclass(frozen=True, slots=True)
class ScannedTicket:
    """A ticket QR read by a scanner: the ticket id or today's number (``HT1`` codes), the token, or both."""

    ref: str = ""
    token: str = ""


def _same_base(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme.lower(), (pa.hostname or "").lower(), pa.port, pa.path.rstrip("/")) == \
        (pb.scheme.lower(), (pb.hostname or "").lower(), pb.port, pb.path.rstrip("/"))


def _link_part(text: str, base: str, path: str) -> str | None:
    """What follows ``<base><path>`` in a scanned link of this hall, or None."""
    if not base or "://" not in text:
        return None
    at = text.rfind(path)
    if at < 0:
        return None
    try:
        if not _same_base(text[:at], normalise_base(base)):
            return None
    except ValueError:
        return None
    rest = text[at + len(path):]
    return rest.split("?", 1)[0].split("#", 1)[0].strip("/")


def scanned_ticket(text: str, *, site: str, base: str = "") -> ScannedTicket | None:
    """The ticket in a scanned code: a link of this hall or an ``HT1`` code of this site; None otherwise.
    The ref's shape is the caller's business (a typed number is checked the same way)."""
    text = text.strip()
    token = _link_part(text, base, TICKET_PATH)
    if token is not None:
        return ScannedTicket(token=token) if TOKEN.match(token) else None
    parts = [p.strip() for p in text.split("|")]
    if len(parts) not in (3, 4) or parts[0].upper() != TICKET_PREFIX or parts[1] != site:
        return None
    return ScannedTicket(ref=parts[2].upper(), token=parts[3] if len(parts) == 4 else "")


def scanned_booking(text: str, *, site: str, base: str = "") -> str | None:
    """The booking code in a scanned link of this hall or ``HTYY`` code of this site, as written (the caller
    normalises and checks it); the text itself when it has no ``|`` and no address (a bare code)."""
    text = text.strip()
    code = _link_part(text, base, BOOKING_PATH)
    if code is not None:
        return code
    if "://" in text:
        return None
    parts = text.split("|")
    if len(parts) == 3:
        prefix, where, code = parts
        if prefix.strip().upper() != BOOKING_PREFIX or where.strip() != site:
            return None
        return code
    return text if len(parts) == 1 else None
