"""预约签到 as a pure flow: a booking code typed (or scanned) becomes a ticket on screen, like 取号.

The code is sent as typed (the hub accepts lower case, spaces and dashes); only its shape is checked here.
A scan is taken in every stage but SENDING. The hub is asked with a deadline; after the deadline the txn
is kept, so a late reply is still shown and 重试 repeats the request with the same txn — the hub answers
with the same ticket and never issues a second one. A shown ticket is reported with ``ticket.delivered``
(``on_screen``).

刷身份证: with a reader, a card read in ENTER or FAILED asks ``appointment.checkin`` {"id_number"} instead of
a code; the hub finds today's booking made with that number (it keeps only a keyed hash of it). The number
is held only while the request may be repeated (重试) and forgotten when the flow ends; a card not read
says why (``entry_error`` ``card_<problem>``).

Stages: ENTER → SENDING → TICKET | FAILED (→ SENDING again, or ENTER).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from ..codes import code_from_scan, plausible_code
from .base import WAITING, AskingFlow, CardFailed, CardRead, Effect, Entered, Refused, Replied, Scanned, Tapped, Tell

HUB_WORDED = frozenset({"unknown_appointment", "appointment_used", "appointment_cancelled", "appointment_expired",
                        "not_today", "hall_closed"})


class Stage(enum.Enum):
    ENTER = "enter"
    SENDING = "sending"
    TICKET = "ticket"
    FAILED = "failed"


S = Stage
TABLE: dict[Stage, dict[str, str]] = {
    S.ENTER: {"code-kb": "_typed", "scanned": "_scanned", "card": "_card", "card_failed": "_card_failed"},
    S.SENDING: dict(WAITING),
    S.TICKET: {"scanned": "_scanned"},
    S.FAILED: {"replied": "_replied", "checkin-retry": "_retry", "go-back": "_back", "scanned": "_scanned",
               "card": "_card", "card_failed": "_card_failed"},
}


class CheckinFlow(AskingFlow):
    Stage = Stage
    TABLE = TABLE
    HUB_WORDED = HUB_WORDED
    FAILED = S.FAILED

    def __init__(self, *, site: str, reply_timeout: float, errors: Mapping[str, str], other: str,
                 base: str = "") -> None:
        super().__init__(reply_timeout=reply_timeout, errors=errors, other=other)
        self.site, self.base = site, base  # base: the phone pages' address, read in scanned booking links
        self.stage: Stage = S.ENTER
        self.code = ""
        self.entry_error = ""  # "", "bad" (typed) or "bad_scan"
        self.result: dict[str, Any] = {}
        self.id_number = ""  # the card's number while its request may be repeated; "" otherwise

    @property
    def by_card(self) -> bool:
        return bool(self.id_number)

    def _submit(self, code: str, now: float, *, retry: bool = False) -> list[Effect]:
        self.code, self.id_number = code, ""
        if not plausible_code(code):
            self.entry_error = "bad"
            self.go(S.ENTER)
            return []
        self.entry_error = ""
        self.go(S.SENDING)
        return [self.ask.ask("appointment.checkin", {"code": code}, now, retry=retry)]

    def _typed(self, e: Entered, now: float) -> list[Effect]:
        return self._submit(e.value, now)

    def _scanned(self, e: Scanned, now: float) -> list[Effect]:
        code = code_from_scan(e.text, self.site, self.base)
        if code:
            return self._submit(code, now)
        self.entry_error = "bad_scan"
        self.go(S.ENTER)
        return []

    def _card(self, e: CardRead, now: float) -> list[Effect]:
        self.code, self.id_number, self.entry_error = "", e.id_number, ""
        return self._request("appointment.checkin", {"id_number": e.id_number}, S.SENDING, now)

    def _card_failed(self, e: CardFailed, now: float) -> list[Effect]:
        self.entry_error = f"card_{e.problem}"
        self.go(S.ENTER)
        return []

    def _retry(self, e: Tapped, now: float) -> list[Effect]:
        if self.ask.txn is None:
            raise Refused("nothing to repeat")
        if self.by_card:
            return self._request("appointment.checkin", {"id_number": self.id_number}, S.SENDING, now, retry=True)
        return self._submit(self.code, now, retry=True)

    def _left(self, e: Any, now: float) -> list[Effect]:
        self.id_number = ""  # forget the card
        return []

    def _back(self, e: Tapped, now: float) -> list[Effect]:
        self.ask.done()
        self.id_number = ""
        self.go(S.ENTER)
        return []

    def _replied(self, e: Replied, now: float) -> list[Effect]:
        result = self._result(e)
        if result is None:
            return []
        self.result = result
        self.id_number = ""  # done with the card
        self.go(S.TICKET)
        ticket = self.result.get("ticket")
        return [Tell("ticket.delivered", {"ticket": ticket, "how": "on_screen"})] if ticket else []

