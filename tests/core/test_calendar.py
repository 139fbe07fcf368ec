"""HallCalendar rules and the business-day clock guard, on hand-built data."""

from datetime import date, datetime, timedelta

import pytest

from kiosk.core.calendar import (
    BusinessDayGuard,
    ClockJump,
    HallCalendar,
    OfficialSchedule,
    Reason,
)


def _period(name: str, start: date, end: date) -> dict[date, str]:
    return {start + timedelta(days=n): name for n in range((end - start).days + 1)}


# A slice of the 2026 notice, typed by hand so the core is tested without the package.
SCHEDULE_2026 = OfficialSchedule(
    year=2026,
    holidays={
        **_period("元旦", date(2026, 1, 1), date(2026, 1, 3)),
        **_period("国庆节", date(2026, 10, 1), date(2026, 10, 7)),
    },
    makeup_workdays=frozenset({date(2026, 1, 4), date(2026, 9, 20), date(2026, 10, 10)}),
    source="test",
)


def test_weekday_and_weekend():
    calendar = HallCalendar(schedules=(SCHEDULE_2026,))
    monday = calendar.day_info(date(2026, 3, 2))
    assert (monday.working, monday.reason, monday.label) == (True, Reason.WEEKDAY, "工作日")
    sunday = calendar.day_info(date(2026, 3, 8))
    assert (sunday.working, sunday.reason, sunday.label) == (False, Reason.WEEKEND, "周末")
    assert sunday.weekday_name == "周日"


def test_holiday_period_including_its_weekend_days():
    calendar = HallCalendar(schedules=(SCHEDULE_2026,))
    for day in (date(2026, 10, 1), date(2026, 10, 3), date(2026, 10, 7)):
        info = calendar.day_info(day)
        assert (info.working, info.reason, info.label) == (False, Reason.HOLIDAY, "国庆节")
    assert calendar.day_info(date(2026, 10, 8)).reason is Reason.WEEKDAY


def test_makeup_workday_on_a_sunday():
    info = HallCalendar(schedules=(SCHEDULE_2026,)).day_info(date(2026, 1, 4))
    assert (info.working, info.reason, info.label) == (True, Reason.MAKEUP_WORKDAY, "调休上班")


def test_overrides_win_over_everything():
    calendar = HallCalendar(
        schedules=(SCHEDULE_2026,),
        closures={date(2026, 3, 4): "线路检修", date(2026, 10, 10): "防汛值守，暂停办公"},
        extra_workdays={date(2026, 3, 7): "集中办理医保缴费", date(2026, 10, 2): "换届选举登记"},
    )
    closure = calendar.day_info(date(2026, 3, 4))  # a Wednesday
    assert (closure.working, closure.reason, closure.label) == (False, Reason.LOCAL_CLOSURE, "线路检修")
    extra = calendar.day_info(date(2026, 3, 7))  # a Saturday
    assert (extra.working, extra.reason, extra.label) == (True, Reason.LOCAL_WORKDAY, "集中办理医保缴费")
    # ... and over the official schedule, both ways.
    assert calendar.day_info(date(2026, 10, 10)).reason is Reason.LOCAL_CLOSURE
    assert calendar.day_info(date(2026, 10, 2)).reason is Reason.LOCAL_WORKDAY


def test_a_date_cannot_be_closure_and_workday():
    with pytest.raises(ValueError, match="2026-03-04"):
        HallCalendar(closures={date(2026, 3, 4): "a"}, extra_workdays={date(2026, 3, 4): "b"})


def test_schedule_rejects_weekday_makeup_and_double_booking():
    with pytest.raises(ValueError, match="not a Saturday or Sunday"):
        OfficialSchedule(year=2026, holidays={}, makeup_workdays=frozenset({date(2026, 3, 4)}), source="t")
    with pytest.raises(ValueError, match="both"):
        OfficialSchedule(
            year=2026,
            holidays={date(2026, 1, 3): "元旦"},
            makeup_workdays=frozenset({date(2026, 1, 3)}),
            source="t",
        )


def test_published_schedule_wins_over_provisional():
    guess = OfficialSchedule(
        year=2027,
        holidays={date(2027, 1, 1): "元旦", date(2026, 12, 31): "元旦"},
        makeup_workdays=frozenset(),
        source="estimate",
        provisional=True,
    )
    published = OfficialSchedule(
        year=2026, holidays={}, makeup_workdays=frozenset(), source="notice"
    )
    calendar = HallCalendar(schedules=(published, guess))
    assert calendar.day_info(date(2027, 1, 1)).provisional
    assert calendar.years_with_official_data == {2026}
    real_2026 = OfficialSchedule(
        year=2026, holidays={date(2026, 12, 31): "跨年"}, makeup_workdays=frozenset(), source="n"
    )
    assert HallCalendar(schedules=(guess, real_2026)).day_info(date(2026, 12, 31)).label == "跨年"


def test_missing_schedule_warning():
    calendar = HallCalendar(schedules=(SCHEDULE_2026,))
    assert calendar.missing_schedule_warning(date(2026, 10, 31)) is None
    warning = calendar.missing_schedule_warning(date(2026, 11, 1))
    assert warning is not None and "2027" in warning
    assert "2027" in calendar.missing_schedule_warning(date(2026, 11, 29))
    # The current year's schedule missing is worth a warning at any time.
    assert "2025" in HallCalendar().missing_schedule_warning(date(2025, 3, 1))
    schedule_2027 = OfficialSchedule(
        year=2027, holidays={date(2027, 1, 1): "元旦"}, makeup_workdays=frozenset(), source="staff"
    )
    both = HallCalendar(schedules=(SCHEDULE_2026, schedule_2027))
    assert both.missing_schedule_warning(date(2026, 11, 29)) is None


def test_days_range():
    days = HallCalendar(schedules=(SCHEDULE_2026,)).days(date(2026, 1, 1), date(2026, 1, 5))
    assert [d.working for d in days] == [False, False, False, True, True]


# --------------------------------------------------------------------------- clock guard

T0 = datetime(2026, 3, 10, 10, 0)


def test_first_observation_sets_the_business_day():
    guard, seen = BusinessDayGuard().observe(T0)
    assert (seen.business_day, seen.effective_now, seen.jump) == (T0.date(), T0, ClockJump.NONE)
    assert (guard.last_seen, guard.business_day) == (T0, T0.date())


def test_clock_back_one_day_never_rolls_the_business_day_back():
    guard, _ = BusinessDayGuard().observe(T0)
    after, seen = guard.observe(T0 - timedelta(days=1))
    assert seen.jump is ClockJump.BACKWARD and seen.jumped
    assert seen.business_day == date(2026, 3, 10)
    assert seen.effective_now == T0
    assert after == guard  # nothing to persist
    # The clock catching up is an ordinary reading again.
    _, caught_up = after.observe(T0 + timedelta(minutes=5))
    assert (caught_up.jump, caught_up.business_day) == (ClockJump.NONE, date(2026, 3, 10))


def test_forward_jump_moves_to_the_later_day():
    guard, _ = BusinessDayGuard().observe(T0)
    after, seen = guard.observe(T0 + timedelta(days=2))
    assert seen.jump is ClockJump.FORWARD
    assert seen.business_day == date(2026, 3, 12)
    assert (after.last_seen, after.business_day) == (T0 + timedelta(days=2), date(2026, 3, 12))


def test_ordinary_midnight_rollover_is_not_a_jump():
    guard, _ = BusinessDayGuard().observe(datetime(2026, 3, 10, 23, 59))
    _, seen = guard.observe(datetime(2026, 3, 11, 0, 1))
    assert (seen.jump, seen.business_day) == (ClockJump.NONE, date(2026, 3, 11))


def test_restored_guard_after_reboot_with_an_old_clock():
    # The hub persisted these fields; after a reboot the clock reads 1970 until NTP.
    guard = BusinessDayGuard(last_seen=T0, business_day=T0.date())
    guard, seen = guard.observe(datetime(1970, 1, 1, 0, 0, 5))
    assert (seen.business_day, seen.effective_now, seen.jump) == (T0.date(), T0, ClockJump.BACKWARD)
    _, synced = guard.observe(T0 + timedelta(hours=1))
    assert (synced.business_day, synced.jump) == (T0.date(), ClockJump.NONE)


def test_business_day_persisted_without_last_seen_does_not_roll_back():
    _, seen = BusinessDayGuard(business_day=date(2026, 3, 10)).observe(datetime(2026, 3, 9, 9, 0))
    assert seen.business_day == date(2026, 3, 10)
