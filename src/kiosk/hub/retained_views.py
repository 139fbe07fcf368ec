"""The hub's retained views on the wire: each window's state and the board, as JSON bytes.

Each window's view is encoded once per batch and the board is joined from the same parts, byte for byte
what encoding the whole board would give. A window's part is kept until what its view shows of the
window and its current ticket changes; only its waiting count (which every issued or called ticket
changes for every window) is written anew, so a batch that changes two windows of a hundred encodes two.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..config import SiteConfig
from ..core.queue import Queue
from ..core.views import board_view, waiting_counts, window_view
from ..protocol import Topics
from ..protocol.codec import encode_members


class Sender(Protocol):
    def send(self, topic: str, payload: bytes, *, retain: bool = False) -> None: ...


class RetainedViews:
    def __init__(self, cfg: SiteConfig, topics: Topics) -> None:
        self.cfg = cfg
        self.topics = topics
        self._parts: dict[str, tuple[Any, bytes, bytes]] = {}  # window -> what its view showed, its JSON

    def publish(self, bus: Sender, q: Queue, version: int, wids: list[str], board_at: float | None) -> None:
        """The retained states of windows ``wids`` and, with ``board_at``, the board."""
        counts = waiting_counts(q)
        ids = [w.id for w in self.cfg.hall.windows] if board_at is not None else wids
        parts = {wid: self._part(q, wid, counts) for wid in ids}
        tail = b',"version":%d}' % version
        for wid in wids:
            bus.send(self.topics.window_state(wid), b'{"v":1,' + parts[wid] + tail, retain=True)
        if board_at is None:
            return
        body = board_view(q, counts, windows=[])
        body.update(version=version, at=board_at, site=self.cfg.site_id, name=self.cfg.name)
        pieces = [b'"v":1']
        for key, value in body.items():
            if key == "windows":
                pieces.append(b'"windows":[' + b",".join(b"{" + parts[wid] + b"}" for wid in ids) + b"]")
            elif key != "v":
                pieces.append(encode_members({key: value}))
        bus.send(self.topics.board, b"{" + b",".join(pieces) + b"}", retain=True)

    def _part(self, q: Queue, wid: str, counts: dict[str, int]) -> bytes:
        """A window's view as JSON members: kept while what it shows is what it showed when encoded."""
        rt = q.state.windows[wid]
        cur = q.state.tickets.get(rt.current) if rt.current else None
        seen = (rt.status, rt.reason, rt.served, q.state.day, rt.current, None if cur is None else (
            cur.number, cur.category, cur.state, cur.called_at, cur.recalls, cur.priority))
        kept = self._parts.get(wid)
        if kept is None or kept[0] != seen:
            view = window_view(q, wid, counts)
            if list(view)[-2:] != ["waiting", "day"]:  # a view of another shape: encoded whole each time
                return encode_members(view)
            day = view.pop("day")
            del view["waiting"]
            kept = (seen, encode_members(view) + b',"waiting":', b"," + encode_members({"day": day}))
            self._parts[wid] = kept
        w = self.cfg.hall.window(wid)
        return kept[1] + b"%d" % sum(counts.get(c, 0) for c in w.categories) + kept[2]
