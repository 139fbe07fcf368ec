"""What every flow's tests share: the table is complete, and an event is applied the way the screen does
(a refusal must leave the flow exactly as it was)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from kiosk.terminal.flows.base import (Ask, CardFailed, CardRead, Effect, Event, Flow, Left, Online, PaperCopy, Refused,
                                       Sent, Tick)

HALL_DAY = date(2026, 11, 18)
# cards as the reader posts them (numbers that pass the check): 74 and 38 on HALL_DAY, and one whose
# 60th birthday is HALL_DAY itself
OLD_CARD = CardRead(name="黄秀英", id_number="42900619520615007X", address="湖北省天门市黄潭镇杨场村三组18号",
                    birth=date(1952, 6, 15), today=HALL_DAY)
YOUNG_CARD = CardRead(name="杨志强", id_number="429006198807060022", address="湖北省天门市黄潭镇黄潭社区新街25号",
                      birth=date(1988, 7, 6), today=HALL_DAY)


def card(key: str, old: bool = True) -> Event | None:
    """The event a machine feeds for the table key ``card`` / ``card_failed`` (None for any other key)."""
    if key == "card":
        return OLD_CARD if old else YOUNG_CARD
    if key == "card_failed":
        return CardFailed("pulled")
    return None


def check_table(flow_class: type[Flow]) -> None:
    """Every stage has a row, and every handler the table names exists."""
    assert set(flow_class.TABLE) == set(flow_class.Stage)
    for stage, row in flow_class.TABLE.items():
        for handler in row.values():
            assert callable(getattr(flow_class, handler, None)), (stage, handler)


def apply(flow: Flow, event: Event, now: float) -> list[Effect] | None:
    """The flow's effects, or None when it refused the event — having checked nothing changed."""
    before = copy.deepcopy(vars(flow))
    try:
        return flow.handle(event, now)
    except Refused:
        assert vars(flow) == before, f"a refused {event!r} changed the flow"
        return None


def link_answers(machine, ask: Ask, *, retried: bool) -> None:
    """The link's answer to ``ask``, checked: 重试 repeats exactly the last txn (the hub answers it with the same
    result), anything else is a new request; offline there is no txn. The machine has ``online``, ``txns``
    (a counter), ``last_txn`` and ``feed``."""
    if retried:
        assert ask.retry is not None and ask.retry == machine.last_txn
    else:
        assert ask.retry is None
    txn = (ask.retry or f"x{next(machine.txns)}") if machine.online else None
    if txn:
        machine.last_txn = txn
    machine.feed(Sent(txn))


def choices(machine, table, *, taps: int, replies: int, own: tuple[str, ...] = (),
            print_tag: str = "") -> list[tuple[str, Any]]:
    """What may happen next to a flow that asks the hub: a person tapping what the stage offers (上一步 less
    often than the rest), time, the connection, leaving, the flow's ``own`` events, the hub answering the
    request (or a retried one) and the printer answering ``print_tag`` (or its own status poll)."""
    f = machine.flow
    if machine.left:
        return [("time", 1.0)]
    keys = [k for k in table[f.stage] if k not in ("sent", "replied", "tick", "printer")]
    out: list[tuple[str, Any]] = [("tap", k) for k in keys for _ in range(1 if k == "go-back" else taps)]
    out += [("time", 1.0), ("time", 5.0), ("flip", None), ("leave", None), *((k, None) for k in own)]
    if f.txn or f.ask.last:
        out += [("reply", t) for t in {f.txn, f.ask.last} if t] * replies
    if print_tag:
        out += [("printed", print_tag), ("printed", "poll")]
    return out


def copy_told_truly(copy: PaperCopy, asked: list[str]) -> None:
    """A paper copy is said to have come out only for a job the flow asked for."""
    assert not copy.printed or copy.tag in asked


def passes(machine, kind: str, arg) -> bool:
    """The steps every flow machine takes besides its own: time passing, the connection flipping, the
    person leaving. The machine has ``flow``, ``now``, ``online``, ``left`` and ``feed``."""
    if kind == "time":
        machine.now += arg
        machine.feed(Tick())
    elif kind == "flip":
        machine.online = not machine.online
        machine.feed(Online(machine.online))
    elif kind == "leave":
        machine.feed(Left())
        machine.left = True
    else:
        return False
    return True
