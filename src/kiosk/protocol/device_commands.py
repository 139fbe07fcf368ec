"""Commands a staff console sends to one device on ``device/<id>/command``, and what the device reports back
in its retained status (``last_test``).

Rule: shape only, stdlib only, no clock (``at`` is passed in). A command is never retained — a retained one
would run again at every reconnect — so a device ignores a message that arrives with the retain flag, and it
acts on each ``id`` once (QoS 1 may deliver twice). Who may send which command is the role table's
(:data:`kiosk.protocol.roles.COMMAND_ROLES`); the broker lets only the web identity write these topics and each
device read only its own.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .codec import _validate, decode_json
from .fields import ProtocolError, str_field
from .ops_window import BY

COMMANDS = ("test_ticket",)
#: ``last_test.result`` in a terminal's status: printing (sent to its printer), printed, paper_out, offline
#: (the printer does not answer or reports an error state), error (the job failed otherwise), no_printer.
TEST_RESULTS = ("printing", "printed", "paper_out", "offline", "error", "no_printer")
MAX_COMMAND_PAYLOAD = 1024
_CMD_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f-\x9f]{1,20}$")  # printed on paper: no printer control bytes


def _time(name: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not 0 <= v < 2**33:
        raise ProtocolError("bad_value", f"field {name!r} must be a time in seconds since 1970")
    return float(v)


_SPEC = {"cmd": (str_field(choices=COMMANDS), True), "id": (str_field(_CMD_ID, 64), True),
         "by": (str_field(BY, 40), True), "name": (str_field(_PRINTABLE, 20), False), "at": (_time, True)}


@dataclass(frozen=True, slots=True)
class DeviceCommand:
    cmd: str
    id: str
    by: str     # the staff login that asked (from the console's session, never a form)
    at: float   # when it was sent (the console's clock)
    name: str = ""  # the staff member's name as shown, if the account has one

    @property
    def shown_by(self) -> str:
        return f"{self.name}（{self.by}）" if self.name and self.name != self.by else self.by

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"cmd": self.cmd, "id": self.id, "by": self.by, "at": round(self.at, 3)}
        if self.name:
            out["name"] = self.name
        return out


def command(cmd: str, cid: str, by: str, at: float, name: str = "") -> DeviceCommand:
    """A command checked exactly as a device will check it (ProtocolError if it breaks the contract)."""
    c = DeviceCommand(cmd=cmd, id=cid, by=by, at=at, name=name)
    _validate(c.body(), _SPEC, "command")
    return c


def decode_command(payload: bytes) -> DeviceCommand:
    """Bytes of ``device/<id>/command`` → a :class:`DeviceCommand`, or ProtocolError naming the field."""
    f = _validate(decode_json(payload, limit=MAX_COMMAND_PAYLOAD), _SPEC, "command")
    return DeviceCommand(cmd=f["cmd"], id=f["id"], by=f["by"], at=f["at"], name=f.get("name", ""))


def last_test(cid: str, result: str, at: float) -> dict[str, Any]:
    """The ``last_test`` member of a device's status."""
    if result not in TEST_RESULTS:
        raise ValueError(f"unknown test result {result!r}")
    return {"id": cid, "result": result, "at": round(at, 3)}
