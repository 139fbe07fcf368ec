"""The machine every flow runs on (kiosk.core.machine): the table decides what a stage takes, a refusal —
by the table or by a handler after it changed fields — leaves every field as it was, and the version moves
only when something a view draws changed."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import pytest

from kiosk.core.errors import CoreError
from kiosk.core.machine import Machine, Refused


class Stage(enum.Enum):
    OPEN = "open"
    SHUT = "shut"


@dataclass(frozen=True)
class Push:
    n: int


@dataclass(frozen=True)
class Close:
    pass


@dataclass(frozen=True)
class Note:
    text: str


class Counter(Machine):
    Stage = Stage
    TABLE = {Stage.OPEN: {"Push": "_push", "Close": "_close"}, Stage.SHUT: {}}
    ANY_STAGE = {"Note": "_note"}
    UNSEEN = frozenset({"notes"})

    def __init__(self) -> None:
        super().__init__()
        self.stage = Stage.OPEN
        self.total = 0
        self.seen: list[int] = []
        self.notes: list[str] = []

    def _push(self, e: Push, now: float):
        self.total += e.n
        self.seen.append(e.n)
        if self.total > 10:
            raise Refused("too much")  # after changing fields: the machine puts them back
        return [("pushed", e.n, now)]

    def _close(self, e: Close, now: float):
        self.go(Stage.SHUT)

    def _note(self, e: Note, now: float):
        self.notes = [*self.notes, e.text]
        return []


def test_the_table_decides_and_effects_come_back_as_a_list():
    m = Counter()
    assert m.handle(Push(3), 1.0) == [("pushed", 3, 1.0)] and m.version == 1
    assert m.handle(Close(), 2.0) == [] and m.stage is Stage.SHUT
    with pytest.raises(Refused, match="Counter in SHUT does not take 'Push'"):
        m.handle(Push(1), 3.0)
    assert not m.accepts(Push(1)) and m.accepts(Note("x"))
    assert issubclass(Refused, CoreError) and Refused("x").code == "not_now"


def test_a_handler_refusing_after_changes_leaves_every_field_as_it_was():
    m = Counter()
    m.handle(Push(8), 0.0)
    before = (m.stage, m.total, list(m.seen), m.version)
    with pytest.raises(Refused):
        m.handle(Push(5), 1.0)
    assert (m.stage, m.total, m.seen, m.version) == before


def test_unseen_fields_do_not_move_the_version():
    m = Counter()
    m.handle(Note("a"), 0.0)
    assert m.notes == ["a"] and m.version == 0
    m.handle(Push(1), 0.0)
    assert m.version == 1
