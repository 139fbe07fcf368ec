"""Hub benchmarks on a private loopback mosquitto, the hub running as its own process.

- press → window/<w>/state seen by a subscriber, p50/p99, 100 windows pressing at once
- durable commands/s (ticket.issue with replies, group commit) next to the raw paho+mosquitto QoS 1
  rate measured in the same run
- hub RSS after 10,000 tickets

``run() -> dict``; as a script prints JSON.
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import psutil
from paho.mqtt.enums import CallbackAPIVersion

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from kiosk.bus.broker import PrivateBroker  # noqa: E402

SITE = "bench"


def bench_config(path: Path, windows: int) -> Path:
    lines = ['[site]\nid = "bench"\nname = "基准测试大厅"\n',
             f'[hub]\ncalendar = "{REPO / "config" / "calendar.toml"}"\ncatalog_dir = "{REPO / "config" / "catalog"}"\n',
             '[[categories]]\nid = "A"\nname = "综合"\n']
    for i in range(1, windows + 1):
        lines.append(f'[[windows]]\nid = "w{i}"\nnumber = {i}\nname = "窗口{i}"\nkind = "comprehensive"\n'
                     f'categories = ["A"]\n')
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class Client:
    def __init__(self, port: int, name: str, subs: tuple[str, ...] = ()) -> None:
        self.c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=name,
                             protocol=mqtt.MQTTv311)
        self.c.max_inflight_messages_set(1000)
        self.c.max_queued_messages_set(0)
        self.ready = threading.Event()
        self.subs = subs
        self.on_msg = lambda topic, payload, t: None
        self.c.on_socket_open = lambda c, u, sock: sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.c.on_connect = self._conn
        self.c.on_message = lambda c, u, m: self.on_msg(m.topic, m.payload, time.perf_counter())
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        if not self.ready.wait(10):
            raise RuntimeError(f"bench client {name} could not connect to 127.0.0.1:{port} within 10 s")

    def _conn(self, c, u, f, rc, p):
        for s in self.subs:
            c.subscribe(s, qos=1)
        self.ready.set()

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def start_hub(cfg: Path, state: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kiosk", "hub", "--config", str(cfg), "--state", str(state),
                             "--broker", f"127.0.0.1:{port}", "--no-advertise"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(pred, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise RuntimeError(f"timed out: {what}")
        time.sleep(0.005)


def issue_many(port: int, n: int, window: int = 500) -> float:
    """Pipeline n ticket.issue requests (at most `window` outstanding); returns replies per second."""
    got = 0
    lock = threading.Lock()
    done = threading.Event()

    cl = Client(port, "bench-kiosk", (f"hall/{SITE}/device/bench-kiosk/reply",))

    def on(topic, payload, t):
        nonlocal got
        with lock:
            got += 1
            if got >= n:
                done.set()
    cl.on_msg = on
    t0 = time.perf_counter()
    for i in range(n):
        while i - got >= window:
            time.sleep(0.0005)
        body = {"v": 1, "txn": f"b{i}-{t0}", "reply_to": f"hall/{SITE}/device/bench-kiosk/reply", "category": "A"}
        cl.c.publish(f"hall/{SITE}/request/ticket.issue", json.dumps(body), qos=1)
    finished = done.wait(300)
    dt = time.perf_counter() - t0
    cl.close()
    if not finished:
        raise RuntimeError(f"only {got} of {n} ticket.issue replies within 300 s: no rate to report")
    return n / dt


def raw_rate(port: int, n: int, window: int = 500) -> float:
    """The same pipelined request/answer shape, but the 'hub' is a bare paho echo: the ceiling."""
    echo = Client(port, "bench-echo", (f"hall/{SITE}/raw/req",))
    echo.on_msg = lambda topic, payload, t: echo.c.publish(f"hall/{SITE}/raw/rep", payload, qos=1)
    got = 0
    done = threading.Event()
    cl = Client(port, "bench-raw", (f"hall/{SITE}/raw/rep",))

    def on(topic, payload, t):
        nonlocal got
        got += 1
        if got >= n:
            done.set()
    cl.on_msg = on
    t0 = time.perf_counter()
    for i in range(n):
        while i - got >= window:
            time.sleep(0.0005)
        cl.c.publish(f"hall/{SITE}/raw/req", json.dumps({"v": 1, "i": i}), qos=1)
    finished = done.wait(300)
    dt = time.perf_counter() - t0
    cl.close()
    echo.close()
    if not finished:
        raise RuntimeError(f"only {got} of {n} echoes within 300 s: no rate to report")
    return n / dt


def press_latency(port: int, windows: int, rounds: int) -> list[float]:
    """All windows press 'next' at once, `rounds` times; latency to each window's new state."""
    sent: dict[str, float] = {}
    lat: list[float] = []
    pending: set[str] = set()
    lock = threading.Lock()
    sub = Client(port, "bench-board", (f"hall/{SITE}/window/+/state",))

    def on(topic, payload, t):
        w = topic.split("/")[3]
        with lock:
            if w in pending:
                pending.discard(w)
                lat.append(t - sent[w])
    sub.on_msg = on
    tag = f"{windows}x{rounds}"  # a fresh device id per run, so the hub's (device, seq) dedupe sees new presses
    buttons = [Client(port, f"bench-btn{i}-{tag}") for i in range(1, windows + 1)]
    time.sleep(0.5)  # let retained states arrive before measuring
    seq = 0
    for _ in range(rounds):
        seq += 1
        with lock:
            pending.update(f"w{i}" for i in range(1, windows + 1))
        for i, b in enumerate(buttons, start=1):
            w = f"w{i}"
            sent[w] = time.perf_counter()
            b.c.publish(f"hall/{SITE}/window/{w}/press",
                        json.dumps({"v": 1, "device": f"btn{i}-{tag}", "seq": seq, "action": "next"}), qos=1)
        wait_for(lambda: not pending, 60, "all windows' states")
    for b in buttons:
        b.close()
    sub.close()
    return lat


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def run(windows: int = 100, rounds: int = 20, n_cmds: int = 5000, rss_tickets: int = 10000) -> dict:
    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    out: dict = {}
    with PrivateBroker(work / "broker") as broker:
        # 1. latency: a hall with `windows` windows, all pressing at once
        hub = start_hub(bench_config(work / "big.toml", windows), work / "state-big", broker.port)
        try:
            wait_hub(broker.port)
            issue_many(broker.port, windows * rounds + 300)
            solo = press_latency(broker.port, 1, 200)
            out["press_to_state_ms_single_window"] = {"p50": round(1000 * statistics.median(solo), 2),
                                                      "p99": round(1000 * pct(solo, 99), 2), "samples": len(solo)}
            lat = press_latency(broker.port, windows, rounds)
            out["press_to_state_ms"] = {"p50": round(1000 * statistics.median(lat), 2),
                                        "p99": round(1000 * pct(lat, 99), 2), "samples": len(lat),
                                        "windows": windows}
        finally:
            hub.terminate()
            hub.wait(10)
        # 2. throughput and memory: a hall of this town's size (9 counters)
        hub = start_hub(bench_config(work / "hall.toml", 9), work / "state-hall", broker.port)
        try:
            wait_hub(broker.port)
            issue_many(broker.port, rss_tickets)
            time.sleep(0.5)
            out["hub_rss_mb_after_tickets"] = {"tickets": rss_tickets,
                                               "rss_mb": round(psutil.Process(hub.pid).memory_info().rss / 2**20, 1)}
            raws, durs = [], []
            for _ in range(3):  # interleaved, so both see the same machine load
                raws.append(raw_rate(broker.port, n_cmds))
                durs.append(issue_many(broker.port, n_cmds))
            out["durable_cmds_per_s"] = round(statistics.median(durs))
            out["raw_roundtrip_per_s"] = round(statistics.median(raws))
            out["durable_vs_raw"] = round(statistics.median(durs) / statistics.median(raws), 2)
        finally:
            hub.terminate()
            hub.wait(10)
    return out


def wait_hub(port: int) -> None:
    probe = Client(port, "bench-probe", (f"hall/{SITE}/device/hub/availability",))
    seen = threading.Event()
    probe.on_msg = lambda topic, payload, t: payload == b"online" and seen.set()
    up = seen.wait(20)
    probe.close()
    if not up:
        raise RuntimeError("the hub did not come online within 20 s")


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
