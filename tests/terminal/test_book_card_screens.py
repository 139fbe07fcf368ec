"""预约办理 with 刷身份证, on the fake reader's pty and the terminal's own poller: the card is offered to be
attached (masked), the confirm page names it masked, ``appointment.book`` alone carries the number — and
only after 关联身份证 — never shown whole, never spoken, never logged; a PNG of each new state in both print
sizes and orientations with a clean layout, and the card forgotten at the idle reset."""

from __future__ import annotations

import logging

import pytest

from .appointment_helpers import choose, post_reply, sample_slots, type_keys
from .test_appointment_screens import BOOKED
from .test_idcard_screens import (COMBOS, OLD, SECRETS, card_kiosk, flow, idle_reset_forgets,  # noqa: F401 (fixture)
                                  place, shoot, shown)


def walk(p, fake):
    link = p.terminal.session.link
    choose(p, "menu", "book")
    place(p, fake, until=lambda: flow(p).stage.value == "card")
    assert "429***********007X" in shown(p) and flow(p).id_number == ""
    yield "idcard-book-card"
    p.tap("book-card-use")
    assert flow(p).stage.value == "category"
    choose(p, "book-cats", "C")
    if p.exists("book-skip"):
        p.tap("book-skip")
    assert [op for op, _ in link.sent] == ["appointment.slots"] and "id_number" not in link.sent[-1][1]
    post_reply(p, result={"category": "C", "category_name": "人社业务", "slots": sample_slots()})
    choose(p, "book-days", "2026-11-30")
    choose(p, "book-slots", "2026-11-30T08:30")
    type_keys(p, "book-phone", "13812345678")
    assert "已关联 429***********007X" in shown(p)
    yield "idcard-book-confirm"
    p.tap("book-submit")
    op, args = link.sent[-1]
    assert op == "appointment.book" and args["id_number"] == OLD.id_number
    post_reply(p, result=BOOKED)
    assert flow(p).stage.value == "done"
    p.tap("go-home")


@pytest.mark.parametrize("mode, orientation", COMBOS)
def test_book_card_screens_render_cleanly_and_keep_the_number_secret(card_kiosk, mode, orientation, caplog):
    caplog.set_level(logging.DEBUG)
    p, fake = card_kiosk(mode, orientation)
    problems, seen = shoot(p, walk(p, fake), mode, orientation)
    assert len(seen) == 2
    assert problems == [], "\n".join(problems)
    spoken = " ".join(p.terminal.session.speaker.said)
    assert spoken and not any(s in spoken for s in SECRETS) and "429" not in spoken
    sent = [op for op, args in p.terminal.session.link.sent if any(s in str(args) for s in SECRETS)]
    assert sent == ["appointment.book"]
    assert not any(s in caplog.text for s in SECRETS)


def test_skipping_the_card_books_without_it_and_the_idle_reset_forgets_an_attached_one(card_kiosk):
    p, fake = card_kiosk()
    choose(p, "menu", "book")
    place(p, fake, until=lambda: flow(p).stage.value == "card")
    p.tap("book-card-skip")
    assert (flow(p).stage.value, flow(p).id_number, flow(p).card_offered) == ("category", "", "")
    place(p, fake, until=lambda: flow(p).stage.value == "card")
    p.tap("book-card-use")
    fake.take_away()  # the visitor walks off; the flow still holds the card…
    assert flow(p).id_number == OLD.id_number
    idle_reset_forgets(p, SECRETS)  # …until the idle reset: then nothing of it is left
