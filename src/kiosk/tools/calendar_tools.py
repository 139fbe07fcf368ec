"""`kiosk calendar [DATE…] [--year Y]`: is the hall working on a day, why, and its hours.

Rule: reads the same files the hub reads (the site config's `calendar_path`, the `holidays` package)
through `kiosk.loaders.calendar_data` and prints one line per day with `kiosk.core.hours.describe_days`; it never
talks to the broker. The warning about a missing holiday schedule is the one the hub raises, computed
for `--today` (default: the real date). Exit codes: 0 ok, 2 bad input or configuration.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from ..core.calendar import Reason
from ..core.hours import describe_days
from ..errors import ConfigError
from ..halltime import hall_today, hall_zone

DEFAULT_DAYS = 14
TAG_LOCAL = "（本中心调整）"
WARNING_PREFIX = "警告："
NOTE_PROVISIONAL = "注意：{years}年的国务院节假日安排尚未收录，相关日期为预计"
SUMMARY = ("{year}年：上班 {work} 天（含调休上班 {makeup} 天），"
           "休息 {rest} 天（其中节假日 {holiday} 天）")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-10-01, got {text!r}") from None


def _calendar_path(args: argparse.Namespace) -> Path:
    if args.calendar:
        return Path(args.calendar)
    from ..config import find_default, load
    cfg = load(args.config or find_default())
    if cfg.calendar_path is None:
        raise ConfigError(cfg.path, "hub.calendar", "the calendar file it names does not exist")
    return cfg.calendar_path


def _hall_today(args: argparse.Namespace) -> date:
    """Today in the hall (the machine's own date is a UTC date until 08:00 in Huangtan)."""
    from ..config import find_default, load
    return hall_today(hall_zone(load(args.config or find_default()).timezone), time.time())


def calendar_lines(path: Path, dates: list[date], today: date, *, summary_year: int | None = None) -> list[str]:
    """The tool's output: one line per date, then the summary and warnings."""
    from ..loaders.calendar_data import CalendarConfigError, load_calendar, load_hours
    years = {d.year for d in dates} | {today.year, today.year + 1}
    try:
        cal = load_calendar(path, years=range(min(years) - 1, max(years) + 2))
        hours = load_hours(path)
    except CalendarConfigError as exc:
        raise ConfigError(exc.path, exc.key, exc.reason) from None
    lines = []
    for d, line in zip(dates, describe_days(cal, hours, dates)):
        info = cal.day_info(d)
        local = info.reason in (Reason.LOCAL_CLOSURE, Reason.LOCAL_WORKDAY)
        lines.append(line + (TAG_LOCAL if local else ""))
    if summary_year is not None:
        infos = [cal.day_info(d) for d in dates]
        reasons = Counter(i.reason for i in infos)
        lines.append(SUMMARY.format(year=summary_year, work=sum(i.working for i in infos),
                                    makeup=reasons[Reason.MAKEUP_WORKDAY], rest=sum(not i.working for i in infos),
                                    holiday=reasons[Reason.HOLIDAY]))
    unofficial = sorted({d.year for d in dates} - cal.years_with_official_data)
    if unofficial:
        lines.append(NOTE_PROVISIONAL.format(years="、".join(str(y) for y in unofficial)))
    warning = cal.missing_schedule_warning(today)
    if warning:
        lines.append(WARNING_PREFIX + warning)
    return lines


def cmd_calendar(args: argparse.Namespace) -> int:
    today = args.today or _hall_today(args)
    if args.year is not None:
        if args.dates:
            print("kiosk calendar: give dates or --year, not both", file=sys.stderr)
            return 2
        first = date(args.year, 1, 1)
        dates = [first + timedelta(days=n) for n in range((date(args.year + 1, 1, 1) - first).days)]
    else:
        dates = args.dates or [today + timedelta(days=n) for n in range(DEFAULT_DAYS)]
    for line in calendar_lines(_calendar_path(args), dates, today, summary_year=args.year):
        print(line)
    return 0


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("calendar", help="working days, holidays, 调休 and office hours (from calendar.toml)")
    p.add_argument("dates", nargs="*", type=_day, metavar="DATE",
                   help=f"dates to show (default: the next {DEFAULT_DAYS} days)")
    p.add_argument("--year", type=int, help="show every day of this year, with a summary")
    p.add_argument("--config", help="site config TOML (default /etc/kiosk/site.toml, else config/huangtan.toml)")
    p.add_argument("--calendar", help="calendar TOML to read instead of the one the site config names")
    p.add_argument("--today", type=_day, help="check the holiday-schedule warning as on this date")
    p.set_defaults(func=cmd_calendar)
