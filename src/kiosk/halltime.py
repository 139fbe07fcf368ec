"""Times as the hall reads them.

Rule: every time a staff tool, a report or a service status prints is in the hall's time zone from the
config (``[site] timezone``), never the machine's: a Pi's clock runs in UTC, the hall in Asia/Shanghai.
One helper does it; nothing else formats an epoch time for people.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

MINUTE = "%Y-%m-%d %H:%M"
SECOND = "%H:%M:%S"


def hall_zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def hall_time(ts: Any, tz: tzinfo, fmt: str = MINUTE, *, missing: str = "-") -> str:
    """Epoch seconds → text in the hall's zone; ``missing`` for None, 0 or anything not a time."""
    if ts is None or isinstance(ts, bool) or ts == 0:
        return missing
    try:
        return datetime.fromtimestamp(float(ts), tz).strftime(fmt)
    except (TypeError, ValueError, OverflowError, OSError):
        return missing


def hall_today(tz: tzinfo, now: float) -> date:
    """The hall's date at epoch ``now``."""
    return datetime.fromtimestamp(now, tz).date()


def log_in_hall_time(tz: tzinfo, logger: logging.Logger | None = None) -> None:
    """Stamp log lines written by hand-run commands in hall time (under systemd they carry no time:
    the journal stamps them)."""
    def converter(seconds: float | None) -> time.struct_time:
        return datetime.fromtimestamp(time.time() if seconds is None else seconds, tz).timetuple()
    for handler in (logger or logging.getLogger()).handlers:
        if handler.formatter is not None:
            handler.formatter.converter = converter
