"""刷身份证 at the kiosk, with the fake reader on a real pty and the terminal's own poller: 取号 by age,
上门服务登记 filled from the card, 预约签到 by card — a PNG of every state in both print sizes and both
orientations, a clean layout, the number shown masked only, never spoken, never logged, never sent but in
the op that needs it, and forgotten at the idle reset."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import pytest

from kiosk.devices.fake_idreader import YOUNG_CARD, FakeCard, FakeIdReader, FakeReaderMode
from kiosk.loaders.catalog_data import load_catalog
from kiosk.terminal.app import Terminal
from kiosk.terminal.messages import BoardIn, CatalogIn, Connection, ModeIn
from kiosk.terminal.settings import load_settings
from kiosk.ui.app import DisplayConfig
from kiosk.ui.pilot import FakeClock, Pilot
from kiosk.ui.theme import Mode

from ..conftest import REPO
from .appointment_helpers import choose, post_reply, type_keys
from .conftest import SAMPLE_MODE, SHOTS, sample_board
from .test_appointment_screens import checked_in

OLD = FakeCard()
SECRETS = (OLD.id_number, OLD.id_number.lower(), OLD.id_number[6:14], YOUNG_CARD.id_number)
COMBOS = [(mode, orientation) for mode in Mode for orientation in ("portrait", "landscape")]


class Voice:
    """Stands in for espeak-ng: records what would be said."""

    enabled = True

    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def card_kiosk(hall_cfg):
    """make(mode, orientation) → (Pilot, FakeIdReader): a terminal without a bus whose [idcard] port is the
    fake reader's pty; the terminal's own poller reads it."""
    made = []

    def make(mode: Mode = Mode.NORMAL, orientation: str = "portrait"):
        fake = FakeIdReader().start()
        cfg = replace(hall_cfg, roles={**hall_cfg.roles, "idcard": {"port": fake.port, "poll_hz": 10.0,
                                                                "timeout": 2.0, "read_timeout": 2.0}})
        clock = FakeClock()
        t = Terminal(cfg, connect=False, settings=load_settings(cfg), mode=mode, clock=clock,
                     display=DisplayConfig(orientation=orientation), wall=lambda: 1_795_000_000.0)
        t.session.speaker = Voice()
        t.start()
        made.append((t, fake))
        p = Pilot(t.app, clock)
        p.terminal = t
        for msg in (Connection(connected=True), BoardIn(board=sample_board(cfg)), ModeIn(mode=SAMPLE_MODE),
                    CatalogIn(catalog=load_catalog(REPO / "config" / "catalog"))):
            t.inbox.put(msg)
        wait(p, lambda: t.session.reader_state == "ready", "the reader is ready")
        return p, fake

    yield make
    for t, fake in made:
        t.close()
        fake.stop()


def wait(p, predicate, what: str, timeout: float = 15.0) -> None:
    """Frames until ``predicate`` holds, without letting app time run (the reader works in real time; the
    idle timer must not see those seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not met within {timeout} s: {shown(p)[:200]}"
        time.sleep(0.005)
        p.frames(1, dt=0.0)


def place(p, fake, card=OLD, mode=FakeReaderMode.CARD, until=None) -> None:
    """Take any card away (the poller must see the reader empty), then place ``card``."""
    fake.take_away()
    n = fake.commands().count((0x20, 0x01))
    fake.wait_for(lambda c: c.count((0x20, 0x01)) >= n + 2)
    fake.place(card, mode)
    if until is not None:
        wait(p, until, "the card reached the screen")


def flow(p):
    return p.app.top.flow


def shown(p) -> str:
    return " ".join(p.visible_texts())


def walk(p, fake):
    link = p.terminal.session.link
    choose(p, "menu", "take")
    yield "idcard-take-hint"
    place(p, fake, until=lambda: flow(p).card == "aged")
    yield "idcard-take-choose-aged"
    p.tap("cat-C")
    assert flow(p).priority
    yield "idcard-take-confirm-aged"
    p.tap("take-confirm")
    op, args = link.sent[-1]
    assert op == "ticket.issue" and args["priority_reason"] == "age" and set(args) == {
        "category", "priority", "priority_reason", "large_print"}
    post_reply(p, result={"ticket": "20261118-C006", "number": "C006", "category": "C", "category_name": "人社业务",
                          "priority": True, "priority_reason": "age", "state": "waiting", "people_ahead": 1,
                          "eta_s": 300, "token": "tok"})
    yield "idcard-take-ticket"
    p.tap("go-home")
    choose(p, "menu", "take")
    place(p, fake, YOUNG_CARD, until=lambda: flow(p).card == "young")
    p.tap("cat-C")
    assert not flow(p).priority
    yield "idcard-take-confirm-young"
    place(p, fake, OLD, FakeReaderMode.PULLED_MID_READ, until=lambda: flow(p).card == "pulled")
    yield "idcard-take-card-pulled"
    p.tap("go-home")

    choose(p, "menu", "help")
    p.tap("help-visit")
    p.tap("group-0")
    yield "idcard-visit-phone-hint"
    place(p, fake, until=lambda: flow(p).stage.value == "visit_card")
    assert OLD.id_number not in shown(p) and "429***********007X" in shown(p)
    yield "idcard-visit-card"
    p.tap("visit-card-use")
    type_keys(p, "phone", "13812345678")
    yield "idcard-visit-confirm"
    p.tap("visit-submit")
    op, args = link.sent[-1]
    assert op == "help.request" and args["name"] == OLD.name and args["address"] == OLD.address
    assert "id_number" not in args
    p.tap("go-home")

    choose(p, "menu", "checkin")
    yield "idcard-checkin-enter"
    place(p, fake, until=lambda: flow(p).stage.value == "sending")
    assert link.sent[-1] == ("appointment.checkin", {"id_number": OLD.id_number})
    yield "idcard-checkin-sending"
    post_reply(p, result=checked_in())
    yield "idcard-checkin-ticket"
    p.tap("go-home")
    choose(p, "menu", "checkin")
    place(p, fake, YOUNG_CARD, until=lambda: flow(p).stage.value == "sending")
    post_reply(p, ok=False, code="unknown_appointment", message="今天没有用这张身份证预约的事项；请输入预约码，或到咨询台询问")
    yield "idcard-checkin-none"
    place(p, fake, OLD, FakeReaderMode.WRONG_CARD, until=lambda: flow(p).entry_error == "card_unreadable")
    yield "idcard-checkin-unreadable"
    p.tap("go-home")

    choose(p, "menu", "disclosure")
    choose(p, "gk-applicant_type", "citizen")
    yield "idcard-disclosure-name-hint"
    place(p, fake, until=lambda: flow(p).stage.value == "card")
    assert "429***" in shown(p)
    yield "idcard-disclosure-card"
    p.tap("gk-card-use")
    type_keys(p, "gk-phone-kb", "13812345678")
    assert flow(p).stage.value == "address"
    yield "idcard-disclosure-address"


def shoot(p, names, mode, orientation) -> tuple[list[str], list[str]]:
    """A PNG of every state ``names`` yields, checked for a clean layout and no whole number shown →
    (layout problems, names seen)."""
    problems, seen = [], []
    for name in names:
        seen.append(name)
        p.screenshot(SHOTS / f"{name}-{mode.value}-{orientation}.png")
        problems += [f"{name}: {x}" for x in p.check_layout()]
        assert not any(s in shown(p) for s in SECRETS), name
    return problems, seen


@pytest.mark.parametrize("mode, orientation", COMBOS)
def test_card_screens_render_cleanly_and_keep_the_number_secret(card_kiosk, mode, orientation, caplog):
    caplog.set_level(logging.DEBUG)
    p, fake = card_kiosk(mode, orientation)
    problems, seen = shoot(p, walk(p, fake), mode, orientation)
    assert len(seen) == 17
    assert problems == [], "\n".join(problems)
    spoken = " ".join(p.terminal.session.speaker.said)
    assert spoken and not any(s in spoken for s in SECRETS) and "429" not in spoken
    sent = [(op, args) for op, args in p.terminal.session.link.sent if any(
        s in str(args) for s in SECRETS)]
    assert [op for op, _ in sent] == ["appointment.checkin", "appointment.checkin"]  # the disclosure is not sent here
    logged = caplog.text
    assert "ID card not read (pulled)" in logged  # the logs were captured: failures are there, cards are not
    assert not any(s in logged for s in SECRETS)


def test_idle_reset_forgets_the_card(card_kiosk):
    p, fake = card_kiosk()
    choose(p, "menu", "help")
    p.tap("help-visit")
    place(p, fake, until=lambda: flow(p).stage.value == "visit_card")
    fake.take_away()  # the visitor walks off with the card; the form still shows it
    held = repr(vars(flow(p)))
    assert OLD.name in held  # the flow holds the card until it ends…
    idle_reset_forgets(p, (*SECRETS, OLD.name, OLD.address))


def idle_reset_forgets(p, secrets) -> None:
    """Let the idle reset happen; after it none of ``secrets`` is left anywhere the terminal keeps state."""
    s = p.terminal.session
    p.advance(s.settings.idle_seconds + s.settings.idle_warning_seconds + 2, dt=0.5)
    assert p.app.top.key == "home"
    everything = repr([vars(x) for x in p.app.stack]) + repr(vars(s)) + repr(list(p.terminal.inbox.queue))
    for screen in p.app.stack:
        if hasattr(screen, "flow"):
            everything += repr(vars(screen.flow))
    for secret in secrets:
        assert secret not in everything
