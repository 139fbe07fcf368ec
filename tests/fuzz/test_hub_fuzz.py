"""Hostile messages through the real broker into the real hub process.

Proves: the hub never dies; its memory (RSS) stays flat from the first quarter of the run to the last;
every message it refuses shows up on ``hub/error`` with a code and a reason — counted against what the
codec says about each message (a retained command is always refused) — and a request that names a usable ``reply_to`` gets an answer; messages
on topics the hub does not subscribe to (extra levels, other sites …) stay silent; no message causes an
``internal_error``. The default run sends 2,000 messages; ``pytest -m slow tests/fuzz`` sends 100,000.
"""

from __future__ import annotations

import json
import statistics
import threading
from collections import Counter

import paho.mqtt.client as mqtt
import psutil
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from kiosk.protocol import ProtocolError, Topics, decode_press, decode_request, envelope_of
from tests.faults.helpers import quick_config
from tests.mqtt_helpers import wait_until

from .corpus import ROOT, Corpus

HALL_WINDOWS = {f"w{i}" for i in range(1, 10)} | {"desk"}


def subscribed(topic: str) -> bool:
    """Does the hub's subscription (window/+/press, request/+) match this topic name?"""
    lv = topic.split("/")
    return lv[:2] == ["hall", "huangtan"] and (
        (len(lv) == 5 and lv[2] == "window" and lv[4] == "press") or (len(lv) == 4 and lv[2] == "request"))


class Expectation:
    """What the hub must say about each message, from the codec alone."""

    def __init__(self) -> None:
        self.t = Topics("huangtan")
        self.errors: Counter[str] = Counter()  # hub/error codes certain to appear
        self.maybe = 0  # well-formed presses and requests: refused by the queue or a feature, or applied
        self.reply_txns: Counter[str] = Counter()  # txns certain to get an answer on device/fuzz/reply
        self.silent = 0

    def add(self, topic: str, payload: bytes, retain: bool = False) -> None:
        if not subscribed(topic):
            self.silent += 1
            return
        if retain:  # a retained command is refused whatever it holds (and deleted; never answered)
            self.errors["retained_command"] += 1
            return
        kind, arg = self.t.parse(topic)
        if kind == "press":
            try:
                decode_press(payload)
            except ProtocolError as exc:
                self.errors[exc.code] += 1
                return
            if arg not in HALL_WINDOWS:
                self.errors["unknown_window"] += 1
            else:
                self.maybe += 1
            return
        try:
            req = decode_request(arg or "", payload)
        except ProtocolError as exc:
            self.errors[exc.code] += 1
            env = envelope_of(payload)
            if env and self.t.reply_device(env[1]) == "fuzz":
                self.reply_txns[env[0]] += 1
            return
        if self.t.reply_device(req.reply_to) is None:
            self.errors["bad_reply_to"] += 1
            return
        self.maybe += 1  # the feature may refuse it (on hub/error too) or do it
        if self.t.reply_device(req.reply_to) == "fuzz":
            self.reply_txns[req.txn] += 1


class Listener:
    def __init__(self, port: int) -> None:
        self.errors: list[dict] = []
        self.replies: list[dict] = []
        self.control: set[str] = set()
        self.lock = threading.Lock()
        up = threading.Event()
        self.c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id="fuzz-listener",
                             protocol=mqtt.MQTTv311)
        self.c.on_connect = lambda c, *a: (c.subscribe([(ROOT + "hub/error", 1), (ROOT + "device/fuzz/reply", 1),
                                                        (ROOT + "device/fuzzctl/reply", 1)]), up.set())
        self.c.on_message = self._msg
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        assert up.wait(10)

    def _msg(self, c, u, m):
        body = json.loads(m.payload)
        with self.lock:
            if m.topic.endswith("hub/error"):
                self.errors.append(body)
            elif m.topic.endswith("fuzzctl/reply"):
                self.control.add(body.get("txn"))
            else:
                self.replies.append(body)

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def _fuzz_hub(hub_process, broker, total: int, chunk: int, seed: int) -> dict:
    proc = hub_process(quick_config())
    listener = Listener(broker.port)
    pub = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id="fuzz-pub", protocol=mqtt.MQTTv311)
    pub.max_inflight_messages_set(500)
    pub.connect("127.0.0.1", broker.port)
    pub.loop_start()
    ps = psutil.Process(proc.proc.pid)
    # the hub is up when it answers
    wait_until(lambda: (pub.publish(ROOT + "request/ticket.info", json.dumps(
        {"v": 1, "txn": "hello", "reply_to": ROOT + "device/fuzzctl/reply", "ticket": "A001"}), qos=1) and False)
        or "hello" in listener.control, timeout=30, what="the hub")
    exp = Expectation()
    corpus = Corpus(seed, big_every=max(50, total // 200))
    rss: list[float] = []
    for k in range(0, total, chunk):
        for topic, payload, retain in corpus.take(min(chunk, total - k)):
            retain = retain and bool(payload)  # an empty retained message would only clear the slot
            exp.add(topic, payload, retain)
            pub.publish(topic, payload, qos=1, retain=retain)
        # a marker behind the chunk: when it is answered, the hub has handled everything before it
        txn = f"mark-{k}"
        pub.publish(ROOT + "request/ticket.info", json.dumps(
            {"v": 1, "txn": txn, "reply_to": ROOT + "device/fuzzctl/reply", "ticket": "Z999"}), qos=1)
        wait_until(lambda: txn in listener.control, timeout=60, what=f"the hub to get through message {k + chunk}")
        assert proc.proc.poll() is None, "the hub died"
        rss.append(ps.memory_info().rss / 2**20)
    sure = sum(exp.errors.values())
    wait_until(lambda: len(listener.errors) >= sure and
               sum(1 for r in listener.replies if r.get("txn") in exp.reply_txns) >= sum(exp.reply_txns.values()),
               timeout=30, what="every refusal on hub/error")
    alive = proc.proc.poll() is None
    pub.disconnect()
    pub.loop_stop()
    listener.close()
    proc.stop()
    return {"exp": exp, "errors": list(listener.errors), "replies": list(listener.replies), "rss": rss,
            "alive": alive}


def _check(r: dict, total: int, *, rss_ratio: float | None = None, rss_growth_mb: float | None = None) -> dict:
    exp, errors = r["exp"], r["errors"]
    assert r["alive"], "the hub died"
    seen = Counter(e.get("code") for e in errors)
    assert "internal_error" not in seen, [e for e in errors if e.get("code") == "internal_error"][:5]
    assert all(isinstance(e.get("code"), str) and e["code"] and isinstance(e.get("reason"), str) and e["reason"]
               for e in errors), "a hub/error without code or reason"
    assert all(subscribed(e["topic"]) or len(e["topic"]) >= 200 for e in errors), "a message on a topic the hub " \
                                                                                   "does not take was answered"
    for code, n in exp.errors.items():  # the queue and the features refuse well-formed messages with these too
        assert n <= seen[code] <= n + exp.maybe, f"{code}: expected {n} on hub/error, saw {seen[code]}"
    extra = sum(seen.values()) - sum(exp.errors.values())
    assert 0 <= extra <= exp.maybe, "refusals of well-formed messages exceed the well-formed messages"
    got = Counter(rep.get("txn") for rep in r["replies"])
    missing = [t for t in exp.reply_txns if got[t] < 1]
    assert not missing, f"requests with a usable reply_to left unanswered: {missing[:5]}"
    # Measured from the second quarter: every 50th message is a 1 MB payload, and RSS climbs steeply while
    # the heap grows to hold those (44 → 62 MB over the first 4,000 messages of the 100k run, slowly after).
    # The first quarter's samples fall in that climb. The quick run (4,000 messages) lies wholly in it, and
    # how high it climbs depends on how many 1 MB payloads wait in the hub at once: 14–19 MB from the second
    # quarter to the last, on a quiet machine and with both cores busy. So it is held to megabytes, not to a
    # ratio, which a smaller start (the hub giving large blocks back) would tighten for the same growth; a
    # hub keeping every 1 MB payload grew 37 MB there and fails.
    q = max(1, len(r["rss"]) // 4)
    first, last = statistics.fmean(r["rss"][q:2 * q]), statistics.fmean(r["rss"][-q:])
    if rss_ratio is not None:
        assert last <= first * rss_ratio, f"hub RSS grew from {first:.1f} MB to {last:.1f} MB"
    if rss_growth_mb is not None:
        assert last - first <= rss_growth_mb, f"hub RSS grew from {first:.1f} MB to {last:.1f} MB"
    return {"messages": total, "silent": exp.silent, "refusals": sum(seen.values()), "rss_first_mb": round(first, 1),
            "rss_last_mb": round(last, 1), "codes": dict(seen)}


def test_hub_fuzz_quick(hub_process, broker):
    r = _fuzz_hub(hub_process, broker, total=4000, chunk=250, seed=1)
    figures = _check(r, 4000, rss_growth_mb=28)
    print("fuzz figures:", json.dumps(figures, ensure_ascii=False))
    assert figures["refusals"] > 500 and figures["silent"] > 20


@pytest.mark.slow
def test_hub_fuzz_100k(hub_process, broker):
    r = _fuzz_hub(hub_process, broker, total=100_000, chunk=1000, seed=2)
    figures = _check(r, 100_000, rss_ratio=1.15)
    print("fuzz figures:", json.dumps(figures, ensure_ascii=False))
