"""Request fields of the staff consoles' ops: act as a window (the same commands a call button presses),
read a window's queue, and reveal a help request's full contact to the desk.

Rule: shape only. ``window.command`` carries ``by``, the login of the person who acted (the staff console
puts it there from the session, never from a form); whether the window exists, the action is legal in its
state or the sender may act is the hub's business (``kiosk.hub.feature_window``).
"""

from __future__ import annotations

import re

from .fields import CATEGORY, TICKET, id_field, str_field

# the actions of a window/<w>/press (codec.PRESS_ACTIONS), without open/close, which only the button has
WINDOW_ACTIONS = ("next", "recall", "skip", "start", "complete", "pause", "resume", "transfer", "call")
BY = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")

OPS = {
    "window.command": {"window": (id_field, True), "action": (str_field(choices=WINDOW_ACTIONS), True),
                       "by": (str_field(BY, 40), True), "ticket": (str_field(TICKET, 32), False),
                       "to_category": (str_field(CATEGORY, 8), False), "to_window": (id_field, False),
                       "reason": (str_field(max_len=60), False)},
    "window.queue": {"window": (id_field, True)},
    # the full contact of a help request (home visit), for the desk: each reveal is logged with its ``by``
    "help.contact": {"alert": (str_field(re.compile(r"^[A-Za-z0-9_.:-]{1,64}$"), 64), True),
                     "by": (str_field(BY, 40), True)},
}
