"""One MQTT connection per process, with paho-mqtt 2.x.

Rule: paho's network thread never touches state: it only puts ``Inbound`` items on a ``queue.Queue``
that the owner thread drains (the hub's worker, or a render loop), the messages of each read together.
Subscriptions are made in ``on_connect`` so they come back after every reconnect; the availability topic
is the Last Will, so a device that dies is shown offline by the broker itself. Connection is asynchronous:
a role starts even when the broker is down and reconnects by itself.
"""

from __future__ import annotations

import collections
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
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.client import MalformedPacket
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from ..errors import BusError
from ..protocol import Topics

log = logging.getLogger(__name__)

ONLINE = b"online"
OFFLINE = b"offline"
READ_CHUNK = 65536  # one recv() takes every message already in the socket, up to this much


class _Client(mqtt.Client):
    """paho's client with fewer system calls per message; the protocol is paho's, unchanged.

    paho reads a packet with three ``recv`` calls (its first byte, its length byte by byte, its body) and
    sends every packet with its own ``send``, and each ``publish`` from another thread writes a byte to
    wake paho's thread. Every one of those calls lets go of the interpreter lock and waits to take it
    back from the other thread. Here: reads come from one ``recv`` of up to ``READ_CHUNK`` bytes, parsed
    packet by packet until none is left; packets queued together leave in one ``send``; and while the
    owner is ``corked`` (publishing a batch) its packets are only queued, with one wake-up at the end.
    Also, a PUBACK does not walk all unacknowledged messages to find one waiting for a free slot (those
    are noted in order as they are queued), and the broker's usual short PUBACK completes its message
    without the reason code and properties objects paho builds for an on_publish callback (when it is
    whole in the read buffer, without even paho's packet bookkeeping and dispatch).
    These override paho internals (``_sock_recv``, ``loop_read``, ``_packet_queue``, ``_packet_write``,
    ``publish``, ``_messages_reconnect_reset_out``, ``_update_inflight``, ``_handle_pubackcomp``) of the
    paho-mqtt 2.x pinned in pyproject.toml; tests/bus runs them against a real broker.
    """

    _rbuf = b""
    _rpos = 0
    _corked = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._hold_lock = threading.Lock()
        self._held: list[dict[str, Any]] = []  # packets queued while corked, released by uncork()
        # one writer at a time: paho's thread, or the owner writing its batch itself (``uncork``)
        self._write_lock = threading.Lock()

    def _sock_recv(self, bufsize: int) -> bytes:
        buf, pos = self._rbuf, self._rpos
        if pos >= len(buf):
            buf = super()._sock_recv(READ_CHUNK)  # raises as before when nothing is there
            if not buf:
                return buf  # the broker closed the connection
            self._rbuf, pos = buf, 0
        self._rpos = pos + bufsize
        return buf[pos:pos + bufsize]

    # Set by the owner: called after each read has been parsed to its end (the messages of one ``recv``
    # are then handed over together).
    on_read_done: "Callable[[], None] | None" = None

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        try:
            rc = super().loop_read(max_packets)
            # what is left in the buffer is no longer in the socket, so select() would not wake for it
            while rc == MQTTErrorCode.MQTT_ERR_SUCCESS and self._sock is not None and self._rpos < len(self._rbuf):
                rc = super().loop_read(max_packets)
            return rc
        finally:
            if self.on_read_done is not None:
                self.on_read_done()

    # Set by the owner: (topic, payload, retain, mid, qos) for each PUBLISH of QoS 0 or 1, called on paho's
    # thread instead of ``on_message`` (which then is not called for those). None: paho's way for all.
    on_publish_received: "Callable[[str, bytes, bool, int, int], None] | None" = None

    def _packet_read(self) -> MQTTErrorCode:
        # A packet already whole in the buffer is taken in one step. paho reads it in three (its first
        # byte, its length a byte at a time, its body), each through the bookkeeping of a partial read.
        # A packet that is not whole yet goes paho's way.
        if self._in_packet["command"] != 0:
            return super()._packet_read()
        if self._rpos >= len(self._rbuf):
            try:
                self._sock_recv(0)  # the next read, into the buffer
            except OSError:  # nothing there, or a broken connection: paho meets it again and answers
                return super()._packet_read()
        buf, pos = self._rbuf, self._rpos
        end = len(buf)
        if end - pos < 2:
            return super()._packet_read()  # closed (paho reads b"" again), or a lone first byte
        length, shift, i = 0, 0, pos + 1
        while True:
            if i >= end or i > pos + 4:
                return super()._packet_read()  # the length goes on in the next read (or is malformed)
            byte = buf[i]
            length |= (byte & 127) << shift
            shift += 7
            i += 1
            if not byte & 128:
                break
        if i + length > end:
            return super()._packet_read()
        header = buf[pos]
        if header == PUBACK and length == 2 and self.on_publish is None:
            # the broker's usual PUBACK (a message id, success; a third of the hub's incoming packets):
            # the message completes here, as _handle_pubackcomp would, without the packet's bookkeeping
            self._rpos = i + 2
            rc = MQTTErrorCode.MQTT_ERR_SUCCESS
            mid = (buf[i] << 8) | buf[i + 1]
            with self._out_message_mutex:
                if mid in self._out_messages:
                    rc = self._do_on_publish(mid, None, None)  # type: ignore[arg-type]
            with self._msgtime_mutex:
                self._last_bytes_received = mqtt.time_func()
            return rc
        body = buf[i:i + length]
        self._rpos = i + length
        try:
            if header & 0xF0 == PUBLISH and self.on_publish_received is not None and (header >> 1) & 3 < 2:
                rc = self._publish_received(header, body)
            else:
                self._in_packet.update(command=header, have_remaining=1, remaining_length=length,
                                       packet=bytearray(body), to_process=0, pos=0)
                try:
                    rc = self._packet_handle()
                finally:
                    self._in_packet.update(command=0, have_remaining=0, remaining_count=[], remaining_mult=1,
                                           remaining_length=0, packet=bytearray(b""), to_process=0, pos=0)
        except MalformedPacket:
            rc = MQTTErrorCode.MQTT_ERR_PROTOCOL
        with self._msgtime_mutex:
            self._last_bytes_received = mqtt.time_func()
        return rc

    def _publish_received(self, header: int, body: bytes) -> MQTTErrorCode:
        """A QoS 0 or 1 PUBLISH, straight to ``on_publish_received``: no message object and no MQTT 5
        properties object (the hall's clients send none; a PUBLISH that carries some is decoded paho's way)."""
        qos = (header >> 1) & 3
        if len(body) < 2:
            raise MalformedPacket("PUBLISH too short")
        n = (body[0] << 8) | body[1]
        at = 2 + n
        if at + (2 if qos else 0) + (1 if self._protocol == mqtt.MQTTv5 else 0) > len(body):
            raise MalformedPacket("PUBLISH shorter than its topic")
        try:
            topic = body[2:at].decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedPacket("PUBLISH topic is not UTF-8") from None
        if not topic and self._protocol != mqtt.MQTTv5:
            raise MalformedPacket("topic can't be empty in MQTTv3")
        mid = 0
        if qos:
            mid = (body[at] << 8) | body[at + 1]
            at += 2
        if self._protocol == mqtt.MQTTv5:
            if body[at] != 0:  # properties (a topic alias, user properties …): paho decodes those
                self._in_packet.update(command=header, packet=bytearray(body))
                try:
                    return self._handle_publish()
                finally:
                    self._in_packet.update(command=0, packet=bytearray(b""))
            at += 1
        callback = self.on_publish_received
        assert callback is not None
        with self._in_callback_mutex:
            try:
                callback(topic, body[at:], bool(header & 1), mid, qos)
            except Exception as err:
                self._easy_log(mqtt.MQTT_LOG_ERR, "Caught exception in on_publish_received: %s", err)
                if not self.suppress_exceptions:
                    raise
        if qos == 1 and not self._manual_ack:
            return self._send_puback(mid)
        return MQTTErrorCode.MQTT_ERR_SUCCESS

    _waiting: "collections.deque[int] | None" = None  # mids of QoS 1 messages waiting for a slot, in order

    def publish(self, topic: str, payload: Any = None, qos: int = 0, retain: bool = False,
                properties: Properties | None = None) -> mqtt.MQTTMessageInfo:
        with self._out_message_mutex:  # the same (reentrant) lock as paho's: queued and noted at once
            info = super().publish(topic, payload, qos, retain, properties)
            if qos > 0:
                m = self._out_messages.get(info.mid)
                if m is not None and m.state == _QUEUED:
                    self._waiting_mids().append(info.mid)
        return info

    def send(self, topic: str, payload: bytes, retain: bool = False) -> None:
        """``publish`` at QoS 1 of a message nobody waits on (the hub's states and replies: completion is the
        broker's PUBACK, which nothing reads). The same message, queued the same way, without the
        per-message ``MQTTMessageInfo`` (a ``Condition`` each) and paho's general packet building."""
        tb = _SENDABLE.get(topic)
        if tb is None:
            tb = topic.encode("utf-8")
            if not tb or b"+" in tb or b"#" in tb or len(tb) > 65535:
                self.publish(topic, payload, 1, retain)  # paho's way, and its errors
                return
            if len(_SENDABLE) >= 4096:
                _SENDABLE.clear()
            _SENDABLE[topic] = tb
        if not isinstance(payload, bytes):
            self.publish(topic, payload, 1, retain)
            return
        m = _new_message()
        m._topic, m.payload, m.qos, m.retain, m.dup = tb, payload, 1, retain, False
        m.timestamp = mqtt.time_func()
        with self._out_message_mutex:
            mid = m.mid = self._mid_generate()
            if (0 < self._max_queued_messages <= len(self._out_messages)) or mid in self._out_messages:
                return  # what paho's publish answers with MQTT_ERR_QUEUE_SIZE, which nobody here reads
            self._out_messages[mid] = m
            if self._max_inflight_messages == 0 or self._inflight_messages < self._max_inflight_messages:
                self._inflight_messages += 1
                m.state = _WAIT_FOR_PUBACK
                if self._send_qos1(mid, tb, payload, retain) == MQTTErrorCode.MQTT_ERR_NO_CONN:
                    self._inflight_messages -= 1
                    m.state = _PUBLISH  # sent after the reconnect, as paho does
            else:
                m.state = _QUEUED
                self._waiting_mids().append(mid)

    def _send_qos1(self, mid: int, topic: bytes, payload: bytes, retain: bool) -> MQTTErrorCode:
        """paho's ``_send_publish`` for a first QoS 1 send without properties: the same bytes."""
        if self._sock is None:
            return MQTTErrorCode.MQTT_ERR_NO_CONN
        v5 = self._protocol == mqtt.MQTTv5
        n = 2 + len(topic) + 2 + v5 + len(payload)  # the remaining length, written in 7-bit groups
        if n < 128:
            size = bytes((n,))
        elif n < 16384:
            size = bytes((n & 127 | 128, n >> 7))
        else:
            size = self._pack_remaining_length(bytearray(), n)
        packet = b"".join((b"\x33" if retain else b"\x32", size, len(topic).to_bytes(2, "big"), topic,
                           mid.to_bytes(2, "big"), b"\x00" if v5 else b"", payload))  # v5: no properties
        return self._packet_queue(PUBLISH, packet, mid, 1)

    def _waiting_mids(self) -> "collections.deque[int]":
        if self._waiting is None:
            self._waiting = collections.deque()
        return self._waiting

    def _messages_reconnect_reset_out(self) -> None:
        with self._out_message_mutex:
            super()._messages_reconnect_reset_out()
            waiting = self._waiting_mids()
            waiting.clear()
            waiting.extend(mid for mid, m in self._out_messages.items() if m.state == _QUEUED)

    def _update_inflight(self) -> MQTTErrorCode:
        # paho walks every unacknowledged message at every PUBACK to find the oldest one waiting for a
        # free slot (with a batch's replies beyond the 1000 in flight, half of paho's thread went there);
        # here the waiting ones are noted in order as they are queued, and taken from the front
        if self._inflight_messages >= len(self._out_messages):
            return MQTTErrorCode.MQTT_ERR_SUCCESS  # all in flight: none waits
        waiting = self._waiting_mids()
        while waiting and self._inflight_messages < self._max_inflight_messages:
            m = self._out_messages.get(waiting[0])
            if m is not None and m.state == _QUEUED and m.qos != 1:
                return super()._update_inflight()  # QoS 2: paho's own walk
            waiting.popleft()
            if m is None or m.state != _QUEUED:
                continue  # acknowledged or re-sent meanwhile (a reconnect)
            self._inflight_messages += 1
            m.state = _WAIT_FOR_PUBACK
            rc = self._send_publish(m.mid, m.topic.encode("utf-8"), m.payload, m.qos, m.retain, m.dup,
                                    properties=m.properties)
            if rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                return rc
        return MQTTErrorCode.MQTT_ERR_SUCCESS

    def _handle_pubackcomp(self, cmd: Any) -> MQTTErrorCode:
        # The broker's usual PUBACK: the message id, and with MQTT 5 maybe a success reason code (0x00, or
        # 0x10 "no subscribers") without properties. Completed here without building a reason code and
        # properties for it, since nobody reads them without an on_publish callback. Every other form
        # (a failure code, properties, a callback) goes to paho.
        pkt = self._in_packet["packet"]
        if cmd == "PUBACK" and self.on_publish is None and (len(pkt) == 2 or (
                len(pkt) == 3 and pkt[2] < 0x80 and self._protocol == mqtt.MQTTv5)):
            mid = (pkt[0] << 8) | pkt[1]
            with self._out_message_mutex:
                if mid in self._out_messages:
                    return self._do_on_publish(mid, None, None)  # type: ignore[arg-type]
            return MQTTErrorCode.MQTT_ERR_SUCCESS
        return super()._handle_pubackcomp(cmd)

    def _sock_close(self) -> None:
        self._rbuf, self._rpos = b"", 0  # a new connection starts with nothing read
        super()._sock_close()

    def _packet_queue(self, command: int, packet: bytes | bytearray, mid: int, qos: int,
                      info: mqtt.MQTTMessageInfo | None = None) -> MQTTErrorCode:
        if self._corked and self._thread is not None:
            # Held back, not queued: paho's thread would otherwise write them a few at a time as it wakes
            # for anything else (a PUBACK coming in), taking the interpreter lock from the owner each
            # time. What paho's own thread queues meanwhile (the next message waiting for a slot that a
            # PUBACK freed) is held behind them too: sent at once, it would overtake them.
            with self._hold_lock:
                if self._corked:
                    self._held.append({"command": command, "mid": mid, "qos": qos, "pos": 0,
                                       "to_process": len(packet), "packet": packet, "info": info})
                    return MQTTErrorCode.MQTT_ERR_SUCCESS  # paho's thread is woken once, by uncork()
        return super()._packet_queue(command, packet, mid, qos, info)

    def cork(self) -> None:
        self._corked = True

    def uncork(self) -> None:
        """Release what was held. The owner writes it to the socket itself, at once: handed to paho's
        thread, it waited for that thread to wake and take the interpreter lock, which the owner, going on
        with its batch, kept for a while. What a full socket leaves unwritten goes to paho's thread as
        before, and so does a release with a QoS 0 message or a DISCONNECT in it (paho's bookkeeping for
        those stays on its own thread), and everything on a TLS connection: an OpenSSL connection must not
        be written by one thread while another reads it."""
        with self._hold_lock:
            self._corked = False
            held, self._held = self._held, []
            self._out_packet.extend(held)  # in the order queued, before anything queued after this
        sock = self._sock
        if held and sock is not None and not isinstance(sock, ssl.SSLSocket) and all(map(_mergeable, held)):
            self._packet_write()
        if self._out_packet and self._sockpairW is not None:
            try:
                self._sockpairW.send(b"0")
            except OSError:
                pass  # full (already woken) or closed (disconnected: the packets go after the reconnect)

    def _packet_write(self) -> MQTTErrorCode:
        # Join the queued packets whose sending needs no bookkeeping (QoS 1 publications, acks, pings:
        # their completion comes with the broker's answer) into one; paho writes that one as usual,
        # partial writes included. QoS 0 publications and DISCONNECT keep their own per-packet handling.
        with self._write_lock:
            return self._packet_write_one_at_a_time()

    def _packet_write_one_at_a_time(self) -> MQTTErrorCode:
        out = self._out_packet
        if len(out) > 1 and _mergeable(out[0]):
            parts: list[bytes | bytearray] = []
            while out and _mergeable(out[0]):
                pkt = out.popleft()
                parts.append(pkt["packet"][pkt["pos"]:])
            data = b"".join(parts)
            out.appendleft({"command": PUBACK, "mid": 0, "qos": 1, "pos": 0, "to_process": len(data),
                            "packet": data, "info": None})
        return super()._packet_write()


PUBLISH, PUBACK, DISCONNECT = 0x30, 0x40, 0xE0
_SENDABLE: dict[str, bytes] = {}  # topics ``send`` has taken, encoded (the hub's few hundred, over and over)
_QUEUED = mqtt.MessageState.MQTT_MS_QUEUED
_WAIT_FOR_PUBACK = mqtt.MessageState.MQTT_MS_WAIT_FOR_PUBACK
_PUBLISH = mqtt.MessageState.MQTT_MS_PUBLISH


class _Untracked(mqtt.MQTTMessageInfo):
    """The one completion record of every ``send``: nobody waits on those, so completing is a no-op."""

    def _set_as_published(self) -> None:
        pass


_UNTRACKED = _Untracked(0)


def _new_message() -> mqtt.MQTTMessage:
    m = mqtt.MQTTMessage.__new__(mqtt.MQTTMessage)  # without the MQTTMessageInfo its __init__ makes
    m.info, m.properties = _UNTRACKED, None
    return m


def _mergeable(pkt: dict[str, Any]) -> bool:
    kind = pkt["command"] & 0xF0
    return kind != DISCONNECT and not (kind == PUBLISH and pkt["qos"] == 0)


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
            self._client = _Client(callback_api_version=CallbackAPIVersion.VERSION2,
                                   client_id=f"{s.topics.site}-{s.device_id}", protocol=mqtt.MQTTv5)
        else:
            self._client = _Client(
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
