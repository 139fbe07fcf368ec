"""Service guides say only what is true: a limit the law counts in 日 is printed as 日, and a bookable
item says what the hall's configured sessions offer (the hub's line), not a fixed promise."""

from __future__ import annotations

from dataclasses import replace

from kiosk.terminal.messages import CatalogIn

BOOKING = "可预约办理：工作日办公时间；周六09:00-12:00预约专场"


def _texts(p) -> str:
    top = p.app.top
    return "\n".join(b.text for b in top.guide_blocks(top.item()) if hasattr(b, "text"))


def test_id_card_guide_counts_calendar_days_and_shows_the_configured_booking_line(offline_terminal, catalog):
    p = offline_terminal()
    p.terminal.inbox.put(CatalogIn(catalog=replace(catalog, booking=BOOKING)))
    p.frames(2)
    p.tap("menu-item-1")
    p.tap("how-department")
    p.tap("list-departments-item-0")
    p.tap("list-items-item-0")
    assert p.app.top.item().id == "ga-sfz-apply"
    text = _texts(p)
    assert "法定时限：60日" in text and "60个工作日" not in text
    assert "承诺时限：15个工作日" in text
    assert BOOKING in text and "错时" not in text and "节假日" not in text and "延时" not in text
