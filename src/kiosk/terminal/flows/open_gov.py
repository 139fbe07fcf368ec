"""政务公开 as a pure flow: the list of published pages (and the built-in 政务服务事项清单), and the one being
read. It asks nobody: the pages are the session's retained ``content/+`` copy and the screen draws from it;
the flow keeps only which page is open and whether the last one opened was taken down while it was read.

Stages: LIST → PAGE → LIST (上一步, or :class:`Gone` when the page is removed while open).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from .base import Effect, Flow, Tapped

CATALOG_ID = ":catalog"  # the built-in page's choice value: content ids are [a-z0-9_-], so no published page has it
LIST_ID = "gk-pages"
BACK = "go-back"


@dataclass(frozen=True, slots=True)
class Gone:
    """The open page is no longer published (or the catalogue behind the built-in page is gone)."""


class Stage(enum.Enum):
    LIST = "list"
    PAGE = "page"


S = Stage
# stage → event → handler. An event missing here is refused in that stage.
TABLE: dict[Stage, dict[str, str]] = {
    S.LIST: {LIST_ID: "_open"},
    S.PAGE: {BACK: "_back", "gone": "_gone"},
}


class OpenGovFlow(Flow):
    Stage = Stage
    TABLE = TABLE

    def __init__(self) -> None:
        super().__init__()
        self.stage: Stage = S.LIST
        self.page_id = ""
        self.gone = False  # the page being read was removed: the list says so

    def _open(self, e: Tapped, now: float) -> list[Effect]:
        self.page_id, self.gone = str(e.value), False
        self.go(S.PAGE)
        return []

    def _back(self, e: Tapped, now: float) -> list[Effect]:
        self.go(S.LIST)
        return []

    def _gone(self, e: Any, now: float) -> list[Effect]:
        self.gone = True
        self.go(S.LIST)
        return []
