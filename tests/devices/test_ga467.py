"""The GA 467 framing, pure: frames built from the layout by hand and by the fake reader decode to the
right values, and no stream of bytes — however broken — makes the deframer or the decoder raise."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.devices import ga467
from kiosk.devices.fake_idreader import FakeCard, base_message, reply_frame, text_block, with_fields
from kiosk.devices.ga467 import BadMessage, BrokenFrame, Command, Deframer, Reply


def test_command_frames_byte_for_byte():
    # AA AA AA 96 69 | 00 03 | 20 01 | 22  (0x00 ^ 0x03 ^ 0x20 ^ 0x01 = 0x22)
    assert ga467.encode_command(Command.FIND) == bytes.fromhex("AAAAAA9669 0003 2001 22")
    assert ga467.encode_command(Command.SELECT) == bytes.fromhex("AAAAAA9669 0003 2002 21")
    assert ga467.encode_command(Command.READ_BASE) == bytes.fromhex("AAAAAA9669 0003 3001 32")
    assert ga467.encode_command(Command.STATUS) == bytes.fromhex("AAAAAA9669 0003 11FF ED")
    assert ga467.encode_command(Command.RESET) == bytes.fromhex("AAAAAA9669 0003 10FF EC")


def test_a_reply_written_out_by_hand():
    # find succeeded: 00 00 9F; LEN 4; checksum 00^04^00^00^9F = 9B
    [frame] = Deframer().feed(bytes.fromhex("AAAAAA9669 0004 00009F 9B"))
    assert frame == Reply(0, 0, 0x9F, b"") and frame.ok and frame.name == "找到卡"


def test_every_failure_code_of_the_issue_has_a_chinese_name():
    for code in (0x10, 0x11, 0x21, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x60, 0x66, 0x80, 0x81, 0x91):
        name = ga467.result_name(code)
        assert name and not name.startswith("未知") and all(ord(c) < 0x80 or "\u4e00" <= c <= "\u9fff" or c in "（）"
                                                           for c in name)
    assert ga467.result_name(0x42) == "未知结果码 42"


def test_base_message_from_the_fake_decodes_and_drops_the_photo():
    card = FakeCard()
    data = base_message(card)
    assert len(data) == 4 + 256 + 1024
    frame = reply_frame(0x90, data)
    assert int.from_bytes(frame[5:7], "big") == 0x0508  # the size every reader sends for a base message
    [reply] = Deframer().feed(frame)
    msg = ga467.decode_base(reply.data)
    assert (msg.name, msg.gender, msg.nation, msg.birth) == ("黄秀英", "女", "汉", date(1952, 6, 15))
    assert msg.address == card.address and msg.id_number == card.id_number
    assert (msg.authority, msg.valid_from, msg.valid_to) == ("天门市公安局", "20160301", "长期")
    assert not any(isinstance(v, (bytes, bytearray)) for v in vars_of(msg).values())
    assert card.id_number not in repr(msg) and "id_number" not in repr(msg)


def vars_of(msg) -> dict:
    return {k: getattr(msg, k) for k in msg.__slots__}


def test_text_layout_sizes():
    assert ga467.TEXT_BYTES == 256
    assert len(text_block(FakeCard())) == 256


@pytest.mark.parametrize("code, name", [("01", "汉"), ("03", "回"), ("05", "维吾尔"), ("15", "土家"),
                                        ("56", "基诺"), ("97", "其他"), ("98", "外国血统中国籍人士")])
def test_nation_codes(code, name):
    assert ga467.decode_base(base_message(with_fields(FakeCard(), nation=code))).nation == name


@pytest.mark.parametrize("code, name", [("0", "未知"), ("1", "男"), ("2", "女"), ("9", "未说明")])
def test_gender_codes(code, name):
    assert ga467.decode_base(base_message(with_fields(FakeCard(), gender=code))).gender == name


@pytest.mark.parametrize("fields, why", [
    (dict(gender="3"), "gender"), (dict(nation="57"), "nation"), (dict(nation="xx"), "nation"),
    (dict(birth="19520231"), "birth"), (dict(birth="1952"), "birth"), (dict(name=""), "empty"),
])
def test_bad_fields_are_refused_without_echoing_the_card(fields, why):
    card = with_fields(FakeCard(), **fields)
    with pytest.raises(BadMessage) as exc:
        ga467.decode_base(base_message(card))
    assert why in str(exc.value) and card.id_number not in str(exc.value)
    assert not card.name or card.name not in str(exc.value)


def test_short_and_mislabelled_base_messages():
    with pytest.raises(BadMessage):
        ga467.decode_base(b"\x01")
    good = base_message(FakeCard())
    with pytest.raises(BadMessage):
        ga467.decode_base(good[:600])  # cut off inside the photo
    with pytest.raises(BadMessage):
        ga467.decode_base(b"\x00\xfe" + good[2:])  # text length not 256


def test_bad_checksum_and_length_are_broken_frames_and_the_next_frame_still_decodes():
    good = reply_frame(0x90)
    bad = reply_frame(0x90, b"abc", bad_checksum=True)
    long = bytes.fromhex("AAAAAA9669 FFFF 0000")
    d = Deframer()
    out = d.feed(b"\x00\x13noise" + bad + long + good)
    assert [type(f) for f in out] == [BrokenFrame, BrokenFrame, Reply]
    assert [f.why for f in out[:2]] == ["checksum", "length"]
    assert out[2].sw3 == 0x90 and not d.pending


def test_preamble_split_across_reads():
    frame = reply_frame(0x9F)
    d = Deframer()
    got = []
    for b in frame:
        got += d.feed(bytes([b]))
    assert got == [Reply(0, 0, 0x9F, b"")]


def test_half_a_frame_is_pending():
    d = Deframer()
    assert d.feed(reply_frame(0x90, base_message(FakeCard()))[:700]) == []
    assert d.pending


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=40), st.just(ga467.PREAMBLE), st.just(reply_frame(0x90)),
                          st.just(reply_frame(0x9F, b"x", bad_checksum=True))), max_size=20),
       st.integers(1, 17))
def test_deframer_never_raises_on_any_stream(pieces, cut):
    """Any bytes in any split: only Reply or BrokenFrame comes out, and each whole good frame is found."""
    stream = b"".join(pieces)
    d = Deframer()
    out = []
    for i in range(0, len(stream), cut):
        out += d.feed(stream[i:i + cut])
    assert all(isinstance(f, (Reply, BrokenFrame)) for f in out)
    assert len(d._buf) <= len(stream)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=1400))
def test_decode_base_raises_only_badmessage(data):
    try:
        ga467.decode_base(data)
    except BadMessage:
        pass


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 1293), st.integers(0, 255))
def test_any_changed_byte_of_a_base_message_frame_is_never_taken_as_a_card(pos, value):
    """The XOR checksum catches every single-byte change; a changed preamble or length is no frame."""
    original = reply_frame(0x90, base_message(FakeCard()))
    frame = bytearray(original)
    frame[pos] = value
    out = Deframer().feed(bytes(frame))
    if bytes(frame) == original:
        assert [type(f) for f in out] == [Reply]
    else:
        assert not any(isinstance(f, Reply) for f in out)
