"""The contract's codec: every malformed shape is a ProtocolError with a code and a reason."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.protocol.codec import compact_bytes, compact_json
from kiosk.protocol import (ProtocolError, Topics, decode_press, decode_reply, decode_request, encode,
                            envelope_of)

T = Topics("huangtan")


def j(**kw) -> bytes:
    return json.dumps({"v": 1, **kw}).encode()


def test_press_round_trip():
    p = decode_press(j(device="btn-w3", seq=7, action="transfer", to_category="E"))
    assert (p.device, p.seq, p.action, p.to_category) == ("btn-w3", 7, "transfer", "E")


@pytest.mark.parametrize("payload,code", [
    (b"", "empty"),
    (b"{", "bad_json"),
    (b"\xc3\x28", "bad_utf8"),
    (b'"a string"', "bad_json"),
    (json.dumps({"device": "b", "seq": 1, "action": "next"}).encode(), "bad_version"),
    (json.dumps({"v": True, "device": "b", "seq": 1, "action": "next"}).encode(), "bad_version"),
    (j(device="B!", seq=1, action="next"), "bad_value"),
    (j(device="b", seq=-1, action="next"), "bad_value"),
    (j(device="b", seq=True, action="next"), "bad_type"),
    (j(device="b", seq=1.5, action="next"), "bad_type"),
    (j(device="b", action="next"), "missing_field"),
    (j(device="b", seq=1, action="next", colour="red"), "unknown_field"),
    (j(device="b", seq=1, action="call"), "missing_field"),
    (j(device="b", seq=1, action="transfer", to_category="E", to_window="w2"), "missing_field"),
    (j(device="b", seq=1, action="pause", reason="x" * 500), "too_long"),
    (b" " * (64 * 1024 + 1), "too_large"),
    (b"[" * 60000, "bad_json"),
])
def test_press_rejections(payload, code):
    with pytest.raises(ProtocolError) as ei:
        decode_press(payload)
    assert ei.value.code == code and ei.value.reason


def test_request_validation_and_envelope():
    r = decode_request("ticket.issue", j(txn="abc", reply_to=T.reply("kiosk-1"), category="A", priority=True))
    assert r.args == {"category": "A", "priority": True} and T.reply_device(r.reply_to) == "kiosk-1"
    bad = j(txn="abc", reply_to=T.reply("kiosk-1"), category="a")
    with pytest.raises(ProtocolError) as ei:
        decode_request("ticket.issue", bad)
    assert ei.value.code == "bad_value"
    assert envelope_of(bad) == ("abc", T.reply("kiosk-1"))
    with pytest.raises(ProtocolError) as ei:
        decode_request("ticket.explode", j(txn="abc", reply_to=T.reply("k")))
    assert ei.value.code == "unknown_op"
    assert T.reply_device("hall/other/device/x/reply") is None


def test_encode_is_compact_utf8_with_v_first():
    raw = encode({"text": "请A001号到3号窗口办理", "v": 9})
    assert raw.startswith(b'{"v":1,') and "请".encode() in raw


def test_reply_decoding():
    assert decode_reply(j(txn="t", ok=True, result={"n": 1})).result == {"n": 1}
    err = decode_reply(j(txn="t", ok=False, error={"code": "illegal", "message": "no"}))
    assert (err.ok, err.code, err.message) == (False, "illegal", "no")


def test_topic_parsing():
    assert T.parse(T.press("w3")) == ("press", "w3")
    assert T.parse(T.request("ticket.issue")) == ("request", "ticket.issue")
    assert T.parse(T.availability("k1")) == ("availability", "k1")
    assert T.parse(T.content("notices")) == ("content", "notices")
    assert T.parse("hall/huangtan/window/w3/press/extra") == ("", None)
    assert T.parse("hall/other/board") == ("", None)
    with pytest.raises(ValueError):
        Topics("Huang Tan")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300),
                 st.dictionaries(st.text(max_size=12), st.recursive(
                     st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                     lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                     max_leaves=8), max_size=8).map(lambda d: json.dumps({"v": 1, **d}).encode())))
def test_any_bytes_give_a_press_or_a_protocol_error(payload):
    try:
        decode_press(payload)
    except ProtocolError as exc:
        assert exc.code and exc.reason
    try:
        decode_request("ticket.issue", payload)
    except ProtocolError as exc:
        assert exc.code and exc.reason


@pytest.mark.parametrize("obj", [
    {"v": 1, "text": "请A001号到3号窗口办理", "n": -12, "x": 1.5, "big": 1e300, "none": None, "t": True, "f": False},
    {"nested": [{"a": [1, 2, {"b": "\u2028\"\\\n\t\x00\x1f\x7f"}]}], "empty": {}, "list": []},
    {3: "int key", 2.5: "float key", True: "bool key", None: "null key", "tuple": (1, "2"), 2**64: "by the fallback"},
    {"now": 1764567890.123456, "wait": 600.0, "tiny": 5e-324, "third": 1 / 3, "neg0": -0.0, "e16": 1e16},
    {"u64": 2**64 - 1, "i64": -2**63, "beyond": 2**64, "far": -10**30},  # the last two by the fallback
    "a bare string", 7, 2.5, None, [], "🙂 outside the BMP",
])
def test_compact_json_writes_exactly_what_json_dumps_writes(obj):
    assert compact_json(obj) == json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    assert compact_bytes(obj) == compact_json(obj).encode("utf-8")


def test_where_the_encoder_differs_from_json_dumps_it_writes_json_of_the_same_value():
    small = [1e-5, -3.5e-7, 1.25e-100]
    assert compact_json(small) == "[0.00001,-3.5e-7,1.25e-100]"  # json.dumps: 1e-05, -3.5e-07
    assert json.loads(compact_json(small)) == small
    # json.dumps writes NaN and Infinity, which are not JSON: our own decoder refuses them
    assert compact_json({"a": float("nan"), "b": float("inf"), "c": float("-inf")}) == '{"a":null,"b":null,"c":null}'


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_value_reads_back_as_itself(obj):
    try:
        expected = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: not text, refused either way
        with pytest.raises((TypeError, UnicodeEncodeError)):
            compact_bytes(obj)
        return
    out = compact_bytes(obj)
    assert json.loads(out) == json.loads(expected)
    if "e-" not in expected.decode("utf-8"):
        assert out == expected


def test_compact_json_refuses_what_json_dumps_refuses():
    with pytest.raises(TypeError):
        compact_json({"when": object()})
    with pytest.raises(TypeError):
        compact_json({("a", "tuple"): "key"})
    with pytest.raises(TypeError):
        compact_json({"at": datetime.now(timezone.utc)})
    with pytest.raises(TypeError):
        compact_json({"press": decode_press(j(device="btn-w3", seq=1, action="next"))})


@pytest.mark.parametrize("body, code", [
    ({"txn": "t1", "reply_to": "R", "category": "A", "colour": "red"}, "unknown_field"),
    ({"txn": "t1", "reply_to": "R", "category": None}, "missing_field"),
    ({"txn": "t1", "reply_to": "R"}, "missing_field"),
    ({"txn": "t1", "reply_to": "R", "category": "A", "priority": None, "colour": None}, "unknown_field"),
    ({"reply_to": "R", "category": "A"}, "missing_field"),
])
def test_validation_names_a_missing_or_unknown_field(body, code):
    body = {"v": 1, **body, "reply_to": T.reply("k")} if "reply_to" in body else {"v": 1, **body}
    with pytest.raises(ProtocolError) as ei:
        decode_request("ticket.issue", json.dumps(body).encode())
    assert ei.value.code == code
    assert ("colour" in ei.value.reason) == (code == "unknown_field")


def test_validation_keeps_known_fields_and_drops_nulls_of_optional_ones():
    req = decode_request("ticket.issue", json.dumps({"v": 1, "txn": "t1", "reply_to": T.reply("k"),
                                                     "category": "A", "priority": None}).encode())
    assert req.args == {"category": "A"}
