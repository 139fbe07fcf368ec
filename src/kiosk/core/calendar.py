"""The hall calendar: is the centre working on a given date, and why.

Rule: a day's status is decided by the first source that knows about it, in
this order:

1. local overrides typed in by the centre's staff (a closure, or an extra
   working day) -- they always win;
2. the official State Council schedule of that year (法定节假日 and 调休上班
   days); a published schedule wins over a provisional guess;
3. the ordinary week: Monday to Friday work, Saturday and Sunday rest.

The module also holds `BusinessDayGuard`, which turns wall-clock readings into
a business day that never rolls back when the clock of a Pi without a
real-time clock jumps.

Pure: standard library only, no I/O, and no clock reads -- every "today" or
"now" is an argument. Loading the data (the `holidays` package, TOML files)
lives in `kiosk.loaders.calendar_data`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType

__all__ = [
    "WEEKDAY_NAMES",
    "BusinessDayGuard",
    "ClockJump",
    "ClockObservation",
    "DayInfo",
    "HallCalendar",
    "OfficialSchedule",
    "Reason",
]

# User-facing Chinese text for this module lives here, in one place.
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
LABEL_WEEKDAY = "工作日"
LABEL_WEEKEND = "周末"
LABEL_MAKEUP_WORKDAY = "调休上班"
WARNING_MISSING_SCHEDULE = "尚未获得{years}年国务院节假日安排，请工作人员核对并在日历配置中录入"

# The State Council usually publishes next year's schedule in late autumn;
# from this day on, a missing schedule for next year is worth a warning.
NEXT_YEAR_CHECK_FROM = (11, 1)


class Reason(enum.Enum):
    """Why a day is a working day or a rest day."""

    WEEKDAY = "weekday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"  # 调休上班: a weekend day worked in lieu
    LOCAL_CLOSURE = "local_closure"
    LOCAL_WORKDAY = "local_workday"


@dataclass(frozen=True, slots=True, kw_only=True)
class DayInfo:
    """What the calendar says about one date.

    `provisional` is true when the answer comes from a schedule that has not
    been published yet (an estimate of a future year's holidays).
    """

    date: date
    working: bool
    reason: Reason
    label: str
    provisional: bool = False

    @property
    def weekday_name(self) -> str:
        return WEEKDAY_NAMES[self.date.weekday()]


@dataclass(frozen=True, slots=True, kw_only=True)
class OfficialSchedule:
    """One year's national holiday schedule.

    `holidays` maps every rest day of each holiday period to the period's name,
    including the weekend days inside a period (元旦 2026 is 1--3 January).
    `makeup_workdays` are the weekend days worked in lieu (调休上班); they may
    fall in the previous December. `provisional` marks an estimate made before
    the State Council notice exists; it never counts as official data.
    """

    year: int
    holidays: Mapping[date, str]
    makeup_workdays: frozenset[date]
    source: str
    provisional: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", MappingProxyType(dict(self.holidays)))
        object.__setattr__(self, "makeup_workdays", frozenset(self.makeup_workdays))
        both = sorted(set(self.holidays) & self.makeup_workdays)
        if both:
            raise ValueError(
                f"{self.year}: {both[0].isoformat()} is both a holiday and a makeup working day"
            )
        for day in self.makeup_workdays:
            if day.weekday() < 5:
                raise ValueError(
                    f"{self.year}: makeup working day {day.isoformat()} is not a Saturday or Sunday"
                )


@dataclass(frozen=True, slots=True)
class _OfficialDay:
    working: bool
    label: str
    provisional: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class HallCalendar:
    """Working days of the hall: official schedules plus local overrides.

    `closures` and `extra_workdays` map a date to the reason staff gave for it
    (shown as the day's label). A date may not be in both.
    """

    schedules: tuple[OfficialSchedule, ...] = ()
    closures: Mapping[date, str] = field(default_factory=dict)
    extra_workdays: Mapping[date, str] = field(default_factory=dict)
    _official: Mapping[date, _OfficialDay] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedules", tuple(self.schedules))
        object.__setattr__(self, "closures", MappingProxyType(dict(self.closures)))
        object.__setattr__(self, "extra_workdays", MappingProxyType(dict(self.extra_workdays)))
        both = sorted(set(self.closures) & set(self.extra_workdays))
        if both:
            raise ValueError(f"{both[0].isoformat()} is both a local closure and a local working day")
        for reason in (*self.closures.values(), *self.extra_workdays.values()):
            if not reason.strip():
                raise ValueError("a local override needs a non-empty reason")
        object.__setattr__(self, "_official", MappingProxyType(_merge(self.schedules)))

    def day_info(self, day: date) -> DayInfo:
        """Classify `day`: overrides first, then the official schedule, then the week."""
        if isinstance(day, datetime):  # a datetime is a date subclass; keep keys uniform
            day = day.date()
        if day in self.closures:
            return DayInfo(date=day, working=False, reason=Reason.LOCAL_CLOSURE, label=self.closures[day])
        if day in self.extra_workdays:
            return DayInfo(
                date=day, working=True, reason=Reason.LOCAL_WORKDAY, label=self.extra_workdays[day]
            )
        official = self._official.get(day)
        if official is not None:
            return DayInfo(
                date=day,
                working=official.working,
                reason=Reason.MAKEUP_WORKDAY if official.working else Reason.HOLIDAY,
                label=official.label,
                provisional=official.provisional,
            )
        if day.weekday() >= 5:
            return DayInfo(date=day, working=False, reason=Reason.WEEKEND, label=LABEL_WEEKEND)
        return DayInfo(date=day, working=True, reason=Reason.WEEKDAY, label=LABEL_WEEKDAY)

    def is_working_day(self, day: date) -> bool:
        return self.day_info(day).working

    def days(self, start: date, end: date) -> list[DayInfo]:
        """Every day from `start` to `end`, both included."""
        count = (end - start).days + 1
        return [self.day_info(start + timedelta(days=n)) for n in range(max(count, 0))]

    @property
    def years_with_official_data(self) -> frozenset[int]:
        """Years whose published (not provisional) schedule the calendar holds."""
        return frozenset(s.year for s in self.schedules if not s.provisional)

    def missing_schedule_warning(self, today: date) -> str | None:
        """A warning for staff when an official schedule the hall needs is missing.

        The current year's schedule is always needed; next year's from 1 November
        on, because the notice is normally out by then and appointments for
        January are being booked.
        """
        known = self.years_with_official_data
        missing = [today.year] if today.year not in known else []
        if (today.month, today.day) >= NEXT_YEAR_CHECK_FROM and today.year + 1 not in known:
            missing.append(today.year + 1)
        if not missing:
            return None
        return WARNING_MISSING_SCHEDULE.format(years="、".join(str(y) for y in missing))


def _merge(schedules: Iterable[OfficialSchedule]) -> dict[date, _OfficialDay]:
    """One date -> status map; a published schedule wins over a provisional one.

    Holiday periods can spill into the neighbouring year (a 元旦 period starting
    on 30 December), so two schedules may speak about the same date.
    """
    merged: dict[date, _OfficialDay] = {}
    # Provisional schedules first so that published ones overwrite them.
    for schedule in sorted(schedules, key=lambda s: (not s.provisional, s.year)):
        for day, name in schedule.holidays.items():
            merged[day] = _OfficialDay(working=False, label=name, provisional=schedule.provisional)
        for day in schedule.makeup_workdays:
            merged[day] = _OfficialDay(
                working=True, label=LABEL_MAKEUP_WORKDAY, provisional=schedule.provisional
            )
    return merged


# --------------------------------------------------------------------------- clock guard


class ClockJump(enum.Enum):
    """What the guard noticed about the wall clock on one reading."""

    NONE = "none"
    BACKWARD = "backward"  # reads earlier than a time already seen
    FORWARD = "forward"  # skipped ahead by more than the threshold


@dataclass(frozen=True, slots=True, kw_only=True)
class ClockObservation:
    business_day: date
    effective_now: datetime
    jump: ClockJump

    @property
    def jumped(self) -> bool:
        return self.jump is not ClockJump.NONE


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessDayGuard:
    """Keeps the business day monotonic across clock jumps.

    A Raspberry Pi has no real-time clock: after a reboot it may read an old
    time until NTP steps it forward. Rules:

    * a reading earlier than `last_seen` is a backward jump: the business day
      stays, and `effective_now` stays at `last_seen` (time never runs back);
    * a reading later than `last_seen` is taken as is; the business day moves
      only to a later date, never to an earlier one;
    * a step forward longer than `forward_threshold` is reported as a forward
      jump (a long power cut looks the same, so it is reported, not refused).

    `observe` returns a new guard and the observation; the caller persists the
    guard's `last_seen` and `business_day` with the state they protect.
    """

    last_seen: datetime | None = None
    business_day: date | None = None
    forward_threshold: timedelta = timedelta(hours=12)

    def observe(self, now: datetime) -> tuple[BusinessDayGuard, ClockObservation]:
        if self.last_seen is None or self.business_day is None:
            day = now.date() if self.business_day is None else max(self.business_day, now.date())
            guard = BusinessDayGuard(
                last_seen=now, business_day=day, forward_threshold=self.forward_threshold
            )
            return guard, ClockObservation(business_day=day, effective_now=now, jump=ClockJump.NONE)
        if now < self.last_seen:
            return self, ClockObservation(
                business_day=self.business_day,
                effective_now=self.last_seen,
                jump=ClockJump.BACKWARD,
            )
        jump = ClockJump.FORWARD if now - self.last_seen > self.forward_threshold else ClockJump.NONE
        day = max(self.business_day, now.date())
        guard = BusinessDayGuard(last_seen=now, business_day=day, forward_threshold=self.forward_threshold)
        return guard, ClockObservation(business_day=day, effective_now=now, jump=jump)
