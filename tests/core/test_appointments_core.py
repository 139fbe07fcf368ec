"""Appointment rules without I/O: slots cut from the calendar's sessions, capacity, codes, placement."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.core import appointments as A
from kiosk.core.calendar import HallCalendar, OfficialSchedule
from kiosk.core.hours import AppointmentWindow, ExtendedHours, HallSchedule, OfficeHours, Season, Session, SessionKind

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 30)
WEDNESDAY = date(2026, 12, 2)
SATURDAY = date(2026, 11, 28)
SUNDAY = date(2026, 11, 29)
NATIONAL_DAY = date(2026, 10, 2)
CLOSED = date(2026, 12, 3)


def s(a: str, b: str, kind: SessionKind = SessionKind.WALK_IN) -> Session:
    return Session(start=time.fromisoformat(a), end=time.fromisoformat(b), kind=kind)


def schedule(*, holiday_sessions: bool = True) -> HallSchedule:
    official = OfficialSchedule(year=2026, source="test",
                                holidays={date(2026, 10, d): "国庆节" for d in range(1, 8)},
                                makeup_workdays=frozenset({date(2026, 10, 10)}))
    cal = HallCalendar(schedules=(official,), closures={CLOSED: "线路检修"})
    windows = [AppointmentWindow(start=time(9), end=time(12), weekdays=frozenset({5}))]
    if holiday_sessions:
        windows.append(AppointmentWindow(start=time(9), end=time(11), holidays=True))
    hours = OfficeHours(
        seasons=(Season(name="夏季", starts=(5, 1), sessions=(s("08:30", "12:00"), s("14:30", "17:30"))),
                 Season(name="冬季", starts=(10, 1), sessions=(s("08:30", "12:00"), s("14:00", "17:00")))),
        extended=(ExtendedHours(weekdays=frozenset({2}), until=time(18, 30)),),
        appointments=tuple(windows))
    return HallSchedule(calendar=cal, hours=hours)


def policy(**kw) -> A.AppointmentPolicy:
    return A.AppointmentPolicy(categories=kw.pop("categories", ("A", "C")), **kw)


def at(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), tzinfo=TZ)


def starts(slots) -> list[str]:
    return [f"{x.start:%H:%M}" for x in slots]


# ---------------------------------------------------------------- slot generation

def test_working_day_slots_skip_the_lunch_break():
    slots = A.slots_on(schedule(), policy(), MONDAY, TZ)
    assert len(slots) == 7 + 6
    assert starts(slots)[:2] == ["08:30", "09:00"] and starts(slots)[6:8] == ["11:30", "14:00"]
    assert not any(time(12) <= x.start.time() < time(14) for x in slots)
    assert slots[-1].end == at(MONDAY, 17)
    assert {x.kind for x in slots} == {SessionKind.WALK_IN}
    assert slots[0].key == "2026-11-30T08:30"


def test_extended_session_adds_evening_slots_on_its_weekday():
    slots = A.slots_on(schedule(), policy(), WEDNESDAY, TZ)
    evening = [x for x in slots if x.kind is SessionKind.EXTENDED]
    assert starts(evening) == ["17:00", "17:30", "18:00"]
    walk_in_only = policy(session_kinds={SessionKind.WALK_IN})
    assert len(A.slots_on(schedule(), walk_in_only, WEDNESDAY, TZ)) == 13


def test_saturday_has_only_its_appointment_session_and_sunday_nothing():
    sat = A.slots_on(schedule(), policy(), SATURDAY, TZ)
    assert starts(sat) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert {x.kind for x in sat} == {SessionKind.APPOINTMENT}
    assert A.slots_on(schedule(), policy(), SUNDAY, TZ) == []


def test_holiday_has_appointment_slots_only_when_configured():
    assert starts(A.slots_on(schedule(), policy(), NATIONAL_DAY, TZ)) == ["09:00", "09:30", "10:00", "10:30"]
    assert A.slots_on(schedule(holiday_sessions=False), policy(), NATIONAL_DAY, TZ) == []
    no_rest_days = policy(session_kinds={SessionKind.WALK_IN, SessionKind.EXTENDED})
    assert A.slots_on(schedule(), no_rest_days, NATIONAL_DAY, TZ) == []


def test_makeup_working_saturday_has_walk_in_slots():
    slots = A.slots_on(schedule(), policy(), date(2026, 10, 10), TZ)
    assert len(slots) == 13 and slots[0].kind is SessionKind.WALK_IN


def test_no_slots_on_a_local_closure():
    assert A.slots_on(schedule(), policy(), CLOSED, TZ) == []


def test_a_tail_shorter_than_a_slot_is_dropped():
    slots = A.slots_on(schedule(), policy(slot_minutes=45), MONDAY, TZ)
    assert starts(slots)[:4] == ["08:30", "09:15", "10:00", "10:45"]
    assert all(x.end.time() <= time(12) or x.start.time() >= time(14) for x in slots)


def test_upcoming_slots_start_after_now_within_the_horizon():
    now = at(MONDAY, 10, 10)
    up = A.upcoming_slots(schedule(), policy(), now)
    assert up[0].start == at(MONDAY, 10, 30)
    assert max(x.day for x in up) <= MONDAY + timedelta(days=7)
    assert A.upcoming_slots(schedule(), policy(), now, MONDAY + timedelta(days=8)) == []
    assert {x.day for x in A.upcoming_slots(schedule(), policy(days_ahead=0), now)} == {MONDAY}
    lead = A.upcoming_slots(schedule(), policy(min_lead_minutes=30), now)
    assert lead[0].start == at(MONDAY, 11)


def test_find_slot_refuses_unaligned_and_past_starts():
    now = at(MONDAY, 10, 10)
    assert A.find_slot(schedule(), policy(), now, at(MONDAY, 14)).end == at(MONDAY, 14, 30)
    for bad in (at(MONDAY, 14, 10), at(MONDAY, 10), at(MONDAY, 12, 30), at(SUNDAY, 9)):
        with pytest.raises(A.AppointmentError) as info:
            A.find_slot(schedule(), policy(), now, bad)
        assert info.value.code == "bad_slot"


# ---------------------------------------------------------------- capacity

def test_capacity_per_category_and_next_free():
    p = policy(capacity=2, capacity_by_category={"C": 3})
    assert (p.capacity_for("A"), p.capacity_for("C"), p.capacity_for("B")) == (2, 3, 0)
    slots = A.slots_on(schedule(), p, MONDAY, TZ)
    taken = {slots[0].key: 2, slots[1].key: 2, slots[2].key: 1}
    assert A.next_free(slots, taken, 2) is slots[2]
    assert A.next_free(slots, taken, 2, after=slots[2].start) is slots[3]
    assert A.next_free(slots[:2], taken, 2) is None
    msg = A.slot_full_message(slots[0], "人社业务", slots[2], 7)
    assert "已满" in msg and "2026-11-30T09:30" in msg


@pytest.mark.parametrize("bad", [dict(slot_minutes=3), dict(capacity=-1), dict(days_ahead=100),
                                 dict(capacity_by_category={"B": 1}), dict(retention_days=0)])
def test_policy_refuses_impossible_settings(bad):
    with pytest.raises(ValueError):
        policy(**bad)


# ---------------------------------------------------------------- codes, phones, parsing

def test_codes_are_unique_and_unambiguous():
    rng = random.Random(7)
    seen: set[str] = set()
    for _ in range(3000):
        code = A.new_code(rng, seen)
        assert len(code) == A.CODE_LENGTH and set(code) <= set(A.CODE_ALPHABET)
        seen.add(code)
    assert len(seen) == 3000
    assert not set("01OIL") & set(A.CODE_ALPHABET)


def test_a_taken_code_is_never_handed_out_again():
    class Fixed:
        def __init__(self, text: str) -> None:
            self.chars = iter(text)

        def choice(self, seq: str) -> str:
            return next(self.chars)

    assert A.new_code(Fixed("AAAAAA" + "BBBBBB"), {"AAAAAA"}) == "BBBBBB"
    with pytest.raises(A.AppointmentError):
        A.new_code(Fixed("A" * 60), {"AAAAAA"}, attempts=10)


def test_normalise_code_and_phone():
    assert A.normalise_code(" ab3-x9k ") == "AB3X9K"
    assert A.normalise_phone("138 1234 5678") == "13812345678"
    assert A.normalise_phone("0728-5321001") == "07285321001"
    assert A.normalise_phone("12345") is None and A.normalise_phone("23812345678") is None


def test_parse_slot_takes_hall_time_or_an_offset():
    assert A.parse_slot("2026-11-30T09:00", TZ) == at(MONDAY, 9)
    assert A.parse_slot("2026-11-30T01:00:00Z", TZ) == at(MONDAY, 9)
    assert A.parse_slot("2026-11-30T09:00+08:00", TZ).tzinfo is TZ
    for bad in ("2026-11-30 09:00", "2026-02-30T09:00", "tomorrow"):
        with pytest.raises(A.AppointmentError):
            A.parse_slot(bad, TZ)


# ---------------------------------------------------------------- check-in

def test_placement_inside_and_outside_the_grace():
    start = at(MONDAY, 9)
    assert A.placement(start, start - timedelta(minutes=15), 15) is A.Placement.ON_TIME
    assert A.placement(start, start + timedelta(minutes=15), 15) is A.Placement.ON_TIME
    assert A.placement(start, start - timedelta(minutes=15, seconds=1), 15) is A.Placement.EARLY
    assert A.placement(start, start + timedelta(minutes=15, seconds=1), 15) is A.Placement.LATE
    assert A.placement(start, start, 0) is A.Placement.ON_TIME
    assert "优先" in A.placement_note(A.Placement.ON_TIME, start, start + timedelta(minutes=30))
    assert "09:00-09:30" in A.placement_note(A.Placement.LATE, start, start + timedelta(minutes=30))


def test_transitions_refuse_with_clear_codes():
    S = A.AppointmentState
    assert A.transition(S.BOOKED, "checkin", "X") is S.CHECKED_IN
    assert A.transition(S.BOOKED, "cancel", "X") is S.CANCELLED
    for state, code in ((S.CHECKED_IN, "appointment_used"), (S.CANCELLED, "appointment_cancelled"),
                        (S.NO_SHOW, "appointment_expired")):
        with pytest.raises(A.AppointmentError) as info:
            A.transition(state, "checkin", "ABC234")
        assert info.value.code == code and "ABC234" in info.value.message


def test_check_in_only_on_the_booked_day():
    start = at(WEDNESDAY, 9)
    A.check_day("X", WEDNESDAY, WEDNESDAY, start)
    with pytest.raises(A.AppointmentError) as early:
        A.check_day("X", WEDNESDAY, MONDAY, start)
    assert early.value.code == "not_today" and "12月02日 09:00" in early.value.message
    with pytest.raises(A.AppointmentError) as late:
        A.check_day("X", MONDAY, WEDNESDAY, start)
    assert late.value.code == "appointment_expired"
