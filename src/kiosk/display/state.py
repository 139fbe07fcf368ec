"""What the display knows about the hall, rebuilt from the retained topics and the ``call`` events.

Rule: pure (no pygame, no clock reads): the render loop feeds it decoded messages with ``mono``
(monotonic, for flashes and grace periods) and ``wall`` (epoch seconds, for "offline since hh:mm").
A malformed payload is logged and dropped; it never changes what is shown. Versions never go back:
a board or window state older than the one shown is ignored. Only ticket numbers and window names are
kept — never anything personal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from ..protocol.content import CONTENT_KINDS, IMAGE_MIMES, MAX_BODY, MAX_TITLE, ContentPage, decode_content
from ..protocol import MAX_STATE_PAYLOAD, ProtocolError, Topics, decode_json, valid_id

log = logging.getLogger(__name__)

# The page format itself lives in kiosk.protocol.content (the terminal shows the same pages); re-exported here.
__all__ = ["CONTENT_KINDS", "IMAGE_MIMES", "MAX_BODY", "MAX_TITLE", "ContentPage", "decode_content",
           "HallState", "Link"]


@dataclass(slots=True)
class Link:
    """Broker connection and hub availability; ``since`` is when the display last went offline."""

    connected: bool = False
    hub_online: bool | None = None  # None until the retained availability arrives
    since_wall: float | None = None
    since_mono: float | None = None

    @property
    def offline(self) -> bool:
        return not self.connected or self.hub_online is False


@dataclass(slots=True)
class HallState:
    topics: Topics
    board: dict[str, Any] | None = None
    board_version: int = -1
    windows: dict[str, dict[str, Any]] = field(default_factory=dict)
    mode: dict[str, Any] | None = None
    catalog: list[dict[str, Any]] = field(default_factory=list)
    content: dict[str, ContentPage] = field(default_factory=dict)
    last_call: dict[str, Any] | None = None
    call_mono: float | None = None  # when the last call event was seen (for the flash)
    link: Link = field(default_factory=Link)
    content_serial: int = 0  # bumps on every content/catalog change (cheap change detection)
    _bad_logged: set[str] = field(default_factory=set)

    # ---- feeding ---------------------------------------------------------------------------------
    def start(self, wall: float, mono: float) -> None:
        self.link.since_wall, self.link.since_mono = wall, mono

    def connection(self, connected: bool, wall: float, mono: float) -> bool:
        was = self.link.offline
        self.link.connected = connected
        return self._link_changed(was, wall, mono)

    def _link_changed(self, was_offline: bool, wall: float, mono: float) -> bool:
        now_offline = self.link.offline
        if now_offline and not was_offline:
            self.link.since_wall, self.link.since_mono = wall, mono
        elif not now_offline:
            self.link.since_wall = self.link.since_mono = None
        return now_offline != was_offline

    def apply(self, topic: str, payload: bytes, wall: float, mono: float) -> str | None:
        """Take one message; return what changed (``board``, ``call``, ``mode``, ``content``, ``link``) or None."""
        kind, arg = self.topics.parse(topic)
        try:
            if kind == "board":
                return self._board(decode_json(payload, limit=MAX_STATE_PAYLOAD))
            if kind == "window_state" and arg:
                return self._window(arg, decode_json(payload, limit=MAX_STATE_PAYLOAD))
            if kind == "call":
                return self._call(decode_json(payload), mono)
            if kind == "mode":
                obj = decode_json(payload)
                if not isinstance(obj.get("state"), str):
                    raise ProtocolError("missing_field", "mode needs a state")
                self.mode = obj
                return "mode"
            if kind == "catalog":
                cat = decode_json(payload, limit=MAX_STATE_PAYLOAD).get("catalog")
                items = cat.get("items") if isinstance(cat, dict) else None
                if not isinstance(items, list):
                    raise ProtocolError("bad_value", "catalog needs catalog.items")
                self.catalog = [i for i in items if isinstance(i, dict) and isinstance(i.get("name"), str)]
                self.content_serial += 1
                return "content"
            if kind == "content" and arg and valid_id(arg):
                page = decode_content(arg, payload)
                if page is None:
                    if self.content.pop(arg, None) is None:
                        return None
                else:
                    self.content[arg] = page
                self.content_serial += 1
                return "content"
            if kind == "availability" and arg == "hub":
                was = self.link.offline
                self.link.hub_online = payload.strip() != b"offline"
                return "link" if self._link_changed(was, wall, mono) else None
        except ProtocolError as exc:
            if topic not in self._bad_logged:  # a bad retained payload would otherwise log on every reconnect
                self._bad_logged.add(topic)
                log.warning("ignored %s: %s", topic, exc)
        return None

    def _board(self, obj: dict[str, Any]) -> str | None:
        version = obj.get("version")
        if not isinstance(version, int) or not isinstance(obj.get("windows"), list):
            raise ProtocolError("bad_value", "board needs version and windows")
        if version < self.board_version and obj.get("day") == (self.board or {}).get("day"):
            return None
        self.board, self.board_version = obj, version
        for w in obj["windows"]:
            if isinstance(w, dict) and isinstance(w.get("window"), str):
                old = self.windows.get(w["window"])
                if old is None or old.get("version", -1) <= version:
                    self.windows[w["window"]] = dict(w, version=version)
        return "board"

    def _window(self, wid: str, obj: dict[str, Any]) -> str | None:
        version = obj.get("version")
        if not isinstance(version, int):
            raise ProtocolError("bad_value", "window state needs a version")
        old = self.windows.get(wid)
        if old is not None and old.get("version", -1) > version and old.get("day") == obj.get("day"):
            return None
        self.windows[wid] = obj
        return "board"

    def _call(self, obj: dict[str, Any], mono: float) -> str:
        if not isinstance(obj.get("number"), str) or not isinstance(obj.get("window_number"), int):
            raise ProtocolError("bad_value", "call needs number and window_number")
        self.last_call, self.call_mono = obj, mono
        return "call"

    # ---- reading ---------------------------------------------------------------------------------
    def window_list(self) -> list[dict[str, Any]]:
        """Windows that take tickets, in the board's order, each at its newest known state."""
        order = [w.get("window") for w in (self.board or {}).get("windows", []) if isinstance(w, dict)]
        order += sorted(set(self.windows) - set(order))
        out = []
        for wid in order:
            w = self.windows.get(wid)
            if w and w.get("categories"):
                out.append(w)
        return out

    def categories(self) -> list[dict[str, Any]]:
        return [c for c in (self.board or {}).get("categories", []) if isinstance(c, dict)]

    def recent(self) -> list[dict[str, Any]]:
        return [r for r in (self.board or {}).get("recent", []) if isinstance(r, dict) and r.get("number")]

    def latest(self) -> dict[str, Any] | None:
        """The newest call: the board's first recent entry, or a newer call event."""
        recent = self.recent()
        head = recent[0] if recent else None
        call = self.last_call
        if call is not None and (head is None or call.get("at", 0) >= head.get("at", 0)):
            return {"number": call["number"], "window_number": call["window_number"],
                    "recall": call.get("recall", 0), "at": call.get("at", 0)}
        return head

    @property
    def has_data(self) -> bool:
        return self.board is not None or bool(self.windows)

    @property
    def closed(self) -> bool:
        return bool(self.mode) and self.mode.get("state") in ("closed", "holiday")

    def notices(self) -> list[ContentPage]:
        return sorted((p for p in self.content.values() if p.kind == "notice"),
                      key=lambda p: (-p.published_at, p.id))
