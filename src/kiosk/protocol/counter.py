"""The two retained topics the screens at a counter read besides the window state: the ticket a window's
evaluation pad should offer (``window/<w>/evaluation``, from the hub) and the staff member on duty
(``window/<w>/staff``, from a staff console; optional).

Rule: pure, standard library only. A decoder returns a small frozen value or raises ``ProtocolError``; a
screen that gets one keeps what it showed. Nothing personal beyond what the hall shows on purpose (亮证亮牌:
name, 工号, photo of the staff member on duty) is carried; a visitor's data never is.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from .codec import MAX_STATE_PAYLOAD, decode_json
from .fields import ProtocolError

_TICKET_ID = re.compile(r"^[A-Za-z0-9-]{1,32}$")
_NUMBER = re.compile(r"^[A-Z][A-Z0-9]{0,7}\d{1,6}$")
_STAFF_NO = re.compile(r"^[A-Za-z0-9-]{1,20}$")
STAFF_NAME_MAX = 20
PHOTO_MAX_BYTES = 256 * 1024  # decoded; a 300×400 JPEG is about 30 KB
PHOTO_MIMES = ("image/jpeg", "image/png")
PHOTO_MAX_SIDE = 1200
AT_MAX = 4_102_444_800.0  # 2100-01-01: any later time is not a completion this hall has seen


@dataclass(frozen=True, slots=True, kw_only=True)
class Offer:
    """``window/<w>/evaluation``: ``ticket`` None means nothing to rate (rated, or a new day)."""

    window: str
    ticket: str | None
    number: str | None
    at: float


def decode_offer(payload: bytes) -> Offer:
    obj = decode_json(payload)
    window, ticket, number, at = obj.get("window"), obj.get("ticket"), obj.get("number"), obj.get("at")
    if not isinstance(window, str) or not window:
        raise ProtocolError("missing_field", "an evaluation offer names its window")
    if isinstance(at, bool) or not isinstance(at, (int, float)):
        raise ProtocolError("bad_type", "field 'at' must be a number")
    if not 0 <= at <= AT_MAX:  # also NaN: a screen turns it into a local date
        raise ProtocolError("bad_value", "field 'at' must be epoch seconds")
    if ticket is None:
        return Offer(window=window, ticket=None, number=None, at=float(at))
    if not isinstance(ticket, str) or not _TICKET_ID.match(ticket):
        raise ProtocolError("bad_value", "field 'ticket' must be a ticket id")
    if not isinstance(number, str) or not _NUMBER.match(number):
        raise ProtocolError("bad_value", "field 'number' must be a ticket number such as C012")
    return Offer(window=window, ticket=ticket, number=number, at=float(at))


@dataclass(frozen=True, slots=True, kw_only=True)
class Staff:
    """The staff member on duty at a window, as the staff console says (its login)."""

    name: str
    staff_no: str          # 工号
    photo: bytes | None    # PNG or JPEG bytes, or None
    photo_mime: str | None
    since: float | None


def staff_problem(body: dict[str, Any]) -> str | None:
    """Why a ``staff`` object is unusable, or None."""
    name, no = body.get("name"), body.get("staff_no")
    if not isinstance(name, str) or not name.strip() or len(name) > STAFF_NAME_MAX:
        return f"staff.name must be 1 to {STAFF_NAME_MAX} characters"
    if not isinstance(no, str) or not _STAFF_NO.match(no):
        return "staff.staff_no must be 1 to 20 letters, digits or dashes"
    return None


def decode_staff(payload: bytes) -> Staff | None:
    """``window/<w>/staff``: the staff member, or None when nobody is logged in at the window
    (``"staff": null``). An empty retained payload (the topic deleted) is the caller's None too."""
    obj = decode_json(payload, limit=MAX_STATE_PAYLOAD)
    body = obj.get("staff")
    if body is None:
        return None
    if not isinstance(body, dict):
        raise ProtocolError("bad_type", "field 'staff' must be an object or null")
    problem = staff_problem(body)
    if problem:
        raise ProtocolError("bad_value", problem)
    photo = mime = None
    if body.get("photo_b64") is not None:
        mime = body.get("photo_mime")
        if mime not in PHOTO_MIMES:
            raise ProtocolError("bad_value", f"staff.photo_mime must be one of {', '.join(PHOTO_MIMES)}")
        try:
            photo = base64.b64decode(str(body["photo_b64"]), validate=True)
        except (binascii.Error, ValueError):
            raise ProtocolError("bad_value", "staff.photo_b64 is not base64") from None
        if len(photo) > PHOTO_MAX_BYTES:
            raise ProtocolError("too_large", f"staff.photo is larger than {PHOTO_MAX_BYTES} bytes")
        size = image_size(photo, mime)
        if size is None:
            raise ProtocolError("bad_value", f"staff.photo is not a {mime} picture")
        if max(size) > PHOTO_MAX_SIDE or min(size) < 1:
            # a few KB can claim 30000×30000 pixels: refuse before any screen decodes it
            raise ProtocolError("too_large", f"staff.photo is {size[0]}×{size[1]}; at most {PHOTO_MAX_SIDE} each way")
    since = body.get("since")
    since = float(since) if isinstance(since, (int, float)) and not isinstance(since, bool) \
        and 0 <= since <= AT_MAX else None
    return Staff(name=body["name"].strip(), staff_no=body["staff_no"], photo=photo, photo_mime=mime, since=since)


def image_size(data: bytes, mime: str) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR or a JPEG's frame header, without decoding; None if unreadable."""
    if mime == "image/png":
        if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
            return None
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 9 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            i += 2
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame
            return int.from_bytes(data[i + 7:i + 9], "big"), int.from_bytes(data[i + 5:i + 7], "big")
        if length < 2:
            return None
        i += 2 + length
    return None


def staff_body(window: str, staff: Staff | None) -> dict[str, Any]:
    """The payload a staff console publishes (tests and ``kiosk`` tools build it here)."""
    if staff is None:
        return {"window": window, "staff": None}
    body: dict[str, Any] = {"name": staff.name, "staff_no": staff.staff_no}
    if staff.photo is not None:
        body.update(photo_mime=staff.photo_mime, photo_b64=base64.b64encode(staff.photo).decode("ascii"))
    if staff.since is not None:
        body["since"] = staff.since
    return {"window": window, "staff": body}
