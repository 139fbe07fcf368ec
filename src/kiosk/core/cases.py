"""差评整改台账: the rectification ledger for bad ratings and 办不成事 complaints, as a state machine.

Rule: every change of a case's state goes through ``advance`` and the table ``TRANSITIONS``; an action
missing from the table, or a guard that fails, raises ``CaseError`` before anything changes (cases are
frozen values: ``advance`` returns a new one). Each step is written into the case's history with who did
it, when, and their note.

    待核实 verifying --verify--> 整改中 rectifying --rectify--> 待回访 callback --callback 满意--> 已办结 closed
                                      ^                              |  \\--close (no phone)--/
                                      +------callback 不满意---------+
    待核实 / 整改中 --appeal--> 申诉复核 appeal --decide upheld--> 已办结 (申诉成立: left out of 满意率)
                                                  \\--decide rejected--> back to the stage it came from

- ``callback`` records the citizen's answer: 满意 closes the case, 不满意 sends it back to 整改中 with a new
  rectification deadline (it is not closed: the problem was not solved).
- ``appeal`` (申诉复核) is for a bad review the window thinks mistaken or malicious, and only for a case opened
  by a rating; the director ``decide``s it with a reason. An upheld appeal closes the case and is kept in
  the record with its reason (``appeal``); reports leave that rating out of the satisfaction rate. A
  rejected appeal returns the case to the stage it was in, with a fresh deadline.
- A 12345 hotline work order (source ``hotline``) carries the order number (``ref``), its content and the
  hotline's own reply deadline (``order_deadline``); it goes through the same stages.
- ``close`` closes without a call-back, and only for a case with no phone number: a citizen who left a
  number is always called back (核实、整改、满意度回访).
- Each open stage has a deadline in working days (``Deadlines``), counted after the day the stage began
  by a calendar function passed in; a case still in a stage after its deadline day is overdue.

Pure: standard library only; ``now`` (epoch seconds) and ``today`` (the business day) are arguments.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from .errors import CoreError


class CaseState(enum.Enum):
    VERIFYING = "verifying"
    RECTIFYING = "rectifying"
    CALLBACK = "callback"
    APPEAL = "appeal"
    CLOSED = "closed"


S = CaseState
STATE_LABELS = {S.VERIFYING: "待核实", S.RECTIFYING: "整改中", S.CALLBACK: "待回访", S.APPEAL: "申诉复核中",
                S.CLOSED: "已办结"}
ACTION_LABELS = {"open": "登记", "verify": "核实", "rectify": "整改", "callback": "回访", "close": "办结",
                 "appeal": "申诉复核", "decide": "复核决定"}
CALLBACK_RESULTS = ("满意", "不满意")
SOURCES = {"evaluation": "差评", "feedback": "办不成事反映", "hotline": "12345热线"}
APPEAL_GROUNDS = {"mistaken": "误评", "malicious": "恶意差评"}
DECISIONS = {"upheld": "申诉成立", "rejected": "申诉不成立"}

# state -> action -> next state. Nothing else moves a case.
# (``callback`` with 不满意 and ``decide`` rejected go elsewhere: see ``_target``.)
TRANSITIONS: dict[CaseState, dict[str, CaseState]] = {
    S.VERIFYING: {"verify": S.RECTIFYING, "appeal": S.APPEAL},
    S.RECTIFYING: {"rectify": S.CALLBACK, "appeal": S.APPEAL},
    S.CALLBACK: {"callback": S.CLOSED, "close": S.CLOSED},
    S.APPEAL: {"decide": S.CLOSED},
    S.CLOSED: {},
}
ACTIONS = ("verify", "rectify", "callback", "close", "appeal", "decide")

MSG_ILLEGAL = "工单{id}当前为“{state}”，不能执行“{action}”"
MSG_NEED_BY = "请填写经办人"
MSG_NEED_RESULT = "回访需要记录群众的回访结果：满意或不满意"
MSG_RESULT_ONLY_CALLBACK = "只有回访才记录回访结果"
MSG_CALLBACK_REQUIRED = "群众留有联系电话，须先完成满意度回访才能办结"
MSG_APPEAL_ONLY_RATINGS = "只有差评工单可以申诉复核"
MSG_APPEAL_ONCE = "该差评已申诉复核过一次，不能再次申诉"
MSG_NEED_GROUNDS = "申诉复核需要选择理由：误评或恶意差评，并说明情况"
MSG_NEED_DECISION = "复核决定需要写明结论（申诉成立或不成立）和理由"
MSG_FIELD_NOT_HERE = "“{field}”不属于这一步"


class CaseError(CoreError):
    """A refused step; ``code``: illegal, missing_field, bad_value, callback_required."""

    code = "illegal"


@dataclass(frozen=True, slots=True, kw_only=True)
class Deadlines:
    """Working days allowed for each open stage."""

    verify_days: int = 2
    rectify_days: int = 10
    callback_days: int = 3
    appeal_days: int = 5  # the director's decision on a 申诉复核

    def for_state(self, state: CaseState) -> int | None:
        return {S.VERIFYING: self.verify_days, S.RECTIFYING: self.rectify_days,
                S.CALLBACK: self.callback_days, S.APPEAL: self.appeal_days}.get(state)


def add_working_days(start: date, n: int, is_working: Callable[[date], bool] | None = None) -> date:
    """The n-th working day after ``start`` (``start`` itself when n is 0). Without a calendar every
    day counts."""
    if n <= 0:
        return start
    day, left = start, n
    for _ in range(n * 10 + 60):  # no real calendar has 10 rest days per working day
        day += timedelta(days=1)
        if is_working is None or is_working(day):
            left -= 1
            if left == 0:
                return day
    raise ValueError(f"no {n} working days within {n * 10 + 60} days after {start.isoformat()}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    at: float
    action: str
    by: str
    note: str = ""
    from_state: str = ""
    to_state: str = ""
    result: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "action": self.action, "by": self.by, "note": self.note,
                "from": self.from_state, "to": self.to_state, "result": self.result}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Step":
        return cls(at=d["at"], action=d["action"], by=d["by"], note=d.get("note", ""),
                   from_state=d.get("from", ""), to_state=d.get("to", ""), result=d.get("result"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One ledger entry. ``phone`` is the citizen's number for the call-back (hub database only);
    the rest is not personal and stays for reports after the phone is purged."""

    id: str
    source: str  # "evaluation" | "feedback"
    opened_at: float
    opened_day: str
    state: CaseState = CaseState.VERIFYING
    deadline: str | None = None  # ISO day the current stage is due
    stage_since: str = ""  # ISO day the current stage began
    ref: str = ""  # the evaluation id or the complaint's ticket id
    ticket: str = ""  # the rated or complaint ticket id
    window: str = ""
    category: str = ""
    item: str = ""
    level: int | None = None
    reasons: tuple[str, ...] = ()
    summary: str = ""
    phone: str | None = None
    had_phone: bool = False  # a number was left; survives the purge so the close rule still holds
    callback_result: str | None = None
    closed_at: float | None = None
    overdue_alerted: str | None = None  # the deadline an overdue alert was already sent for
    order_deadline: str | None = None  # a 12345 work order: the hotline's own reply deadline (ISO day)
    reopened: int = 0  # times a 不满意 call-back sent the case back to 整改
    appeal: dict[str, Any] | None = None  # {grounds, reason, by, from, decision?, decision_reason?, decided_by?}
    history: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def open(self) -> bool:
        return self.state is not CaseState.CLOSED

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def appeal_upheld(self) -> bool:
        """A rating the director found mistaken or malicious: kept, but not counted in the 满意率."""
        return bool(self.appeal) and self.appeal.get("decision") == "upheld"

    def overdue(self, today: date) -> bool:
        if not self.open:
            return False
        late = self.deadline is not None and today > date.fromisoformat(self.deadline)
        return late or (self.order_deadline is not None and today > date.fromisoformat(self.order_deadline))

    def needs_overdue_alert(self, today: date) -> bool:
        return self.overdue(today) and self.overdue_alerted != self.deadline

    def overdue_alert_sent(self) -> "Case":
        return replace(self, overdue_alerted=self.deadline)

    def to_dict(self) -> dict[str, Any]:
        """Everything but the phone (which the hub keeps in its own column)."""
        return {"id": self.id, "source": self.source, "opened_at": self.opened_at, "opened_day": self.opened_day,
                "state": self.state.value, "deadline": self.deadline, "stage_since": self.stage_since,
                "ref": self.ref, "ticket": self.ticket, "window": self.window, "category": self.category,
                "item": self.item, "level": self.level, "reasons": list(self.reasons), "summary": self.summary,
                "had_phone": self.had_phone, "callback_result": self.callback_result,
                "closed_at": self.closed_at, "overdue_alerted": self.overdue_alerted,
                "order_deadline": self.order_deadline, "reopened": self.reopened, "appeal": self.appeal,
                "history": [s.to_dict() for s in self.history]}

    @classmethod
    def from_dict(cls, d: dict[str, Any], phone: str | None = None) -> "Case":
        d = dict(d)
        d["state"] = CaseState(d["state"])
        d["reasons"] = tuple(d.get("reasons", ()))
        d["history"] = tuple(Step.from_dict(s) for s in d.get("history", ()))
        return cls(phone=phone, **d)


def open_case(*, id: str, source: str, now: float, today: date, deadlines: Deadlines,
              is_working: Callable[[date], bool] | None = None, by: str = "系统", **details: Any) -> Case:
    """A new case in 待核实, due ``verify_days`` working days after today."""
    if source not in SOURCES:
        raise CaseError(f"unknown case source {source!r}", code="bad_value")
    phone = details.pop("phone", None) or None
    day = today.isoformat()
    first = Step(at=now, action="open", by=by, note=SOURCES[source], to_state=S.VERIFYING.value)
    return Case(id=id, source=source, opened_at=now, opened_day=day, stage_since=day,
                deadline=add_working_days(today, deadlines.verify_days, is_working).isoformat(),
                phone=phone, had_phone=phone is not None, history=(first,), **details)


def _target(case: Case, action: str, callback_result: str | None, decision: str | None) -> CaseState | None:
    nxt = TRANSITIONS[case.state].get(action)
    if nxt is None:
        return None
    if action == "callback" and callback_result == "不满意":
        return S.RECTIFYING  # not solved: back to 整改, never closed on a 不满意
    if action == "decide" and decision == "rejected":
        return CaseState((case.appeal or {}).get("from", S.RECTIFYING.value))
    return nxt


def advance(case: Case, action: str, *, by: str, now: float, today: date, deadlines: Deadlines,
            is_working: Callable[[date], bool] | None = None, note: str = "",
            callback_result: str | None = None, grounds: str | None = None, decision: str | None = None) -> Case:
    """Apply one step; returns the new case or raises CaseError with the case unchanged."""
    nxt = _target(case, action, callback_result, decision)
    if nxt is None:
        raise CaseError(MSG_ILLEGAL.format(id=case.id, state=case.state_label,
                                           action=ACTION_LABELS.get(action, action)), code="illegal")
    if not by or not by.strip():
        raise CaseError(MSG_NEED_BY, code="missing_field")
    if action == "callback":
        if callback_result not in CALLBACK_RESULTS:
            raise CaseError(MSG_NEED_RESULT, code="missing_field" if callback_result is None else "bad_value")
    elif callback_result is not None:
        raise CaseError(MSG_RESULT_ONLY_CALLBACK, code="bad_value")
    if action == "close" and case.had_phone:
        raise CaseError(MSG_CALLBACK_REQUIRED, code="callback_required")
    if grounds is not None and action != "appeal":
        raise CaseError(MSG_FIELD_NOT_HERE.format(field="申诉理由"), code="bad_value")
    if decision is not None and action != "decide":
        raise CaseError(MSG_FIELD_NOT_HERE.format(field="复核决定"), code="bad_value")
    appeal = case.appeal
    if action == "appeal":
        if case.source != "evaluation":
            raise CaseError(MSG_APPEAL_ONLY_RATINGS, code="illegal")
        if case.appeal:
            raise CaseError(MSG_APPEAL_ONCE, code="illegal")
        if grounds not in APPEAL_GROUNDS or not note.strip():
            raise CaseError(MSG_NEED_GROUNDS, code="missing_field")
        appeal = {"grounds": grounds, "reason": note.strip(), "by": by.strip(), "at": now,
                  "from": case.state.value}
    if action == "decide":
        if decision not in DECISIONS or not note.strip():
            raise CaseError(MSG_NEED_DECISION, code="missing_field")
        appeal = dict(case.appeal or {}, decision=decision, decision_reason=note.strip(), decided_by=by.strip(),
                      decided_at=now)
    step = Step(at=now, action=action, by=by.strip(), note=note.strip(), from_state=case.state.value,
                to_state=nxt.value, result=callback_result or (DECISIONS[decision] if decision else None))
    days = deadlines.for_state(nxt)
    return replace(case, state=nxt, stage_since=today.isoformat(),
                   deadline=None if days is None else add_working_days(today, days, is_working).isoformat(),
                   callback_result=callback_result if action == "callback" else case.callback_result,
                   closed_at=now if nxt is CaseState.CLOSED else None,
                   reopened=case.reopened + (1 if action == "callback" and nxt is S.RECTIFYING else 0),
                   appeal=appeal, history=case.history + (step,))


def forget_phone(case: Case) -> Case:
    """The case without the citizen's number (retention purge); ``had_phone`` stays."""
    return replace(case, phone=None)
