"""The last known hall state on disk, so a screen that boots without a broker still shows the hall.

Rule: the retained topics a role draws from (board, window states, mode, catalogue, content pages) are
remembered here and written to one JSON file, atomically (tmp + fsync + rename, mode 0600), at most
every ``min_interval_s`` and once more on ``stop``. paho's thread only hands items over (``put``, a queue);
the owner thread folds them in and writes (``tick``, ``stop``). At start the role feeds ``replay()`` into
its inbox before connecting, so the cached state goes through the same decoding as live messages and
live messages then overwrite it.

The file is a convenience, never a reason to stop: a missing, corrupt or unwritable file is logged once
and the role runs on. An empty payload deletes a topic; a payload over ``MAX_STATE_PAYLOAD`` is not kept.
The broker resends every retained topic after a (re)connect, so a cached topic it has not resent
``settle_s`` after connecting was deleted meanwhile: it is dropped, and ``tick`` hands it back as an
empty payload so the screens drop it too.
"""

from __future__ import annotations

import json
import logging
import math
import os
import queue
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..protocol import MAX_STATE_PAYLOAD, Topics
from .client import Inbound

log = logging.getLogger(__name__)

FILE_VERSION = 1
RESEND_SETTLE_S = 10.0  # the broker sends all retained topics right after subscribing; this is generous


def keeping(topics: Topics, *kinds: str) -> Callable[[str], bool]:
    """A predicate for the topics of this site whose kind (``Topics.parse``) is one of ``kinds``."""
    wanted = frozenset(kinds)
    return lambda topic: topics.parse(topic)[0] in wanted


def open_lastknown(state_dir: Path, device_id: str, topics_to_keep: Callable[[str], bool],
                   **kw: Any) -> "LastKnown | None":
    """The cache file ``<state_dir>/<device_id>-lastknown.json``, or None (logged) when the folder is
    not writable: the role then runs without a cache."""
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("no last-known-state cache: cannot create %s (%s)", state_dir, exc.strerror or exc)
        return None
    if not os.access(state_dir, os.W_OK | os.X_OK):
        log.warning("no last-known-state cache: %s is not writable", state_dir)
        return None
    return LastKnown(state_dir / f"{device_id}-lastknown.json", topics_to_keep, **kw)


class LastKnown:
    def __init__(self, path: Path, topics_to_keep: Callable[[str], bool], *, min_interval_s: float = 5.0,
                 settle_s: float = RESEND_SETTLE_S, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.keep = topics_to_keep
        self.min_interval_s, self.settle_s, self.clock = min_interval_s, settle_s, clock
        self._pending: queue.SimpleQueue[Inbound] = queue.SimpleQueue()
        self._state: dict[str, str] = {}  # topic → payload text (payloads are UTF-8 JSON)
        self._loaded = False
        self._saved_at: float | None = None
        self._last_write = -math.inf
        self._dirty = False
        self._connected_at: float | None = None
        self._resent: set[str] | None = None  # topics seen since the last connect, until it settles
        self._write_failed = False

    # ---- any thread ------------------------------------------------------------------------------
    def put(self, item: Inbound) -> None:
        """Hand over a bus item (called in paho's thread: only filters and enqueues)."""
        if not item.topic:
            if item.connected is not None:
                self._pending.put(item)
        elif self.keep(item.topic) and len(item.payload) <= MAX_STATE_PAYLOAD:
            self._pending.put(item)

    def tee(self, inbox: Any) -> "Tee":
        """An inbox for BusClient that hands every item to this cache and passes it on to ``inbox``."""
        return Tee(inbox, self)

    # ---- owner thread ----------------------------------------------------------------------------
    def replay(self) -> tuple[list[Inbound], float | None]:
        """The stored topics as retained messages, and when they were saved (None: nothing stored)."""
        self._load()
        items = [Inbound(topic, text.encode("utf-8"), retain=True) for topic, text in self._state.items()]
        return items, self._saved_at if items else None

    def tick(self, now: float | None = None) -> list[Inbound]:
        """Fold in what arrived; write if due. Returns deletions for topics the broker no longer has."""
        now = self.clock() if now is None else now
        self._fold(now)
        gone = self._settle(now)
        if self._dirty and now - self._last_write >= self.min_interval_s:
            self._write(now)
        return gone

    def stop(self, now: float | None = None) -> None:
        """Fold in the rest and write it now (call after the bus has stopped)."""
        now = self.clock() if now is None else now
        self._fold(now)
        if self._dirty:
            self._write(now)

    @property
    def topics(self) -> list[str]:
        return sorted(self._state)

    # ---- inside ----------------------------------------------------------------------------------
    def _fold(self, now: float) -> None:
        self._load()
        while True:
            try:
                item = self._pending.get_nowait()
            except queue.Empty:
                return
            if not item.topic:
                self._connected_at = now if item.connected else None
                self._resent = set() if item.connected else None
                continue
            if self._resent is not None:
                self._resent.add(item.topic)
            if not item.payload:
                self._dirty |= self._state.pop(item.topic, None) is not None
                continue
            try:
                text = item.payload.decode("utf-8")
            except UnicodeDecodeError:
                continue  # not a payload of the contract; the screens drop it too
            if self._state.get(item.topic) != text:
                self._state[item.topic] = text
                self._dirty = True

    def _settle(self, now: float) -> list[Inbound]:
        if self._resent is None or self._connected_at is None or now - self._connected_at < self.settle_s:
            return []
        gone = [t for t in self._state if t not in self._resent]
        self._resent = self._connected_at = None
        for topic in gone:
            del self._state[topic]
        if gone:
            self._dirty = True
            log.info("dropped %d cached topic(s) the broker no longer holds", len(gone))
        return [Inbound(topic, b"", retain=True) for topic in gone]

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning("ignored the last-known-state file %s: %s", self.path, exc.strerror or exc)
            return
        try:
            body = json.loads(raw.decode("utf-8"))
            saved_at, stored = body["saved_at"], body["topics"]
            if body.get("v") != FILE_VERSION or not isinstance(stored, dict) or isinstance(saved_at, bool) \
                    or not isinstance(saved_at, (int, float)) or not math.isfinite(saved_at):
                raise ValueError("unexpected layout")
        except (ValueError, KeyError, TypeError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            log.warning("ignored the corrupt last-known-state file %s: %s", self.path, exc)
            return
        self._state = {t: p for t, p in stored.items() if isinstance(t, str) and isinstance(p, str) and p
                       and self.keep(t) and len(p.encode("utf-8")) <= MAX_STATE_PAYLOAD}
        self._saved_at = float(saved_at)

    def _write(self, now: float) -> None:
        self._last_write = now  # also after a failure: retry at the next interval, not every frame
        data = json.dumps({"v": FILE_VERSION, "saved_at": now, "topics": self._state},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), 0o600)  # a leftover tmp keeps its old mode through O_TRUNC
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
            _sync_dir(self.path.parent)
        except OSError as exc:
            if not self._write_failed:
                self._write_failed = True
                log.warning("cannot save the last known state to %s: %s", self.path, exc.strerror or exc)
            return
        self._dirty = False
        self._saved_at = now
        if self._write_failed:
            self._write_failed = False
            log.info("saving the last known state to %s works again", self.path)


class Tee:
    """Stands in for BusClient's inbox: the cache sees each item, then ``inbox`` gets it unchanged."""

    def __init__(self, inbox: Any, cache: LastKnown) -> None:
        self.inbox, self.cache = inbox, cache

    def put(self, item: Inbound, block: bool = True, timeout: float | None = None) -> None:
        self.cache.put(item)
        self.inbox.put(item, block, timeout)


def _sync_dir(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system lets a folder be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
