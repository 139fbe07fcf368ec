"""预约办理 as a pure flow: choose a category (and, to learn what to bring, an item), a day and a slot,
enter a phone number, confirm — and get a booking code.

Every slot comes from the hub (``appointment.slots``); a booking (``appointment.book``) is asked for only
for a slot the hub offered with a place left, after a valid phone number. Whether a category offers
service items to choose is the catalogue's (:class:`Itemised`, fed by the screen). The hub is asked with
a deadline; after it the txn and the request are kept, so a late answer is still taken and 重试 repeats
the same txn — the hub answers with the very same booking and never books twice. When the last place
went to someone else first (``slot_full``) the hub's suggested slot (``error.suggest``) is offered; a
phone the hub refuses (``bad_phone``) sends the person back to correct it. The phone number is forgotten
on leaving.

刷身份证 at any stage before the booking is sent (CATEGORY … CONFIRM, FULL) shows the masked number (CARD)
and asks first: 关联身份证 attaches the card, 不关联 drops it. Only then does ``appointment.book`` carry
``id_number`` (the hub keeps only its keyed hash), so the booking can later be found by card at 签到; the
confirm page and the slip show only that a card is attached, masked. The number is forgotten on leaving.

A booking is also printed as a slip (预约凭条) when the printer last said it is ready (``Print.if_ready``);
the flow says so once the slip has come out.

Stages: CATEGORY → [ITEM →] LOADING → DAY → SLOT → PHONE → CONFIRM → BOOKING → DONE | FULL | FAILED; any of
CATEGORY … CONFIRM, FULL → CARD → back where it was.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..codes import valid_phone
from ...core.idcard import mask_id
from .base import (WAITING, AskingFlow, CardFailed, CardRead, Effect, Entered, PaperCopy, PrinterAnswered, Refused, Replied, TagSource,
                   Tapped)

# refusals whose message the hub words for residents (the others are said in our own words)
HUB_WORDED = frozenset({"already_booked", "not_bookable", "unknown_appointment", "not_today"})
SLOTS, BOOK = "appointment.slots", "appointment.book"


@dataclass(frozen=True, slots=True)
class Itemised:
    """The categories whose service items the catalogue lists (an item is offered to choose there)."""

    categories: frozenset[str]


class Stage(enum.Enum):
    CATEGORY = "category"
    ITEM = "item"
    LOADING = "loading"
    DAY = "day"
    SLOT = "slot"
    PHONE = "phone"
    CONFIRM = "confirm"
    BOOKING = "booking"
    DONE = "done"
    FULL = "full"
    FAILED = "failed"
    CARD = "card"


S = Stage
BACK = "go-back"
CARD_EVENTS = {"card": "_card", "card_failed": "_card_failed"}
# stage → event → handler. An event missing here is refused in that stage.
TABLE: dict[Stage, dict[str, str]] = {
    S.CATEGORY: {"book-cats": "_category", **CARD_EVENTS},
    S.ITEM: {"book-items": "_item", "book-skip": "_skip_item", BACK: "_back", **CARD_EVENTS},
    S.LOADING: dict(WAITING),
    S.DAY: {"book-days": "_day", BACK: "_back", **CARD_EVENTS},
    S.SLOT: {"book-slots": "_slot", BACK: "_back", **CARD_EVENTS},
    S.PHONE: {"book-phone": "_phone", BACK: "_back", **CARD_EVENTS},
    S.CONFIRM: {"book-submit": "_submit", BACK: "_back", **CARD_EVENTS},
    S.BOOKING: dict(WAITING),
    S.DONE: {"printer": "_printed"},
    S.FULL: {"book-suggest": "_suggest", "book-rechoose": "_rechoose", BACK: "_back", **CARD_EVENTS},
    S.FAILED: {"replied": "_replied", "book-retry": "_retry", BACK: "_back"},
    S.CARD: {"book-card-use": "_card_use", "book-card-skip": "_card_skip", BACK: "_card_skip", "card": "_card"},
}
BEFORE = {S.ITEM: S.CATEGORY, S.SLOT: S.DAY, S.PHONE: S.SLOT, S.CONFIRM: S.PHONE, S.FULL: S.SLOT}


class BookFlow(AskingFlow):
    Stage = Stage
    TABLE = TABLE
    HUB_WORDED = HUB_WORDED
    FAILED = S.FAILED
    ANY_STAGE = {**AskingFlow.ANY_STAGE, "itemised": "_itemised"}
    UNSEEN = frozenset({"itemised"})

    def __init__(self, *, reply_timeout: float, errors: Mapping[str, str], other: str, tags: TagSource) -> None:
        """``errors`` words the refusals by code, and ``no_slots`` (the hub offered no slot at all)."""
        super().__init__(reply_timeout=reply_timeout, errors=errors, other=other)
        self.tags = tags
        self.stage: Stage = S.CATEGORY
        self.itemised: frozenset[str] = frozenset()
        self.category = ""
        self.item_id = ""
        self.slots: list[dict[str, Any]] = []
        self.day = ""
        self.slot: dict[str, Any] = {}
        self.phone = ""
        self.phone_error = False
        self.sent: tuple[str, dict[str, Any]] | None = None  # the request in flight, for 重试
        self.result: dict[str, Any] = {}
        self.failed_from: Stage = S.CATEGORY
        self.suggest = ""
        self.slip = PaperCopy()  # the 预约凭条
        self.card_offered = ""  # a read card's number awaiting a yes or no (never shown whole)
        self.id_number = ""  # the card the person chose to attach to the booking
        self.card_back: Stage = S.CATEGORY  # where CARD returns to
        self.card_problem = ""  # why the last card was not read

    @property
    def card_masked(self) -> str:
        """The attached card as shown on the confirm page and the slip ("" = none)."""
        return mask_id(self.id_number) if self.id_number else ""

    @property
    def offered_masked(self) -> str:
        return mask_id(self.card_offered) if self.card_offered else ""

    @property
    def has_items(self) -> bool:
        return self.category in self.itemised

    def _itemised(self, e: Itemised, now: float) -> list[Effect]:
        self.itemised = frozenset(e.categories)
        return []

    # ---- choosing ------------------------------------------------------------------------------------
    def _category(self, e: Tapped, now: float) -> list[Effect]:
        self.category, self.item_id = str(e.value), ""
        if self.has_items:
            self.go(S.ITEM)
            return []
        return self._load_slots(now)

    def _item(self, e: Tapped, now: float) -> list[Effect]:
        self.item_id = str(e.value)
        return self._load_slots(now)

    def _skip_item(self, e: Tapped, now: float) -> list[Effect]:
        self.item_id = ""
        return self._load_slots(now)

    def _rechoose(self, e: Tapped, now: float) -> list[Effect]:
        return self._load_slots(now)

    def _day(self, e: Tapped, now: float) -> list[Effect]:
        if not any(s.get("date") == e.value and _free(s) for s in self.slots):
            raise Refused("no free slot that day")
        self.day = str(e.value)
        self.go(S.SLOT)
        return []

    def _slot(self, e: Tapped, now: float) -> list[Effect]:
        slot = next((s for s in self.slots if s.get("slot") == e.value and s.get("date") == self.day), None)
        if slot is None or not _free(slot):
            raise Refused("not a slot with a place left")
        self.slot = slot
        self.phone_error = False
        self.go(S.PHONE)
        return []

    def _phone(self, e: Entered, now: float) -> list[Effect]:
        self.phone = e.value
        self.phone_error = not valid_phone(self.phone)
        self.go(S.PHONE if self.phone_error else S.CONFIRM)
        return []

    def _back(self, e: Tapped, now: float) -> list[Effect]:
        if self.stage is S.FAILED:
            target = self.failed_from
        elif self.stage is S.DAY:
            target = S.ITEM if self.has_items else S.CATEGORY
        else:
            target = BEFORE.get(self.stage, S.CATEGORY)
        self.ask.done()
        self.sent = None
        self.go(target)
        return []

    # ---- 刷身份证 ---------------------------------------------------------------------------------------
    def _card(self, e: CardRead, now: float) -> list[Effect]:
        if self.stage is not S.CARD:
            self.card_back = self.stage
        self.card_offered, self.card_problem = e.id_number, ""
        self.go(S.CARD)
        return []

    def _card_failed(self, e: CardFailed, now: float) -> list[Effect]:
        self.card_problem = e.problem
        return []

    def _card_use(self, e: Tapped, now: float) -> list[Effect]:
        self.id_number, self.card_offered = self.card_offered, ""
        self.go(self.card_back)
        return []

    def _card_skip(self, e: Tapped, now: float) -> list[Effect]:
        self.card_offered = ""
        self.go(self.card_back)
        return []

    def suggested(self) -> dict[str, Any]:
        """The hub's suggested slot, as offered (or read from its id when it is not in the list)."""
        found = next((s for s in self.slots if s.get("slot") == self.suggest), None)
        return found or {"slot": self.suggest, "date": self.suggest[:10], "start": self.suggest[11:16], "end": ""}

    # ---- the hub -------------------------------------------------------------------------------------
    def _send(self, op: str, args: dict[str, Any], stage: Stage, now: float, *, retry: bool = False) -> list[Effect]:
        effects = self._request(op, args, stage, now, retry=retry)
        self.failed_from = S.CONFIRM if stage is S.BOOKING else (S.ITEM if self.has_items else S.CATEGORY)
        self.sent = (op, args)
        return effects

    def _sent(self, e: Any, now: float) -> list[Effect]:
        if e.txn is None:
            self.sent = None
        return super()._sent(e, now)

    def _load_slots(self, now: float) -> list[Effect]:
        self.slots = []
        return self._send(SLOTS, {"category": self.category}, S.LOADING, now)

    def _book(self, slot: dict[str, Any], now: float) -> list[Effect]:
        self.slot = slot
        args: dict[str, Any] = {"category": self.category, "slot": slot["slot"], "phone": self.phone}
        if self.item_id:
            args["items"] = [self.item_id]
        if self.id_number:
            args["id_number"] = self.id_number
        return self._send(BOOK, args, S.BOOKING, now)

    def _submit(self, e: Tapped, now: float) -> list[Effect]:
        return self._book(self.slot, now)

    def _suggest(self, e: Tapped, now: float) -> list[Effect]:
        if not self.suggest:
            raise Refused("the hub suggested no slot")
        return self._book(self.suggested(), now)

    def _retry(self, e: Tapped, now: float) -> list[Effect]:
        if self.sent is None:
            raise Refused("nothing to repeat")
        op, args = self.sent
        return self._send(op, args, S.LOADING if op == SLOTS else S.BOOKING, now, retry=True)

    def _replied(self, e: Replied, now: float) -> list[Effect]:
        self._mine(e)
        if self.sent is None:
            raise Refused("no request of ours is open")
        op = self.sent[0]
        self.ask.done()
        self.sent = None
        if not e.ok:
            code = e.code or "error"
            if op == BOOK and code == "slot_full":
                self.suggest = str((e.error or {}).get("suggest") or "")
                self.go(S.FULL)
            elif op == BOOK and code == "bad_phone":
                self.phone_error = True
                self.go(S.PHONE)
            else:
                self._fail(code, e.message or "")
            return []
        result = e.result if isinstance(e.result, dict) else {}
        if op == SLOTS:
            self.slots = [s for s in result.get("slots", []) if isinstance(s, dict)]
            if not self.slots:
                self._fail("no_slots")
                self.failed_from = S.CATEGORY
                return []
            self.go(S.DAY)
            return []
        self.result = dict(result)
        self.go(S.DONE)
        facts = {**self.result, "card": self.card_masked} if self.id_number else self.result
        return [self.slip.ask(self.tags(), "slip", facts)]

    def _printed(self, e: PrinterAnswered, now: float) -> list[Effect]:
        self.slip.answered(e)
        return []

    def _left(self, e: Any, now: float) -> list[Effect]:
        # a booking still unanswered (in flight, or timed out) when the person walks away: nobody will see
        # its code, so a place it takes after all is given back (the session cancels it)
        effects = self.ask.give_up(BOOK) if self.sent is not None and self.sent[0] == BOOK else []
        self.phone = self.id_number = self.card_offered = ""  # personal data goes with the screen
        if self.sent is not None and "id_number" in self.sent[1]:
            self.sent = None
        return effects


def _free(slot: Mapping[str, Any]) -> bool:
    return max(0, int(slot.get("remaining", 0))) > 0
