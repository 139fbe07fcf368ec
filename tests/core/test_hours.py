"""Office hours, session lists and the hall mode, with `now` passed in."""

from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.calendar import HallCalendar, OfficialSchedule
from kiosk.core.hours import (
    AppointmentWindow,
    ExtendedHours,
    HallSchedule,
    ModeState,
    OfficeHours,
    Season,
    Session,
    SessionKind,
    describe_days,
    hall_mode,
)


def _s(start: str, end: str) -> Session:
    return Session(start=time.fromisoformat(start), end=time.fromisoformat(end))


SUMMER = Season(name="夏季作息", starts=(5, 1), sessions=(_s("08:30", "12:00"), _s("14:30", "17:30")))
WINTER = Season(name="冬季作息", starts=(10, 1), sessions=(_s("08:30", "12:00"), _s("14:00", "17:00")))
HOURS = OfficeHours(
    seasons=(WINTER, SUMMER),  # order does not matter
    extended=(ExtendedHours(weekdays=frozenset({2}), until=time(19, 0)),),  # Wednesdays
    appointments=(
        AppointmentWindow(start=time(9), end=time(12), weekdays=frozenset({5})),
        AppointmentWindow(start=time(9), end=time(11), holidays=True),
    ),
    closing_minutes=15,
)
CALENDAR = HallCalendar(
    schedules=(
        OfficialSchedule(
            year=2026,
            holidays={date(2026, 10, d): "国庆节" for d in range(1, 8)},
            makeup_workdays=frozenset({date(2026, 2, 14), date(2026, 10, 10)}),
            source="test",
        ),
    ),
    closures={date(2026, 6, 3): "线路检修"},
)
SCHEDULE = HallSchedule(calendar=CALENDAR, hours=HOURS)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_summer_day_open_lunch_open_closing_closed():
    day = "2026-06-01"  # a Monday
    expected = [
        ("00:00:00", ModeState.CLOSED, "尚未上班"),
        ("08:29:59", ModeState.CLOSED, "尚未上班"),
        ("08:30:00", ModeState.OPEN, "正常办公"),
        ("11:59:59", ModeState.OPEN, "正常办公"),
        ("12:00:00", ModeState.LUNCH, "午间休息"),
        ("14:29:59", ModeState.LUNCH, "午间休息"),
        ("14:30:00", ModeState.OPEN, "正常办公"),
        ("17:14:59", ModeState.OPEN, "正常办公"),
        ("17:15:00", ModeState.CLOSING, "即将下班，请抓紧办理"),
        ("17:29:59", ModeState.CLOSING, "即将下班，请抓紧办理"),
        ("17:30:00", ModeState.CLOSED, "今日已下班"),
        ("23:59:59", ModeState.CLOSED, "今日已下班"),
    ]
    for clock, state, label in expected:
        mode = hall_mode(at(f"{day} {clock}"), CALENDAR, HOURS, 15)
        assert (clock, mode.state, mode.label) == (clock, state, label)


def test_since_until_and_next_open():
    lunch = SCHEDULE.mode(at("2026-06-01 12:30"))
    assert (lunch.since, lunch.until, lunch.next_open) == (
        at("2026-06-01 12:00"), at("2026-06-01 14:30"), at("2026-06-01 14:30")
    )
    open_ = SCHEDULE.mode(at("2026-06-01 09:00"))
    assert (open_.since, open_.until, open_.next_open) == (at("2026-06-01 08:30"), at("2026-06-01 12:00"), None)
    evening = SCHEDULE.mode(at("2026-06-05 18:00"))  # Friday evening
    assert evening.until == at("2026-06-06 00:00")
    assert evening.next_open == at("2026-06-08 08:30")  # Monday; Saturday is appointment-only


def test_next_boundary_walks_the_day():
    now = at("2026-06-01 00:00")
    seen = []
    while now < at("2026-06-02 00:00"):
        now = SCHEDULE.next_boundary(now)
        seen.append(now.strftime("%H:%M"))
    assert seen == ["08:30", "12:00", "14:30", "17:15", "17:30", "00:00"]


def test_summer_and_winter_switch_dates():
    assert [s.text for s in SCHEDULE.sessions_on(date(2026, 4, 30))] == ["08:30-12:00", "14:00-17:00"]
    assert [s.text for s in SCHEDULE.sessions_on(date(2026, 5, 7))] == ["08:30-12:00", "14:30-17:30"]
    assert [s.text for s in SCHEDULE.sessions_on(date(2026, 9, 29))] == ["08:30-12:00", "14:30-17:30"]
    assert [s.text for s in SCHEDULE.sessions_on(date(2026, 10, 9))] == ["08:30-12:00", "14:00-17:00"]
    # Winter runs on over New Year.
    assert SCHEDULE.hours.season_on(date(2027, 1, 5)).name == "冬季作息"
    # 2026-04-30 14:15 is open in winter, the same time on a summer Thursday is lunch.
    assert SCHEDULE.mode(at("2026-04-30 14:15")).state is ModeState.OPEN
    assert SCHEDULE.mode(at("2026-05-07 14:15")).state is ModeState.LUNCH


def test_holiday():
    mode = SCHEDULE.mode(at("2026-10-02 15:00"))
    assert (mode.state, mode.label) == (ModeState.HOLIDAY, "国庆节放假")
    assert mode.next_open == at("2026-10-08 08:30")  # the first day after the break is winter


def test_holiday_appointment_window():
    assert SCHEDULE.mode(at("2026-10-02 09:00")).state is ModeState.APPOINTMENT_ONLY
    assert SCHEDULE.mode(at("2026-10-02 11:00")).state is ModeState.HOLIDAY


def test_makeup_saturday_is_a_full_working_day():
    sessions = SCHEDULE.sessions_on(date(2026, 10, 10))
    assert [s.kind for s in sessions] == [SessionKind.WALK_IN, SessionKind.WALK_IN]
    assert SCHEDULE.mode(at("2026-10-10 08:30")).state is ModeState.OPEN
    assert SCHEDULE.mode(at("2026-10-10 16:50")).state is ModeState.CLOSING


def test_appointment_only_saturday():
    saturday = date(2026, 6, 6)
    (session,) = SCHEDULE.sessions_on(saturday)
    assert (session.kind, session.text) == (SessionKind.APPOINTMENT, "09:00-12:00")
    assert SCHEDULE.mode(at("2026-06-06 08:59:59")).state is ModeState.CLOSED
    mode = SCHEDULE.mode(at("2026-06-06 09:00"))
    assert (mode.state, mode.until, mode.next_open) == (
        ModeState.APPOINTMENT_ONLY, at("2026-06-06 12:00"), at("2026-06-08 08:30")
    )
    after = SCHEDULE.mode(at("2026-06-06 12:00"))
    assert (after.state, after.label) == (ModeState.CLOSED, "周末休息")
    assert SCHEDULE.sessions_on(date(2026, 6, 7)) == ()  # Sunday: nothing


def test_extended_wednesday_runs_on_and_closes_late():
    sessions = SCHEDULE.sessions_on(date(2026, 6, 10))
    assert [(s.kind, s.text) for s in sessions][-1] == (SessionKind.EXTENDED, "17:30-19:00")
    assert SCHEDULE.mode(at("2026-06-10 17:20")).state is ModeState.OPEN  # not closing: service runs on
    extended = SCHEDULE.mode(at("2026-06-10 17:30"))
    assert (extended.state, extended.label) == (ModeState.OPEN, "延时服务")
    assert SCHEDULE.mode(at("2026-06-10 18:45")).state is ModeState.CLOSING
    assert SCHEDULE.mode(at("2026-06-10 19:00")).state is ModeState.CLOSED


def test_local_closure_shows_the_reason():
    mode = SCHEDULE.mode(at("2026-06-03 10:00"))
    assert (mode.state, mode.label) == (ModeState.HOLIDAY, "暂停办公：线路检修")
    assert SCHEDULE.sessions_on(date(2026, 6, 3)) == ()


def test_closing_minutes_zero_and_per_weekday_sessions():
    friday_short = Season(
        name="夏季作息",
        starts=(1, 1),
        sessions=SUMMER.sessions,
        by_weekday={4: (_s("08:30", "12:00"),)},
    )
    hours = OfficeHours(seasons=(friday_short,), closing_minutes=0)
    assert hall_mode(at("2026-06-05 11:59"), CALENDAR, hours).state is ModeState.OPEN
    mode = hall_mode(at("2026-06-05 12:00"), CALENDAR, hours)
    assert (mode.state, mode.label) == (ModeState.CLOSED, "今日已下班")


def test_timezone_aware_now_keeps_its_zone():
    beijing = timezone(timedelta(hours=8))
    mode = SCHEDULE.mode(datetime(2026, 6, 1, 12, 0, tzinfo=beijing))
    assert mode.until == datetime(2026, 6, 1, 14, 30, tzinfo=beijing)


def test_invalid_hours_are_refused():
    with pytest.raises(ValueError, match="overlap"):
        Season(name="x", starts=(5, 1), sessions=(_s("08:30", "12:00"), _s("11:00", "17:00")))
    with pytest.raises(ValueError, match="start before"):
        _s("12:00", "08:30")
    with pytest.raises(ValueError, match="extend"):
        OfficeHours(seasons=(SUMMER,), extended=(ExtendedHours(weekdays=frozenset({0}), until=time(17)),))
    with pytest.raises(ValueError):
        Season(name="x", starts=(2, 30), sessions=())


def test_describe_days():
    lines = describe_days(CALENDAR, HOURS, [date(2026, 10, 1), date(2026, 10, 10), date(2026, 6, 6), date(2026, 6, 10)])
    assert lines == [
        "2026-10-01 周四 休息 国庆节 预约09:00-11:00",
        "2026-10-10 周六 上班 调休上班 08:30-12:00,14:00-17:00",
        "2026-06-06 周六 休息 周末 预约09:00-12:00",
        "2026-06-10 周三 上班 工作日 08:30-12:00,14:30-17:30,延时17:30-19:00",
    ]


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31, 23, 59, 59)))
def test_mode_is_stable_between_boundaries(now):
    mode = SCHEDULE.mode(now)
    assert mode.since <= now < mode.until
    assert mode.until - mode.since <= timedelta(days=1)
    # The same mode holds until just before the boundary, and not from `since` on earlier.
    last = SCHEDULE.mode(mode.until - timedelta(microseconds=1))
    assert (last.state, last.label, last.since) == (mode.state, mode.label, mode.since)
    if mode.next_open is not None:
        assert mode.next_open > now
        assert SCHEDULE.mode(mode.next_open).state in (ModeState.OPEN, ModeState.CLOSING)
