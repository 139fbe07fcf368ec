"""paho-mqtt's client with batched I/O: the same protocol on the wire, fewer system calls and less Python
per message. ``kiosk.bus.client.BusClient`` runs its connection on it; tests/bus/test_batched_io.py runs it
against a real broker.
"""

from __future__ import annotations

import collections
import ssl
import threading
from typing import Any, Callable

import paho.mqtt.client as mqtt
from paho.mqtt.client import MalformedPacket
from paho.mqtt.enums import MQTTErrorCode
from paho.mqtt.properties import Properties

READ_CHUNK = 65536  # one recv() takes every message already in the socket, up to this much


class BatchedClient(mqtt.Client):
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
            rc = self._acknowledged((buf[i] << 8) | buf[i + 1])
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
            return self._acknowledged((pkt[0] << 8) | pkt[1])
        return super()._handle_pubackcomp(cmd)

    def _acknowledged(self, mid: int) -> MQTTErrorCode:
        """Complete message ``mid`` on the broker's plain PUBACK (whole in the buffer, or read paho's way)."""
        with self._out_message_mutex:
            if mid in self._out_messages:
                return self._do_on_publish(mid, None, None)  # type: ignore[arg-type]
        return MQTTErrorCode.MQTT_ERR_SUCCESS

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
            return self._write_merged()

    def _write_merged(self) -> MQTTErrorCode:
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
