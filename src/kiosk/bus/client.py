"""One MQTT connection per process, with paho-mqtt 2.x.

Rule: paho's network thread never touches state: it only puts ``Inbound`` items on a ``queue.Queue``
that the owner thread drains (the hub's worker, or a render loop), the messages of each read together.
Subscriptions are made in ``on_connect`` so they come back after every reconnect; the availability topic
is the Last Will, so a device that dies is shown offline by the broker itself. Connection is asynchronous:
a role starts even when the broker is down and reconnects by itself.
"""

from __future__ import annotations

import logging
import queue
import socket
import ssl
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, NamedTuple

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from ..errors import BusError
from ..protocol import Topics
from .batched import BatchedClient

log = logging.getLogger(__name__)

ONLINE = b"online"
OFFLINE = b"offline"


class Inbound(NamedTuple):
    """Something from the bus for the owner thread: a message, or a connection change. (A named tuple:
    made for every message on paho's thread, where a frozen dataclass costs twice as much.)"""

    topic: str  # "" for connection changes
    payload: bytes = b""
    retain: bool = False
    connected: bool | None = None  # set on connection changes
    mid: int = 0
    qos: int = 0


class Inbox(queue.Queue):
    """The owner's queue of ``Inbound`` items, which the owner can also empty in one step."""

    def put_many(self, items: list[Inbound]) -> None:
        """Add ``items`` in order with one lock and one wake-up of the owner, not one of each per item."""
        with self.not_full:
            self.queue.extend(items)
            self.unfinished_tasks += len(items)
            self.not_empty.notify()

    def drain(self, limit: int) -> list[Inbound]:
        """Up to ``limit`` items already waiting, oldest first, without waiting: one lock, not one per item."""
        with self.mutex:
            q = self.queue
            n = min(limit, len(q))
            items = [q.popleft() for _ in range(n)]
            if n:
                self.not_full.notify(n)
        return items


@dataclass(frozen=True, slots=True, kw_only=True)
class BusSettings:
    host: str
    port: int
    device_id: str
    topics: Topics
    subscriptions: tuple[str, ...] = ()
    username: str = ""
    password: str = ""
    persistent_session: bool = False  # the hub keeps its QoS 1 inbox across its own restarts
    keepalive: int = 15
    announce_availability: bool = True
    tls_ca: str = ""
    manual_ack: bool = False  # the owner acknowledges a QoS 1 message only once it is durable
    # MQTT 5 with "retain as published" subscriptions: every message keeps the retain flag it was
    # published with, also when queued for this client while it was offline (the hub refuses retained
    # commands). MQTT 3.1.1 clears the flag on such messages. The hub's own connection only.
    retain_as_published: bool = False
    # QoS 1 messages this client sends before the broker's PUBACKs (paho queues the rest). The hub
    # answers a whole batch at once and sets the hall broker's own max_inflight_messages (1000).
    max_inflight: int = 200


SESSION_EXPIRY_S = 7 * 86400  # MQTT 5 persistent session: the broker keeps the hub's inbox this long


class BusClient:
    def __init__(self, settings: BusSettings, inbox: "queue.Queue[Inbound] | None" = None) -> None:
        self.settings = settings
        self.inbox: queue.Queue[Inbound] = inbox if inbox is not None else Inbox()
        self._connected = threading.Event()
        s = settings
        if s.retain_as_published:
            self._client = BatchedClient(callback_api_version=CallbackAPIVersion.VERSION2,
                                   client_id=f"{s.topics.site}-{s.device_id}", protocol=mqtt.MQTTv5)
        else:
            self._client = BatchedClient(
                callback_api_version=CallbackAPIVersion.VERSION2,
                client_id=f"{s.topics.site}-{s.device_id}",
                clean_session=not s.persistent_session,
                protocol=mqtt.MQTTv311,
            )
        if s.username:
            self._client.username_pw_set(s.username, s.password or None)
        if s.tls_ca:
            # only the hall CA is trusted, and the broker's name must be in its certificate
            try:
                self._client.tls_set(ca_certs=s.tls_ca, cert_reqs=ssl.CERT_REQUIRED,
                                     tls_version=ssl.PROTOCOL_TLS_CLIENT)
            except (OSError, ssl.SSLError) as exc:
                raise BusError(f"broker.tls_ca {s.tls_ca}: {exc}") from exc
            self._client.tls_insecure_set(False)
        self._client.reconnect_delay_set(min_delay=1, max_delay=10)
        self._client.max_inflight_messages_set(s.max_inflight)
        self._availability = s.topics.availability(s.device_id)
        if s.announce_availability:
            self._client.will_set(self._availability, OFFLINE, qos=1, retain=True)
        if s.manual_ack:
            self._client.manual_ack_set(True)
        self._client.on_socket_open = _no_delay
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_publish_received = self._on_publish_received
        self._client.on_read_done = self._hand_over
        self._arrived: list[Inbound] = []  # messages of the read being parsed (paho's thread only)
        # an Inbox takes a read's messages in one step; any other queue (a render loop's) one by one
        self._put_many: Callable[[list[Inbound]], None] = getattr(self.inbox, "put_many", self._put_each)
        self._started = False

    # ------------------------------------------------------------------ paho callbacks (network thread)
    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        if reason_code.is_failure:
            log.warning("broker %s:%s refused the connection: %s", self.settings.host, self.settings.port,
                        reason_code)
            return
        for t in self.settings.subscriptions:
            self._subscribe(t)
        if self.settings.announce_availability:
            client.publish(self._availability, ONLINE, qos=1, retain=True)
        self._connected.set()
        self._hand_over()
        self.inbox.put(Inbound("", connected=True))

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason_code: Any,
                       properties: Any) -> None:
        if self._connected.is_set() and self._started:
            log.warning("lost the broker %s:%s (%s); reconnecting", self.settings.host, self.settings.port,
                        reason_code)
        self._connected.clear()
        self._hand_over()  # what arrived before the connection went comes first
        self.inbox.put(Inbound("", connected=False))

    # Messages are collected while a read is parsed and handed to the owner together when it ends: the
    # owner wakes once for everything one ``recv`` brought (a hundred presses at once are one batch, not a
    # first batch of one and then the rest), and paho's thread takes the inbox's lock once, not per message.
    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        self._arrived.append(Inbound(msg.topic, bytes(msg.payload), bool(msg.retain), mid=msg.mid, qos=msg.qos))

    def _on_publish_received(self, topic: str, payload: bytes, retain: bool, mid: int, qos: int) -> None:
        self._arrived.append(Inbound(topic, payload, retain, mid=mid, qos=qos))

    def _hand_over(self) -> None:
        if self._arrived:
            items, self._arrived = self._arrived, []
            self._put_many(items)

    def _put_each(self, items: list[Inbound]) -> None:
        for it in items:
            self.inbox.put(it)

    # ------------------------------------------------------------------ owner side
    def start(self) -> "BusClient":
        s = self.settings
        try:
            if s.retain_as_published:
                props = Properties(PacketTypes.CONNECT)
                props.SessionExpiryInterval = SESSION_EXPIRY_S if s.persistent_session else 0
                self._client.connect_async(s.host, s.port, keepalive=s.keepalive,
                                           clean_start=not s.persistent_session, properties=props)
            else:
                self._client.connect_async(s.host, s.port, keepalive=s.keepalive)
        except (OSError, ValueError) as exc:
            raise BusError(f"cannot start connecting to {self.settings.host}:{self.settings.port}: {exc}") from exc
        self._client.loop_start()
        self._started = True
        return self

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def publish(self, topic: str, payload: bytes | str, *, qos: int = 1, retain: bool = False) -> mqtt.MQTTMessageInfo:
        """Queue a message; paho sends it now or after the next reconnect."""
        return self._client.publish(topic, payload, qos=qos, retain=retain)

    def send(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        """Queue a QoS 1 message nobody waits on (no completion record): the hub's states and replies."""
        self._client.send(topic, payload, retain)

    @contextmanager
    def corked(self) -> Iterator[None]:
        """Publications and acks inside leave together, in order, when the block ends (one wake-up of
        paho's thread and as few socket writes as the socket allows, instead of one of each per message)."""
        self._client.cork()
        try:
            yield
        finally:
            self._client.uncork()

    def ack(self, item: Inbound) -> None:
        """With ``manual_ack``: tell the broker this message is handled (it redelivers it otherwise)."""
        if self.settings.manual_ack and item.qos > 0 and item.topic:
            self._client.ack(item.mid, item.qos)

    def subscribe(self, topic: str) -> None:
        """Add a subscription now and after every reconnect."""
        self.settings = _with_subscription(self.settings, topic)
        if self.connected:
            self._subscribe(topic)

    def _subscribe(self, topic: str) -> None:
        if self.settings.retain_as_published:
            self._client.subscribe(topic, options=SubscribeOptions(qos=1, retainAsPublished=True))
        else:
            self._client.subscribe(topic, qos=1)

    def stop(self, *, timeout: float = 2.0) -> None:
        """Leave cleanly: mark ourselves offline (a clean disconnect does not fire the Will)."""
        if not self._started:
            return
        if self.connected and self.settings.announce_availability:
            info = self._client.publish(self._availability, OFFLINE, qos=1, retain=True)
            deadline = time.monotonic() + timeout
            while not info.is_published() and time.monotonic() < deadline and self.connected:
                time.sleep(0.01)
        self._started = False
        self._client.disconnect()
        self._client.loop_stop()


def _no_delay(client: mqtt.Client, userdata: Any, sock: Any) -> None:
    """Small messages must leave now: Nagle plus delayed ACKs would add ~40 ms to every press."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):
        pass  # not a TCP socket (e.g. a websocket wrapper)


def _with_subscription(s: BusSettings, topic: str) -> BusSettings:
    from dataclasses import replace
    if topic in s.subscriptions:
        return s
    return replace(s, subscriptions=s.subscriptions + (topic,))
