"""政府信息公开申请 as a pure flow: the official application form, field by field — applicant type, name,
ID type and number, phone, address, the information wanted, its purpose, form and delivery (and the
e-mail address for delivery by e-mail) — a review, ``disclosure.apply``, and the receipt.

Each field is checked here before the form is sent, with the same checks the hub applies
(``kiosk.core.idcard``: a resident ID's check digit and birth date, a credit code's check character,
phones, e-mail). A wrong entry stays in its field to be corrected and the flow keeps *which* check failed
(``error``, a key the view words naming the field); nothing typed is repeated in the message, and the
warning goes while the correction is typed. Paper cannot go by e-mail: choosing paper drops an e-mail
delivery, and e-mail is refused while the form is paper.

The hub is asked with a deadline; after it the txn is kept, so a late answer is still taken and 重试
repeats the same txn (one application). Everything typed is forgotten once the hub has registered the
application (the receipt holds only what the hub returned) and on leaving. A registered application's
receipt is printed when the printer last said it is ready (``Print.if_ready``: a courtesy, the screen
shows the same); the flow says so once that print has come out.

刷身份证 (a citizen's application): a card read while the applicant's fields are asked (or at the review)
shows what it would fill (CARD) and asks first; 使用这些信息 fills name, ID type and number and address —
the application needs the number, and sends it in ``disclosure.apply`` like a typed one — and goes on with
the first field still empty; 不使用 drops it. An organisation's form takes no card (it would be a person's).

Stages: one per field (``FIELDS``, ``email`` only for delivery by e-mail), then REVIEW → SENDING → DONE |
FAILED; CARD from a field or REVIEW and back.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from ...core.idcard import resident_id_problem, valid_email, valid_passport, valid_phone, valid_uscc
from .base import (WAITING, AskingFlow, CardFailed, CardRead, Effect, Entered, PaperCopy, PrinterAnswered, Refused,
                   Replied, TagSource, Tapped, Typing)

# The form's fields in the order asked; "email" only for delivery by e-mail.
FIELDS = ("applicant_type", "name", "id_type", "id_number", "phone", "address", "info_description", "purpose",
          "form", "delivery", "email")
CHOICES = frozenset({"applicant_type", "id_type", "form", "delivery"})  # chosen from a list, the rest typed
OPTIONAL = frozenset({"purpose"})
HUB_WORDED = frozenset({"missing_field", "bad_value", "too_long", "bad_id_number", "bad_phone", "bad_email"})


class Stage(enum.Enum):
    APPLICANT_TYPE = "applicant_type"
    NAME = "name"
    ID_TYPE = "id_type"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    ADDRESS = "address"
    INFO_DESCRIPTION = "info_description"
    PURPOSE = "purpose"
    FORM = "form"
    DELIVERY = "delivery"
    EMAIL = "email"
    REVIEW = "review"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"
    CARD = "card"


S = Stage
CARD_FIELDS = ("applicant_type", "name", "id_type", "id_number", "phone", "address")  # stages that take a card
CARD_EVENTS = {"card": "_card", "card_failed": "_card_failed"}
BACK = "go-back"


def _field_row(field: str) -> dict[str, str]:
    row = {f"gk-{field}": "_chosen"} if field in CHOICES else {f"gk-{field}-kb": "_entered"}
    if field in OPTIONAL:
        row[f"gk-{field}-skip"] = "_skip"
    if field != FIELDS[0]:
        row[BACK] = "_back"
    return row


# stage → event → handler. An event missing here is refused in that stage.
TABLE: dict[Stage, dict[str, str]] = {
    **{S(f): {**_field_row(f), **(CARD_EVENTS if f in CARD_FIELDS else {})} for f in FIELDS},
    S.REVIEW: {"gk-edit": "_edit", "gk-submit": "_submit", BACK: "_back", **CARD_EVENTS},
    S.CARD: {"gk-card-use": "_card_use", "gk-card-skip": "_card_skip", BACK: "_card_skip", "card": "_card"},
    S.SENDING: dict(WAITING),
    S.DONE: {"printer": "_printed"},
    S.FAILED: {"replied": "_replied", "gk-retry": "_retry", BACK: "_back"},
}


def field_problem(field: str, value: str, id_type: str) -> str | None:
    """Which check ``value`` fails in ``field`` — ``required``, a :func:`resident_id_problem` answer,
    ``uscc``, ``passport``, ``phone`` or ``email`` — or None."""
    value = value.strip()
    if not value:
        return None if field in OPTIONAL else "required"
    if field == "id_number":
        if id_type == "resident_id":
            return resident_id_problem(value)
        if id_type == "org_code":
            return None if valid_uscc(value) else "uscc"
        if id_type == "passport":
            return None if valid_passport(value) else "passport"
    if field == "phone" and valid_phone(value) is None:
        return "phone"
    if field == "email" and valid_email(value) is None:
        return "email"
    return None


class DisclosureFlow(AskingFlow):
    Stage = Stage
    TABLE = TABLE
    HUB_WORDED = HUB_WORDED
    FAILED = S.FAILED

    def __init__(self, *, reply_timeout: float, errors: Mapping[str, str], other: str, tags: TagSource) -> None:
        super().__init__(reply_timeout=reply_timeout, errors=errors, other=other)
        self.tags = tags
        self.receipt = PaperCopy()
        self._forget()

    def _forget(self) -> None:
        """Drop every field typed (once registered, on leaving)."""
        self.stage: Stage = S.APPLICANT_TYPE
        self.form: dict[str, str] = {}
        self.error = ""  # the check the entry in this stage's field failed (see field_problem)
        self.result: dict[str, Any] = {}
        self.reason = ""
        self.card: dict[str, str] | None = None  # what a read card would fill, awaiting a yes or no
        self.card_back: Stage = S.APPLICANT_TYPE  # where CARD returns to
        self.card_problem = ""  # why the last card was not read
        self.ask.done()

    # ---- the form ------------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.form.get("applicant_type", "citizen")

    def id_type(self) -> str:
        return self.form.get("id_type") or ("resident_id" if self.kind == "citizen" else "org_code")

    def steps(self) -> list[str]:
        return [f for f in FIELDS if f != "email" or self.form.get("delivery") == "email"]

    @property
    def field(self) -> str:
        return self.stage.value

    def _advance(self, field: str, value: str) -> None:
        self.form[field] = value
        self.error = ""
        steps = self.steps()
        i = steps.index(field) + 1
        self.go(S(steps[i]) if i < len(steps) else S.REVIEW)

    def _chosen(self, e: Tapped, now: float) -> list[Effect]:
        field, value = self.field, str(e.value)
        if field == "delivery" and value == "email" and self.form.get("form") == "paper":
            raise Refused("paper cannot go by e-mail")
        if field == "applicant_type" and value != self.form.get("applicant_type"):
            self.form.pop("id_type", None)  # the ID types differ for organisations
        if field == "form" and value == "paper" and self.form.get("delivery") == "email":
            self.form.pop("delivery", None)
        self._advance(field, value)
        return []

    def _entered(self, e: Entered, now: float) -> list[Effect]:
        field = self.field
        problem = field_problem(field, e.value, self.id_type())
        if problem:
            self.form[field] = e.value  # kept in the box to correct, never repeated in the message
            self.error = problem
            return []
        self._advance(field, e.value.strip().upper() if field == "id_number" else e.value.strip())
        return []

    def _skip(self, e: Tapped, now: float) -> list[Effect]:
        self._advance(self.field, "")
        return []

    def _typing(self, e: Typing, now: float) -> list[Effect]:
        self.error = ""
        return []

    def _back(self, e: Tapped, now: float) -> list[Effect]:
        steps = self.steps()
        self.error = ""
        self.ask.done()
        if self.stage in (S.REVIEW, S.FAILED):
            self.go(S(steps[-1]) if self.stage is S.REVIEW else S.REVIEW)
        elif self.field in steps:
            self.go(S(steps[max(0, steps.index(self.field) - 1)]))
        return []

    # ---- 刷身份证 ---------------------------------------------------------------------------------------
    def _card(self, e: CardRead, now: float) -> list[Effect]:
        if self.form.get("applicant_type", "citizen") != "citizen":
            raise Refused("an organisation's application takes no ID card")
        if self.stage is not S.CARD:
            self.card_back = self.stage
        self.card = {"name": e.name, "id_number": e.id_number, "address": e.address}
        self.card_problem = ""
        self.go(S.CARD)
        return []

    def _card_failed(self, e: CardFailed, now: float) -> list[Effect]:
        if self.form.get("applicant_type", "citizen") != "citizen":
            raise Refused("an organisation's application takes no ID card")
        self.card_problem = e.problem
        return []

    def _card_use(self, e: Tapped, now: float) -> list[Effect]:
        assert self.card is not None
        self.form.update(applicant_type="citizen", id_type="resident_id", **self.card)
        self.card, self.error = None, ""
        field, problem = self._unfinished()
        self.error = problem
        self.go(S(field) if field else S.REVIEW)
        return []

    def _unfinished(self) -> tuple[str | None, str]:
        """The first field still to fill or to correct (a wrong entry kept in its box), with its problem."""
        for f in self.steps():
            if f not in self.form:
                if f not in OPTIONAL:
                    return f, ""
            elif problem := field_problem(f, self.form[f], self.id_type()):
                return f, problem
        return None, ""

    def _card_skip(self, e: Tapped, now: float) -> list[Effect]:
        self.card = None
        self.go(self.card_back)
        return []

    def _edit(self, e: Tapped, now: float) -> list[Effect]:
        self.go(S.APPLICANT_TYPE)
        return []

    # ---- the hub -------------------------------------------------------------------------------------
    def args(self) -> dict[str, Any]:
        f = self.form
        out = {"applicant_type": self.kind, "id_type": self.id_type(), **{k: f[k] for k in (
            "name", "id_number", "phone", "address", "info_description", "form", "delivery") if k in f}}
        if f.get("purpose"):
            out["purpose"] = f["purpose"]
        if f.get("delivery") == "email":
            out["email"] = f.get("email", "")
        return out

    def _submit(self, e: Tapped, now: float) -> list[Effect]:
        field, problem = self._unfinished()
        if field is not None:  # e.g. a wrong phone left in its box before a card filled the rest
            self.error = problem
            self.go(S(field))
            return []
        return self._request("disclosure.apply", self.args(), S.SENDING, now)

    def _retry(self, e: Tapped, now: float) -> list[Effect]:
        return self._request("disclosure.apply", self.args(), S.SENDING, now, retry=True)

    def _replied(self, e: Replied, now: float) -> list[Effect]:
        result = self._result(e)
        if result is None:
            return []
        self._forget()  # the receipt holds only what the hub masked
        self.result = result
        self.go(S.DONE)
        return [self.receipt.ask(self.tags(), "receipt", self.result)]

    def _printed(self, e: PrinterAnswered, now: float) -> list[Effect]:
        self.receipt.answered(e)
        return []

    def _left(self, e: Any, now: float) -> list[Effect]:
        self._forget()
        return []
