"""The tickets that open phone pages follow, and a live event to each page whose ticket changed.

When the hall changes (a board, a window state or a call arrives on the web's MQTT link; those of one press
within ``SETTLE_S`` count once) the watcher asks the hub once — ``ticket.track`` with every followed token, in chunks of the op's limit sent together —
and compares each ticket's new page (``present.TicketPage.key``) with the last one it sent: only pages
whose ticket changed are told. 500 phones cost the hub one request per change, not 500.

Rule: owned by the web's event loop; a page's queue holds at most a few events (a stalled browser is told
to reload instead). A token the hub no longer knows (the day ended) gets a last event and is forgotten.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .present import TicketPage, ticket_page

log = logging.getLogger(__name__)

CHUNK = 200  # ticket.track's limit per request
HALL_CHANGES = ("board", "window_state", "call", "link")
SETTLE_S = 0.02  # one press brings a window state, the board and a call: one round for all three
QUEUE_MAX = 8

Ask = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Update:
    token: str
    view: dict[str, Any] | None   # None: the ticket is no longer known (expired)
    page: TicketPage | None
    event: bytes = b""            # what the page's stream sends, made once for all its streams


@dataclass
class Watcher:
    ask: Ask
    strings: Mapping[str, str]
    event: Callable[[TicketPage | None], bytes] = lambda page: b""  # an Update's event bytes
    pages: dict[str, set[asyncio.Queue]] = field(default_factory=dict)  # token -> open streams
    last: dict[str, tuple] = field(default_factory=dict)  # token -> key of the last page sent
    rounds: int = 0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _wanted: dict[str, list[asyncio.Future]] = field(default_factory=dict)  # page loads waiting for the hub
    _asking: asyncio.Task | None = None

    # ------------------------------------------------------------------ page loads
    async def lookup(self, token: str) -> dict[str, Any] | None:
        """One ticket's view for a page load; the loads of the same moment share one ``ticket.track``."""
        fut = asyncio.get_running_loop().create_future()
        self._wanted.setdefault(token, []).append(fut)
        if self._asking is None or self._asking.done():
            self._asking = asyncio.ensure_future(self._lookups())
        return await fut

    async def _lookups(self) -> None:
        await asyncio.sleep(0)  # let the other page loads of this moment join
        while self._wanted:
            wanted, self._wanted = self._wanted, {}
            try:
                found = await self._track(list(wanted))
            except Exception as exc:
                for futs in wanted.values():
                    for f in futs:
                        if not f.done():
                            f.set_exception(exc)
                continue
            for token, futs in wanted.items():
                for f in futs:
                    if not f.done():
                        f.set_result(found.get(token))

    async def _track(self, tokens: list[str]) -> dict[str, dict[str, Any]]:
        chunks = [tokens[i:i + CHUNK] for i in range(0, len(tokens), CHUNK)]
        answers = await asyncio.gather(*(self.ask("ticket.track", {"tokens": c}) for c in chunks))
        found: dict[str, dict[str, Any]] = {}
        for a in answers:
            found.update(a.get("tickets") or {})
        return found

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
                await asyncio.sleep(SETTLE_S)
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
        t0 = time.perf_counter()
        found = await self._track(tokens)
        t1 = time.perf_counter()
        told = 0
        for token in tokens:
            view = found.get(token)
            page = ticket_page(view, self.strings) if view is not None else None
            key = page.key() if page is not None else ("gone",)
            if self.last.get(token) == key:
                continue
            self.last[token] = key
            u = Update(token, view, page, self.event(page))
            for q in list(self.pages.get(token, ())):
                told += 1
                _put(q, u)
        log.debug("ticket.track for %d pages: hub %.0f ms, %d told in %.0f ms", len(tokens), (t1 - t0) * 1000, told,
                 (time.perf_counter() - t1) * 1000)
        return told


def _put(q: asyncio.Queue, u: Update) -> None:
    try:
        q.put_nowait(u)
    except asyncio.QueueFull:  # a stalled page: only the newest state matters
        while not q.empty():
            q.get_nowait()
        q.put_nowait(u)
