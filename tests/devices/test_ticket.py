from __future__ import annotations

import dataclasses

import pytest

from kiosk.devices import escpos as e
from kiosk.devices.ticket import STRINGS, render_image, render_raster, render_text

from .conftest import CJK_FONT

EXPECTED_58 = [
    "黄潭镇便民服务中心",
    "社保医保",
    "A012",
    "您前面还有 3 人等候",
    "预计等候约 15 分钟",
    "-" * 32,
    "请在一楼B区等候叫号",
    "过号请到窗口说明，叫号三次未到视",
    "为放弃，需重新取号。",
    "扫码查看排队进度",
    "取号时间 2025-03-04 09:15",
]


def test_text_ticket_lines_qr_cut_and_size(sample_ticket):
    data = render_text(sample_ticket, 58)
    assert len(data) <= 1024
    cmds = e.parse(data)
    lines = e.printed_lines(cmds)
    assert [l.text for l in lines] == EXPECTED_58
    number = lines[2]
    assert (number.width, number.height, number.bold) == (4, 4, True)
    assert e.qr_payloads(cmds) == [sample_ticket.qr_payload]
    assert isinstance(cmds[-1], e.Cut)
    assert not any(isinstance(c, (e.Unknown, e.Truncated)) for c in cmds)


def test_80mm_uses_the_wider_line(sample_ticket):
    lines = [l.text for l in e.printed_lines(e.parse(render_text(sample_ticket, 80)))]
    assert lines[5] == "-" * 48
    assert lines[7] == "过号请到窗口说明，叫号三次未到视为放弃，需重新取"


def test_large_print_is_bigger_and_still_fits(sample_ticket):
    large = dataclasses.replace(sample_ticket, large_print=True)
    normal_lines = e.printed_lines(e.parse(render_text(sample_ticket)))
    large_lines = e.printed_lines(e.parse(render_text(large)))
    by_text = {l.text: l for l in large_lines}
    assert by_text["A012"].width == 6
    assert by_text["社保医保"].width == 2
    assert by_text["您前面还有 3 人等候"].height == 2
    assert sum(l.height for l in large_lines) > sum(l.height for l in normal_lines)
    for line in large_lines:  # nothing overflows 32 columns
        cols = sum(2 if ord(ch) > 0x2E80 else 1 for ch in line.text)
        assert cols * line.width <= 32


def test_unknown_eta_and_long_number(sample_ticket):
    t = dataclasses.replace(sample_ticket, eta_minutes=None, ticket_number="VIP12345")
    lines = e.printed_lines(e.parse(render_text(t)))
    assert STRINGS["eta_unknown"] in [l.text for l in lines]
    number = next(l for l in lines if l.text == "VIP12345")
    assert number.width * 8 <= 32


def test_ticket_validation(sample_ticket):
    with pytest.raises(ValueError):
        dataclasses.replace(sample_ticket, people_ahead=-1)
    with pytest.raises(ValueError):
        dataclasses.replace(sample_ticket, ticket_number="甲12")
    with pytest.raises(ValueError):
        render_text(sample_ticket, 76)


@pytest.mark.parametrize("dots", [384, 576])
def test_raster_ticket_decodes_to_image_of_paper_width(sample_ticket, dots):
    data = render_raster(sample_ticket, CJK_FONT, dots)
    cmds = e.parse(data)
    assert isinstance(cmds[0], e.Init) and isinstance(cmds[-1], e.Cut)
    img = e.raster_image(cmds)
    assert img.width == dots
    assert img.height > dots  # a ticket is taller than wide
    assert img.tobytes() == render_image(sample_ticket, CJK_FONT, dots).tobytes()
    ink = img.histogram()[0] / (img.width * img.height)
    assert 0.03 < ink < 0.5  # something was drawn, not a black slab
