"""The ID card reader driver and its poller against the fake reader on a real pty pair."""

from __future__ import annotations

import logging
import queue
import threading
import time
from datetime import date

import pytest

from kiosk.devices.errors import (IdReaderBrokenFrame, IdReaderGone, IdReaderOpenError, IdReaderRefused,
                                  IdReaderTimeout)
from kiosk.devices.fake_idreader import FakeCard, FakeIdReader, FakeReaderMode as M, with_fields
from kiosk.devices.idreader import (CardFailed, CardPoller, CardProblem, CardRead, IdReader, IdReaderConfig,
                                    ReaderState, ReaderStatus)

FIND, SELECT, READ, STATUS = (0x20, 0x01), (0x20, 0x02), (0x30, 0x01), (0x11, 0xFF)


@pytest.fixture
def fake():
    with FakeIdReader() as f:
        yield f


def _reader(port: str, **kw) -> IdReader:
    kw.setdefault("timeout", 1.0)
    kw.setdefault("read_timeout", 2.0)
    return IdReader(IdReaderConfig(port=port, **kw))


def test_reads_a_card_through_the_pty(fake):
    fake.place(FakeCard())
    with _reader(fake.port) as r:
        r.status()
        r.reset()
        card = r.read_card()
    assert card is not None
    assert (card.name, card.gender, card.nation, card.birth) == ("黄秀英", "女", "汉", date(1952, 6, 15))
    assert card.id_number == "42900619520615007X"
    assert fake.commands() == [STATUS, (0x10, 0xFF), FIND, SELECT, READ]
    assert fake.bad_frames == 0  # every frame the driver sent passed the fake's own checks


@pytest.mark.parametrize("baud", [9600, 57600, 115200])
def test_configurable_baud(fake, baud):
    fake.place(FakeCard())
    with _reader(fake.port, baud=baud) as r:
        assert r.read_card().name == "黄秀英"


def test_bad_baud_is_refused():
    with pytest.raises(ValueError, match="9600"):
        IdReaderConfig(port="/dev/null", baud=4800)


def test_no_card(fake):
    with _reader(fake.port) as r:
        assert r.find() is False
        assert r.read_card() is None


@pytest.mark.parametrize("mode, exc, code", [
    (M.READ_FAILS, IdReaderRefused, 0x41), (M.WRONG_CARD, IdReaderRefused, 0x40),
    (M.SAM_FAILED, IdReaderRefused, 0x60), (M.NOT_AUTHORISED, IdReaderRefused, 0x66),
    (M.BROKEN_FRAME, IdReaderBrokenFrame, None), (M.PULLED_MID_READ, IdReaderBrokenFrame, None),
    (M.SILENT, IdReaderTimeout, None), (M.NOISE, IdReaderTimeout, None),
])
def test_failures_are_named(fake, mode, exc, code):
    fake.place(FakeCard(), mode)
    with _reader(fake.port, timeout=0.3, read_timeout=0.6) as r:
        with pytest.raises(exc) as info:
            r.read_card()
    if code is not None:
        assert info.value.code == code and info.value.name in str(info.value)
        assert any("\u4e00" <= c <= "\u9fff" for c in info.value.name)


def test_unplugged_while_open(fake):
    r = _reader(fake.port, timeout=0.5)
    r.open()
    fake.unplug()
    with pytest.raises((IdReaderGone, IdReaderTimeout)):
        r.find()
    r.close()
    with pytest.raises(IdReaderOpenError):
        r.open()


def test_missing_port():
    with pytest.raises(IdReaderOpenError, match="/dev/serial/by-id/none"):
        _reader("/dev/serial/by-id/none").open()


# ---- the poller -----------------------------------------------------------------------------------------
class Inbox:
    def __init__(self) -> None:
        self.q: queue.Queue = queue.Queue()
        self.got: list = []

    def put(self, m) -> None:
        self.q.put(m)

    def drain(self) -> list:
        while True:
            try:
                self.got.append(self.q.get_nowait())
            except queue.Empty:
                return self.got

    def wait(self, pred, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while True:
            for m in self.got:
                if pred(m):
                    return m
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no such message; got {self.got}")
            try:
                self.got.append(self.q.get(timeout=remaining))
            except queue.Empty:
                pass


def _poller(port: str, inbox: Inbox, **kw) -> CardPoller:
    cfg = IdReaderConfig(port=port, timeout=0.3, read_timeout=0.8)
    return CardPoller(cfg, inbox.put, poll_hz=20, retry_seconds=0.1, **kw)


def _take_away(fake) -> None:
    """Take the card away and wait until the poller has surely seen the empty reader (two finds later)."""
    fake.take_away()
    n = fake.commands().count(FIND)
    fake.wait_for(lambda c: c.count(FIND) >= n + 2)


def _state(s: ReaderState):
    return lambda m: isinstance(m, ReaderStatus) and m.state is s


def test_poller_reads_once_per_placement(fake):
    inbox = Inbox()
    p = _poller(fake.port, inbox)
    p.start()
    try:
        inbox.wait(_state(ReaderState.READY))
        fake.place(FakeCard())
        read = inbox.wait(lambda m: isinstance(m, CardRead))
        assert read.card.name == "黄秀英"
        n = len(fake.wait_for(lambda c: c.count(FIND) >= c.index(READ) + 5))  # polls go on while it lies there
        assert fake.commands()[:n].count(READ) == 1
        _take_away(fake)
        fake.place(with_fields(FakeCard(), name="杨志强", gender="1"))
        inbox.wait(lambda m: isinstance(m, CardRead) and m.card.name == "杨志强")
    finally:
        p.stop()


def test_poll_does_not_block_the_caller(fake):
    fake.mode = M.SILENT
    inbox = Inbox()
    p = _poller(fake.port, inbox)
    t0 = time.monotonic()
    p.start()
    assert time.monotonic() - t0 < 0.2  # start returns at once; the thread waits on the reader
    try:
        inbox.wait(_state(ReaderState.SILENT))
    finally:
        p.stop()
    assert threading.active_count() >= 1


@pytest.mark.parametrize("mode, problem", [
    (M.PULLED_MID_READ, CardProblem.PULLED), (M.BROKEN_FRAME, CardProblem.PULLED),
    (M.READ_FAILS, CardProblem.PULLED), (M.WRONG_CARD, CardProblem.UNREADABLE),
])
def test_poller_card_failures(fake, mode, problem):
    inbox = Inbox()
    p = _poller(fake.port, inbox)
    p.start()
    try:
        inbox.wait(_state(ReaderState.READY))
        fake.place(FakeCard(), mode)
        failed = inbox.wait(lambda m: isinstance(m, CardFailed))
        assert failed.problem is problem
        assert not any(isinstance(m, CardRead) for m in inbox.got)
        _take_away(fake)  # a good card after the failure: the poller carries on
        fake.place(FakeCard())
        inbox.wait(lambda m: isinstance(m, CardRead))
    finally:
        p.stop()


def test_poller_refuses_an_invalid_id_number(fake):
    inbox = Inbox()
    from kiosk.core.idcard import resident_id_problem
    p = _poller(fake.port, inbox, check=lambda card: resident_id_problem(card.id_number))
    p.start()
    try:
        fake.place(with_fields(FakeCard(), id_number="429006195206150071"))  # wrong check digit
        failed = inbox.wait(lambda m: isinstance(m, CardFailed))
        assert failed.problem is CardProblem.INVALID and failed.detail == "check_digit"
    finally:
        p.stop()


@pytest.mark.parametrize("mode", [M.SAM_FAILED, M.NOT_AUTHORISED])
def test_poller_reader_fault(fake, mode):
    fake.mode = mode
    inbox = Inbox()
    p = _poller(fake.port, inbox)
    p.start()
    try:
        m = inbox.wait(_state(ReaderState.FAULT))
        assert m.detail in ("安全模块自检失败", "安全模块未经授权")
        fake.mode = M.NO_CARD  # repaired: ready again without a restart
        inbox.wait(_state(ReaderState.READY))
    finally:
        p.stop()


def test_poller_unplugged_then_absent(fake):
    inbox = Inbox()
    p = _poller(fake.port, inbox)
    p.start()
    try:
        inbox.wait(_state(ReaderState.READY))
        fake.unplug()
        inbox.wait(_state(ReaderState.ABSENT))
        assert p._thread is not None and p._thread.is_alive()
    finally:
        p.stop()


def test_poller_logs_never_carry_the_card(fake, caplog):
    caplog.set_level(logging.DEBUG)
    inbox = Inbox()
    p = _poller(fake.port, inbox, check=lambda card: "refused")
    p.start()
    try:
        for mode in (M.CARD, M.BROKEN_FRAME, M.PULLED_MID_READ):
            _take_away(fake)
            n = sum(isinstance(m, CardFailed) for m in inbox.got)
            fake.place(FakeCard(), mode)
            inbox.wait(lambda m, n=n: sum(isinstance(x, CardFailed) for x in inbox.got) > n)
    finally:
        p.stop()
    text = caplog.text + repr(inbox.got)
    card = FakeCard()
    assert "ID card not read" in text
    for secret in (card.id_number, card.id_number[6:14], card.name, card.address):
        assert secret not in text


def test_one_unanswered_poll_does_not_make_the_reader_silent(fake):
    inbox = Inbox()
    p = _poller(fake.port, inbox)
    p.start()
    try:
        inbox.wait(_state(ReaderState.READY))
        n = fake.commands().count(FIND)
        fake.mode = M.SILENT  # a hiccup: the next poll goes unanswered
        fake.wait_for(lambda c: c.count(FIND) >= n + 1)
        fake.mode = M.NO_CARD
        m = fake.commands().count(FIND)
        fake.wait_for(lambda c: c.count(FIND) >= m + 3)  # answered polls again
        assert not any(isinstance(x, ReaderStatus) and x.state is ReaderState.SILENT for x in inbox.drain())
        assert p.state is ReaderState.READY
        fake.mode = M.SILENT  # and a reader that stays quiet is called silent
        inbox.wait(_state(ReaderState.SILENT))
    finally:
        p.stop()
