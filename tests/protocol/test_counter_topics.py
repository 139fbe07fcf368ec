"""The counter's retained topics: offers and staff on duty decode to values or refuse with a reason; a
photo is measured before any screen decodes it."""

from __future__ import annotations

import base64
import io
import json

import pygame
import pytest

from kiosk.protocol import ProtocolError, encode
from kiosk.protocol.counter import PHOTO_MAX_SIDE, Staff, decode_offer, decode_staff, image_size, staff_body


def picture(w: int, h: int, kind: str) -> bytes:
    surf = pygame.Surface((w, h))
    surf.fill((200, 100, 50))
    buf = io.BytesIO()
    pygame.image.save(surf, buf, f"x.{kind}")
    return buf.getvalue()


@pytest.mark.parametrize("kind, mime", [("png", "image/png"), ("jpg", "image/jpeg")])
def test_image_size_reads_the_header(kind, mime):
    assert image_size(picture(300, 400, kind), mime) == (300, 400)
    assert image_size(b"not a picture", mime) is None


def test_a_staff_round_trip_and_nobody():
    st = Staff(name="王芳", staff_no="HT0307", photo=picture(30, 40, "png"), photo_mime="image/png", since=1.0)
    assert decode_staff(encode(staff_body("w3", st))) == st
    assert decode_staff(encode(staff_body("w3", None))) is None


def _staff(**kw) -> bytes:
    body = {"name": "王芳", "staff_no": "HT0307", **kw}
    return encode({"window": "w3", "staff": body})


def test_a_photo_that_claims_a_huge_picture_is_refused_before_decoding():
    png = bytearray(picture(10, 10, "png"))
    png[16:20] = (30000).to_bytes(4, "big")  # a few bytes claiming 30000 pixels wide
    with pytest.raises(ProtocolError) as exc:
        decode_staff(_staff(photo_mime="image/png", photo_b64=base64.b64encode(bytes(png)).decode()))
    assert exc.value.code == "too_large" and str(PHOTO_MAX_SIDE) in exc.value.reason


@pytest.mark.parametrize("payload, code", [
    (_staff(name=""), "bad_value"),
    (_staff(name="王" * 21), "bad_value"),
    (_staff(staff_no="a b"), "bad_value"),
    (_staff(photo_mime="image/gif", photo_b64="AAAA"), "bad_value"),
    (_staff(photo_mime="image/png", photo_b64="***"), "bad_value"),
    (_staff(photo_mime="image/png", photo_b64=base64.b64encode(b"GIF89a....").decode()), "bad_value"),
    (encode({"window": "w3", "staff": "王芳"}), "bad_type"),
])
def test_bad_staff_is_refused_with_a_reason(payload, code):
    with pytest.raises(ProtocolError) as exc:
        decode_staff(payload)
    assert exc.value.code == code and exc.value.reason


@pytest.mark.parametrize("body, code", [
    ({"window": "w3", "ticket": "20251129-C012", "number": "C012", "at": float("nan")}, "bad_json"),  # the codec
    ({"window": "w3", "ticket": "20251129-C012", "number": "C012", "at": 1e300}, "bad_value"),
    ({"window": "w3", "ticket": "20251129-C012", "number": "C012", "at": -1}, "bad_value"),
    ({"window": "w3", "ticket": "20251129-C012", "number": "C012", "at": True}, "bad_type"),
    ({"window": "w3", "ticket": "x y", "number": "C012", "at": 1.0}, "bad_value"),
    ({"ticket": None, "at": 1.0}, "missing_field"),
])
def test_bad_offers_are_refused(body, code):
    with pytest.raises(ProtocolError) as exc:
        decode_offer(json.dumps({"v": 1, **body}).encode())
    assert exc.value.code == code


def test_an_offer_and_its_withdrawal():
    o = decode_offer(encode({"window": "w3", "ticket": "20251129-C012", "number": "C012", "at": 5.0}))
    assert (o.window, o.ticket, o.number, o.at) == ("w3", "20251129-C012", "C012", 5.0)
    assert decode_offer(encode({"window": "w3", "ticket": None, "number": None, "at": 6.0})).ticket is None
