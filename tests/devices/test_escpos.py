from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from kiosk.devices import escpos as e


def test_builder_bytes_are_the_documented_commands():
    assert e.init() == b"\x1b@"
    assert e.align(e.Align.CENTER) == b"\x1ba\x01"
    assert e.bold(True) == b"\x1bE\x01"
    assert e.size(2, 3) == b"\x1d!\x12"
    assert e.size(8, 8) == b"\x1d!\x77"
    assert e.chinese_on() == b"\x1c&" and e.chinese_off() == b"\x1c."
    assert e.feed(3) == b"\x1bd\x03"
    assert e.cut(partial=False) == b"\x1dV\x00"
    assert e.cut(partial=True, feed_dots=40) == b"\x1dVB\x28"
    assert e.status_request(4) == b"\x10\x04\x04"


def test_qr_command_sequence():
    out = e.qr("AB", module_dots=5, level=e.QrErrorLevel.Q)
    assert out == (b"\x1d(k\x04\x001A2\x00"      # model 2
                   b"\x1d(k\x03\x001C\x05"       # module size
                   b"\x1d(k\x03\x001E2"          # error level Q (50)
                   b"\x1d(k\x05\x001P0AB"        # store, pL = 2 + 3
                   b"\x1d(k\x03\x001Q0")         # print


def test_round_trip_commands_and_gb18030_text():
    data = b"".join((e.init(), e.chinese_on(), e.align(e.Align.CENTER), e.bold(True),
                     e.size(2, 2), e.line("黄潭镇 A012"), e.chinese_off(), e.line("plain"),
                     e.qr("https://x.example/1"), e.cut()))
    cmds = e.parse(data)
    assert cmds[:5] == [e.Init(), e.SetChineseMode(on=True), e.SetAlign(align=e.Align.CENTER),
                        e.SetBold(on=True), e.SetSize(width=2, height=2)]
    assert e.Text(text="黄潭镇 A012", chinese=True) in cmds
    assert e.Text(text="plain", chinese=False) in cmds
    assert e.qr_payloads(cmds) == ["https://x.example/1"]
    assert cmds[-1] == e.Cut(partial=True, feed=0)
    lines = e.printed_lines(cmds)
    assert [l.text for l in lines] == ["黄潭镇 A012", "plain"]
    assert (lines[0].width, lines[0].bold, lines[0].align) == (2, True, e.Align.CENTER)


def test_text_refuses_control_characters():
    with pytest.raises(ValueError):
        e.line("A\x1bB")


def test_unknown_and_truncated_commands_keep_the_stream_in_step():
    cmds = e.parse(b"\x1bt\x00ok\n\x1d(L\x02\x0012\x1d!")
    assert cmds[0] == e.Unknown(raw=b"\x1bt\x00")
    assert cmds[1:3] == [e.Text(text="ok", chinese=False), e.LineFeed()]
    assert cmds[3] == e.Unknown(raw=b"\x1d(L\x02\x0012")
    assert cmds[4] == e.Truncated(raw=b"\x1d!")


def test_raster_round_trip_preserves_pixels_and_pads_width():
    img = Image.new("1", (37, 300), 1)
    ImageDraw.Draw(img).rectangle((3, 5, 20, 290), fill=0)
    data = e.raster(img, band_rows=128)
    cmds = e.parse(data)
    assert [c.height for c in cmds] == [128, 128, 44]
    back = e.raster_image(cmds)
    assert back.size == (40, 300)
    assert back.crop((0, 0, 37, 300)).tobytes() == img.tobytes()
    assert back.getpixel((4, 6)) == 0 and back.getpixel((30, 6)) == 255


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet="黄潭镇便民服务中心过号A0129 ，。", min_size=1, max_size=30),
       cuts=st.lists(st.integers(min_value=1, max_value=200), max_size=8))
def test_incremental_parsing_equals_whole_parsing(text, cuts):
    data = b"".join((e.init(), e.chinese_on(), e.line(text), e.qr(text), e.status_request(2),
                     e.line(text), e.cut()))
    parser = e.Parser()
    got, pos = [], 0
    for size in cuts:
        got += parser.feed(data[pos:pos + size])
        pos += size
    got += parser.feed(data[pos:]) + parser.flush()
    assert got == e.parse(data)
    assert [l.text for l in e.printed_lines(got)] == [text, text]
