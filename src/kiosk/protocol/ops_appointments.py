"""Request fields of the appointment ops (预约): slots, book, check-in, cancel, list.

Rule: shape only — types, lengths and patterns. Whether a slot exists, a code is known or a phone number
is plausible is the hub's business (`kiosk.hub.feature_appointments`), answered with its own error codes.
"""

from __future__ import annotations

import re

from .fields import CATEGORY, id_field, list_field, str_field

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SLOT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:00)?([+-]\d{2}:\d{2}|Z)?$")
CODE = re.compile(r"^[A-Za-z0-9 -]{4,16}$")

_category = (str_field(CATEGORY, 8), True)
_code = (str_field(CODE, 16), True)

OPS = {
    "appointment.slots": {"category": _category, "date": (str_field(DATE, 10), False)},
    "appointment.book": {"category": _category, "slot": (str_field(SLOT, 25), True),
                         "phone": (str_field(max_len=20), True), "items": (list_field(id_field, 10), False),
                         "lang": (str_field(max_len=8), False)},
    "appointment.checkin": {"code": _code},
    "appointment.cancel": {"code": _code},
    "appointment.list": {"date": (str_field(DATE, 10), False), "category": (str_field(CATEGORY, 8), False)},
}
