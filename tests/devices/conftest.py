"""Shared fixtures for device tests: a fake printer on a real pty."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.devices.fake_printer import FakePrinter
from kiosk.devices.ticket import TicketPrint

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


@pytest.fixture
def fake_printer():
    with FakePrinter() as fake:
        yield fake


@pytest.fixture
def sample_ticket() -> TicketPrint:
    return TicketPrint(
        centre_name="黄潭镇便民服务中心",
        category_name="社保医保",
        ticket_number="A012",
        people_ahead=3,
        eta_minutes=15,
        issued_at=datetime(2025, 3, 4, 9, 15, 42),
        wait_at="请在一楼B区等候叫号",
        missed_rule="过号请到窗口说明，叫号三次未到视为放弃，需重新取号。",
        qr_payload="https://huangtan.example/q/A012?d=20250304",
    )
