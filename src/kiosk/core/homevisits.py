"""上门服务 (上门帮办、代办、代收、代缴) after registration: the ledger a home visit stays in.

Rule: every change goes through ``advance`` and ``TRANSITIONS``; a refused step raises ``VisitError`` and
changes nothing (``Visit`` is a frozen value); each step goes into the history with who, when and why.

    已登记 registered --schedule (day, staff)--> 已安排 scheduled --done (outcome)--> 已上门 done
         \\                                      |  \\--schedule again (another day or staff)
          \\--cancel (reason)--> 已取消 cancelled <--cancel (reason)

A visit is scheduled on a day that is today or later; ``done`` records what came of it (``OUTCOMES`` and
a note). Pure: standard library only; ``now`` and ``today`` are arguments.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from .cases import Step  # one shape of history step for every ledger
from .errors import CoreError


class VisitState(enum.Enum):
    REGISTERED = "registered"
    SCHEDULED = "scheduled"
    DONE = "done"
    CANCELLED = "cancelled"


V = VisitState
STATE_LABELS = {V.REGISTERED: "已登记", V.SCHEDULED: "已安排", V.DONE: "已上门", V.CANCELLED: "已取消"}
ACTION_LABELS = {"register": "登记", "schedule": "安排上门", "done": "上门办结", "cancel": "取消"}
OUTCOMES = {"handled": "已办结", "collected": "已代收材料", "paid": "已代缴", "referred": "已转办", "not_home": "未遇到本人"}
TRANSITIONS: dict[VisitState, dict[str, VisitState]] = {
    V.REGISTERED: {"schedule": V.SCHEDULED, "cancel": V.CANCELLED},
    V.SCHEDULED: {"schedule": V.SCHEDULED, "done": V.DONE, "cancel": V.CANCELLED},
    V.DONE: {},
    V.CANCELLED: {},
}
ACTIONS = ("schedule", "done", "cancel")

MSG_ILLEGAL = "上门服务{id}当前为“{state}”，不能“{action}”"
MSG_NEED_BY = "请填写经办人"
MSG_NEED_DAY = "安排上门需要填写日期（今天或以后）和上门人员"
MSG_NEED_OUTCOME = "上门办结需要选择结果：{outcomes}"
MSG_NEED_REASON = "取消上门服务需要写明原因"
MSG_FIELD_NOT_HERE = "“{field}”不属于这一步"


class VisitError(CoreError):
    code = "illegal"


@dataclass(frozen=True, slots=True, kw_only=True)
class Visit:
    id: str  # the help request's id (h12)
    state: VisitState = VisitState.REGISTERED
    day: str | None = None  # the day it is scheduled for
    staff: str = ""  # who goes
    outcome: str | None = None
    history: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def open(self) -> bool:
        return self.state in (V.REGISTERED, V.SCHEDULED)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state.value, "day": self.day, "staff": self.staff,
                "outcome": self.outcome, "history": [s.to_dict() for s in self.history]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Visit":
        return cls(id=d["id"], state=VisitState(d["state"]), day=d.get("day"), staff=d.get("staff", ""),
                   outcome=d.get("outcome"), history=tuple(Step.from_dict(s) for s in d.get("history", ())))


def registered(vid: str, now: float) -> Visit:
    return Visit(id=vid, history=(Step(at=now, action="register", by="系统", to_state=V.REGISTERED.value),))


def advance(v: Visit, action: str, *, by: str, now: float, today: date, note: str = "", day: date | None = None,
            staff: str | None = None, outcome: str | None = None) -> Visit:
    nxt = TRANSITIONS[v.state].get(action)
    if nxt is None:
        raise VisitError(MSG_ILLEGAL.format(id=v.id, state=v.state_label, action=ACTION_LABELS.get(action, action)))
    if not by or not by.strip():
        raise VisitError(MSG_NEED_BY, code="missing_field")
    note = note.strip()
    changes: dict[str, Any] = {}
    if action == "schedule":
        if day is None or day < today or not (staff or "").strip():
            raise VisitError(MSG_NEED_DAY, code="missing_field" if day is None or not staff else "bad_value")
        changes = {"day": day.isoformat(), "staff": staff.strip()}
    elif day is not None or staff is not None:
        raise VisitError(MSG_FIELD_NOT_HERE.format(field="日期/上门人员"), code="bad_value")
    if action == "done":
        if outcome not in OUTCOMES:
            raise VisitError(MSG_NEED_OUTCOME.format(outcomes="、".join(OUTCOMES.values())),
                             code="missing_field" if outcome is None else "bad_value")
        changes["outcome"] = outcome
    elif outcome is not None:
        raise VisitError(MSG_FIELD_NOT_HERE.format(field="上门结果"), code="bad_value")
    if action == "cancel" and not note:
        raise VisitError(MSG_NEED_REASON, code="missing_field")
    text = note
    if action == "schedule":
        text = f"{changes['day']} {changes['staff']}" + (f"：{note}" if note else "")
    elif action == "done":
        text = OUTCOMES[outcome] + (f"：{note}" if note else "")
    step = Step(at=now, action=action, by=by.strip(), note=text, from_state=v.state.value, to_state=nxt.value)
    return replace(v, state=nxt, history=v.history + (step,), **changes)
