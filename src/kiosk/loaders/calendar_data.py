"""Build the pure hall calendar and office hours from their data sources.

Sources, and which wins:

* the `holidays` package (`holidays.China`) gives each year's statutory
  holidays; for the years where it carries the State Council notice (the
  package's substituted days) it also gives the 调休 working weekend days
  (`weekend_workdays`), and the year counts as official. Other requested
  years are loaded as a *provisional* estimate (statutory days only);
* a TOML file (`config/calendar.toml`, deployed as `/etc/kiosk/calendar.toml`)
  adds local closures and extra working days, which win over everything, and
  may carry a whole year's official schedule typed in by staff
  (`[[official_year]]`); such a year replaces the package's data for that year;
* the same file's `[hours]` table gives the office hours.

The package lists only the weekday rest days of a holiday period (and the
statutory days themselves); the weekend days inside the period are implied.
`_package_schedule` restores them: a weekend rest day joined to a holiday
through rest days belongs to that holiday period, as in the notices ("元旦：
1月1日至3日放假"). Its days are named after the period's main holiday.

Every configuration error is a `CalendarConfigError` naming the file, the key
and what was expected.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.core.calendar import HallCalendar, OfficialSchedule
from kiosk.core.hours import AppointmentWindow, ExtendedHours, OfficeHours, Season, Session
from kiosk.errors import KioskError

if TYPE_CHECKING:
    import holidays

# `holidays` is imported where it is used: with all its countries and languages it takes about 13 MB of
# memory, which the hub never carries (it loads the calendar in a short-lived worker process, see
# kiosk.hub.hallinfo); `load_hours` and the errors need none of it.

__all__ = [
    "CalendarConfigError",
    "load_calendar",
    "load_hours",
    "package_official_years",
]

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
# A holiday period longer than this in a typed-in schedule is surely a typo.
MAX_PERIOD_DAYS = 31
FALLBACK_PERIOD_NAME = "节假日"
_SUFFIX = re.compile(r"（[^（）]*）$")  # "清明节（补假）" -> "清明节"
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class CalendarConfigError(KioskError, ValueError):
    """The calendar or hours configuration is wrong: file, key and reason."""

    def __init__(self, path: Path | str, key: str, reason: str) -> None:
        super().__init__(f"{path}: {key}: {reason}")
        self.path = str(path)
        self.key = key
        self.reason = reason


# --------------------------------------------------------------------------- package data


def package_official_years() -> frozenset[int]:
    """Years for which the installed `holidays` package carries the official notice.

    The package records each notice as that year's substituted days (调休); a
    year without such an entry is computed by rule only. A year whose notice had
    no 调休 at all would be missed here; staff can declare it in the TOML file.
    """
    import holidays

    special = getattr(holidays.China(), "special_public_holidays", {})
    return frozenset(year for year, entries in special.items() if entries)


def _clean_name(name: str) -> str | None:
    """The holiday's own name, or None for a moved rest day ("休息日（由 … 调休）")."""
    first = name.split("; ")[0]
    if first.startswith("休息日"):
        return None
    return _SUFFIX.sub("", first)


def _package_schedule(
    year: int, china: holidays.HolidayBase, makeups: frozenset[date], *, provisional: bool
) -> OfficialSchedule:
    import holidays

    def rest(day: date) -> bool:
        return day in china or (day.weekday() >= 5 and day not in makeups)

    seeds = sorted(d for d in china if d.year == year)
    named: dict[date, str] = {}
    seen: set[date] = set()
    for seed in seeds:
        if seed in seen:
            continue
        start, end = seed, seed
        while rest(start - timedelta(days=1)):
            start -= timedelta(days=1)
        while rest(end + timedelta(days=1)):
            end += timedelta(days=1)
        period = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        seen.update(period)
        own = {d: _clean_name(china[d]) for d in period if d in china}
        names = Counter(n for n in own.values() if n)
        # Most frequent name; the earliest on a tie (春节 over 农历除夕).
        main = (
            max(names, key=lambda n: (names[n], -min(d for d, m in own.items() if m == n).toordinal()))
            if names
            else FALLBACK_PERIOD_NAME
        )
        for day in period:
            named[day] = own.get(day) or main
    return OfficialSchedule(
        year=year,
        holidays=named,
        # A notice may put makeup days in the previous December (2002: 2001-12-29).
        makeup_workdays=frozenset()
        if provisional
        else frozenset(d for d in makeups if d.year == year or (d.year == year - 1 and d.month == 12)),
        source=f"holidays {holidays.__version__}" + (" (estimate)" if provisional else ""),
        provisional=provisional,
    )


# --------------------------------------------------------------------------- TOML helpers


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise CalendarConfigError(path, "-", "file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CalendarConfigError(path, "-", f"not valid TOML ({exc})") from exc


_MISSING = object()


def _get(
    path: Path,
    table: dict[str, Any],
    key: str,
    where: str,
    kind: type | tuple[type, ...],
    *,
    default: Any = _MISSING,
) -> Any:
    """`table[key]` checked against `kind`; errors name the key as `where.key`."""
    full_key = f"{where}.{key}" if where else key
    if key not in table:
        if default is _MISSING:
            raise CalendarConfigError(path, full_key, "missing")
        return default
    value = table[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    # bool is an int and datetime is a date in Python; in this file neither may stand in.
    wrong_subtype = (isinstance(value, bool) and bool not in kinds) or (
        isinstance(value, datetime) and datetime not in kinds
    )
    if not isinstance(value, kinds) or wrong_subtype:
        expected = " or ".join(k.__name__ for k in kinds)
        raise CalendarConfigError(path, full_key, f"expected {expected}, got {value!r}")
    return value


def _tables(path: Path, doc: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    value = doc.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise CalendarConfigError(path, key, f"expected an array of tables ([[{key}]])")
    return [(f"{key}[{i}]", v) for i, v in enumerate(value)]


def _date(path: Path, value: Any, key: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise CalendarConfigError(path, key, f"expected a date like 2026-10-01, got {value!r}")
    return value


def _dates(path: Path, table: dict[str, Any], where: str) -> list[date]:
    """A `date = …` or a `start = …` / `end = …` range."""
    if "date" in table:
        if "start" in table or "end" in table:
            raise CalendarConfigError(path, where, "give either date or start/end, not both")
        return [_date(path, table["date"], f"{where}.date")]
    start = _get(path, table, "start", where, date)
    end = _get(path, table, "end", where, date)
    if end < start:
        raise CalendarConfigError(path, f"{where}.end", f"{end} is before start {start}")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise CalendarConfigError(path, f"{where}.end", f"range longer than {MAX_PERIOD_DAYS} days")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _time(path: Path, value: Any, key: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and (match := _HHMM.match(value)):
        return time(int(match[1]), int(match[2]))
    raise CalendarConfigError(path, key, f"expected a time \"HH:MM\", got {value!r}")


def _weekdays(path: Path, value: Any, key: str) -> frozenset[int]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.lower() in WEEKDAYS for v in value):
        raise CalendarConfigError(path, key, f"expected a list of {', '.join(WEEKDAYS)}, got {value!r}")
    return frozenset(WEEKDAYS[v.lower()] for v in value)


def _checked_build(path: Path, key: str, build: Callable[[], Any]) -> Any:
    """Run a core constructor and turn its ValueError into a config error."""
    try:
        return build()
    except CalendarConfigError:
        raise
    except ValueError as exc:
        raise CalendarConfigError(path, key, str(exc)) from exc


# --------------------------------------------------------------------------- calendar


def _typed_schedule(path: Path, where: str, table: dict[str, Any]) -> OfficialSchedule:
    year = _get(path, table, "year", where, int)
    notice = _get(path, table, "notice", where, str, default="")
    periods = _tables(path, table, "holidays")
    if not periods:
        raise CalendarConfigError(path, f"{where}.holidays", "a year's schedule needs its holiday periods")
    named: dict[date, str] = {}
    for sub, period in periods:
        key = f"{where}.{sub}"
        name = _get(path, period, "name", key, str).strip()
        if not name:
            raise CalendarConfigError(path, f"{key}.name", "must not be empty")
        for day in _dates(path, period, key):
            if day in named:
                raise CalendarConfigError(path, key, f"{day} is already in the period {named[day]}")
            named[day] = name
    raw_makeups = _get(path, table, "makeup_workdays", where, list, default=[])
    makeups = frozenset(
        _date(path, value, f"{where}.makeup_workdays[{i}]") for i, value in enumerate(raw_makeups)
    )
    return _checked_build(
        path,
        where,
        lambda: OfficialSchedule(
            year=year,
            holidays=named,
            makeup_workdays=makeups,
            source=f"{path}" + (f" ({notice})" if notice else ""),
        ),
    )


def _overrides(path: Path, doc: dict[str, Any], key: str) -> dict[date, str]:
    result: dict[date, str] = {}
    for where, table in _tables(path, doc, key):
        reason = _get(path, table, "reason", where, str).strip()
        if not reason:
            raise CalendarConfigError(path, f"{where}.reason", "must not be empty")
        for day in _dates(path, table, where):
            if day in result:
                raise CalendarConfigError(path, where, f"{day} is listed twice")
            result[day] = reason
    return result


def load_calendar(path: Path | str | None = None, *, years: Iterable[int]) -> HallCalendar:
    """The hall calendar for `years`, from the `holidays` package and the TOML file at `path`.

    Without a path only the package data is used. Years typed into the file as
    `[[official_year]]` are always included and replace the package's data.
    """
    wanted = sorted(set(years))
    typed: dict[int, OfficialSchedule] = {}
    closures: dict[date, str] = {}
    extra: dict[date, str] = {}
    if path is not None:
        path = Path(path)
        doc = _read(path)
        for where, table in _tables(path, doc, "official_year"):
            schedule = _typed_schedule(path, where, table)
            if schedule.year in typed:
                raise CalendarConfigError(path, f"{where}.year", f"{schedule.year} is declared twice")
            typed[schedule.year] = schedule
        closures = _overrides(path, doc, "closure")
        extra = _overrides(path, doc, "extra_workday")
        both = sorted(set(closures) & set(extra))
        if both:
            raise CalendarConfigError(path, "extra_workday", f"{both[0]} is also a closure")

    from_package = [y for y in wanted if y not in typed]
    schedules = list(typed.values())
    if from_package:
        official = package_official_years()
        # Neighbouring years too, so a period running over New Year is seen whole.
        span = range(from_package[0] - 1, from_package[-1] + 2)
        import holidays

        china = holidays.China(years=span, language="zh_CN")
        makeups = frozenset(china.weekend_workdays)
        for year in from_package:
            schedules.append(_package_schedule(year, china, makeups, provisional=year not in official))
    return HallCalendar(schedules=tuple(schedules), closures=closures, extra_workdays=extra)


# --------------------------------------------------------------------------- hours


def _sessions(path: Path, value: Any, key: str) -> tuple[Session, ...]:
    if not isinstance(value, list) or not all(isinstance(v, list) and len(v) == 2 for v in value):
        raise CalendarConfigError(path, key, f'expected a list of ["HH:MM", "HH:MM"] pairs, got {value!r}')
    sessions = []
    for i, (start, end) in enumerate(value):
        item = f"{key}[{i}]"
        begin, finish = _time(path, start, f"{item}[0]"), _time(path, end, f"{item}[1]")
        sessions.append(_checked_build(path, item, lambda b=begin, f=finish: Session(start=b, end=f)))
    return tuple(sessions)


def _season(path: Path, where: str, table: dict[str, Any]) -> Season:
    name = _get(path, table, "name", where, str)
    starts_text = _get(path, table, "starts", where, str)
    match = re.fullmatch(r"(\d\d)-(\d\d)", starts_text)
    if not match:
        raise CalendarConfigError(path, f"{where}.starts", f'expected "MM-DD", got {starts_text!r}')
    sessions = _sessions(path, _get(path, table, "sessions", where, list), f"{where}.sessions")
    by_weekday_raw = _get(path, table, "by_weekday", where, dict, default={})
    by_weekday = {}
    for day_name, value in by_weekday_raw.items():
        key = f"{where}.by_weekday.{day_name}"
        if day_name.lower() not in WEEKDAYS:
            raise CalendarConfigError(path, key, f"expected one of {', '.join(WEEKDAYS)}")
        by_weekday[WEEKDAYS[day_name.lower()]] = _sessions(path, value, key)
    starts = (int(match[1]), int(match[2]))
    return _checked_build(
        path,
        where,
        lambda: Season(name=name, starts=starts, sessions=sessions, by_weekday=by_weekday),
    )


def load_hours(path: Path | str) -> OfficeHours:
    """Office hours from the `[hours]` table of the TOML file at `path`."""
    path = Path(path)
    doc = _read(path)
    hours = _get(path, doc, "hours", "", dict)
    seasons = [_season(path, f"hours.{w}", t) for w, t in _tables(path, hours, "season")]
    if not seasons:
        raise CalendarConfigError(path, "hours.season", "at least one [[hours.season]] is needed")
    extended = [
        ExtendedHours(
            weekdays=_weekdays(path, _get(path, t, "weekdays", f"hours.{w}", list), f"hours.{w}.weekdays"),
            until=_time(path, _get(path, t, "until", f"hours.{w}", (str, time)), f"hours.{w}.until"),
        )
        for w, t in _tables(path, hours, "extended")
    ]
    appointments = []
    for w, t in _tables(path, hours, "appointment"):
        where = f"hours.{w}"
        window = AppointmentWindow(
            start=_time(path, _get(path, t, "start", where, (str, time)), f"{where}.start"),
            end=_time(path, _get(path, t, "end", where, (str, time)), f"{where}.end"),
            weekdays=_weekdays(path, _get(path, t, "weekdays", where, list, default=[]), f"{where}.weekdays"),
            holidays=_get(path, t, "holidays", where, bool, default=False),
        )
        if not window.start < window.end:
            raise CalendarConfigError(path, f"{where}.end", "must be later than start")
        appointments.append(window)
    closing = _get(path, hours, "closing_minutes", "hours", int, default=15)
    if not 0 <= closing <= 120:
        raise CalendarConfigError(path, "hours.closing_minutes", f"expected 0..120, got {closing}")
    return _checked_build(
        path,
        "hours",
        lambda: OfficeHours(
            seasons=tuple(seasons),
            extended=tuple(extended),
            appointments=tuple(appointments),
            closing_minutes=closing,
        ),
    )
