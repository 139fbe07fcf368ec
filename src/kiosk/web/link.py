"""The web's one MQTT connection, seen from asyncio: a retained-state cache, requests with replies, and
live events for the pages (Server-Sent Events).

Rule: paho's network thread only hands each message to the event loop (``call_soon_threadsafe``); all state
here is owned by the loop. Retained state (board, window states, mode, hub/status, devices, content pages,
who is on duty) is kept decoded in :attr:`Link.state`, so a page renders from memory and a browser that
joins late sees the whole hall at once. A request is sent with one txn and re-sent with the same txn until
the hub answers (the hub stores its replies, so a retry never acts twice).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import KioskError
from ..bus.client import BusClient, BusSettings, Inbound
from ..protocol import ProtocolError, Topics, decode_json, decode_reply, encode
from ..protocol.codec import MAX_PAYLOAD, MAX_STATE_PAYLOAD

log = logging.getLogger(__name__)

#: Topic kinds (``Topics.parse``) whose retained value the web keeps.
CACHED = ("board", "window_state", "window_staff", "mode", "hub_status", "availability", "status", "content",
          "hub_report", "catalog")
#: Kinds that reach the pages as live events.
LIVE = ("board", "window_state", "window_staff", "mode", "hub_status", "availability", "status", "content",
        "alert", "call")


class HubError(KioskError):
    """The hub refused a request (``code``, ``message`` as it answered) or did not answer in time."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    arg: str | None
    body: dict[str, Any] | None


@dataclass(slots=True)
class _Pending:
    future: asyncio.Future
    body: bytes
    topic: str


class _LoopInbox:
    """What BusClient calls ``inbox``: ``put`` from paho's thread lands on the event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, deliver: Callable[[Inbound], None]) -> None:
        self.loop, self.deliver = loop, deliver

    def put(self, item: Inbound) -> None:
        try:
            self.loop.call_soon_threadsafe(self.deliver, item)
        except RuntimeError:
            pass  # the loop has closed: shutting down


@dataclass
class Link:
    topics: Topics
    device_id: str
    state: dict[str, dict[str, Any]] = field(default_factory=dict)  # topic -> decoded retained body
    connected: bool = False
    connected_since: float | None = None
    offline_since: float | None = None
    clock: Callable[[], float] = time.time
    bus: BusClient | None = None
    _pending: dict[str, _Pending] = field(default_factory=dict)
    _listeners: set[asyncio.Queue] = field(default_factory=set)

    # ------------------------------------------------------------------ start / stop
    def subscriptions(self) -> tuple[str, ...]:
        t = self.topics
        return (t.board, t.all_window_states, t.root + "window/+/staff", t.mode, t.hub_status, t.all_availability,
                t.all_status, t.root + "content/#", t.root + "hub/report/+", t.alert, t.call, t.reply(self.device_id),
                t.catalog)

    def start(self, loop: asyncio.AbstractEventLoop, *, host: str, port: int, username: str = "",
              password: str = "", tls_ca: str = "") -> None:
        self.bus = BusClient(BusSettings(host=host, port=port, device_id=self.device_id, topics=self.topics,
                                         subscriptions=self.subscriptions(), username=username, password=password,
                                         tls_ca=tls_ca), _LoopInbox(loop, self.deliver))  # type: ignore[arg-type]
        self.bus.start()

    def stop(self) -> None:
        if self.bus is not None:
            self.bus.stop()
        for p in self._pending.values():
            if not p.future.done():
                p.future.set_exception(HubError("stopping", "the web is stopping"))

    # ------------------------------------------------------------------ from the bus (on the loop)
    def deliver(self, item: Inbound) -> None:
        if not item.topic:
            self.connected = bool(item.connected)
            if self.connected:
                self.connected_since, self.offline_since = self.clock(), None
                for p in self._pending.values():  # whatever was sent while offline goes again
                    self._publish(p.topic, p.body)
            elif self.offline_since is None:
                self.offline_since = self.clock()
            self._fan_out(Event("link", None, {"connected": self.connected}))
            return
        kind, arg = self.topics.parse(item.topic)
        if kind == "reply":
            self._reply(item.payload)
            return
        body: dict[str, Any] | None = None
        if item.payload:
            if kind in ("availability",):
                body = {"availability": item.payload.decode("utf-8", "replace")[:16]}
            else:
                try:  # a device's status is a message of command size, as the hub takes it (64 KiB)
                    body = decode_json(item.payload, limit=MAX_PAYLOAD if kind == "status" else MAX_STATE_PAYLOAD)
                except ProtocolError as exc:
                    log.info("ignored %s: %s", item.topic, exc)
                    return
        if kind in CACHED:
            if body is None:
                self.state.pop(item.topic, None)
            else:
                self.state[item.topic] = body
        if kind in LIVE:
            self._fan_out(Event(kind, arg, body))

    def _reply(self, payload: bytes) -> None:
        try:
            rep = decode_reply(payload)
        except ProtocolError:
            return
        p = self._pending.pop(rep.txn, None)
        if p is None or p.future.done():
            return  # a late duplicate, or a later message about a request (help.ack → the kiosk)
        if rep.ok:
            p.future.set_result(rep.result if isinstance(rep.result, dict) else {"result": rep.result})
        else:
            p.future.set_exception(HubError(rep.code or "error", rep.message or ""))

    # ------------------------------------------------------------------ for the pages
    def get(self, suffix: str) -> dict[str, Any] | None:
        return self.state.get(self.topics.root + suffix)

    def matching(self, prefix: str, suffix: str = "") -> dict[str, dict[str, Any]]:
        """Cached bodies whose topic is ``<root><prefix>…<suffix>``, keyed by the middle part."""
        head = self.topics.root + prefix
        return {t[len(head):len(t) - len(suffix)]: b for t, b in self.state.items()
                if t.startswith(head) and t.endswith(suffix)}

    def publish(self, suffix: str, body: dict[str, Any] | None, *, retain: bool) -> None:
        """A state message of the web's own (``window/<w>/staff``, ``content/<id>``); None deletes it. A
        retained one is in the pages' cache at once, as the broker will send it back: the page that answers
        the form already shows it (the echo then replaces it with the same body)."""
        topic = self.topics.root + suffix
        payload = b"" if body is None else encode(body)
        self._publish(topic, payload, retain=retain)
        if retain and self.topics.parse(topic)[0] in CACHED:
            try:
                self.state[topic] = decode_json(payload, limit=MAX_STATE_PAYLOAD)
            except ProtocolError:  # a deletion (empty), or what the broker's echo would not be taken as either
                self.state.pop(topic, None)

    def command(self, device: str, body: dict[str, Any]) -> None:
        """A command for one device (``device/<id>/command``), never retained: it would run again at every
        reconnect of the device."""
        self._publish(self.topics.command(device), encode(body), retain=False)

    def _publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        if self.bus is not None:
            self.bus.publish(topic, payload, qos=1, retain=retain)

    async def request(self, op: str, args: dict[str, Any], *, timeout: float = 5.0,
                      retry_every: float = 2.0) -> dict[str, Any]:
        """Send ``request/<op>`` and wait for the hub's answer; HubError when refused or unanswered."""
        txn = secrets.token_hex(8)
        body = encode({"txn": txn, "reply_to": self.topics.reply(self.device_id), "device": self.device_id, **args})
        fut = asyncio.get_running_loop().create_future()
        pending = _Pending(fut, body, self.topics.request(op))
        self._pending[txn] = pending
        deadline = time.monotonic() + timeout
        try:
            if self.connected:
                self._publish(pending.topic, body)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise HubError("timeout" if self.connected else "offline",
                                   f"the hub did not answer {op} within {timeout:.0f} s")
                try:
                    return await asyncio.wait_for(asyncio.shield(fut), min(left, retry_every))
                except asyncio.TimeoutError:
                    if self.connected:
                        self._publish(pending.topic, body)
        finally:
            self._pending.pop(txn, None)

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    def listen(self) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue(maxsize=256)
        self._listeners.add(q)
        return q

    def unlisten(self, q: asyncio.Queue) -> None:
        self._listeners.discard(q)

    def _fan_out(self, ev: Event) -> None:
        for q in list(self._listeners):
            try:
                q.put_nowait(ev)
            except asyncio.QueueFull:  # a stalled browser: it misses the detail and re-reads the whole page
                while not q.empty():
                    q.get_nowait()
                q.put_nowait(Event("reload", None, None))
