"""What the bus hands the terminal's loop: decoded, typed messages — and the adapter that decodes them.

Rule: :class:`Feed` stands in for the BusClient's inbox. paho's network thread calls ``put``; it only
decodes the payload and puts a typed message on the App's inbox — no state is touched and nothing is
drawn there. A payload that does not decode is logged and dropped (a bad retained message must never
crash or blank the kiosk).
"""

from __future__ import annotations

import logging
import queue
from dataclasses import dataclass
from typing import Any

from ..bus.client import Inbound
from ..protocol.content import ContentPage, decode_content
from ..core.catalog import Catalog
from ..protocol import MAX_STATE_PAYLOAD, ProtocolError, Reply, Topics, decode_json, decode_reply, valid_id
from ..protocol.device_commands import DeviceCommand, decode_command

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Connection:
    connected: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardIn:
    board: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class ModeIn:
    mode: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogIn:
    catalog: Catalog


@dataclass(frozen=True, slots=True, kw_only=True)
class ContentIn:
    """A 政务公开 page published (``page``) or removed (``page`` is None: the empty retained payload)."""

    page_id: str
    page: ContentPage | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplyIn:
    reply: Reply
    # the whole "error" object of a refusal: fields beyond code and message, e.g. slot_full's "suggest"
    error: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanResult:
    """What a code scanner at the terminal read (one line, as text). The devices integration puts it on
    the App's inbox; a booking QR (its link or ``HTYY|<site>|<code>``) opens 预约签到 with that code."""

    text: str
    source: str = "scanner"


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandIn:
    """A staff console's command for this terminal (``device/<id>/command``; e.g. a test ticket)."""

    command: DeviceCommand


BusMessage = Connection | BoardIn | ModeIn | CatalogIn | ContentIn | ReplyIn | CommandIn


def decode_inbound(item: Inbound, topics: Topics, reply_topic: str) -> BusMessage | None:
    """One bus item → a typed message, or None (not ours, deleted retained state, or malformed)."""
    if not item.topic:
        return Connection(connected=bool(item.connected))
    kind, page_id = topics.parse(item.topic)
    if kind == "content":  # here an empty payload means something: the page was removed
        if not page_id or not valid_id(page_id):
            return None
        try:
            return ContentIn(page_id=page_id, page=decode_content(page_id, item.payload))
        except ProtocolError as exc:
            log.warning("ignored a malformed content page on %s: %s", item.topic, exc)
            return None
    if not item.payload:
        return None  # an empty retained payload deletes state; keep what we have
    if kind == "command":  # ours only (the subscription and the broker's ACL say so too)
        return _command(item) if page_id == topics.reply_device(reply_topic) else None
    try:
        if item.topic == reply_topic:
            reply = decode_reply(item.payload)
            error = None
            if not reply.ok:
                err = decode_json(item.payload).get("error")
                error = err if isinstance(err, dict) else None
            return ReplyIn(reply=reply, error=error)
        if item.topic == topics.board:
            return BoardIn(board=decode_json(item.payload, limit=MAX_STATE_PAYLOAD))
        if item.topic == topics.mode:
            return ModeIn(mode=decode_json(item.payload))
        if item.topic == topics.catalog:
            body = decode_json(item.payload, limit=MAX_STATE_PAYLOAD)
            return CatalogIn(catalog=Catalog.from_dict(body["catalog"]))
    except ProtocolError as exc:
        log.warning("ignored a malformed message on %s: %s", item.topic, exc)
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("ignored an unreadable message on %s: %s", item.topic, exc)
    return None


def _command(item: Inbound) -> CommandIn | None:
    if item.retain:  # a retained command would run again at every reconnect: commands are never retained
        log.warning("ignored a retained command on %s (commands are sent without retain)", item.topic)
        return None
    try:
        return CommandIn(command=decode_command(item.payload))
    except ProtocolError as exc:
        log.warning("ignored a malformed command on %s: %s", item.topic, exc)
        return None


class Feed:
    """A write-only queue for BusClient: decode, then enqueue on the App's inbox."""

    def __init__(self, inbox: queue.Queue, topics: Topics, reply_topic: str) -> None:
        self.inbox, self.topics, self.reply_topic = inbox, topics, reply_topic

    def put(self, item: Inbound, block: bool = True, timeout: float | None = None) -> None:
        msg = decode_inbound(item, self.topics, self.reply_topic)
        if msg is not None:
            self.inbox.put(msg)
