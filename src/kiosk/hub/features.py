"""The one shape of a hub feature: the queue's ticket ops, help requests, appointments, ratings … alike.

Rule: a feature is a module ``kiosk.hub.feature_<name>`` defining ``FEATURE``, a class built once per hub
as ``FEATURE(hall)``. Its constructor checks the feature's config section (raise ConfigError to refuse to
start) and opens its tables through a repository of ``kiosk.store`` (the only place its SQL lives); the
instance holds whatever state it needs, so two hubs in one process share nothing. ``ops`` maps each op to
an ``Op``: a handler ``(ctx, request) -> result dict`` that refuses by raising ``OpError``, and whether
the op is read-only (a read-only op changes nothing, so its reply is not stored for retries). Hooks, all
optional: ``on_day_start(ctx)``, ``on_events(ctx, events)``, ``due(now) -> bool`` with ``on_tick(ctx)``.
Handlers and hooks run inside the hub's batch on its worker thread: what they write commits with the batch,
what they publish leaves after the commit; queue changes go through ``ctx.apply`` so they are logged like
any other command. A feature sees the hall through ``Hall`` and ``OpContext``, never the hub itself, and
adding one never edits the hub service.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from ..config import SiteConfig
from ..core import commands as C
from ..core.errors import QueueError
from ..core.queue import Queue
from ..errors import KioskError
from ..protocol import Request, Topics, encode
from ..protocol.roles import Identity
from ..store.db import Store
from .hallinfo import HallInfo


class OpError(KioskError):
    """A refused request: ``code`` and ``message`` go into the error reply, with ``extra`` fields
    (e.g. a suggested alternative) beside them."""

    def __init__(self, code: str, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra or {}

    @classmethod
    def of(cls, exc: QueueError) -> "OpError":
        return cls(exc.code, exc.message)


@dataclass(frozen=True, slots=True)
class Op:
    handler: Callable[["OpContext", Request], dict[str, Any]]
    read_only: bool = False


@dataclass(slots=True)
class Outbox:
    """What a batch will publish once it is committed."""

    messages: list[tuple[str, bytes, bool]] = field(default_factory=list)
    windows: set[str] = field(default_factory=set)
    board: bool = False
    hub_status: bool = False
    acks: list[Any] = field(default_factory=list)

    def add(self, topic: str, body: dict[str, Any], retain: bool = False) -> None:
        self.messages.append((topic, encode(body), retain))

    def clear(self, topic: str) -> None:
        """Delete the retained message on ``topic`` (an empty retained publish)."""
        self.messages.append((topic, b"", True))


@dataclass(frozen=True, slots=True)
class Hall:
    """What features may use: config, topics, the store, hall info, and the hub's queue through two
    callables (the queue object is replaced when the hub recovers from a failed batch)."""

    cfg: SiteConfig
    topics: Topics
    store: Store
    info: HallInfo
    queue: Callable[[], Queue]
    apply: Callable[[C.Command, Outbox], list[C.Event]]
    mode: Callable[[], dict[str, Any]]
    identity: Callable[[str], Identity | None] = lambda device: None  # device id -> its provisioned role
    strict: bool = False  # a provisioned hall: senders the hall does not know are held to the strictest rule

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.cfg.timezone)


@dataclass(slots=True)
class OpContext:
    hall: Hall
    now: float
    device: str
    out: Outbox

    @property
    def store(self) -> Store:
        return self.hall.store

    @property
    def queue(self) -> Queue:
        return self.hall.queue()

    @property
    def cfg(self) -> SiteConfig:
        return self.hall.cfg

    @property
    def topics(self) -> Topics:
        return self.hall.topics

    @property
    def info(self) -> HallInfo:
        return self.hall.info

    @property
    def day(self) -> str:
        return self.queue.state.day

    def apply(self, cmd: C.Command) -> list[C.Event]:
        """Apply a queue command and log it (raises OpError, state unchanged, if refused)."""
        try:
            return self.hall.apply(cmd, self.out)
        except QueueError as exc:
            raise OpError.of(exc) from None

    def publish(self, topic: str, body: dict[str, Any], *, retain: bool = False) -> None:
        self.out.add(topic, body, retain=retain)

    def alert(self, body: dict[str, Any]) -> None:
        self.out.add(self.hall.topics.alert, {"at": self.now, **body})

    def notify_device(self, device: str, txn: str, result: dict[str, Any]) -> None:
        """A later message to a device about one of its requests (same txn, ok: true)."""
        self.out.add(self.hall.topics.reply(device), {"txn": txn, "ok": True, "result": result})


class Feature:
    """Base of every feature: no ops, no-op hooks."""

    ops: dict[str, Op] = {}

    def __init__(self, hall: Hall) -> None:
        self.hall = hall

    def on_day_start(self, ctx: OpContext) -> None:
        pass

    def on_events(self, ctx: OpContext, events: list[C.Event]) -> None:
        pass

    def due(self, now: float) -> bool:
        return False

    def on_tick(self, ctx: OpContext) -> None:
        pass


def discover() -> list[type[Feature]]:
    here = str(Path(__file__).parent)
    mods = [importlib.import_module(f"{__package__}.{m.name}")
            for m in sorted(pkgutil.iter_modules([here]), key=lambda m: m.name) if m.name.startswith("feature_")]
    return [m.FEATURE for m in mods]


__all__ = ["Feature", "Hall", "Op", "OpContext", "OpError", "Outbox", "discover"]
