"""帮办代办 as a pure flow: call a member of staff to this terminal, or register a home visit (上门服务).

A desk call asks ``help.request`` {"kind": "desk", "where": <terminal location>}; the hub answers at once
(state ``waiting``) and later, when staff acknowledge, answers the *same* txn again with state
``acknowledged`` and who is coming. The waiting call is handed to the session (``KeepHelpCall``): it
outlives the screen. A home visit collects the group (老、弱、病、残、孕), a phone number
(checked, shown masked) and a village, then asks ``help.request`` {"kind": "home_visit", …}. The hub is
asked with a deadline; offline fails at once. Personal data is forgotten when the person leaves.

刷身份证 during a home-visit registration (V_GROUP … V_CONFIRM) shows the card's name, masked ID number and
address (V_CARD) and asks first: 使用这些信息 fills the name and the address (the village list is then
skipped), 不使用 drops them. The ID number itself is never kept or sent — the registration does not need
it (staff call back by phone) — and what the card filled in is forgotten when the person leaves.

Stages: MENU → DESK_SENDING → DESK_WAITING → DESK_ACKED | DESK_FAILED;
MENU → V_GROUP → V_PHONE → V_ADDRESS → V_CONFIRM → V_SENDING → V_DONE | V_FAILED; any of V_GROUP … V_CONFIRM
→ V_CARD → back where it was (or V_CONFIRM once an address is known).
"""

from __future__ import annotations

import enum
from typing import Any

from ..codes import valid_phone
from ...core.idcard import mask_id
from .base import CardFailed, CardRead, Effect, Entered, Flow, HubAsk, KeepHelpCall, Refused, Replied, Sent, Tapped

class Stage(enum.Enum):
    MENU = "menu"
    DESK_SENDING = "desk_sending"
    DESK_WAITING = "desk_waiting"
    DESK_ACKED = "desk_acked"
    DESK_FAILED = "desk_failed"
    V_GROUP = "visit_group"
    V_PHONE = "visit_phone"
    V_ADDRESS = "visit_address"
    V_CONFIRM = "visit_confirm"
    V_SENDING = "visit_sending"
    V_DONE = "visit_done"
    V_FAILED = "visit_failed"
    V_CARD = "visit_card"


S = Stage
BACK = "go-back"
TABLE: dict[Stage, dict[str, str]] = {
    S.MENU: {"help-call": "_call", "help-visit": "_visit"},
    S.DESK_SENDING: {"sent": "_sent", "replied": "_replied", "tick": "_deadline"},
    S.DESK_WAITING: {"replied": "_replied"},
    S.DESK_ACKED: {},
    S.DESK_FAILED: {BACK: "_back"},
    S.V_GROUP: {"group-": "_group", BACK: "_back", "card": "_card", "card_failed": "_card_failed"},
    S.V_PHONE: {"phone": "_phone", BACK: "_back", "card": "_card", "card_failed": "_card_failed"},
    S.V_ADDRESS: {"villages": "_address", BACK: "_back", "card": "_card", "card_failed": "_card_failed"},
    S.V_CONFIRM: {"visit-submit": "_submit", BACK: "_back", "card": "_card", "card_failed": "_card_failed"},
    S.V_CARD: {"visit-card-use": "_card_use", "visit-card-skip": "_card_skip", BACK: "_card_skip",
               "card": "_card"},
    S.V_SENDING: {"sent": "_sent", "replied": "_replied", "tick": "_deadline"},
    S.V_DONE: {},
    S.V_FAILED: {BACK: "_back"},
}
PREVIOUS = {S.V_GROUP: S.MENU, S.V_PHONE: S.V_GROUP, S.V_ADDRESS: S.V_PHONE, S.V_CONFIRM: S.V_ADDRESS,
            S.V_FAILED: S.V_CONFIRM, S.DESK_FAILED: S.MENU}
FAILED = {S.DESK_SENDING: S.DESK_FAILED, S.V_SENDING: S.V_FAILED}


class HelpFlow(Flow):
    Stage = Stage
    TABLE = TABLE
    PREFIXES = ("group-",)

    def __init__(self, *, where: str, reply_timeout: float) -> None:
        super().__init__()
        self.where = where[:40]
        self.stage: Stage = S.MENU
        self.ask = HubAsk(reply_timeout)
        self.by = ""  # who is coming
        self.group = ""
        self.phone = ""
        self.phone_error = False
        self.address = ""
        self.name = ""  # from the card, when the person chose to use it
        self.from_card = False  # name and address came from the card
        self.card: tuple[str, str, str] | None = None  # (name, masked ID number, address) awaiting a yes or no
        self.card_back: Stage = S.V_GROUP  # where V_CARD returns to
        self.card_problem = ""  # why the last card was not read
        self.error = ""  # the hub's words for a refusal ("" = ours)

    def _back(self, e: Tapped, now: float) -> list[Effect]:
        self.go(PREVIOUS[self.stage])
        return []

    def _call(self, e: Tapped, now: float) -> list[Effect]:
        self.go(S.DESK_SENDING)
        return [self.ask.ask("help.request", {"kind": "desk", "where": self.where}, now)]

    def _visit(self, e: Tapped, now: float) -> list[Effect]:
        self.go(S.V_GROUP)
        return []

    def _group(self, e: Tapped, now: float) -> list[Effect]:
        self.group = str(e.value)
        self.go(S.V_PHONE)
        return []

    def _phone(self, e: Entered, now: float) -> list[Effect]:
        self.phone = str(e.value)
        self.phone_error = not valid_phone(self.phone)
        if not self.phone_error:
            self.go(S.V_CONFIRM if self.from_card else S.V_ADDRESS)
        return []

    def _address(self, e: Tapped, now: float) -> list[Effect]:
        self.address, self.name, self.from_card = str(e.value), "", False
        self.go(S.V_CONFIRM)
        return []

    def _card(self, e: CardRead, now: float) -> list[Effect]:
        if self.stage is not S.V_CARD:
            self.card_back = self.stage
        self.card = (e.name, mask_id(e.id_number), e.address)
        self.card_problem = ""
        self.go(S.V_CARD)
        return []

    def _card_failed(self, e: CardFailed, now: float) -> list[Effect]:
        self.card_problem = e.problem
        return []

    def _card_use(self, e: Tapped, now: float) -> list[Effect]:
        assert self.card is not None
        self.name, _, self.address = self.card
        self.card, self.from_card = None, True
        ready = bool(self.group and self.phone and not self.phone_error)
        self.go(S.V_CONFIRM if ready or self.card_back in (S.V_ADDRESS, S.V_CONFIRM) else self.card_back)
        return []

    def _card_skip(self, e: Tapped, now: float) -> list[Effect]:
        self.card = None
        self.go(self.card_back)
        return []

    def _submit(self, e: Tapped, now: float) -> list[Effect]:
        self.go(S.V_SENDING)
        args = {"kind": "home_visit", "phone": self.phone, "address": self.address, "group": self.group,
                "where": self.where}
        if self.name:
            args["name"] = self.name
        return [self.ask.ask("help.request", args, now)]

    def _sent(self, e: Sent, now: float) -> list[Effect]:
        if not self.ask.sent(e.txn):
            self.error = ""
            self.go(FAILED[self.stage])
        return []

    def _replied(self, e: Replied, now: float) -> list[Effect]:
        if not self.ask.mine(e):
            raise Refused("not the answer this flow waits for")
        result = e.result if isinstance(e.result, dict) else {}
        if not e.ok:
            if self.stage is S.DESK_WAITING:
                raise Refused("a refusal after the call was taken")
            self.error = e.message
            self.go(FAILED[self.stage])
        elif result.get("state") == "acknowledged" and self.stage in (S.DESK_SENDING, S.DESK_WAITING):
            self.by = str(result.get("by") or "")
            self.go(S.DESK_ACKED)
        elif self.stage is S.DESK_SENDING:
            self.go(S.DESK_WAITING)  # the same txn answers again when staff acknowledge
            return [KeepHelpCall(e.txn)]
        elif self.stage is S.V_SENDING:
            self.go(S.V_DONE)
        return []

    def _deadline(self, e: Any, now: float) -> list[Effect]:
        if now - self.ask.sent_at >= self.ask.timeout:
            self.error = ""
            self.go(FAILED[self.stage])
        return []

    def _left(self, e: Any, now: float) -> list[Effect]:
        self.phone = self.address = self.name = ""  # forget personal data at once
        self.card, self.from_card = None, False
        return []
