"""Commands the queue accepts (imperative) and events it emits (past tense).

Rule: every command carries ``now`` (epoch seconds, from the one clock owner). The business day moves
only through ``StartDay``, which the owner sends when its clock guard says a new day has begun. The core
never reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

_CMD = dict(frozen=True, slots=True, kw_only=True)


@dataclass(**_CMD)
class Command:
    now: float


@dataclass(**_CMD)
class StartDay(Command):
    day: str  # ISO date; a day not later than the current one is ignored


@dataclass(**_CMD)
class IssueTicket(Command):
    category: str
    priority: bool = False
    priority_reason: str = ""  # "age": 绿色通道 offered because the ID card showed the age; nothing more is kept
    source: str = ""  # the device that asked, for the record
    appointment: str | None = None  # booking code when checked in from an appointment
    front: bool = False  # placed ahead of walk-ins (appointment policy)


@dataclass(**_CMD)
class DeliverTicket(Command):
    ticket: str
    how: str  # "printed" / "on_screen"


@dataclass(**_CMD)
class VoidTicket(Command):
    ticket: str
    reason: str = ""


@dataclass(**_CMD)
class RequeueTicket(Command):
    ticket: str


@dataclass(**_CMD)
class WindowCommand(Command):
    window: str


@dataclass(**_CMD)
class CallNext(WindowCommand):
    pass


@dataclass(**_CMD)
class CallTicket(WindowCommand):
    ticket: str  # the ticket number as shown ("A012") or its id


@dataclass(**_CMD)
class Recall(WindowCommand):
    pass


@dataclass(**_CMD)
class Skip(WindowCommand):
    pass


@dataclass(**_CMD)
class StartService(WindowCommand):
    pass


@dataclass(**_CMD)
class CompleteService(WindowCommand):
    pass


@dataclass(**_CMD)
class Transfer(WindowCommand):
    to_category: str | None = None
    to_window: str | None = None


@dataclass(**_CMD)
class PauseWindow(WindowCommand):
    reason: str = ""


@dataclass(**_CMD)
class ResumeWindow(WindowCommand):
    pass


@dataclass(**_CMD)
class OpenWindow(WindowCommand):
    pass


@dataclass(**_CMD)
class CloseWindow(WindowCommand):
    pass


# ---------------------------------------------------------------- events

@dataclass(**_CMD)
class Event:
    at: float

    @property
    def kind(self) -> str:
        return type(self).__name__


@dataclass(**_CMD)
class DayStarted(Event):
    day: str


@dataclass(**_CMD)
class TicketIssued(Event):
    ticket: str
    number: str
    category: str
    priority: bool
    people_ahead: int
    eta_s: float | None


@dataclass(**_CMD)
class TicketDelivered(Event):
    ticket: str
    how: str


@dataclass(**_CMD)
class TicketCalled(Event):
    ticket: str
    number: str
    window: str
    recall: int  # 0 for the first call


@dataclass(**_CMD)
class TicketStarted(Event):
    ticket: str
    window: str


@dataclass(**_CMD)
class TicketCompleted(Event):
    ticket: str
    window: str
    service_s: float


@dataclass(**_CMD)
class TicketNoShow(Event):
    ticket: str
    window: str


@dataclass(**_CMD)
class TicketTransferred(Event):
    ticket: str
    from_window: str
    to_category: str
    to_window: str | None


@dataclass(**_CMD)
class TicketRequeued(Event):
    ticket: str


@dataclass(**_CMD)
class TicketVoided(Event):
    ticket: str
    reason: str


@dataclass(**_CMD)
class TicketExpired(Event):
    ticket: str


@dataclass(**_CMD)
class WindowChanged(Event):
    window: str
    status: str
    reason: str


@dataclass(**_CMD)
class QueueEmpty(Event):
    window: str


# ---------------------------------------------------------------- serialisation (for the command log)

def _subclasses(base: type) -> dict[str, type]:
    out: dict[str, type] = {}
    for sub in base.__subclasses__():
        out[sub.__name__] = sub
        out.update(_subclasses(sub))
    return out


_NAMES: dict[type, tuple[str, ...]] = {}


def _names(obj: Command | Event) -> tuple[str, ...]:
    """The field names of a command's or event's class (``dataclasses.fields`` is slow to ask per call)."""
    cls = type(obj)
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def command_to_dict(cmd: Command) -> dict:
    d = {name: getattr(cmd, name) for name in _names(cmd)}
    d["type"] = type(cmd).__name__
    return d


def command_from_dict(d: dict) -> Command:
    d = dict(d)
    cls = _subclasses(Command).get(d.pop("type", ""))
    if cls is None:
        raise ValueError(f"unknown command type in log: {d!r}")
    return cls(**d)


def event_to_dict(ev: Event) -> dict:
    d = {name: getattr(ev, name) for name in _names(ev)}
    d["kind"] = ev.kind
    return d
