"""The shape every interactive flow shares, the terminal's screens and the counter's pad alike: a sans-I/O
state machine with the queue core's discipline.

Rule: a machine names its stages in an ``enum.Enum`` (``Stage``) and lists, per stage, the events it takes
and the handler of each (``TABLE``: stage → event key → method name; ``ANY_STAGE`` for the events every
stage takes). ``handle(event, now) -> effects`` looks the handler up and calls it; an event missing from
the table for the current stage raises :class:`Refused`, and a handler refuses by raising it — the
machine then restores every field it had, so a refused event leaves the state exactly as it was. Time
comes in with each event (``now``), never from a clock; effects go out as values for the caller to carry
out. ``version`` grows with every accepted event that changed a field a view draws (all but ``UNSEEN``),
so a view redraws only when there is something new to show.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Mapping
from typing import Any, ClassVar

from .errors import CoreError


class Refused(CoreError):
    """An event the machine does not take in its current stage, or a handler's refusal (nothing changed)."""

    code = "not_now"


_MISSING = object()


class Machine:
    Stage: ClassVar[type[enum.Enum]]
    TABLE: ClassVar[Mapping[Any, Mapping[str, str]]]
    ANY_STAGE: ClassVar[Mapping[str, str]] = {}
    UNSEEN: ClassVar[frozenset[str]] = frozenset()  # fields no view draws: a change to them alone redraws nothing

    stage: Any  # a Stage member (a subclass may keep it inside an immutable state and expose it as a property)

    def __init__(self) -> None:
        self.version = 0

    def key(self, event: Any) -> str:
        """The name the table uses for ``event`` (by default its class name)."""
        return type(event).__name__

    def handler(self, event: Any) -> str | None:
        k = self.key(event)
        return self.TABLE.get(self.stage, {}).get(k) or self.ANY_STAGE.get(k)

    def accepts(self, event: Any) -> bool:
        return self.handler(event) is not None

    def refuse(self, event: Any) -> Refused:
        """The refusal of an event the table does not list for this stage."""
        return Refused(f"{type(self).__name__} in {self.stage.name} does not take {self.key(event)!r}")

    def dispatch(self, name: str, event: Any, now: float) -> Any:
        """Call handler ``name`` (a subclass may give its handlers another shape)."""
        return getattr(self, name)(event, now)

    def handle(self, event: Any, now: float) -> list[Any]:
        """Apply ``event``; return the effects to carry out. Raises :class:`Refused` (state unchanged)."""
        name = self.handler(event)
        if name is None:
            raise self.refuse(event)
        saved = {k: copy.copy(v) for k, v in vars(self).items()}
        try:
            effects = self.dispatch(name, event, now)
        except Refused:
            vars(self).clear()
            vars(self).update(saved)
            raise
        if any(saved.get(k, _MISSING) != v for k, v in vars(self).items() if k != "version" and k not in self.UNSEEN):
            self.version += 1
        return list(effects or ())

    def go(self, stage: enum.Enum) -> None:
        self.stage = stage
