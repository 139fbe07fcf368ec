"""政府信息公开申请 after 受理: the lifecycle 《政府信息公开条例》 sets, as a state machine on working days.

Rule: every change goes through ``advance`` and the table ``TRANSITIONS``; a refused step raises
``DisclosureError`` and changes nothing (``Progress`` is a frozen value). Each step is written into the
history with who did it, when and why.

    办理中 processing --correct--> 待补正 correction --corrected--> 办理中 (a fresh reply period)
       |  \\--extend (once, with a reason)--> 办理中 (+extension_days)            \\--abandon--> 已办结
       +--answer (kind of answer)--> 已答复 answered --close--> 已办结 closed
       +--withdraw--> 已办结

- 补正 (第三十条): the request is unclear, the applicant is told once what to complete. The reply clock
  stops while the applicant completes it, and the reply period counts again from the day the completed
  application arrives; the working days the clock stood still are recorded (``paused_days``). 补正 may be
  asked only once and within ``correction_within`` working days of receipt. An applicant who does not
  complete it by the given day is taken to have given up (``abandon``, 视为放弃申请).
- 延期 (第三十三条): once, with a reason, ``extension_days`` working days more.
- 答复: with the kind of answer (第三十六条): ``ANSWER_KINDS``; answered on time when on or before the due day.
- Alerts: ``alerts_due(today)`` names the alerts the hub should send today — 3 working days before the
  due day (``warn_days``) and once the due day has passed — each once per due day.

Pure: standard library only; ``now`` (epoch seconds), ``today`` and the working-day test are arguments.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from .cases import Step, add_working_days
from .errors import CoreError


class AppState(enum.Enum):
    PROCESSING = "received"  # the stored value predates the lifecycle: 受理 = processing
    CORRECTION = "correction"
    ANSWERED = "answered"
    CLOSED = "closed"


A = AppState
STATE_LABELS = {A.PROCESSING: "办理中", A.CORRECTION: "待补正", A.ANSWERED: "已答复", A.CLOSED: "已办结"}
ACTION_LABELS = {"receive": "受理", "correct": "告知补正", "corrected": "收到补正", "abandon": "视为放弃",
                 "extend": "延期答复", "answer": "答复", "close": "办结", "withdraw": "申请人撤回"}
# The kinds of answer of 第三十六条 (and 第三十条, 第三十五条 for 不予处理).
ANSWER_KINDS = {
    "public": "予以公开",
    "already_public": "已主动公开，告知获取途径",
    "partial": "部分公开",
    "refused": "不予公开",
    "not_exist": "信息不存在",
    "not_ours": "非本机关负责公开",
    "not_processed": "不予处理",
}

TRANSITIONS: dict[AppState, dict[str, AppState]] = {
    A.PROCESSING: {"correct": A.CORRECTION, "extend": A.PROCESSING, "answer": A.ANSWERED, "withdraw": A.CLOSED},
    A.CORRECTION: {"corrected": A.PROCESSING, "abandon": A.CLOSED, "withdraw": A.CLOSED},
    A.ANSWERED: {"close": A.CLOSED},
    A.CLOSED: {},
}
ACTIONS = ("correct", "corrected", "abandon", "extend", "answer", "close", "withdraw")

MSG_ILLEGAL = "申请{number}当前为“{state}”，不能“{action}”"
MSG_NEED_BY = "请填写经办人"
MSG_NEED_REASON = "“{action}”需要写明理由"
MSG_EXTENDED_ONCE = "申请{number}已延期过一次，不能再次延期（第三十三条）"
MSG_CORRECT_ONCE = "补正只能一次性告知，申请{number}已告知过补正"
MSG_CORRECT_LATE = "补正应在收到申请之日起{n}个工作日内告知（最迟{last}）"
MSG_NEED_KIND = "答复需要选择答复类型：{kinds}"
MSG_KIND_NOT_HERE = "只有答复才选择答复类型"
MSG_NOT_YET_ABANDONED = "补正期限{until}尚未届满，不能视为放弃申请"
MSG_BAD_UNTIL = "补正期限应在今天之后"


class DisclosureError(CoreError):
    """A refused step; ``code``: illegal, missing_field, bad_value."""

    code = "illegal"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    reply_days: int = 20  # 第三十三条
    extension_days: int = 20
    correction_within: int = 7  # 第三十条: 补正 is asked within 7 working days of receipt
    correction_days: int = 15  # the reasonable time the applicant is given to complete it
    warn_days: int = 3  # alert this many working days before the due day


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress:
    number: str
    received: str  # ISO day of 受理
    due: str  # the day the answer is due now
    state: AppState = AppState.PROCESSING
    extended: bool = False
    extension_reason: str = ""
    corrections: int = 0
    correction_since: str | None = None
    correction_until: str | None = None
    paused_days: int = 0  # working days the clock stood still for 补正
    answer_kind: str | None = None
    answered_day: str | None = None
    closed_day: str | None = None
    alerted: tuple[str, ...] = ()  # "warn:<due>" / "overdue:<due>" already sent
    history: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def clock_running(self) -> bool:
        return self.state is AppState.PROCESSING

    def overdue(self, today: date) -> bool:
        return self.clock_running and today > date.fromisoformat(self.due)

    @property
    def on_time(self) -> bool | None:
        """Answered on or before the due day; None while not answered."""
        if self.answered_day is None:
            return None
        return self.answered_day <= self.due

    def alerts_due(self, today: date, is_working: Callable[[date], bool] | None = None,
                   warn_days: int = 3) -> list[str]:
        """The alerts to send today ("warn", "overdue"), each once per due day."""
        if not self.clock_running:
            return []
        due = date.fromisoformat(self.due)
        out = []
        if today > due:
            if f"overdue:{self.due}" not in self.alerted:
                out.append("overdue")
        elif working_days_between(today, due, is_working) <= warn_days and f"warn:{self.due}" not in self.alerted:
            out.append("warn")
        return out

    def alert_sent(self, kind: str) -> "Progress":
        return replace(self, alerted=self.alerted + (f"{kind}:{self.due}",))

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "received": self.received, "due": self.due, "state": self.state.value,
                "extended": self.extended, "extension_reason": self.extension_reason,
                "corrections": self.corrections, "correction_since": self.correction_since,
                "correction_until": self.correction_until, "paused_days": self.paused_days,
                "answer_kind": self.answer_kind, "answered_day": self.answered_day, "closed_day": self.closed_day,
                "alerted": list(self.alerted), "history": [s.to_dict() for s in self.history]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Progress":
        d = dict(d)
        d["state"] = AppState(d["state"])
        d["alerted"] = tuple(d.get("alerted", ()))
        d["history"] = tuple(Step.from_dict(s) for s in d.get("history", ()))
        return cls(**d)


def working_days_between(start: date, end: date, is_working: Callable[[date], bool] | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working is None or is_working(day):
            n += 1
    return n


def received(number: str, received_day: date, due: date, now: float) -> Progress:
    """A just-received application (the form was taken at the 受理点)."""
    first = Step(at=now, action="receive", by="系统", to_state=A.PROCESSING.value)
    return Progress(number=number, received=received_day.isoformat(), due=due.isoformat(), history=(first,))


def advance(p: Progress, action: str, *, by: str, now: float, today: date, rules: Rules,
            is_working: Callable[[date], bool] | None = None, note: str = "", answer_kind: str | None = None,
            until: date | None = None) -> Progress:
    """Apply one step; returns the new progress or raises DisclosureError with nothing changed."""
    nxt = TRANSITIONS[p.state].get(action)
    label = ACTION_LABELS.get(action, action)
    if nxt is None:
        raise DisclosureError(MSG_ILLEGAL.format(number=p.number, state=p.state_label, action=label))
    if not by or not by.strip():
        raise DisclosureError(MSG_NEED_BY, code="missing_field")
    note = note.strip()
    if action in ("correct", "extend", "withdraw", "abandon") and not note:
        raise DisclosureError(MSG_NEED_REASON.format(action=label), code="missing_field")
    if action == "answer":
        if answer_kind not in ANSWER_KINDS:
            raise DisclosureError(MSG_NEED_KIND.format(kinds="、".join(ANSWER_KINDS.values())),
                                  code="missing_field" if answer_kind is None else "bad_value")
    elif answer_kind is not None:
        raise DisclosureError(MSG_KIND_NOT_HERE, code="bad_value")
    day = today.isoformat()
    changes: dict[str, Any] = {}
    if action == "extend":
        if p.extended:
            raise DisclosureError(MSG_EXTENDED_ONCE.format(number=p.number))
        changes = {"extended": True, "extension_reason": note,
                   "due": add_working_days(date.fromisoformat(p.due), rules.extension_days, is_working).isoformat()}
    elif action == "correct":
        if p.corrections:
            raise DisclosureError(MSG_CORRECT_ONCE.format(number=p.number))
        last = add_working_days(date.fromisoformat(p.received), rules.correction_within, is_working)
        if today > last:
            raise DisclosureError(MSG_CORRECT_LATE.format(n=rules.correction_within, last=last.isoformat()))
        until = until or add_working_days(today, rules.correction_days, is_working)
        if until <= today:
            raise DisclosureError(MSG_BAD_UNTIL, code="bad_value")
        changes = {"corrections": 1, "correction_since": day, "correction_until": until.isoformat()}
    elif action == "corrected":
        paused = working_days_between(date.fromisoformat(p.correction_since or day), today, is_working)
        changes = {"paused_days": p.paused_days + paused, "correction_since": None,
                   "due": add_working_days(today, rules.reply_days, is_working).isoformat()}
    elif action == "abandon":
        if p.correction_until is not None and today <= date.fromisoformat(p.correction_until):
            raise DisclosureError(MSG_NOT_YET_ABANDONED.format(until=p.correction_until))
    elif action == "answer":
        changes = {"answer_kind": answer_kind, "answered_day": day}
    if nxt is AppState.CLOSED:
        changes["closed_day"] = day
    step = Step(at=now, action=action, by=by.strip(), from_state=p.state.value,
                note=note if action != "answer" else f"{ANSWER_KINDS[answer_kind]}{'：' + note if note else ''}",
                to_state=nxt.value)
    return replace(p, state=nxt, history=p.history + (step,), **changes)
