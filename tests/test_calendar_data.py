"""Loading the calendar from the `holidays` package and TOML, against the 2026 notice."""

from datetime import date, time, timedelta
from pathlib import Path

import holidays
import pytest

from kiosk.loaders.calendar_data import CalendarConfigError, load_calendar, load_hours, package_official_years
from kiosk.core.calendar import Reason
from kiosk.core.hours import SessionKind, describe_days

CONFIG = Path(__file__).resolve().parents[1] / "config" / "calendar.toml"

# The 2026 State Council notice: every holiday period (weekend days inside it included)...
PERIODS_2026 = {
    "元旦": (date(2026, 1, 1), date(2026, 1, 3)),
    "春节": (date(2026, 2, 15), date(2026, 2, 23)),
    "清明节": (date(2026, 4, 4), date(2026, 4, 6)),
    "劳动节": (date(2026, 5, 1), date(2026, 5, 5)),
    "端午节": (date(2026, 6, 19), date(2026, 6, 21)),
    "中秋节": (date(2026, 9, 25), date(2026, 9, 27)),
    "国庆节": (date(2026, 10, 1), date(2026, 10, 7)),
}
# ... and every 调休 working weekend day.
MAKEUP_2026 = {
    date(2026, 1, 4),  # Sunday
    date(2026, 2, 14),  # Saturday
    date(2026, 2, 28),  # Saturday
    date(2026, 5, 9),  # Saturday
    date(2026, 9, 20),  # Sunday
    date(2026, 10, 10),  # Saturday
}


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


@pytest.fixture(scope="module")
def calendar_2026():
    return load_calendar(years=[2025, 2026, 2027])


def test_the_package_carries_the_2026_notice():
    """The expected lists above agree with the package's own data, not only with us."""
    assert 2026 in package_official_years()
    china = holidays.China(years=2026, language="zh_CN")
    assert {d for d in china.weekend_workdays if d.year == 2026} == MAKEUP_2026
    holiday_days = {d for start, end in PERIODS_2026.values() for d in _days(start, end)}
    # The package lists the weekday rest days; the weekend days of a period are implied.
    assert {d for d in china} <= holiday_days
    assert {d for d in holiday_days if d.weekday() < 5} == {d for d in china if d.weekday() < 5}


def test_every_2026_holiday_day(calendar_2026):
    for name, (start, end) in PERIODS_2026.items():
        for day in _days(start, end):
            info = calendar_2026.day_info(day)
            assert (day, info.working, info.reason, info.provisional) == (day, False, Reason.HOLIDAY, False)
            if day != date(2026, 2, 16):  # 农历除夕 keeps its own name inside the 春节 period
                assert (day, info.label) == (day, name)
        # The day after each period is a working day again.
        assert calendar_2026.day_info(end + timedelta(days=1)).working


def test_every_2026_makeup_workday(calendar_2026):
    for day in MAKEUP_2026:
        info = calendar_2026.day_info(day)
        assert day.weekday() >= 5
        assert (day, info.working, info.reason, info.label) == (day, True, Reason.MAKEUP_WORKDAY, "调休上班")


def test_whole_2026_count(calendar_2026):
    days = calendar_2026.days(date(2026, 1, 1), date(2026, 12, 31))
    holiday_days = sum(end.toordinal() - start.toordinal() + 1 for start, end in PERIODS_2026.values())
    assert sum(d.reason is Reason.HOLIDAY for d in days) == holiday_days
    assert sum(d.reason is Reason.MAKEUP_WORKDAY for d in days) == len(MAKEUP_2026)


def test_official_years_and_the_2027_warning(calendar_2026):
    """Honest about the installed package: warn for 2027 exactly when it lacks 2027."""
    package_has_2027 = 2027 in package_official_years()
    assert {2025, 2026} <= calendar_2026.years_with_official_data
    assert (2027 in calendar_2026.years_with_official_data) == package_has_2027
    warning = calendar_2026.missing_schedule_warning(date(2026, 11, 29))
    if package_has_2027:
        assert warning is None
    else:
        assert warning is not None and "2027" in warning
        # 2027 is still loaded, marked as an estimate (元旦 is statutory).
        assert calendar_2026.day_info(date(2027, 1, 1)).provisional
    assert calendar_2026.missing_schedule_warning(date(2026, 10, 31)) is None


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.toml"
    path.write_text(text, encoding="utf-8")
    return path


TYPED_2027 = """
[[official_year]]
year = 2027
notice = "测试用"
holidays = [
  { name = "元旦", start = 2027-01-01, end = 2027-01-03 },
  { name = "春节", start = 2027-02-05, end = 2027-02-13 },
]
makeup_workdays = [2027-02-20]
"""


def test_typed_in_2027_silences_the_warning_and_replaces_the_package(tmp_path):
    calendar = load_calendar(_write(tmp_path, TYPED_2027), years=[2026, 2027])
    assert calendar.years_with_official_data >= {2026, 2027}
    assert calendar.missing_schedule_warning(date(2026, 11, 29)) is None
    sunday = calendar.day_info(date(2027, 1, 3))
    assert (sunday.reason, sunday.label, sunday.provisional) == (Reason.HOLIDAY, "元旦", False)
    assert calendar.day_info(date(2027, 2, 20)).reason is Reason.MAKEUP_WORKDAY
    # Whatever the package guessed for the rest of 2027 is gone (no 劳动节 typed in).
    assert calendar.day_info(date(2027, 5, 3)).reason is Reason.WEEKDAY


def test_overrides_from_the_file(tmp_path):
    path = _write(
        tmp_path,
        """
[[closure]]
date = 2026-03-04
reason = "线路检修"

[[closure]]
start = 2026-07-20
end = 2026-07-21
reason = "防汛抗洪"

[[extra_workday]]
date = 2026-03-07
reason = "集中办理医保缴费"

[[extra_workday]]
date = 2026-10-05
reason = "国庆值班"
""",
    )
    calendar = load_calendar(path, years=[2026])
    assert calendar.day_info(date(2026, 3, 4)).reason is Reason.LOCAL_CLOSURE
    assert calendar.day_info(date(2026, 7, 21)).label == "防汛抗洪"
    saturday = calendar.day_info(date(2026, 3, 7))
    assert (saturday.working, saturday.label) == (True, "集中办理医保缴费")
    assert calendar.day_info(date(2026, 10, 5)).reason is Reason.LOCAL_WORKDAY


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ("[[closure]]\ndate = 2026-03-04\n", "closure[0].reason", "missing"),
        ('[[closure]]\ndate = "2026-03-04"\nreason = "x"\n', "closure[0].date", "expected a date"),
        ('[[closure]]\nstart = 2026-03-05\nend = 2026-03-04\nreason = "x"\n', "closure[0].end", "before"),
        (
            '[[closure]]\ndate = 2026-03-04\nreason = "x"\n[[extra_workday]]\ndate = 2026-03-04\nreason = "y"\n',
            "extra_workday",
            "also a closure",
        ),
        ("[[official_year]]\nyear = 2027\nholidays = []\n", "official_year[0].holidays", "holiday periods"),
        (
            '[[official_year]]\nyear = 2027\nholidays = [{ name = "元旦", date = 2027-01-01 }]\n'
            "makeup_workdays = [2027-01-04]\n",
            "official_year[0]",
            "not a Saturday or Sunday",
        ),
        ("closure = 3\n", "closure", "array of tables"),
        ("[[closure\n", "-", "not valid TOML"),
    ],
)
def test_calendar_errors_name_file_key_and_reason(tmp_path, text, key, reason):
    path = _write(tmp_path, text)
    with pytest.raises(CalendarConfigError) as info:
        load_calendar(path, years=[2026])
    assert info.value.key == key
    assert reason in info.value.reason
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_missing_file(tmp_path):
    with pytest.raises(CalendarConfigError, match="file not found"):
        load_calendar(tmp_path / "nope.toml", years=[2026])


def test_load_hours_from_the_shipped_config():
    hours = load_hours(CONFIG)
    assert [s.name for s in hours.seasons] == ["夏季作息", "冬季作息"]
    assert hours.season_on(date(2026, 7, 1)).sessions[1].start == time(14, 30)
    assert hours.season_on(date(2026, 12, 1)).sessions[1].start == time(14, 0)
    assert hours.closing_minutes == 15
    (window,) = hours.appointments
    assert (window.weekdays, window.start, window.end) == (frozenset({5}), time(9), time(12))


def test_shipped_config_calendar_and_describe_days():
    calendar = load_calendar(CONFIG, years=[2026])
    hours = load_hours(CONFIG)
    assert describe_days(calendar, hours, [date(2026, 10, 1), date(2026, 2, 14), date(2026, 5, 9)]) == [
        "2026-10-01 周四 休息 国庆节",
        "2026-02-14 周六 上班 调休上班 08:30-12:00,14:00-17:00",  # winter timetable
        "2026-05-09 周六 上班 调休上班 08:30-12:00,14:30-17:30",  # summer timetable
    ]


def test_hours_with_extended_and_holiday_appointments(tmp_path):
    path = _write(
        tmp_path,
        """
[hours]
closing_minutes = 10
[[hours.season]]
name = "全年"
starts = "01-01"
sessions = [["08:30", "12:00"], ["14:30", "17:30"]]
by_weekday = { fri = [["08:30", "12:00"]] }
[[hours.extended]]
weekdays = ["tue", "thu"]
until = "19:00"
[[hours.appointment]]
holidays = true
start = "09:00"
end = "11:00"
""",
    )
    hours = load_hours(path)
    calendar = load_calendar(years=[2026])
    thursday = hours.sessions_for(calendar.day_info(date(2026, 6, 4)))
    assert [(s.kind, s.text) for s in thursday][-1] == (SessionKind.EXTENDED, "17:30-19:00")
    assert [s.text for s in hours.sessions_for(calendar.day_info(date(2026, 6, 5)))] == ["08:30-12:00"]
    national_day = hours.sessions_for(calendar.day_info(date(2026, 10, 3)))
    assert [(s.kind, s.text) for s in national_day] == [(SessionKind.APPOINTMENT, "09:00-11:00")]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "hours"),
        ("[hours]\n", "hours.season"),
        ('[hours]\n[[hours.season]]\nname = "x"\nstarts = "5-1"\nsessions = []\n', "hours.season[0].starts"),
        (
            '[hours]\n[[hours.season]]\nname = "x"\nstarts = "05-01"\nsessions = [["8:30", "12:00"]]\n',
            "hours.season[0].sessions[0][0]",
        ),
        (
            '[hours]\n[[hours.season]]\nname = "x"\nstarts = "05-01"\n'
            'sessions = [["08:30", "12:00"], ["11:00", "17:00"]]\n',
            "hours.season[0]",
        ),
        (
            '[hours]\n[[hours.season]]\nname = "x"\nstarts = "05-01"\nsessions = [["08:30", "12:00"]]\n'
            '[[hours.extended]]\nweekdays = ["wednesday"]\nuntil = "19:00"\n',
            "hours.extended[0].weekdays",
        ),
        (
            '[hours]\nclosing_minutes = 500\n[[hours.season]]\nname = "x"\nstarts = "05-01"\n'
            'sessions = [["08:30", "12:00"]]\n',
            "hours.closing_minutes",
        ),
    ],
)
def test_hours_errors_name_the_key(tmp_path, text, key):
    path = _write(tmp_path, text)
    with pytest.raises(CalendarConfigError) as info:
        load_hours(path)
    assert info.value.key == key
    assert str(path) in str(info.value)
