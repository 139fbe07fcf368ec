"""The bus client's batched I/O (one recv for many messages, one write for a corked batch) against a real
mosquitto: nothing lost, nothing reordered, nothing split wrongly at a read's edge, and QoS 1 completion
(PUBACKs) and QoS 0 publications still handled one by one."""

from __future__ import annotations

import queue

import pytest

from kiosk.bus import batched
from kiosk.bus.client import BusClient, BusSettings, Inbound, Inbox
from kiosk.protocol import Topics
from tests.mqtt_helpers import wait_until


def make(broker, name: str, subs: tuple[str, ...] = (), inbox_kind: type = queue.Queue,
         **kw) -> tuple[BusClient, "queue.Queue[Inbound]"]:
    inbox: queue.Queue[Inbound] = inbox_kind()
    c = BusClient(BusSettings(host="127.0.0.1", port=broker.port, device_id=name, topics=Topics("io"),
                              subscriptions=subs, **kw), inbox)
    c.start()
    assert c.wait_connected(20)
    return c, inbox


def drain(inbox: "queue.Queue[Inbound]", n: int, timeout: float = 60.0) -> list[Inbound]:
    got: list[Inbound] = []

    def more() -> bool:
        while True:
            try:
                it = inbox.get_nowait()
            except queue.Empty:
                return len(got) >= n
            if it.topic:
                got.append(it)
    wait_until(more, timeout, f"{n} messages")
    return got


@pytest.fixture
def small_reads(monkeypatch):
    """Reads of 1000 bytes, so that packets straddle the edge of one recv and the next."""
    monkeypatch.setattr(batched, "READ_CHUNK", 1000)


@pytest.mark.parametrize("inbox_kind", [Inbox, queue.Queue], ids=["inbox", "plain-queue"])
@pytest.mark.parametrize("chunk", ["default", "small"])
def test_many_messages_read_together_arrive_whole_and_in_order(broker, request, chunk, inbox_kind):
    """Handed over a read at a time (``Inbox.put_many``), or one by one to any other queue."""
    if chunk == "small":
        request.getfixturevalue("small_reads")
    # the hub's own kind of connection: MQTT 5, manual acknowledgement, a persistent session
    hub, inbox = make(broker, "hubish", ("hall/io/in/#",), inbox_kind, manual_ack=True, retain_as_published=True,
                      persistent_session=True)
    sender, _ = make(broker, "sender")
    sizes = [1, 37, 600, 3000, 70000]  # 70 kB: more than one read of the default size
    with sender.corked():  # all at once, so the broker hands them on back to back
        for i in range(600):
            sender.publish(f"hall/io/in/{i % 7}", b"%06d:" % i + b"x" * sizes[i % len(sizes)])
    got = drain(inbox, 600)
    assert [int(it.payload[:6]) for it in got] == list(range(600))
    for it in got:
        i = int(it.payload[:6])
        assert it.topic == f"hall/io/in/{i % 7}" and len(it.payload) == 7 + sizes[i % len(sizes)]
    for it in got:
        hub.ack(it)
    sender.stop()
    hub.stop()


@pytest.mark.parametrize("inflight", [200, 5])
def test_a_corked_batch_leaves_whole_in_order_with_qos0_and_acks_among_it(broker, inflight):
    """Past ``inflight`` unacknowledged messages the rest wait inside the client, each sent as a PUBACK
    frees a slot: in the order they were published."""
    watcher, inbox = make(broker, "watcher", ("hall/io/out/#",))
    pub, pub_inbox = make(broker, "pub", ("hall/io/cmd",), manual_ack=True, retain_as_published=True,
                          persistent_session=True, max_inflight=inflight)
    feeder, _ = make(broker, "feeder")
    feeder.publish("hall/io/cmd", b"do")
    cmd = drain(pub_inbox, 1)[0]
    infos = []
    with pub.corked():
        pub.ack(cmd)
        for i in range(500):
            infos.append(pub.publish(f"hall/io/out/{i}", b"%d" % i, qos=0 if i % 50 == 0 else 1,
                                     retain=i % 100 == 0))
        # nobody reads these: the broker's PUBACK says so (MQTT 5 reason 0x10), still a success
        infos += [pub.publish("hall/io/nobody", b"x") for _ in range(20)]
    got = [int(it.payload) for it in drain(inbox, 500)]
    assert sorted(got) == list(range(500))
    # QoS 1 ones in order (past those in flight they wait for a PUBACK each, which QoS 0 ones do not)
    assert [i for i in got if i % 50] == [i for i in range(500) if i % 50]
    # every QoS 1 publication completed by the broker's PUBACK, every QoS 0 one marked as sent
    wait_until(lambda: all(i.is_published() for i in infos), 30, "all publications completed")
    assert len(pub._client._out_messages) == 0
    feeder.stop()
    pub.stop()
    watcher.stop()


def test_messages_read_in_one_step_keep_topic_payload_retain_qos_and_properties_go_paho_s_way(broker, monkeypatch):
    """Whole packets in the buffer are decoded by the client itself; a PUBLISH that carries MQTT 5
    properties is left to paho. Either way the owner gets the same Inbound, and a retained one says so."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    by_paho: list[bytes] = []
    paho_way = batched.BatchedClient._handle_publish

    def counted(self):
        by_paho.append(bytes(self._in_packet["packet"]))
        return paho_way(self)
    monkeypatch.setattr(batched.BatchedClient, "_handle_publish", counted)
    hub, inbox = make(broker, "hubish2", ("hall/io/p/#",), manual_ack=True, retain_as_published=True,
                      persistent_session=True)
    raw = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id="io-raw", protocol=mqtt.MQTTv5)
    raw.connect("127.0.0.1", broker.port)
    raw.loop_start()
    props = Properties(PacketTypes.PUBLISH)
    props.UserProperty = ("who", "test")
    props.ContentType = "application/json"
    sent = [("hall/io/p/plain", b'{"a":1}', 1, False, None), ("hall/io/p/q0", b"zero", 0, False, None),
            ("hall/io/p/props", "中文".encode(), 1, False, props), ("hall/io/p/empty", b"", 1, False, None),
            ("hall/io/p/kept", b"kept", 1, True, None), ("hall/io/p/\u7a97\u53e3", b"w", 1, False, None)]
    for topic, payload, qos, retain, p in sent:
        raw.publish(topic, payload, qos=qos, retain=retain, properties=p).wait_for_publish(10)
    got = drain(inbox, len(sent))
    assert [(it.topic, it.payload, it.qos, it.retain) for it in got] == \
        [(t, pl, q, r) for t, pl, q, r, _ in sent]
    assert all(it.mid > 0 for it in got if it.qos == 1)
    assert len(by_paho) == 1 and b"hall/io/p/props" in by_paho[0], by_paho  # only the one with properties
    for it in got:
        hub.ack(it)
    raw.publish("hall/io/p/kept", b"", qos=1, retain=True).wait_for_publish(10)
    raw.loop_stop()
    raw.disconnect()
    hub.stop()


@pytest.mark.parametrize("protocol", ["v5", "v311"])
@pytest.mark.parametrize("size", [0, 5, 126, 200, 20000, 70000])
def test_send_builds_the_very_packet_paho_builds(protocol, size):
    """``send`` skips paho's general packet building; the bytes on the wire must be the same."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    c = batched.BatchedClient(callback_api_version=CallbackAPIVersion.VERSION2, client_id="pk",
                           protocol=mqtt.MQTTv5 if protocol == "v5" else mqtt.MQTTv311)
    queued: list[bytes] = []
    c._packet_queue = lambda command, packet, mid, qos, info=None: queued.append(bytes(packet)) or 0
    c._sock = object()  # "connected": nothing is written, the packets are only queued
    topic = "hall/io/窗口/state" + "x" * (size % 97)
    payload = bytes(range(256)) * (size // 256) + b"y" * (size % 256)
    for retain in (False, True):
        c._send_qos1(4242, topic.encode(), payload, retain)
        c._send_publish(4242, topic.encode(), payload, 1, retain, False)
    c._sock = None
    assert len(queued) == 4 and queued[0] == queued[1] and queued[2] == queued[3] and queued[0] != queued[2]


@pytest.mark.parametrize("protocol", ["v5", "v311"])
def test_send_writes_the_length_as_paho_does_at_each_edge_of_its_7_bit_groups(protocol):
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    c = batched.BatchedClient(callback_api_version=CallbackAPIVersion.VERSION2, client_id="pk",
                           protocol=mqtt.MQTTv5 if protocol == "v5" else mqtt.MQTTv311)
    queued: list[bytes] = []
    c._packet_queue = lambda command, packet, mid, qos, info=None: queued.append(bytes(packet)) or 0
    c._sock = object()
    topic = "hall/io/w1/state".encode()
    overhead = 2 + len(topic) + 2 + (protocol == "v5")
    lengths = [*range(124, 132), *range(16380, 16388), 2_097_151, 2_097_152]  # 1|2, 2|3 and 3|4 bytes
    for n in lengths:
        c._send_qos1(77, topic, b"z" * (n - overhead), True)
        c._send_publish(77, topic, b"z" * (n - overhead), 1, True, False)
    c._sock = None
    assert len(queued) == 2 * len(lengths)
    for i, n in enumerate(lengths):
        ours, paho_s = queued[2 * i], queued[2 * i + 1]
        assert ours == paho_s, f"remaining length {n}"


@pytest.mark.parametrize("inflight", [1000, 3])
def test_sent_messages_arrive_in_order_and_complete(broker, inflight):
    watcher, inbox = make(broker, "watcher2", ("hall/io/s/#",))
    hub, _ = make(broker, "sender2", manual_ack=True, retain_as_published=True, persistent_session=True,
                  max_inflight=inflight)
    with hub.corked():
        for i in range(300):
            hub.send(f"hall/io/s/{i % 5}", b"%d" % i, retain=i == 299)
    got = drain(inbox, 300)
    assert [int(it.payload) for it in got] == list(range(300))
    wait_until(lambda: not hub._client._out_messages, 30, "every sent message completed by its PUBACK")
    assert hub._client._inflight_messages == 0
    late, late_inbox = make(broker, "late", ("hall/io/s/4",))
    assert [it.payload for it in drain(late_inbox, 1)] == [b"299"] and drain(late_inbox, 0) == []
    hub.send("hall/io/s/4", b"", retain=True)  # clean up the retained message
    for c in (late, hub, watcher):
        c.stop()


def test_a_released_batch_is_written_by_its_owner_even_while_paho_s_thread_is_busy(broker):
    """``uncork`` writes the batch on the owner's thread: it reaches the broker while paho's thread is held
    elsewhere (here: inside the hand-over of a read, kept there on purpose), and everything completes once
    that thread goes on."""
    import threading
    watcher, inbox = make(broker, "watcher3", ("hall/io/o/#",))
    owner, _ = make(broker, "owner", ("hall/io/hold",), manual_ack=True, persistent_session=True)
    entered, release = threading.Event(), threading.Event()
    handover = owner._client.on_read_done

    def held() -> None:
        entered.set()
        release.wait(60)
        handover()
    owner._client.on_read_done = held
    watcher.publish("hall/io/hold", b"x")
    try:
        assert entered.wait(20), "paho's thread of the owner read something and is held"
        with owner.corked():
            for i in range(50):
                owner.send(f"hall/io/o/{i % 3}", b"%d" % i)
        got = drain(inbox, 50, timeout=10)
        assert [int(it.payload) for it in got] == list(range(50))
    finally:
        release.set()
    wait_until(lambda: not owner._client._out_messages, 30, "every sent message completed by its PUBACK")
    for c in (owner, watcher):
        c.stop()


def test_the_owner_writes_on_a_plain_connection_and_leaves_a_tls_one_to_paho_s_thread():
    """An OpenSSL connection must not be written by one thread while another reads it: on TLS the released
    batch stays queued for paho's thread; on a plain socket the owner has written it when uncork returns."""
    import socket
    import ssl
    import threading
    from paho.mqtt.enums import CallbackAPIVersion
    packet = bytes((batched.PUBLISH | 2, 7, 0, 2)) + b"t/" + bytes((0, 9)) + b"x"
    for kind in ("plain", "tls"):
        c = batched.BatchedClient(callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"w-{kind}")
        ours, peer = socket.socketpair()
        ours.setblocking(False)  # as paho keeps its socket
        peer.setblocking(False)
        if kind == "tls":
            ours = ssl.create_default_context().wrap_socket(ours, server_hostname="hub",
                                                            do_handshake_on_connect=False)
        c._sock, c._thread = ours, threading.Thread(target=lambda: None)  # paho's thread, as loop_start sets it
        c.cork()
        c._packet_queue(batched.PUBLISH, packet, 9, 1)
        c.uncork()
        if kind == "plain":
            assert peer.recv(100) == packet and not c._out_packet
        else:
            with pytest.raises(BlockingIOError):
                peer.recv(100)
            assert [p["packet"] for p in c._out_packet] == [packet]
        c._sock = c._thread = None
        ours.close()
        peer.close()


def test_what_paho_s_thread_queues_while_corked_stays_behind_what_was_queued_before_it():
    """A PUBACK that frees an in-flight slot makes paho's thread send the next waiting message. During a
    corked batch that message must not overtake the held ones (it once did: a full run saw message 199
    arrive before message 0)."""
    import threading
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    c = batched.BatchedClient(callback_api_version=CallbackAPIVersion.VERSION2, client_id="hold")
    t = threading.Thread(target=lambda: c._packet_queue(batched.PUBLISH, b"from paho's thread", 2, 1))
    c._thread = t  # paho's thread, as loop_start sets it
    c.cork()
    c._packet_queue(batched.PUBLISH, b"first", 1, 1)
    t.start()
    t.join()
    c._packet_queue(batched.PUBACK, b"ack", 3, 1)
    assert not c._out_packet, "nothing leaves while corked"
    c.uncork()
    assert [p["packet"] for p in c._out_packet] == [b"first", b"from paho's thread", b"ack"]
    c._thread = None


def test_the_inbox_takes_many_at_once_and_gives_them_back_in_order():
    import threading
    inbox = Inbox()
    woke: list[Inbound] = []
    waiter = threading.Thread(target=lambda: woke.append(inbox.get(timeout=30)))
    waiter.start()
    inbox.put_many([Inbound(f"t/{i}") for i in range(5)])  # wakes the waiting owner
    waiter.join(30)
    assert [it.topic for it in woke] == ["t/0"]
    inbox.put(Inbound("t/5"))
    assert [it.topic for it in inbox.drain(3)] == ["t/1", "t/2", "t/3"]
    assert inbox.qsize() == 2
    assert [it.topic for it in inbox.drain(100)] == ["t/4", "t/5"]
    assert inbox.drain(100) == [] and inbox.qsize() == 0
