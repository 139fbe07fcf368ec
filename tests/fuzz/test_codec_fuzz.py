"""The codec alone: for any bytes on any inbound topic, decoding either succeeds or raises
``ProtocolError`` with a known code — never anything else, for every op in ``REQUEST_OPS``."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.protocol import REQUEST_OPS, ProtocolError, Topics, decode_press, decode_request, envelope_of

from .corpus import Corpus, op_names, presses, requests

CODES = {"bad_json", "bad_utf8", "bad_version", "bad_type", "bad_value", "missing_field", "unknown_field",
         "too_long", "too_large", "empty", "unknown_op", "bad_payload", "duplicate_key", "bad_text"}
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.data_too_large])


def _only_protocol_errors(fn, *args) -> None:
    try:
        fn(*args)
    except ProtocolError as exc:
        assert exc.code in CODES, f"undocumented code {exc.code!r}"
        assert exc.reason


@FUZZ
@given(presses)
def test_decode_press_raises_only_protocol_errors(payload):
    _only_protocol_errors(decode_press, payload)


@pytest.mark.parametrize("op", sorted(REQUEST_OPS))
@FUZZ
@given(payload=st.data())
def test_decode_request_raises_only_protocol_errors(op, payload):
    body = payload.draw(requests(op))
    _only_protocol_errors(decode_request, op, body)
    envelope_of(body)  # best effort, never raises


@FUZZ
@given(op_names, st.data())
def test_unknown_and_odd_op_names(op, data):
    body = data.draw(requests(op if op in REQUEST_OPS else "ticket.info"))
    _only_protocol_errors(decode_request, op, body)


@FUZZ
@given(st.lists(st.one_of(st.text(max_size=20), st.sampled_from(["window", "press", "request", "+", "#", ""])),
                max_size=6))
def test_topic_parsing_never_raises(levels):
    t = Topics("huangtan")
    kind, _ = t.parse(t.root + "/".join(levels))
    assert isinstance(kind, str)
    t.reply_device(t.root + "/".join(levels))


def test_seeded_corpus_through_the_codec():
    """The corpus the hub fuzz sends, checked offline: 5,000 messages, only ProtocolError."""
    t = Topics("huangtan")
    for topic, payload, _ in Corpus(seed=11, big_every=1000).take(5000):
        kind, arg = t.parse(topic)
        if kind == "press":
            _only_protocol_errors(decode_press, payload)
        elif kind == "request":
            _only_protocol_errors(decode_request, arg or "", payload)
            envelope_of(payload)


R = ',"txn":"t1","reply_to":"hall/huangtan/device/k/reply"'


@pytest.mark.parametrize("payload, code", [
    ('{"v":1,"device":"b","seq":' + "9" * 5000 + ',"action":"next"}', "bad_value"),  # beyond Python's int limit
    ('{"v":1,"device":"b","seq":' + "9" * 30 + ',"action":"next"}', "bad_value"),
    ('{"v":1,"device":"b","seq":1,"action":"pause","reason":"\\ud800"}', "bad_text"),
    ('{"v":1,"device":"b","seq":1,"action":"next","\\udfff":1}', "bad_text"),
    ('{"v":1.0,"device":"b","seq":1,"action":"next"}', "bad_version"),
    ('{"v":true,"device":"b","seq":1,"action":"next"}', "bad_version"),
    ('{"v":1,"device":"b","seq":1.0,"action":"next"}', "bad_type"),
    ('{"v":1,"device":"b","seq":true,"action":"next"}', "bad_type"),
    ('{"v":1,"device":"b","seq":1,"seq":2,"action":"next"}', "duplicate_key"),
    ('{"v":1,"device":"b","seq":Infinity,"action":"next"}', "bad_json"),
])
def test_hostile_but_well_formed_presses_are_refused_with_a_code(payload, code):
    with pytest.raises(ProtocolError) as exc:
        decode_press(payload.encode())
    assert exc.value.code == code and exc.value.reason


def test_a_lone_surrogate_in_a_request_still_leaves_an_envelope_to_answer():
    body = ('{"v":1' + R + ',"kind":"desk","note":"\\ud800"}').encode()
    with pytest.raises(ProtocolError) as exc:
        decode_request("help.request", body)
    assert exc.value.code == "bad_text"
    assert envelope_of(body) == ("t1", "hall/huangtan/device/k/reply")


def test_a_huge_number_in_a_request_still_leaves_an_envelope_to_answer():
    body = ('{"v":1' + R + ',"level":' + "9" * 5000 + ',"ticket":"A001"}').encode()
    with pytest.raises(ProtocolError) as exc:
        decode_request("evaluation.submit", body)
    assert exc.value.code == "bad_value"
    assert envelope_of(body) == ("t1", "hall/huangtan/device/k/reply")
