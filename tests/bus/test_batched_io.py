"""The bus client's batched I/O (one recv for many messages, one write for a corked batch) against a real
mosquitto: nothing lost, nothing reordered, nothing split wrongly at a read's edge, and QoS 1 completion
(PUBACKs) and QoS 0 publications still handled one by one."""

from __future__ import annotations

import queue

import pytest

from kiosk.bus import client as bus_client
from kiosk.bus.client import BusClient, BusSettings, Inbound
from kiosk.protocol import Topics
from tests.mqtt_helpers import wait_until


def make(broker, name: str, subs: tuple[str, ...] = (), **kw) -> tuple[BusClient, "queue.Queue[Inbound]"]:
    inbox: queue.Queue[Inbound] = queue.Queue()
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
    monkeypatch.setattr(bus_client, "READ_CHUNK", 1000)


@pytest.mark.parametrize("chunk", ["default", "small"])
def test_many_messages_read_together_arrive_whole_and_in_order(broker, request, chunk):
    if chunk == "small":
        request.getfixturevalue("small_reads")
    # the hub's own kind of connection: MQTT 5, manual acknowledgement, a persistent session
    hub, inbox = make(broker, "hubish", ("hall/io/in/#",), manual_ack=True, retain_as_published=True,
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
