"""Request fields of the appointment ops (预约): slots, book, check-in, cancel, list.

Rule: shape only — types, lengths and patterns. Whether a slot exists, a code is known or a phone number
is plausible is the hub's business (`kiosk.hub.feature_appointments`), answered with its own error codes.
"""

from __future__ import annotations

import re

from .fields import CATEGORY, ProtocolError, id_field, list_field, str_field

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SLOT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:00)?([+-]\d{2}:\d{2}|Z)?$")
CODE = re.compile(r"^[A-Za-z0-9 -]{4,16}$")
ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")  # a resident ID number read from the card (personal: hashed by the hub)

_category = (str_field(CATEGORY, 8), True)
_code = (str_field(CODE, 16), True)


def _id_number(name: str, v: object) -> str:
    """An ID number's shape; a refusal never repeats the value (it is personal, and refusals are logged)."""
    if not isinstance(v, str) or not ID_NUMBER.match(v):
        raise ProtocolError("bad_value", f"field {name!r} must be an 18-character resident ID number")
    return v.upper()

OPS = {
    "appointment.slots": {"category": _category, "date": (str_field(DATE, 10), False)},
    "appointment.book": {"category": _category, "slot": (str_field(SLOT, 25), True),
                         "phone": (str_field(max_len=20), True), "items": (list_field(id_field, 10), False),
                         "lang": (str_field(max_len=8), False), "id_number": (_id_number, False)},
    # one of code (typed or scanned) or id_number (the card at the reader); the hub refuses neither/both
    "appointment.checkin": {"code": (str_field(CODE, 16), False), "id_number": (_id_number, False)},
    "appointment.cancel": {"code": _code},
    "appointment.list": {"date": (str_field(DATE, 10), False), "category": (str_field(CATEGORY, 8), False)},
}
