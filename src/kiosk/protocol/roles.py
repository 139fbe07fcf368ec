"""Who may do what: one table, op → the roles allowed to send it, and the topics each role reads and writes.

Rule: this is the single source for the hub's role check, for the Mosquitto ACL that ``kiosk provision``
writes and for the table in docs/protocol.md. Pure: no I/O, standard library only.

Roles of broker identities (one user name per device or service): ``hub``, ``button`` (a window's call
button or keypad bridge), ``kiosk`` (a self-service touchscreen), ``display`` (wall board, information
screen, window screen), ``pad`` (a window's evaluation pad), ``web`` (the staff consoles and the visitor's
phone pages, which check their own logins against the staff roles below), ``reporter`` (``kiosk report
publish`` on the hub box: it writes the retained reports on ``hub/report/#`` and nothing else). Staff roles: ``window``
(counter staff), ``desk`` (consultation desk, 帮办代办), ``director`` (centre management: ledgers,
applications, figures, 政务公开 pages), ``technician`` (devices and monitoring). A staff tool provisioned as
a device (``staff-desk`` …) has the staff role in its name; the older names ``content`` and ``monitor``
mean ``director`` and ``technician``.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("hub", "button", "kiosk", "display", "pad", "web", "reporter", "window", "desk", "director",
         "technician")
DEVICE_ROLES = ("hub", "button", "kiosk", "display", "pad", "web", "reporter")
STAFF_ROLES = ("window", "desk", "director", "technician")
ALIASES = {"content": "director", "monitor": "technician", "terminal": "kiosk"}

_STAFF = ("web", "window", "desk", "director")
_DESK = ("web", "desk", "director")

# op -> roles that may send request/<op>. An op not listed here is refused for everyone (forbidden).
OP_ROLES: dict[str, tuple[str, ...]] = {
    "ticket.issue": ("kiosk", "web", "window", "desk"),
    "ticket.delivered": ("kiosk", "web", "window", "desk"),
    "ticket.void": ("kiosk", "web", "window", "desk"),
    "ticket.requeue": ("kiosk", "web", "window", "desk"),
    "ticket.info": ("kiosk", "pad", "web", "window", "desk", "director", "technician"),
    "ticket.track": ("web",),  # the visitor's phone pages, by the tokens of the tickets they show
    "help.request": ("kiosk", "web"),
    "help.ack": _DESK,
    "alert.list": ("web", "desk", "director", "technician"),
    "appointment.slots": ("kiosk", "web", "window", "desk"),
    "appointment.book": ("kiosk", "web", "desk"),
    "appointment.checkin": ("kiosk", "web", "window", "desk"),
    "appointment.cancel": ("kiosk", "web", "desk"),
    "appointment.list": _STAFF,
    "appointment.lookup": ("web",),  # a booking's phone page, by its code
    "evaluation.submit": ("kiosk", "pad", "web"),
    "evaluation.stats": _DESK,
    "feedback.submit": ("kiosk", "web"),
    "case.list": _DESK,
    "case.get": _DESK,
    "case.advance": _DESK,
    "case.hotline": _DESK,
    "case.appeal": ("web", "window", "desk", "director"),
    "case.decide": ("web", "director"),
    "disclosure.apply": ("kiosk", "web", "desk"),
    "disclosure.list": _DESK,
    "window.command": ("web", "window"),
    "window.queue": ("web", "window", "director"),
    "help.contact": _DESK,
    "visit.list": _DESK,
    "visit.get": _DESK,
    "visit.advance": _DESK,
    "disclosure.get": _DESK,
    "disclosure.advance": _DESK,
    "disclosure.reveal": ("web", "director"),  # the applicant unmasked: each view is recorded
    "catalog.replace": ("web", "director"),  # the 事项目录 every kiosk and screen shows, from a spreadsheet
}

# Topics below hall/<site>/ that a role reads or writes besides request/<op>. ``{w}`` is the identity's
# window (buttons and pads). Every identity also writes its own device/<id>/availability and status and
# reads its own device/<id>/reply (``pattern`` lines with %u in the ACL).
_HALL_STATE = ("board", "window/+/state", "mode", "catalog", "content/#", "device/hub/availability")
_READS: dict[str, tuple[str, ...]] = {
    "hub": ("#",),
    "button": ("window/{w}/state",),
    "kiosk": _HALL_STATE,
    "display": (*_HALL_STATE, "call", "window/+/staff"),
    "pad": ("window/{w}/evaluation", "window/{w}/state", "window/{w}/staff", "mode", "device/hub/availability"),
    "web": (*_HALL_STATE, "call", "alert", "hub/status", "hub/error", "device/+/availability",
            "device/+/status", "window/+/staff", "hub/report/#"),
    "window": ("board", "window/+/state", "mode", "call", "device/hub/availability"),
    "desk": ("alert", "board", "window/+/state", "mode", "device/hub/availability"),
    "director": ("alert", "board", "window/+/state", "mode", "content/#", "hub/status",
                 "device/hub/availability"),
    "technician": ("board", "window/+/state", "mode", "call", "alert", "hub/error", "hub/status",
                   "device/+/availability", "device/+/status"),
}
# The hub also writes request/+ and window/+/press, only ever to delete a retained command (an empty
# retained message), and window/+/evaluation for the pads. A staff console (web) writes window/+/staff: who
# is on duty at a window, for its window screen and pad, and device/+/command (COMMAND_ROLES below).
# ``kiosk report publish`` on the hub box (kiosk-report.service) cannot use the hub's own account (one
# account, one connection): it has its own, ``reporter``, which writes the reports for the web's 报表 page on
# hub/report/# and nothing else.
_WRITES: dict[str, tuple[str, ...]] = {
    "hub": ("window/+/state", "window/+/evaluation", "window/+/press", "request/+", "board", "call", "mode",
            "catalog", "alert", "hub/#", "device/+/reply"),
    "button": ("window/{w}/press",),
    "director": ("content/#",),
    "reporter": ("hub/report/#",),
    "web": ("content/#", "window/+/staff", "device/+/command"),
}
# Commands a staff console sends to one device (``device/<id>/command``, written only by the web identity;
# each device reads only its own): command -> the staff roles whose login the web lets send it. A test ticket
# uses paper at a kiosk in the public hall: a maintenance act, the technician's (the director watches the
# devices page but does not print from it).
COMMAND_ROLES: dict[str, tuple[str, ...]] = {
    "test_ticket": ("technician",),
}
PER_WINDOW = ("button", "pad")


def canonical(role: str) -> str:
    """A role name as the table spells it (``content`` → ``director``); ValueError if unknown."""
    r = ALIASES.get(role, role)
    if r not in ROLES:
        raise ValueError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    return r


def may_send(role: str, op: str) -> bool:
    return canonical(role) in OP_ROLES.get(op, ())


def may_command(role: str, cmd: str) -> bool:
    """May a staff login of ``role`` have the web send ``cmd`` to a device?"""
    return canonical(role) in COMMAND_ROLES.get(cmd, ())


def ops_for(role: str) -> tuple[str, ...]:
    r = canonical(role)
    return tuple(op for op, roles in OP_ROLES.items() if r in roles)


@dataclass(frozen=True, slots=True)
class Access:
    """Topics (below ``hall/<site>/``) one identity may write and read, beyond its own device subtree."""

    write: tuple[str, ...]
    read: tuple[str, ...]


def access(role: str, *, window: str | None = None) -> Access:
    """What a role writes and reads: every allowed ``request/<op>`` plus its state topics."""
    r = canonical(role)
    if r in PER_WINDOW and not window:
        raise ValueError(f"role {r} acts for one window: give window=")
    fill = (lambda t: t.format(w=window)) if window else (lambda t: t)
    writes = tuple(f"request/{op}" for op in ops_for(r)) + tuple(fill(t) for t in _WRITES.get(r, ()))
    return Access(write=writes, read=tuple(fill(t) for t in _READS.get(r, ())))


@dataclass(frozen=True, slots=True)
class Identity:
    """A broker identity the hall knows: its id (= MQTT user name = client id), role and window."""

    id: str
    role: str
    window: str | None = None


def may_press(identity: Identity | None, window: str) -> bool:
    """A press on ``window/<window>/press``: only that window's button."""
    return identity is not None and identity.role == "button" and identity.window == window
