"""What the terminal prints, worded from the hub's result alone (kiosk.terminal.documents): the ticket in
the hall's time with its QR, the booking slip without the phone, the disclosure receipt without anything
personal. Pure: no printer, no pygame, no broker."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.config import load
from kiosk.terminal.codes import booking_qr, code_from_scan, ticket_qr
from kiosk.terminal.documents import booking_slip, disclosure_receipt, ticket_document
from kiosk.terminal.session import Session
from kiosk.terminal.settings import TerminalSettings
from kiosk.terminal.strings_voice import VoiceStrings

from ..conftest import REAL_CONFIG

HALL = ZoneInfo("Asia/Shanghai")


def session() -> Session:
    return Session(load(REAL_CONFIG), settings=TerminalSettings(), device_id="kiosk-1")


def test_the_ticket_is_worded_from_the_result_in_the_hall_time():
    s = session()
    now = datetime(2026, 11, 30, 9, 41, tzinfo=HALL)
    issued = datetime(2026, 11, 30, 9, 40, 12, tzinfo=HALL).timestamp()
    doc = ticket_document({"ticket": "20261130-C007", "number": "C007", "category": "C", "priority": True,
                           "people_ahead": 3, "eta_s": 610, "issued_at": issued, "token": "tok"}, s, now=now,
                          large=True)
    assert doc.ticket_number == "C007" and doc.people_ahead == 3 and doc.eta_minutes == 10 and doc.large_print
    assert doc.category_name == s.category_name("C") + s.strings.ticket_priority
    assert doc.issued_at == datetime(2026, 11, 30, 9, 40, 12)  # the hub's time, read in the hall's zone
    base = s.cfg.phone_base  # the hall's [phone] base_url: the printed code opens the ticket's phone page
    assert doc.qr_payload == ticket_qr("huangtan", "20261130-C007", "tok", base) == f"{base}/t/tok"
    assert s.windows_for("C") in doc.wait_at
    policy = s.cfg.hall.policy
    assert str(policy.recall_limit + 1) in doc.missed_rule
    without = ticket_document({"number": "A001", "category": "A", "people_ahead": -2}, s, now=now, large=False)
    assert without.issued_at == datetime(2026, 11, 30, 9, 41) and without.people_ahead == 0
    assert without.eta_minutes is None


def test_the_booking_slip_names_time_and_materials_never_the_phone():
    s = session()
    r = {"code": "K7M3QX", "category": "C", "date": "2026-11-30", "start": "14:00", "end": "14:30",
         "phone": "138****5678", "checkin": "请提前15分钟签到", "materials": ["身份证原件"]}
    slip = booking_slip(r, s, printed_at=datetime(2026, 11, 30, 9, 41, tzinfo=HALL), large=False)
    text = "\n".join(slip.lines)
    assert slip.code == "K7M3QX" and "14:00-14:30" in text and s.day_text("2026-11-30") in text
    assert "请提前15分钟签到" in text and "1. 身份证原件" in text and "5678" not in text
    assert slip.qr_payload == booking_qr("huangtan", "K7M3QX", s.cfg.phone_base) == f"{s.cfg.phone_base}/b/K7M3QX"
    assert code_from_scan(slip.qr_payload, "huangtan", s.cfg.phone_base) == "K7M3QX"  # the slip's QR opens 预约签到
    assert "2026-11-30 09:41" in slip.footer
    nothing = booking_slip({"code": "K7M3QX", "date": "2026-11-30"}, s, printed_at=datetime(2026, 11, 30, tzinfo=HALL),
                           large=False)
    assert s.phone_for_help() in nothing.lines[-1]  # no materials listed: whom to ask


def test_the_disclosure_receipt_carries_the_number_and_dates_only():
    v = VoiceStrings()
    r = {"application": "HTGK-2026-0001", "received": "2026-11-30", "reply_due": "2026-12-28",
         "extended_due": "2027-01-26", "name": "张*三", "id_number": "420***********1234"}
    slip = disclosure_receipt(r, centre="黄潭镇便民服务中心", site="huangtan", v=v, large=True)
    text = "\n".join(slip.lines)
    assert slip.code == "HTGK-2026-0001" and slip.qr_payload == "HTGK|huangtan|HTGK-2026-0001"
    assert "2026-12-28" in text and "2027-01-26" in text and v.gk_statute in slip.lines
    assert "张" not in text and "1234" not in text and slip.large_print


def test_the_booking_slip_names_an_attached_card_masked_only():
    s = session()
    r = {"code": "K7M3QX", "category": "C", "date": "2026-11-30", "start": "14:00", "end": "14:30"}
    with_card = booking_slip({**r, "card": "429***********007X"}, s,
                             printed_at=datetime(2026, 11, 30, 9, 41, tzinfo=HALL), large=True)
    assert s.strings.line_card.format(id="429***********007X") in with_card.lines
    plain = booking_slip(r, s, printed_at=datetime(2026, 11, 30, 9, 41, tzinfo=HALL), large=True)
    assert not any("已关联" in line for line in plain.lines)  # without a card the slip is as before
