"""The tickets that open phone pages follow, and a live event to each page whose ticket changed.

When the hall changes (a board, a window state or a call arrives on the web's MQTT link) the watcher asks
the hub once — ``ticket.track`` with every followed token, in chunks of the op's limit sent together —
and compares each ticket's new page (``present.TicketPage.key``) with the last one it sent: only pages
whose ticket changed are told. 500 phones cost the hub one request per change, not 500.

Rule: owned by the web's event loop; a page's queue holds at most a few events (a stalled browser is told
to reload instead). A token the hub no longer knows (the day ended) gets a last event and is forgotten.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .present import TicketPage, ticket_page

log = logging.getLogger(__name__)

CHUNK = 200  # ticket.track's limit per request
HALL_CHANGES = ("board", "window_state", "call", "link")
QUEUE_MAX = 8

Ask = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Update:
    token: str
    view: dict[str, Any] | None   # None: the ticket is no longer known (expired)
    page: TicketPage | None


@dataclass
class Watcher:
    ask: Ask
    strings: Mapping[str, str]
    pages: dict[str, set[asyncio.Queue]] = field(default_factory=dict)  # token -> open streams
    last: dict[str, tuple] = field(default_factory=dict)  # token -> key of the last page sent
    rounds: int = 0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    # ------------------------------------------------------------------ pages
    def follow(self, token: str, view: dict[str, Any]) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_MAX)
        self.pages.setdefault(token, set()).add(q)
        self.last.setdefault(token, ticket_page(view, self.strings).key())
        return q

    def leave(self, token: str, q: asyncio.Queue) -> None:
        qs = self.pages.get(token)
        if qs is None:
            return
        qs.discard(q)
        if not qs:
            del self.pages[token]
            self.last.pop(token, None)

    @property
    def streams(self) -> int:
        return sum(len(qs) for qs in self.pages.values())

    # ------------------------------------------------------------------ the hall
    def changed(self, kind: str) -> None:
        if kind in HALL_CHANGES and self.pages:
            self._wake.set()

    async def run(self, events: asyncio.Queue) -> None:
        """Consume the link's live events and track the followed tickets after each change."""
        feeder = asyncio.ensure_future(self._feed(events))
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                try:
                    await self.round()
                except Exception:  # the hub offline or slow: the next change tries again
                    log.info("ticket.track round failed", exc_info=True)
        finally:
            feeder.cancel()

    async def _feed(self, events: asyncio.Queue) -> None:
        while True:
            ev = await events.get()
            self.changed("board" if ev.kind == "reload" else ev.kind)

    async def round(self) -> int:
        """Ask for every followed ticket; tell the pages whose ticket changed. Returns how many were told."""
        tokens = list(self.pages)
        if not tokens:
            return 0
        self.rounds += 1
        chunks = [tokens[i:i + CHUNK] for i in range(0, len(tokens), CHUNK)]
        answers = await asyncio.gather(*(self.ask("ticket.track", {"tokens": c}) for c in chunks))
        found: dict[str, dict[str, Any]] = {}
        for a in answers:
            found.update(a.get("tickets") or {})
        told = 0
        for token in tokens:
            view = found.get(token)
            page = ticket_page(view, self.strings) if view is not None else None
            key = page.key() if page is not None else ("gone",)
            if self.last.get(token) == key:
                continue
            self.last[token] = key
            for q in list(self.pages.get(token, ())):
                told += 1
                _put(q, Update(token, view, page))
        return told


def _put(q: asyncio.Queue, u: Update) -> None:
    try:
        q.put_nowait(u)
    except asyncio.QueueFull:  # a stalled page: only the newest state matters
        while not q.empty():
            q.get_nowait()
        q.put_nowait(u)
