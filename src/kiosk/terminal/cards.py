"""The terminal's ID card reader: the ``[idcard]`` config, the poller that owns the port, and turning what
it reads into the flows' events.

Rule: the render loop never touches the reader. :class:`~kiosk.devices.idreader.CardPoller` polls on its own
thread and puts ``ReaderStatus`` / ``CardRead`` / ``CardFailed`` on the App's inbox; the session keeps the
reader's state, and a flow screen turns a read card into the flow's :class:`~.flows.base.CardRead` with the
hall's date (:func:`card_event`). A card is checked with the resident-ID rule of ``kiosk.core.idcard``
before it is posted: a card whose number fails never reaches a form. Only flows hold a card's fields, and
only until they end (返回首页, idle reset, a finished request).

Keys (all optional; no ``port`` = no reader, nothing about cards is shown)::

    [idcard]
    port = ""            # /dev/serial/by-id/… of the reader
    baud = 115200        # 9600, 19200, 38400, 57600 or 115200
    poll_hz = 4.0        # card polls per second (1–10)
    timeout = 0.5        # seconds for a short answer
    read_timeout = 3.0   # seconds for the base message
    priority_age = 60    # 取号 offers 绿色通道 by itself from this age on
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..config import SiteConfig
from ..core.idcard import resident_id_problem
from ..devices import idreader
from ..devices.ga467 import BaseMessage
from .flows.base import CardFailed, CardRead


@dataclass(frozen=True, slots=True, kw_only=True)
class IdCardSettings:
    port: str = ""
    baud: int = 115200
    poll_hz: float = 4.0
    timeout: float = 0.5
    read_timeout: float = 3.0
    priority_age: int = 60

    @property
    def present(self) -> bool:
        return bool(self.port)


def load_idcard_settings(cfg: SiteConfig) -> IdCardSettings:
    sec = cfg.role("idcard")
    positive = lambda v: None if v > 0 else "must be greater than 0"  # noqa: E731
    s = IdCardSettings(
        port=sec.get("port", str, ""),
        baud=sec.get("baud", int, 115200, check=lambda v: None if v in idreader.BAUDS
                     else f"must be one of {', '.join(map(str, idreader.BAUDS))}"),
        poll_hz=sec.get("poll_hz", float, 4.0, check=lambda v: None if 1 <= v <= 10 else "must be 1 to 10"),
        timeout=sec.get("timeout", float, 0.5, check=positive),
        read_timeout=sec.get("read_timeout", float, 3.0, check=positive),
        priority_age=sec.get("priority_age", int, 60, check=lambda v: None if 50 <= v <= 100 else "must be 50 to 100"),
    )
    sec.done()
    return s


def check_card(card: BaseMessage) -> str | None:
    """Why a read card is refused (the resident-ID rule, and the birth date it carries), or None."""
    problem = resident_id_problem(card.id_number)
    if problem is not None:
        return problem
    if card.id_number[6:14] != f"{card.birth:%Y%m%d}":
        return "birth_date"
    return None


def card_poller(settings: IdCardSettings, post: Callable[[Any], Any]) -> idreader.CardPoller:
    config = idreader.IdReaderConfig(port=settings.port, baud=settings.baud, timeout=settings.timeout,
                                     read_timeout=settings.read_timeout)
    return idreader.CardPoller(config, post, poll_hz=settings.poll_hz, check=check_card)


def card_event(msg: idreader.CardRead | idreader.CardFailed, today: date) -> CardRead | CardFailed:
    """What the poller posted → the flows' event; ``today`` is the hall's date (ages are counted to it)."""
    if isinstance(msg, idreader.CardFailed):
        return CardFailed(msg.problem.value)
    c = msg.card
    return CardRead(name=c.name, id_number=c.id_number, address=c.address, birth=c.birth, today=today)
