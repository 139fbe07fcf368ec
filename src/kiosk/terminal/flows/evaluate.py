"""办事评价 (好差评) as a pure flow: the ticket, looked up first; one of the five official levels, chosen and
confirmed; for 不满意 / 非常不满意 the reasons, an optional comment and phone; then ``evaluation.submit``.

A scanned phone link (``<base>/t/<token>``) names no ticket: the hub is asked with the token, and its answer
names the ticket.

Rule: 严禁先评价、后办事 — no level is offered before the hub said the ticket is completed (``ticket.info``),
except an earlier day's ticket id, which the hub's event log decides at submit. Nothing is pre-chosen;
a chosen level must be confirmed. The same rules the hub applies are checked before sending
(``kiosk.core.evaluation.validate``). The hub is asked with a deadline; after it the txn is kept, so a late
answer is still taken and 重试 repeats the same request. Everything typed is forgotten on leaving.

Stages: TICKET → CHECKING → LEVEL → [REASONS → TEXT → PHONE → REVIEW] → SENDING → DONE | FAILED.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any

from ...core import evaluation as E
from .base import WAITING, AskingFlow, CommentAndPhone, Effect, Entered, Refused, Replied, Tapped

NUMBER = re.compile(r"^[A-Z][A-Z0-9]{0,7}\d{3,}$")           # today's number: C012
TICKET_ID = re.compile(r"^\d{8}-[A-Z][A-Z0-9]{0,7}\d{3,}$")   # a ticket id: 20261129-C012
HUB_WORDED = frozenset({"unknown_ticket", "too_late", "bad_phone", "too_long", "missing_field", "bad_value"})
SCAN = "ticket-scan"  # a ticket QR read by the scanner (the screen reads the payload)


class Stage(enum.Enum):
    TICKET = "ticket"
    CHECKING = "checking"
    LEVEL = "level"
    REASONS = "reasons"
    TEXT = "text"
    PHONE = "phone"
    REVIEW = "review"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"


S = Stage
BACK = "go-back"
TABLE: dict[Stage, dict[str, str]] = {
    S.TICKET: {"ticket-kb": "_check", SCAN: "_check"},
    S.CHECKING: dict(WAITING),
    S.LEVEL: {"level-": "_level", "eval-confirm": "_confirm", BACK: "_back", SCAN: "_check"},
    S.REASONS: {"reasons": "_reason", "reasons-done": "_reasons_done", BACK: "_back", SCAN: "_check"},
    S.TEXT: {"eval-text-kb": "_text", "text-skip": "_text_skip", BACK: "_back", SCAN: "_check"},
    S.PHONE: {"eval-phone": "_phone", "phone-skip": "_phone_skip", BACK: "_back", SCAN: "_check"},
    S.REVIEW: {"eval-submit": "_submit", BACK: "_back", SCAN: "_check"},
    S.SENDING: dict(WAITING),
    S.DONE: {SCAN: "_check"},
    S.FAILED: {"replied": "_replied", "eval-retry": "_retry", BACK: "_back", SCAN: "_check"},
}
BEFORE = {S.LEVEL: S.TICKET, S.REASONS: S.LEVEL, S.TEXT: S.REASONS, S.PHONE: S.TEXT, S.REVIEW: S.PHONE}


class EvaluateFlow(CommentAndPhone, AskingFlow):
    Stage = Stage
    TABLE = TABLE
    PREFIXES = ("level-",)
    HUB_WORDED = HUB_WORDED
    FAILED = S.FAILED

    def __init__(self, *, reply_timeout: float, errors: Mapping[str, str], other: str) -> None:
        super().__init__(reply_timeout=reply_timeout, errors=errors, other=other)
        self._forget()

    def _forget(self) -> None:
        self.stage: Stage = S.TICKET
        self.ref = ""            # as typed or scanned
        self.token = ""          # the ticket's secret, when its QR was scanned
        self.number = ""         # as the hub names it
        self.entry_error = False  # the ticket number has the wrong shape
        self.level: int | None = None
        self.reasons: tuple[str, ...] = ()
        self.text = ""
        self.phone = ""
        self.note = ""           # "" or "need_reason": no reason chosen for a bad level
        self.phone_error = False
        self.op = ""             # the request waited for: ticket.info or evaluation.submit
        self.lookup: dict[str, str] = {}  # ticket.info's arguments: the ticket, or the scanned token
        self.result: dict[str, Any] = {}
        self.reason = ""
        self.ask.done()

    # ---- the ticket ----------------------------------------------------------------------------------
    def _check(self, e: Entered, now: float) -> list[Effect]:
        ref = e.value.strip().upper()
        self.ref, self.level, self.reasons, self.text, self.phone, self.note = ref, None, (), "", "", ""
        self.token = e.extra if e.target == SCAN else ""
        self.phone_error = False
        if not ref and self.token:  # a phone link: the hub knows the ticket by its token
            self.entry_error = False
            self.lookup = {"token": self.token}
            return self._ask("ticket.info", self.lookup, S.CHECKING, now)
        if not (NUMBER.match(ref) or TICKET_ID.match(ref)):
            self.entry_error = True
            self.go(S.TICKET)
            return []
        self.entry_error = False
        self.lookup = {"ticket": ref}
        return self._ask("ticket.info", self.lookup, S.CHECKING, now)

    # ---- the level and the reasons --------------------------------------------------------------------
    def _level(self, e: Tapped, now: float) -> list[Effect]:
        self.level = int(e.value)
        return []

    def _confirm(self, e: Tapped, now: float) -> list[Effect]:
        if self.level is None:
            raise Refused("no level chosen")
        if E.is_bad(self.level):
            self.go(S.REASONS)
            return []
        self.reasons = ()
        return self._submit(e, now)

    def _reason(self, e: Tapped, now: float) -> list[Effect]:
        rid = str(e.value)
        self.reasons = tuple(r for r in self.reasons if r != rid) if rid in self.reasons else (*self.reasons, rid)
        self.note = ""
        return []

    def _reasons_done(self, e: Tapped, now: float) -> list[Effect]:
        if not self.reasons:
            self.note = "need_reason"
        else:
            self.go(S.TEXT)
        return []

    def _back(self, e: Tapped, now: float) -> list[Effect]:
        self.ask.done()
        self.note, self.phone_error = "", False
        self.go(BEFORE.get(self.stage, S.TICKET))
        return []

    # ---- the hub -------------------------------------------------------------------------------------
    def args(self) -> dict[str, Any]:
        assert self.level is not None
        out: dict[str, Any] = {"ticket": self.ref, "level": self.level, "reasons": list(self.reasons),
                               "channel": "kiosk"}
        if self.text.strip():
            out["text"] = self.text.strip()
        if self.phone:
            out["phone"] = self.phone
        if self.token:
            out["token"] = self.token
        return out

    def _ask(self, op: str, args: dict[str, Any], stage: Stage, now: float, *, retry: bool = False) -> list[Effect]:
        effects = self._request(op, args, stage, now, retry=retry)
        self.op = op
        return effects

    def _submit(self, e: Tapped, now: float) -> list[Effect]:
        a = self.args()
        try:  # the same rules the hub applies, said before anything is sent
            E.validate(level=a["level"], reasons=a["reasons"], text=a.get("text"), phone=a.get("phone"))
        except E.EvaluationError as exc:
            self.reason = exc.message
            self.go(S.FAILED)
            return []
        return self._ask("evaluation.submit", a, S.SENDING, now)

    def _retry(self, e: Tapped, now: float) -> list[Effect]:
        if self.op == "evaluation.submit":
            return self._ask(self.op, self.args(), S.SENDING, now, retry=True)
        return self._ask(self.op, self.lookup, S.CHECKING, now, retry=True)

    def _replied(self, e: Replied, now: float) -> list[Effect]:
        self._mine(e)
        self.ask.done()
        result = e.result if isinstance(e.result, dict) else {}
        if self.op == "ticket.info":
            if e.ok:
                self.ref = self.ref or str(result.get("ticket") or "")
                self.number = str(result.get("number") or self.ref)
                if result.get("state") != "completed":
                    self._fail("not_served")
                else:
                    self.go(S.LEVEL)
            elif TICKET_ID.match(self.ref):
                self.go(S.LEVEL)  # an earlier day's ticket: the hub's event log decides at submit
            else:
                self._fail("unknown_ticket")
            return []
        if not e.ok:
            self._fail(e.code or "error", e.message or "")
            return []
        self.result = dict(result)
        self.text = self.phone = ""
        self.go(S.DONE)
        return []

    def _left(self, e: Any, now: float) -> list[Effect]:
        self._forget()  # the comment and the phone go with the screen
        return []
