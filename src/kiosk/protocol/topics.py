"""Topic names under ``hall/<site>/`` and their parsing.

Rule: every topic string of the contract is built here and nowhere else; ids are ``[a-z0-9_-]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_ID = re.compile(r"^[a-z0-9_-]{1,64}$")


def valid_id(s: object) -> bool:
    return isinstance(s, str) and bool(_ID.match(s))


@dataclass(frozen=True, slots=True)
class Topics:
    site: str
    root: str = field(init=False, repr=False, compare=False)  # "hall/<site>/", made once

    def __post_init__(self) -> None:
        if not valid_id(self.site):
            raise ValueError(f"site id {self.site!r} must match [a-z0-9_-]")
        object.__setattr__(self, "root", f"hall/{self.site}/")

    def press(self, window: str) -> str:
        return f"{self.root}window/{window}/press"

    def window_state(self, window: str) -> str:
        return f"{self.root}window/{window}/state"

    def window_evaluation(self, window: str) -> str:
        """The ticket this window just completed, for its evaluation pad (hub, retained)."""
        return f"{self.root}window/{window}/evaluation"

    def window_staff(self, window: str) -> str:
        """Who is on duty at this window (a staff console, retained; optional)."""
        return f"{self.root}window/{window}/staff"

    @property
    def board(self) -> str:
        return f"{self.root}board"

    @property
    def call(self) -> str:
        return f"{self.root}call"

    @property
    def mode(self) -> str:
        return f"{self.root}mode"

    @property
    def catalog(self) -> str:
        return f"{self.root}catalog"

    def content(self, page: str) -> str:
        return f"{self.root}content/{page}"

    def request(self, op: str) -> str:
        return f"{self.root}request/{op}"

    def reply(self, device: str) -> str:
        return f"{self.root}device/{device}/reply"

    def availability(self, device: str) -> str:
        return f"{self.root}device/{device}/availability"

    def status(self, device: str) -> str:
        return f"{self.root}device/{device}/status"

    def command(self, device: str) -> str:
        """A command for one device from a staff console (web, not retained; e.g. a test ticket)."""
        return f"{self.root}device/{device}/command"

    @property
    def alert(self) -> str:
        return f"{self.root}alert"

    @property
    def hub_error(self) -> str:
        return f"{self.root}hub/error"

    def hub_report(self, period: str) -> str:
        return f"{self.root}hub/report/{period}"

    @property
    def hub_status(self) -> str:
        return f"{self.root}hub/status"

    # subscriptions -----------------------------------------------------------
    @property
    def all_presses(self) -> str:
        return f"{self.root}window/+/press"

    @property
    def all_window_states(self) -> str:
        return f"{self.root}window/+/state"

    @property
    def all_requests(self) -> str:
        return f"{self.root}request/+"

    @property
    def all_availability(self) -> str:
        return f"{self.root}device/+/availability"

    @property
    def all_status(self) -> str:
        return f"{self.root}device/+/status"

    @property
    def all_content(self) -> str:
        return f"{self.root}content/+"

    def parse(self, topic: str) -> tuple[str, str | None]:
        """Split a topic of this site into (kind, argument); kind is "" when it is not ours."""
        return _parse(self.root, topic)

    def reply_device(self, reply_to: str) -> str | None:
        """The device id of a ``reply_to`` topic, or None if it is not a reply topic of this site."""
        return _reply_device(self.root, reply_to) if isinstance(reply_to, str) else None


@lru_cache(maxsize=4096)  # asked for every request, twice; a hall has a few dozen devices
def _reply_device(root: str, reply_to: str) -> str | None:
    kind, dev = _parse(root, reply_to)
    return dev if kind == "reply" and valid_id(dev) else None


@lru_cache(maxsize=4096)  # the hub parses every message's topic, and a hall has a few hundred of them
def _parse(root: str, topic: str) -> tuple[str, str | None]:
    if not topic.startswith(root):
        return "", None
    parts = topic[len(root):].split("/")
    match parts:
        case ["window", w, ("press" | "state") as k]:
            return ("press" if k == "press" else "window_state"), w
        case ["window", w, ("evaluation" | "staff") as k]:
            return "window_" + k, w
        case ["request", op]:
            return "request", op
        case ["device", d, ("reply" | "availability" | "status" | "command") as k]:
            return k, d
        case ["content", page]:
            return "content", page
        case ["hub", ("error" | "status") as k]:
            return "hub_" + k, None
        case ["hub", "report", period]:
            return "hub_report", period
        case [("board" | "call" | "mode" | "catalog" | "alert") as k]:
            return k, None
    return "", None
