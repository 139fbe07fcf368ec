"""办不成事反映 as a pure flow: what could not be done — the service item (by department, by pinyin initials,
or in one's own words), what went wrong, an optional note and phone — and, while in the hall, a number
for the 办不成事反映窗口 in the same request (``feedback.submit`` with ``want_ticket``).

The hub opens a case (and issues the ticket); a shown ticket is reported ``ticket.delivered``
``on_screen``. The hub is asked with a deadline; after it the txn is kept, so a late answer is still
taken and 重试 repeats the same txn (one case, one ticket). Whether a ticket is offered is what the review
showed (the submit tap carries it). Everything typed is forgotten on leaving, and once the answer is
shown.

Stages: ITEM → (DEPT | SEARCH | OWN) → PROBLEM → TEXT → PHONE → REVIEW → SENDING → DONE | FAILED.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from .base import WAITING, AskingFlow, CommentAndPhone, Effect, Entered, Replied, Tapped, Tell

HUB_WORDED = frozenset({"missing_field", "too_long", "bad_phone", "hall_closed"})


class Stage(enum.Enum):
    ITEM = "item"
    DEPT = "dept"
    SEARCH = "search"
    OWN = "own"
    PROBLEM = "problem"
    TEXT = "text"
    PHONE = "phone"
    REVIEW = "review"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"


S = Stage
BACK = "go-back"
TABLE: dict[Stage, dict[str, str]] = {
    S.ITEM: {"fb-depts": "_department", "fb-other": "_other", "fb-search": "_search"},
    S.DEPT: {"fb-items": "_item", BACK: "_back"},
    S.SEARCH: {"fb-kb": "_query", "fb-results": "_item", BACK: "_back"},
    S.OWN: {"fb-item-kb": "_own", "own-skip": "_own_skip", BACK: "_back"},
    S.PROBLEM: {"fb-problems": "_problem", BACK: "_back"},
    S.TEXT: {"fb-text-kb": "_text", "text-skip": "_text_skip", BACK: "_back"},
    S.PHONE: {"fb-phone": "_phone", "phone-skip": "_phone_skip", BACK: "_back"},
    S.REVIEW: {"fb-ticket": "_want_ticket", "fb-submit": "_submit", BACK: "_back"},
    S.SENDING: dict(WAITING),
    S.DONE: {},
    S.FAILED: {"replied": "_replied", "fb-retry": "_retry", BACK: "_back"},
}
BEFORE = {S.DEPT: S.ITEM, S.SEARCH: S.ITEM, S.OWN: S.ITEM, S.TEXT: S.PROBLEM, S.PHONE: S.TEXT,
          S.REVIEW: S.PHONE, S.FAILED: S.REVIEW}


class FeedbackFlow(CommentAndPhone, AskingFlow):
    Stage = Stage
    TABLE = TABLE
    HUB_WORDED = HUB_WORDED
    FAILED = S.FAILED

    def __init__(self, *, reply_timeout: float, errors: Mapping[str, str], other: str) -> None:
        super().__init__(reply_timeout=reply_timeout, errors=errors, other=other)
        self._forget()

    def _forget(self) -> None:
        self.stage: Stage = S.ITEM
        self.department = ""
        self.query = ""
        self.item_id = ""
        self.item_text = ""
        self.problem = ""
        self.text = ""
        self.phone = ""
        self.phone_error = False
        self.want_ticket = False
        self.offered_ticket = False
        self.came_from: Stage = S.ITEM
        self.result: dict[str, Any] = {}
        self.reason = ""
        self.ask.done()

    # ---- choosing the item ---------------------------------------------------------------------------
    def _department(self, e: Tapped, now: float) -> list[Effect]:
        self.department = str(e.value)
        self.go(S.DEPT)
        return []

    def _other(self, e: Tapped, now: float) -> list[Effect]:
        self.item_id = ""
        self.go(S.OWN)
        return []

    def _search(self, e: Tapped, now: float) -> list[Effect]:
        self.go(S.SEARCH)
        return []

    def _query(self, e: Entered, now: float) -> list[Effect]:
        self.query = e.value
        return []

    def _item(self, e: Tapped, now: float) -> list[Effect]:
        self.came_from, self.item_id, self.item_text = self.stage, str(e.value), ""
        self.go(S.PROBLEM)
        return []

    def _own(self, e: Entered, now: float) -> list[Effect]:
        self.came_from, self.item_id, self.item_text = S.OWN, "", e.value
        self.go(S.PROBLEM)
        return []

    def _own_skip(self, e: Tapped, now: float) -> list[Effect]:
        self.came_from, self.item_id, self.item_text = S.OWN, "", ""
        self.go(S.PROBLEM)
        return []

    def _back(self, e: Tapped, now: float) -> list[Effect]:
        target = self.came_from if self.stage is S.PROBLEM else BEFORE.get(self.stage, S.ITEM)
        self.ask.done()
        self.go(target)
        return []

    # ---- what went wrong -----------------------------------------------------------------------------
    def _problem(self, e: Tapped, now: float) -> list[Effect]:
        self.problem = str(e.value)
        self.go(S.TEXT)
        return []

    def _want_ticket(self, e: Tapped, now: float) -> list[Effect]:
        self.want_ticket = not self.want_ticket
        return []

    # ---- the hub -------------------------------------------------------------------------------------
    def problem_text(self) -> str:
        return f"{self.problem}：{self.text.strip()}" if self.text.strip() else self.problem

    def args(self) -> dict[str, Any]:
        out: dict[str, Any] = {"problem": self.problem_text(), "want_ticket": self.want_ticket and self.offered_ticket}
        if self.item_id:
            out["item"] = self.item_id
        elif self.item_text.strip():
            out["item_text"] = self.item_text.strip()
        if self.phone:
            out["phone"] = self.phone
        return out

    def _submit(self, e: Tapped, now: float) -> list[Effect]:
        self.offered_ticket = bool(e.value)  # the review offered a ticket (walk-in hours)
        return self._request("feedback.submit", self.args(), S.SENDING, now)

    def _retry(self, e: Tapped, now: float) -> list[Effect]:
        return self._request("feedback.submit", self.args(), S.SENDING, now, retry=True)

    def _replied(self, e: Replied, now: float) -> list[Effect]:
        result = self._result(e)
        if result is None:
            return []
        self.result = result
        self.text = self.phone = self.item_text = ""  # on screen now: the case number and the ticket only
        self.go(S.DONE)
        ticket = self.result.get("ticket")
        if isinstance(ticket, dict) and ticket.get("ticket"):
            return [Tell("ticket.delivered", {"ticket": ticket["ticket"], "how": "on_screen"})]
        return []

    def _left(self, e: Any, now: float) -> list[Effect]:
        self._forget()
        return []
