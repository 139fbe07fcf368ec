"""The codec alone: for any bytes on any inbound topic, decoding either succeeds or raises
``ProtocolError`` with a known code — never anything else, for every op in ``REQUEST_OPS``."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.protocol import REQUEST_OPS, ProtocolError, Topics, decode_press, decode_request, envelope_of

from .corpus import Corpus, op_names, presses, requests

CODES = {"bad_json", "bad_utf8", "bad_version", "bad_type", "bad_value", "missing_field", "unknown_field",
         "too_long", "too_large", "empty", "unknown_op", "bad_payload"}
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
