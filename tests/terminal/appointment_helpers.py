"""Helpers for driving 预约办理 / 预约签到 and the 24-hour home through the Pilot."""

from __future__ import annotations

from datetime import date, timedelta

from kiosk.bus.rpc import Reply
from kiosk.terminal.messages import ReplyIn
from kiosk.ui.paging import PagedList


def choose(p, list_id: str, value) -> None:
    """Tap the item of PagedList ``list_id`` whose value is ``value``, turning pages as a person would."""
    lst = p.widget(list_id)
    assert isinstance(lst, PagedList), list_id
    index = next(i for i, it in enumerate(lst.items) if it.value == value)
    for _ in range(lst.pages):
        if p.exists(lst.item_id(index)):
            break
        p.tap(f"{list_id}-next")
    p.tap(lst.item_id(index))


def values(p, list_id: str) -> list:
    return [it.value for it in p.widget(list_id).items]


def type_keys(p, pad: str, text: str, submit: bool = True) -> None:
    for ch in text:
        p.tap(f"{pad}-key-{ch}")
    if submit:
        p.tap(f"{pad}-key-ok")


def post_reply(p, ok=True, result=None, code="", message="", error=None, txn=None) -> None:
    txn = txn or p.app.top.txn
    p.post(ReplyIn(reply=Reply(txn=txn, ok=ok, result=result, code=code or None, message=message or None),
                   error=error), 2)


def sample_slots(first: str = "2026-11-30", days: int = 8) -> list[dict]:
    """Slots as appointment.slots answers them: working days 08:30-12:00 and 14:00-17:00 by half hours,
    Saturdays 09:00-12:00 appointment-only, Sundays nothing; Tuesday is fully booked."""
    out = []
    start = date.fromisoformat(first)
    for n in range(days):
        d = start + timedelta(days=n)
        if d.weekday() == 6:
            continue
        if d.weekday() == 5:
            times, kind = [(9, 0), (9, 30), (10, 0), (10, 30), (11, 0), (11, 30)], "appointment"
        else:
            times = [(8, 30), (9, 0), (9, 30), (10, 0), (10, 30), (11, 0), (11, 30),
                     (14, 0), (14, 30), (15, 0), (15, 30), (16, 0), (16, 30)]
            kind = "walk_in"
        for i, (h, m) in enumerate(times):
            eh, em = (h, m + 30) if m == 0 else (h + 1, 0)
            remaining = 0 if d.weekday() == 1 or i % 4 == 1 else 2 - (i % 2)
            out.append({"slot": f"{d.isoformat()}T{h:02d}:{m:02d}", "date": d.isoformat(),
                        "start": f"{h:02d}:{m:02d}", "end": f"{eh:02d}:{em:02d}", "at": 0.0, "kind": kind,
                        "capacity": 2, "remaining": remaining, "provisional": False})
    return out


CLOSED_MODE = {"state": "closed", "label": "今日已下班", "next_open_text": "12月01日 08:30",
               "sessions": ["08:30-12:00", "14:00-17:00"]}
HOLIDAY_MODE = {"state": "holiday", "label": "国庆节放假", "next_open_text": "10月08日 08:30", "sessions": []}
APPOINTMENT_MODE = {"state": "appointment_only", "label": "预约办理时段（仅限已预约群众）",
                    "next_open_text": "11月30日 08:30", "sessions": ["09:00-12:00"]}
