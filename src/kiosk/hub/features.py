"""Extension point for hub features beyond the queue (appointments, evaluations, cases …).

Rule: a feature is a module ``kiosk.hub.feature_<name>`` that may define ``setup(hub)`` (validate its
config at start; raise ConfigError to refuse to start), ``SCHEMA`` (SQL run at start; its own tables),
``OPS`` ({op: handler(ctx, request) -> result dict}), ``READ_ONLY`` (ops whose replies are not stored),
``on_day_start(ctx)``, ``on_events(ctx, events)`` and ``on_tick(ctx)``. Handlers run inside the hub's
batch on the worker thread: what they write commits with the batch, what they publish leaves after the
commit. They refuse a request by raising ``OpError``; queue changes go through ``ctx.apply`` so they
are logged like any other command. Adding a feature never edits the hub service.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..core import commands as C
from ..protocol import encode

if TYPE_CHECKING:
    from .service import Hub, Outbox


class OpError(Exception):
    """A refused request: ``code`` and ``message`` go into the error reply, with ``extra`` fields
    (e.g. a suggested alternative) beside them."""

    def __init__(self, code: str, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra or {}


@dataclass(slots=True)
class OpContext:
    hub: "Hub"
    now: float
    device: str
    out: "Outbox"

    @property
    def store(self):
        return self.hub.store

    @property
    def queue(self):
        return self.hub.queue

    @property
    def cfg(self):
        return self.hub.cfg

    @property
    def topics(self):
        return self.hub.topics

    @property
    def day(self) -> str:
        return self.hub.queue.state.day

    def apply(self, cmd: C.Command) -> list[C.Event]:
        """Apply a queue command and log it (raises QueueError, state unchanged, if refused)."""
        return self.hub.apply_logged(cmd, self.out)

    def publish(self, topic: str, body: dict[str, Any], *, retain: bool = False) -> None:
        self.out.add(topic, body, retain=retain)

    def alert(self, body: dict[str, Any]) -> None:
        self.out.add(self.hub.topics.alert, {"at": self.now, **body})

    def notify_device(self, device: str, txn: str, result: dict[str, Any]) -> None:
        """A later message to a device about one of its requests (same txn, ok: true)."""
        self.out.add(self.hub.topics.reply(device), {"txn": txn, "ok": True, "result": result})


def discover() -> list[ModuleType]:
    here = str(Path(__file__).parent)
    return [importlib.import_module(f"{__package__}.{m.name}")
            for m in sorted(pkgutil.iter_modules([here]), key=lambda m: m.name) if m.name.startswith("feature_")]


__all__ = ["OpContext", "OpError", "discover", "encode"]
