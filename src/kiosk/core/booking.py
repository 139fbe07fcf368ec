"""What the hall offers for booking, in words, from its configured sessions — never a fixed claim.

Rule: the plan asks the centre to explore 错时、延时和双休日、节假日预约; what it actually offers is whatever
``calendar.toml`` configures (``OfficeHours``) and ``[appointments] sessions`` opens for booking. This
module turns exactly that into the line a service guide shows, so a guide never promises a 延时 or a
节假日 session the calendar does not have. Pure: standard library and ``kiosk.core.hours`` only.
"""

from __future__ import annotations

from collections.abc import Iterable

from .calendar import WEEKDAY_NAMES
from .hours import OfficeHours, SessionKind

# Chinese text of this module.
LINE = "可预约办理：{offers}"
LINE_NONE = ""
OFFER_WALK_IN = "工作日办公时间"
OFFER_EXTENDED = "{days}延时服务至{until}"
OFFER_REST_DAY = "{days}{start}-{end}预约专场"
HOLIDAYS = "节假日"
JOIN_DAYS = "、"
JOIN_OFFERS = "；"


def _days(weekdays: Iterable[int]) -> str:
    return JOIN_DAYS.join(WEEKDAY_NAMES[d] for d in sorted(weekdays))


def booking_offers(hours: OfficeHours, kinds: Iterable[SessionKind]) -> list[str]:
    """One phrase per kind of session that is both configured and open for booking."""
    kinds = set(kinds)
    out = []
    if SessionKind.WALK_IN in kinds:
        out.append(OFFER_WALK_IN)
    if SessionKind.EXTENDED in kinds:
        out += [OFFER_EXTENDED.format(days=_days(e.weekdays), until=f"{e.until:%H:%M}") for e in hours.extended]
    if SessionKind.APPOINTMENT in kinds:
        for w in hours.appointments:
            days = _days(w.weekdays) + (JOIN_DAYS if w.weekdays and w.holidays else "") + (HOLIDAYS if w.holidays else "")
            if days:
                out.append(OFFER_REST_DAY.format(days=days, start=f"{w.start:%H:%M}", end=f"{w.end:%H:%M}"))
    return out


def booking_line(hours: OfficeHours, kinds: Iterable[SessionKind]) -> str:
    """The guide's line for a bookable item, or "" when nothing can be booked."""
    offers = booking_offers(hours, kinds)
    return LINE.format(offers=JOIN_OFFERS.join(offers)) if offers else LINE_NONE
