"""Errors raised by the pure domain core.

Hierarchy::

    KioskError                (kiosk.errors, the root of every project exception)
    └── CoreError             anything the core refuses
    ├── QueueError            a queue command that is illegal in the current state
    │   ├── UnknownTicket     no such ticket today
    │   ├── UnknownWindow     no such window in the hall's configuration
    │   └── UnknownCategory   no such service category
    └── PolicyError           a value object built with impossible settings

Every QueueError carries a short machine ``code`` (used on the wire) and a human message.
The core raises before it mutates anything, so a refused command leaves the state unchanged.
"""

from __future__ import annotations

from ..errors import KioskError


class CoreError(KioskError):
    code = "core_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class QueueError(CoreError):
    code = "illegal"


class UnknownTicket(QueueError):
    code = "unknown_ticket"


class UnknownWindow(QueueError):
    code = "unknown_window"


class UnknownCategory(QueueError):
    code = "unknown_category"


class PolicyError(CoreError):
    code = "bad_policy"
