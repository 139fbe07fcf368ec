"""Appointments (预约): bookable slots, capacity, booking codes and check-in placement.

Rule: slots are cut from the hall's sessions (`kiosk.core.hours.HallSchedule.sessions_on`), so the
calendar decides everything about *when*:

* a working day offers its walk-in sessions (and the 延时 extended session), a weekend day or holiday
  offers only its appointment-only sessions, a local closure offers nothing;
* each session is cut into `slot_minutes` slots from its start; a tail shorter than a slot is dropped;
* a slot can be booked while it has not started (minus `min_lead_minutes`) and lies within
  `days_ahead` days of today; each category has its own capacity per slot;
* an appointment moves only through `TRANSITIONS` (booked → checked_in / cancelled / no_show);
* at check-in, arriving within ±`grace_minutes` of the slot start places the ticket in the front band,
  ahead of walk-ins; earlier or later the visitor is served by the walk-in rules.

Pure: standard library only, no I/O, no clock reads (`now` is an argument) and no randomness of its
own (the caller passes the random source for booking codes).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from types import MappingProxyType
from typing import Protocol

from .errors import CoreError
from .hours import HallSchedule, SessionKind

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "TRANSITIONS",
    "AppointmentError",
    "AppointmentPolicy",
    "AppointmentState",
    "Placement",
    "Slot",
    "find_slot",
    "next_free",
    "new_code",
    "normalise_code",
    "normalise_phone",
    "parse_day",
    "parse_slot",
    "placement",
    "slots_on",
    "transition",
    "upcoming_slots",
]

# Booking codes avoid characters people confuse when reading them off a phone: 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6

# User-facing Chinese text for this module lives here, in one place.
MSG_SLOT_FULL = "{when} 的{category}预约已满"
MSG_SUGGEST = "，最近可约时段 {when}"
MSG_NO_FREE = "，{days}天内没有可约时段"
MSG_BAD_SLOT = "{when} 不是可预约的时段"
MSG_USED = "预约码 {code} 已签到取号"
MSG_CANCELLED = "预约码 {code} 已取消"
MSG_EXPIRED = "预约码 {code} 已过期（预约时间已过）"
MSG_NOT_TODAY = "预约码 {code} 预约的是 {when}，请当天前来签到"
NOTE_ON_TIME = "预约签到成功，已为您优先排号"
NOTE_EARLY = "您来早了（预约时段 {when}），超过签到时间范围，按现场取号顺序排队"
NOTE_LATE = "您已迟到（预约时段 {when}），超过签到时间范围，按现场取号顺序排队"


class AppointmentError(CoreError):
    """A booking, check-in or cancellation the rules refuse; ``code`` goes on the wire."""

    code = "appointment_refused"


class AppointmentState(enum.Enum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"  # booked but never checked in; set when the day is over


S = AppointmentState
# state -> action -> next state. An action missing here is refused with the code in _REFUSALS.
TRANSITIONS: dict[AppointmentState, dict[str, AppointmentState]] = {
    S.BOOKED: {"checkin": S.CHECKED_IN, "cancel": S.CANCELLED, "miss": S.NO_SHOW},
    S.CHECKED_IN: {},
    S.CANCELLED: {},
    S.NO_SHOW: {},
}
# Why an action is refused, by the state the appointment is in.
_REFUSALS: dict[AppointmentState, tuple[str, str]] = {
    S.CHECKED_IN: ("appointment_used", MSG_USED),
    S.CANCELLED: ("appointment_cancelled", MSG_CANCELLED),
    S.NO_SHOW: ("appointment_expired", MSG_EXPIRED),
}
# States that hold a place in their slot.
HOLDS_PLACE = frozenset({S.BOOKED, S.CHECKED_IN, S.NO_SHOW})


def transition(state: AppointmentState, action: str, code: str) -> AppointmentState:
    """The next state, or AppointmentError (nothing changes) when `action` is illegal in `state`."""
    nxt = TRANSITIONS[state].get(action)
    if nxt is None:
        err_code, text = _REFUSALS.get(state, ("illegal", "{code}"))
        raise AppointmentError(text.format(code=code), code=err_code)
    return nxt


@dataclass(frozen=True, slots=True, kw_only=True)
class AppointmentPolicy:
    """The `[appointments]` settings, validated once."""

    categories: tuple[str, ...]
    slot_minutes: int = 30
    capacity: int = 2
    capacity_by_category: Mapping[str, int] = field(default_factory=dict)
    days_ahead: int = 7
    grace_minutes: int = 15
    min_lead_minutes: int = 0
    retention_days: int = 30
    session_kinds: frozenset[SessionKind] = frozenset(SessionKind)

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", tuple(self.categories))
        object.__setattr__(self, "capacity_by_category", MappingProxyType(dict(self.capacity_by_category)))
        object.__setattr__(self, "session_kinds", frozenset(self.session_kinds))
        if not 5 <= self.slot_minutes <= 240:
            raise ValueError("slot_minutes must be between 5 and 240")
        if self.capacity < 0 or any(v < 0 for v in self.capacity_by_category.values()):
            raise ValueError("a capacity must be 0 or more")
        unknown = sorted(set(self.capacity_by_category) - set(self.categories))
        if unknown:
            raise ValueError(f"capacity for {unknown[0]}, which is not a bookable category")
        if not 0 <= self.days_ahead <= 90:
            raise ValueError("days_ahead must be between 0 and 90")
        if self.grace_minutes < 0 or self.min_lead_minutes < 0 or self.retention_days < 1:
            raise ValueError("grace_minutes and min_lead_minutes must be 0 or more, retention_days 1 or more")

    def capacity_for(self, category: str) -> int:
        if category not in self.categories:
            return 0
        return self.capacity_by_category.get(category, self.capacity)


@dataclass(frozen=True, slots=True, kw_only=True)
class Slot:
    """One bookable period; `start`/`end` are aware datetimes in the hall's time zone."""

    start: datetime
    end: datetime
    kind: SessionKind
    provisional: bool = False  # the day's status comes from an unpublished holiday schedule

    @property
    def key(self) -> str:
        """The slot as the wire names it: local ISO date and time, "2026-12-01T09:00"."""
        return f"{self.start:%Y-%m-%dT%H:%M}"

    @property
    def day(self) -> date:
        return self.start.date()

    def to_dict(self, capacity: int, taken: int) -> dict:
        return {"slot": self.key, "date": self.day.isoformat(), "start": f"{self.start:%H:%M}",
                "end": f"{self.end:%H:%M}", "at": self.start.timestamp(), "kind": self.kind.value,
                "capacity": capacity, "remaining": max(0, capacity - taken), "provisional": self.provisional}


def slots_on(schedule: HallSchedule, policy: AppointmentPolicy, day: date, tz: tzinfo) -> list[Slot]:
    """Every slot of `day` in time order, whether or not it can still be booked."""
    info = schedule.calendar.day_info(day)
    step = timedelta(minutes=policy.slot_minutes)
    out: list[Slot] = []
    for session in schedule.hours.sessions_for(info):
        if session.kind not in policy.session_kinds:
            continue
        start = datetime.combine(day, session.start, tzinfo=tz)
        end = datetime.combine(day, session.end, tzinfo=tz)
        while start + step <= end:
            out.append(Slot(start=start, end=start + step, kind=session.kind, provisional=info.provisional))
            start += step
    return out


def horizon(policy: AppointmentPolicy, now: datetime) -> tuple[date, date]:
    """First and last day that can be booked (both included)."""
    return now.date(), now.date() + timedelta(days=policy.days_ahead)


def upcoming_slots(schedule: HallSchedule, policy: AppointmentPolicy, now: datetime,
                   day: date | None = None) -> list[Slot]:
    """Slots that can be booked at `now`: not started (minus the lead time), within the horizon."""
    if now.tzinfo is None:
        raise AppointmentError("`now` must be an aware datetime", code="internal_error")
    first, last = horizon(policy, now)
    days: Iterable[date]
    if day is not None:
        days = [day] if first <= day <= last else []
    else:
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    earliest = now + timedelta(minutes=policy.min_lead_minutes)
    return [s for d in days for s in slots_on(schedule, policy, d, now.tzinfo) if s.start > earliest]


def find_slot(schedule: HallSchedule, policy: AppointmentPolicy, now: datetime, start: datetime) -> Slot:
    """The bookable slot starting at `start`, or AppointmentError ``bad_slot``."""
    for s in upcoming_slots(schedule, policy, now, start.date()):
        if s.start == start:
            return s
    raise AppointmentError(MSG_BAD_SLOT.format(when=f"{start:%Y-%m-%d %H:%M}"), code="bad_slot")


def next_free(slots: Iterable[Slot], taken: Mapping[str, int], capacity: int, *,
              after: datetime | None = None) -> Slot | None:
    """The first slot (after `after`, if given) with a place left; `taken` counts by slot key."""
    for s in slots:
        if (after is None or s.start > after) and taken.get(s.key, 0) < capacity:
            return s
    return None


def slot_full_message(slot: Slot, category_name: str, suggestion: Slot | None, days_ahead: int) -> str:
    text = MSG_SLOT_FULL.format(when=f"{slot.start:%m月%d日 %H:%M}", category=category_name)
    if suggestion is None:
        return text + MSG_NO_FREE.format(days=days_ahead)
    return text + MSG_SUGGEST.format(when=suggestion.key)


class Placement(enum.Enum):
    ON_TIME = "on_time"  # front band, ahead of walk-ins
    EARLY = "early"
    LATE = "late"


def placement(slot_start: datetime, now: datetime, grace_minutes: int) -> Placement:
    """Where a check-in at `now` goes: within ±grace of the slot start is on time (both ends included)."""
    grace = timedelta(minutes=grace_minutes)
    if now < slot_start - grace:
        return Placement.EARLY
    if now > slot_start + grace:
        return Placement.LATE
    return Placement.ON_TIME


def placement_note(where: Placement, slot_start: datetime, slot_end: datetime) -> str:
    when = f"{slot_start:%H:%M}-{slot_end:%H:%M}"
    return {Placement.ON_TIME: NOTE_ON_TIME, Placement.EARLY: NOTE_EARLY,
            Placement.LATE: NOTE_LATE}[where].format(when=when)


def check_day(code: str, booked_day: date, today: date, slot_start: datetime) -> None:
    """Check-in is for the booked day only: an earlier day is refused, a later one has expired."""
    if booked_day > today:
        raise AppointmentError(MSG_NOT_TODAY.format(code=code, when=f"{slot_start:%m月%d日 %H:%M}"),
                               code="not_today")
    if booked_day < today:
        raise AppointmentError(MSG_EXPIRED.format(code=code), code="appointment_expired")


class _Random(Protocol):
    def choice(self, seq: str) -> str: ...


def new_code(rng: _Random, taken: Container[str], *, attempts: int = 100) -> str:
    """A fresh booking code of CODE_LENGTH characters from CODE_ALPHABET, not in `taken`."""
    for _ in range(attempts):
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code
    raise AppointmentError("no free booking code found", code="internal_error")


def normalise_code(text: str) -> str:
    """What a person typed or a scanner read → the stored form (upper case, no spaces or dashes)."""
    return re.sub(r"[\s-]", "", text).upper()


def normalise_phone(text: str) -> str | None:
    """Digits of a mobile (11 digits, 1…) or a landline with area code (0…, 10–12 digits), else None."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        return digits
    if 10 <= len(digits) <= 12 and digits.startswith("0"):
        return digits
    return None


_SLOT_TEXT = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::00)?([+-]\d{2}:\d{2}|Z)?$")


def parse_slot(text: str, tz: tzinfo) -> datetime:
    """"2026-12-01T09:00" (hall time) or with an offset → an aware datetime in `tz`."""
    if not _SLOT_TEXT.match(text):
        raise AppointmentError(f"slot must look like 2026-12-01T09:00, got {text[:40]!r}", code="bad_value")
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AppointmentError(f"no such date or time: {text[:40]!r}", code="bad_value") from None
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt.astimezone(tz)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AppointmentError(f"date must look like 2026-12-01, got {text[:40]!r}", code="bad_value") from None
