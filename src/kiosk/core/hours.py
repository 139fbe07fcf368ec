"""Office hours and the hall mode: when the counters serve, and what to show now.

Rule: a day's sessions follow from the calendar (`kiosk.core.calendar`):

* a working day (weekday, 调休上班 day, local working day) has the walk-in
  sessions of the season it falls in (summer/winter timetable, optionally per
  weekday), plus an extended (延时) session on the configured weekdays that
  runs on from the end of the last walk-in session;
* a rest day has only the appointment-only (预约) sessions configured for
  ordinary weekend days or for holidays; a local closure has none.

The hall mode is a partition of each calendar day into half-open segments
[start, end): before the first session CLOSED, inside a session OPEN (or
APPOINTMENT_ONLY), between sessions LUNCH, the last `closing_minutes` before
the day's final closing CLOSING, after it CLOSED; a rest day outside its
appointment sessions is HOLIDAY (holiday or closure) or CLOSED (weekend). So
08:30:00 is already open and 12:00:00 already lunch. Segments are cut at
midnight: `since`/`until` never reach into another day, and the hub simply
re-evaluates at `until`.

Pure: standard library only, no I/O, no clock reads (`now` is an argument).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType

from kiosk.core.calendar import DayInfo, HallCalendar, Reason

__all__ = [
    "AppointmentWindow",
    "ExtendedHours",
    "HallMode",
    "HallSchedule",
    "ModeState",
    "OfficeHours",
    "Season",
    "Session",
    "SessionKind",
    "describe_days",
    "hall_mode",
]

# User-facing Chinese text for this module lives here, in one place.
LABEL_OPEN = "正常办公"
LABEL_EXTENDED = "延时服务"
LABEL_LUNCH = "午间休息"
LABEL_CLOSING = "即将下班，请抓紧办理"
LABEL_BEFORE_OPEN = "尚未上班"
LABEL_AFTER_CLOSE = "今日已下班"
LABEL_WEEKEND = "周末休息"
LABEL_APPOINTMENT = "预约办理时段（仅限已预约群众）"
LABEL_HOLIDAY = "{name}放假"
LABEL_CLOSURE = "暂停办公：{reason}"
WORD_WORKING = "上班"
WORD_RESTING = "休息"
WORD_PROVISIONAL = "（未公布，预计）"
PREFIX_EXTENDED = "延时"
PREFIX_APPOINTMENT = "预约"

# How far ahead to look for the next opening (the longest 春节 break plus a margin).
NEXT_OPEN_HORIZON_DAYS = 60


class SessionKind(enum.Enum):
    WALK_IN = "walk_in"
    APPOINTMENT = "appointment"  # 预约: only people with a booking are served
    EXTENDED = "extended"  # 延时: walk-in service after normal hours


class ModeState(enum.Enum):
    OPEN = "open"
    LUNCH = "lunch"
    CLOSING = "closing"
    CLOSED = "closed"
    HOLIDAY = "holiday"
    APPOINTMENT_ONLY = "appointment_only"


# Appointment-only sessions do not count as the hall being open to walk-ins.
_OPEN_KINDS = frozenset({SessionKind.WALK_IN, SessionKind.EXTENDED})


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    start: time
    end: time
    kind: SessionKind = SessionKind.WALK_IN

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(f"session must start before it ends: {self.start}-{self.end}")

    @property
    def text(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Season:
    """A timetable in force from `starts` (month, day) until the next season starts.

    `sessions` are the walk-in sessions of a working day; `by_weekday`
    (0 = Monday) replaces them on particular weekdays. A weekend day worked in
    lieu (调休上班) uses `sessions`.
    """

    name: str
    starts: tuple[int, int]
    sessions: tuple[Session, ...]
    by_weekday: Mapping[int, tuple[Session, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        date(2000, *self.starts)  # a leap year, so 02-29 is accepted; raises if invalid
        object.__setattr__(self, "sessions", _checked(self.sessions, self.name))
        checked = {}
        for weekday, sessions in self.by_weekday.items():
            if weekday not in range(7):
                raise ValueError(f"{self.name}: weekday {weekday} is not 0..6")
            checked[weekday] = _checked(sessions, self.name)
        object.__setattr__(self, "by_weekday", MappingProxyType(checked))

    def walk_in(self, day: date) -> tuple[Session, ...]:
        if day.weekday() < 5:
            return self.by_weekday.get(day.weekday(), self.sessions)
        return self.sessions


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtendedHours:
    """延时服务: on these weekdays (0 = Monday) walk-in service runs on until `until`."""

    weekdays: frozenset[int]
    until: time


@dataclass(frozen=True, slots=True, kw_only=True)
class AppointmentWindow:
    """An appointment-only session on rest days.

    Applies to ordinary weekend days whose weekday is in `weekdays`, and to
    holiday-period days when `holidays` is true. Never to a local closure.
    """

    start: time
    end: time
    weekdays: frozenset[int] = frozenset()
    holidays: bool = False

    def applies(self, day: DayInfo) -> bool:
        if day.reason is Reason.WEEKEND:
            return day.date.weekday() in self.weekdays
        return day.reason is Reason.HOLIDAY and self.holidays


@dataclass(frozen=True, slots=True, kw_only=True)
class OfficeHours:
    seasons: tuple[Season, ...]
    extended: tuple[ExtendedHours, ...] = ()
    appointments: tuple[AppointmentWindow, ...] = ()
    closing_minutes: int = 15

    def __post_init__(self) -> None:
        if not self.seasons:
            raise ValueError("at least one season is needed")
        seasons = tuple(sorted(self.seasons, key=lambda s: s.starts))
        starts = [s.starts for s in seasons]
        if len(set(starts)) != len(starts):
            raise ValueError("two seasons start on the same day")
        object.__setattr__(self, "seasons", seasons)
        object.__setattr__(self, "extended", tuple(self.extended))
        object.__setattr__(self, "appointments", tuple(self.appointments))
        if self.closing_minutes < 0:
            raise ValueError("closing_minutes must not be negative")
        for season in seasons:
            lasts = [season.sessions, *season.by_weekday.values()]
            for extended in self.extended:
                if any(s and extended.until <= s[-1].end for s in lasts):
                    raise ValueError(
                        f"extended hours until {extended.until:%H:%M} do not extend the "
                        f"{season.name} timetable"
                    )
        for window in self.appointments:
            Session(start=window.start, end=window.end, kind=SessionKind.APPOINTMENT)

    def season_on(self, day: date) -> Season:
        key = (day.month, day.day)
        current = self.seasons[-1]  # the last season runs on over New Year
        for season in self.seasons:
            if season.starts <= key:
                current = season
        return current

    def sessions_for(self, day: DayInfo) -> tuple[Session, ...]:
        """The sessions of one classified day, in time order."""
        if day.working:
            walk_in = self.season_on(day.date).walk_in(day.date)
            untils = [e.until for e in self.extended if day.date.weekday() in e.weekdays]
            if not walk_in or not untils:
                return walk_in
            # Two extended rules on the same weekday: the later finish wins.
            return (*walk_in, Session(start=walk_in[-1].end, end=max(untils), kind=SessionKind.EXTENDED))
        windows = [
            Session(start=w.start, end=w.end, kind=SessionKind.APPOINTMENT)
            for w in self.appointments
            if w.applies(day)
        ]
        return _checked(sorted(windows, key=lambda s: s.start), "appointments")


def _checked(sessions: Iterable[Session], where: str) -> tuple[Session, ...]:
    result = tuple(sessions)
    for earlier, later in zip(result, result[1:]):
        if later.start < earlier.end:
            raise ValueError(f"{where}: sessions {earlier.text} and {later.text} overlap or are out of order")
    return result


@dataclass(frozen=True, slots=True, kw_only=True)
class HallMode:
    """The hall's state at one instant, for the `mode` topic and the screens.

    `until` is the next instant the mode may change (at the latest the next
    midnight). `next_open` is the start of the next walk-in session after
    `now`, or None while the hall is open (or nothing within the horizon).
    """

    state: ModeState
    since: datetime
    until: datetime
    next_open: datetime | None
    label: str
    day: DayInfo
    session: Session | None = None


@dataclass(frozen=True, slots=True)
class _Segment:
    start: datetime
    end: datetime
    state: ModeState
    label: str
    session: Session | None


@dataclass(frozen=True, slots=True, kw_only=True)
class HallSchedule:
    """The calendar and the office hours together: what happens when."""

    calendar: HallCalendar
    hours: OfficeHours
    closing_minutes: int | None = None  # None: use hours.closing_minutes

    def __post_init__(self) -> None:
        if self.closing_minutes is not None and self.closing_minutes < 0:
            raise ValueError("closing_minutes must not be negative")

    def sessions_on(self, day: date) -> tuple[Session, ...]:
        return self.hours.sessions_for(self.calendar.day_info(day))

    def mode(self, now: datetime) -> HallMode:
        day = self.calendar.day_info(now.date())
        segment = next(s for s in self._segments(day, now) if s.start <= now < s.end)
        is_open = segment.state in (ModeState.OPEN, ModeState.CLOSING)
        return HallMode(
            state=segment.state,
            since=segment.start,
            until=segment.end,
            next_open=None if is_open else self.next_open(now),
            label=segment.label,
            day=day,
            session=segment.session,
        )

    def next_boundary(self, now: datetime) -> datetime:
        """When the hall mode may next change; the hub schedules a re-evaluation then."""
        return self.mode(now).until

    def next_open(self, now: datetime) -> datetime | None:
        """Start of the first walk-in session starting after `now`."""
        for offset in range(NEXT_OPEN_HORIZON_DAYS + 1):
            day = now.date() + timedelta(days=offset)
            for session in self.sessions_on(day):
                start = datetime.combine(day, session.start, tzinfo=now.tzinfo)
                if session.kind in _OPEN_KINDS and start > now:
                    return start
        return None

    def _segments(self, day: DayInfo, now: datetime) -> list[_Segment]:
        tz = now.tzinfo
        midnight = datetime.combine(day.date, time(0), tzinfo=tz)
        next_midnight = midnight + timedelta(days=1)
        at = [
            (
                datetime.combine(day.date, s.start, tzinfo=tz),
                datetime.combine(day.date, s.end, tzinfo=tz),
                s,
            )
            for s in self.hours.sessions_for(day)
        ]
        if day.working:
            gap_before, gap_between, gap_after = (
                (ModeState.CLOSED, LABEL_BEFORE_OPEN),
                (ModeState.LUNCH, LABEL_LUNCH),
                (ModeState.CLOSED, LABEL_AFTER_CLOSE),
            )
        else:
            rest = _rest_state(day)
            gap_before = gap_between = gap_after = rest
        segments: list[_Segment] = []
        cursor = midnight
        for index, (start, end, session) in enumerate(at):
            if cursor < start:
                state, label = gap_before if index == 0 else gap_between
                segments.append(_Segment(cursor, start, state, label, None))
            last = index == len(at) - 1
            segments.extend(self._session_segments(start, end, session, closing=last and day.working))
            cursor = end
        if cursor < next_midnight:
            state, label = gap_after
            segments.append(_Segment(cursor, next_midnight, state, label, None))
        return segments

    def _session_segments(
        self, start: datetime, end: datetime, session: Session, *, closing: bool
    ) -> list[_Segment]:
        if session.kind is SessionKind.APPOINTMENT:
            return [_Segment(start, end, ModeState.APPOINTMENT_ONLY, LABEL_APPOINTMENT, session)]
        label = LABEL_EXTENDED if session.kind is SessionKind.EXTENDED else LABEL_OPEN
        minutes = self.hours.closing_minutes if self.closing_minutes is None else self.closing_minutes
        closing_at = max(start, end - timedelta(minutes=minutes))
        if not closing or closing_at >= end:
            return [_Segment(start, end, ModeState.OPEN, label, session)]
        segments = [_Segment(closing_at, end, ModeState.CLOSING, LABEL_CLOSING, session)]
        if start < closing_at:
            segments.insert(0, _Segment(start, closing_at, ModeState.OPEN, label, session))
        return segments


def _rest_state(day: DayInfo) -> tuple[ModeState, str]:
    if day.reason is Reason.HOLIDAY:
        return ModeState.HOLIDAY, LABEL_HOLIDAY.format(name=day.label)
    if day.reason is Reason.LOCAL_CLOSURE:
        return ModeState.HOLIDAY, LABEL_CLOSURE.format(reason=day.label)
    return ModeState.CLOSED, LABEL_WEEKEND


def hall_mode(
    now: datetime, calendar: HallCalendar, hours: OfficeHours, closing_minutes: int | None = None
) -> HallMode:
    """The hall mode at `now` (see the module docstring for the rule)."""
    return HallSchedule(calendar=calendar, hours=hours, closing_minutes=closing_minutes).mode(now)


def describe_days(calendar: HallCalendar, hours: OfficeHours, dates: Iterable[date]) -> list[str]:
    """One line per date, e.g. "2026-02-14 周六 上班 调休上班 08:30-12:00,14:30-17:30"."""
    lines = []
    for day in dates:
        info = calendar.day_info(day)
        parts = [
            info.date.isoformat(),
            info.weekday_name,
            WORD_WORKING if info.working else WORD_RESTING,
            info.label + (WORD_PROVISIONAL if info.provisional else ""),
        ]
        sessions = hours.sessions_for(info)
        if sessions:
            parts.append(",".join(_session_text(s) for s in sessions))
        lines.append(" ".join(parts))
    return lines


def _session_text(session: Session) -> str:
    prefix = {SessionKind.EXTENDED: PREFIX_EXTENDED, SessionKind.APPOINTMENT: PREFIX_APPOINTMENT}
    return prefix.get(session.kind, "") + session.text
