"""办事指南 as a pure flow: find a service item by department, by life event or by pinyin initials, and
read its guide. It asks nobody: the catalogue is the session's retained one, and the screen draws from
it; the flow keeps only where the person is, what they typed and which item is open.

Stages: HOW → DEPTS | EVENTS → ITEMS → DETAIL;  HOW → SEARCH → DETAIL. 上一步 from a guide returns to the
list it was opened from; a guide whose item left the catalogue (:class:`Gone`) gives way to HOW.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from .base import Effect, Entered, Flow, Tapped


@dataclass(frozen=True, slots=True)
class Gone:
    """The open item is no longer in the catalogue."""


class Stage(enum.Enum):
    HOW = "how"
    DEPTS = "departments"
    EVENTS = "events"
    ITEMS = "items"
    SEARCH = "search"
    DETAIL = "detail"


S = Stage
BACK = "go-back"
WAYS = {"how-department": S.DEPTS, "how-event": S.EVENTS, "how-search": S.SEARCH}
# stage → event → handler. An event missing here is refused in that stage.
TABLE: dict[Stage, dict[str, str]] = {
    S.HOW: {k: "_way" for k in WAYS},
    S.DEPTS: {"list-departments": "_group", BACK: "_back"},
    S.EVENTS: {"list-events": "_group", BACK: "_back"},
    S.ITEMS: {"list-items": "_item", BACK: "_back"},
    S.SEARCH: {"kb": "_query", "results": "_item", BACK: "_back"},
    S.DETAIL: {"gone": "_gone", BACK: "_back"},
}


class GuidesFlow(Flow):
    Stage = Stage
    TABLE = TABLE

    def __init__(self) -> None:
        super().__init__()
        self.stage: Stage = S.HOW
        self.group_kind = ""  # "department" | "event"
        self.group = ""
        self.query = ""
        self.item_id = ""
        self.came_from: Stage = S.HOW

    def _way(self, e: Tapped, now: float) -> list[Effect]:
        target = WAYS[e.target]
        self.group_kind = "department" if target is S.DEPTS else "event"
        self.go(target)
        return []

    def _group(self, e: Tapped, now: float) -> list[Effect]:
        self.group = str(e.value)
        self.go(S.ITEMS)
        return []

    def _item(self, e: Tapped, now: float) -> list[Effect]:
        self.came_from, self.item_id = self.stage, str(e.value)
        self.go(S.DETAIL)
        return []

    def _query(self, e: Entered, now: float) -> list[Effect]:
        self.query = e.value
        return []

    def _back(self, e: Tapped, now: float) -> list[Effect]:
        if self.stage is S.DETAIL:
            self.go(self.came_from)
        elif self.stage is S.ITEMS:
            self.go(S.DEPTS if self.group_kind == "department" else S.EVENTS)
        else:
            self.go(S.HOW)
        return []

    def _gone(self, e: Any, now: float) -> list[Effect]:
        self.go(S.HOW)
        return []
