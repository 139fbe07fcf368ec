"""Fixtures for the queue state machine: a small hall and a queue with its business day started.

The hall has three categories and four windows; window w2 serves two categories (A and B)::

    w1 (1号窗口)  A            公安
    w2 (2号窗口)  A, B         无差别综合
    w3 (3号窗口)  B            社保医保
    w4 (4号窗口)  C            民政
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kiosk.core import commands as C
from kiosk.core.errors import QueueError
from kiosk.core.model import Category, Hall, QueuePolicy, Window, WindowKind
from kiosk.core.queue import Queue

DAY = "2024-05-06"
NEXT_DAY = "2024-05-07"
PREV_DAY = "2024-05-05"
T0 = 1_714_953_600.0  # 2024-05-06 08:00 Asia/Shanghai, as epoch seconds

CATEGORIES = (
    Category(id="A", name="公安业务", group="domain", default_service_s=300.0),
    Category(id="B", name="社保医保", group="domain", default_service_s=240.0),
    Category(id="C", name="民政事务", group="comprehensive", default_service_s=600.0),
)
WINDOWS = (
    Window(id="w1", number=1, name="公安窗口", kind=WindowKind.DOMAIN, categories=("A",)),
    Window(id="w2", number=2, name="综合窗口", kind=WindowKind.COMPREHENSIVE, categories=("A", "B")),
    Window(id="w3", number=3, name="社保窗口", kind=WindowKind.DOMAIN, categories=("B",)),
    Window(id="w4", number=4, name="民政窗口", kind=WindowKind.DOMAIN, categories=("C",)),
)


def build_hall(**policy: Any) -> Hall:
    """The test hall; keyword arguments override the queue policy."""
    return Hall(categories=CATEGORIES, windows=WINDOWS, policy=QueuePolicy(**policy))


def snapshot(q: Queue) -> tuple[dict[str, Any], dict[str, str]]:
    """Everything a refused command must leave untouched (deep-copied)."""
    return copy.deepcopy(q.state.to_dict()), dict(q.state.by_number)


def assert_refused(q: Queue, cmd: C.Command, exc: type[QueueError] = QueueError,
                   code: str | None = None) -> QueueError:
    """``cmd`` raises exactly ``exc`` (with ``code``) and leaves the queue state as it was."""
    before = snapshot(q)
    with pytest.raises(QueueError) as info:
        q.apply(cmd)
    err = info.value
    assert type(err) is exc, f"expected {exc.__name__}, got {type(err).__name__}: {err}"
    if code is not None:
        assert err.code == code, f"expected code {code!r}, got {err.code!r}: {err}"
    assert snapshot(q) == before
    return err


@pytest.fixture
def hall() -> Hall:
    return build_hall()


@pytest.fixture
def new_queue():
    """A factory: ``new_queue(**policy)`` gives a queue on DAY at T0 for a hall with that policy."""

    def make(**policy: Any) -> Queue:
        q = Queue(build_hall(**policy))
        q.apply(C.StartDay(now=T0, day=DAY))
        return q

    return make


@pytest.fixture
def q(new_queue) -> Queue:
    return new_queue()
