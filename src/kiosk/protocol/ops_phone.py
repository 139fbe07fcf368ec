"""Request fields of the visitor's phone pages (``kiosk web``): follow tickets by their tokens, look up a
booking by its code.

Rule: shape only. A token that matches no ticket is not an error: it is left out of the answer.
"""

from __future__ import annotations

import re

from .fields import list_field, str_field

TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CODE = re.compile(r"^[A-Za-z0-9 -]{4,16}$")

OPS = {
    "ticket.track": {"tokens": (list_field(str_field(TOKEN, 64), 200), True)},
    "appointment.lookup": {"code": (str_field(CODE, 16), True)},
}
