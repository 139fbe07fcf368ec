"""Value objects describing the hall: service categories, windows and the queue policy.

Rule: these are plain frozen data, built once from configuration (see ``kiosk.config``) and passed to
the queue. Which window serves which categories is data here, never code.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .errors import PolicyError


class WindowKind(enum.Enum):
    DOMAIN = "domain"  # 分领域综合办事窗口
    COMPREHENSIVE = "comprehensive"  # 无差别综合办事窗口
    COMPLAINT = "complaint"  # 办不成事反映窗口
    DESK = "desk"  # 咨询导办台


@dataclass(frozen=True, slots=True, kw_only=True)
class Category:
    id: str  # "A"; also the ticket prefix
    name: str  # 公安业务
    group: str = "comprehensive"  # how the kiosk groups choices: "domain" / "comprehensive" / "complaint"
    default_service_s: float = 300.0
    plain: str = ""  # the category in the words visitors use (社保 / 就业 / 退休); the kiosk shows it
    tasks: tuple[str, ...] = ()  # what people come to do (办身份证 …): the kiosk's 不知道选哪个？ finder

    @property
    def prefix(self) -> str:
        return self.id


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    id: str  # "w1"
    number: int  # the number painted over the counter, spoken as "3号窗口"
    name: str  # 公安综合窗口
    kind: WindowKind
    categories: tuple[str, ...]
    ticketed: bool = True  # the consultation desk takes no numbered tickets


@dataclass(frozen=True, slots=True, kw_only=True)
class QueuePolicy:
    recall_limit: int = 2  # recalls after the first call; one more press makes the ticket 过号
    priority_max_in_row: int = 2  # 绿色通道 tickets called in a row while others wait
    noshow_grace_s: float = 1800.0  # a 过号 ticket may be requeued within this time
    ewma_alpha: float = 0.2  # weight of the newest service time in the moving average
    recent_calls: int = 8  # calls kept for the board

    def __post_init__(self) -> None:
        if self.recall_limit < 0:
            raise PolicyError("recall_limit must be >= 0")
        if self.priority_max_in_row < 1:
            raise PolicyError("priority_max_in_row must be >= 1")
        if not 0.0 < self.ewma_alpha <= 1.0:
            raise PolicyError("ewma_alpha must be in (0, 1]")
        if self.noshow_grace_s < 0:
            raise PolicyError("noshow_grace_s must be >= 0")


@dataclass(frozen=True, slots=True, kw_only=True)
class Hall:
    """Everything the queue needs to know about the hall."""

    categories: tuple[Category, ...]
    windows: tuple[Window, ...]
    policy: QueuePolicy = field(default_factory=QueuePolicy)
    _cat_by_id: dict[str, Category] = field(init=False, repr=False, compare=False)
    _win_by_id: dict[str, Window] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cat_ids = [c.id for c in self.categories]
        if len(set(cat_ids)) != len(cat_ids):
            raise PolicyError("duplicate category id")
        win_ids = [w.id for w in self.windows]
        if len(set(win_ids)) != len(win_ids):
            raise PolicyError("duplicate window id")
        known = set(cat_ids)
        for w in self.windows:
            for c in w.categories:
                if c not in known:
                    raise PolicyError(f"window {w.id} serves unknown category {c}")
        object.__setattr__(self, "_cat_by_id", {c.id: c for c in self.categories})
        object.__setattr__(self, "_win_by_id", {w.id: w for w in self.windows})

    def category(self, cid: str) -> Category | None:
        return self._cat_by_id.get(cid)

    def window(self, wid: str) -> Window | None:
        return self._win_by_id.get(wid)
