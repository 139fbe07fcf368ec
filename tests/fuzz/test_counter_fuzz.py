"""The counter's two retained topics: for any bytes or any JSON shape, ``decode_offer`` and ``decode_staff``
either return a value or raise ``ProtocolError`` with a known code — never anything else — and the pad
and the window screen keep what they showed."""

from __future__ import annotations

import json

import pytest

from hypothesis import given
from hypothesis import strategies as st

from kiosk.protocol.counter import decode_offer, decode_staff

from .test_codec_fuzz import FUZZ, _only_protocol_errors


@pytest.fixture(scope="module")
def pad():
    from tests.pad.conftest import make_pilot, online, topics
    pilot, _, _ = make_pilot()
    online(pilot)
    yield pilot, topics()
    pilot.close()

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=12), inner, max_size=5)),
                      max_leaves=12)
fields = st.fixed_dictionaries({"v": st.sampled_from([1, 1, 1, 2, "1", True])}, optional={
    "window": values, "ticket": values, "number": values, "at": values,
    "staff": st.one_of(values, st.fixed_dictionaries({}, optional={
        "name": values, "staff_no": values, "photo_b64": values, "photo_mime": values, "since": values}))})
payloads = st.one_of(st.binary(max_size=300), fields.map(lambda d: json.dumps(d, allow_nan=True).encode()))


@FUZZ
@given(payloads)
def test_offer_and_staff_decoders_raise_only_protocol_errors(payload):
    _only_protocol_errors(decode_offer, payload)
    _only_protocol_errors(decode_staff, payload)


@FUZZ
@given(payloads)
def test_the_pad_survives_any_offer_or_staff_payload(pad, payload):
    """Through the real screen: whatever arrives, the frame after it draws (an offer's time becomes a date)."""
    from kiosk.bus.client import Inbound
    pilot, topics = pad
    pilot.post(Inbound(topics.window_evaluation("w3"), payload, retain=True))
    pilot.post(Inbound(topics.window_staff("w3"), payload, retain=True))
    pilot.app.render()
