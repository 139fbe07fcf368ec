"""The hub's hot path, measured as an outside integrator would: mosquitto's own C clients for the rates.

One run, one private loopback mosquitto, the hub as its own process (``python -m kiosk hub``) on an open
broker: the hub's non-strict role mode, in which senders the hall does not know are not held to a role
(``strict_roles`` is on only with broker accounts; the role checks themselves still run for every message).

1. **broker pass-through** — ``mosquitto_pub -l -q 1`` of ``LINES`` request lines → ``mosquitto_sub -q 1
   -C LINES`` on a topic nobody else reads: the limit of this broker and these clients on this machine;
   and the **durable echo** (``durable_echo.py``): the same lines as requests to the hub's own bus client,
   batch loop and SQLite settings doing nothing but log, commit, acknowledge and reply, the floor under any
   hub on these parts (its own site, so the hub never sees them), with its CPU per request;
2. **ticket.issue** — the same lines published on ``request/ticket.issue`` (each its own ``txn``, replies
   to one device) → ``mosquitto_sub -C LINES`` on that device's reply topic; every reply must be
   ``"ok":true``. Also the hub's CPU seconds (``/proc/<pid>/stat`` utime + stime; the worker thread's
   alone from ``/proc/<pid>/task/<pid>/stat``, the rest being paho's thread) and bytes written
   (``/proc/<pid>/io`` write_bytes: database, WAL, checkpoints) per ticket of this bulk run;
3. **a ticket's life** — ``LIFE`` tickets one after another, each step waiting for the hub's answer so
   that each is its own transaction, as in the hall: issue → ``next`` at a window → ``complete``. Bytes
   written and CPU per ticket's life;
4. **the burst** — a hall of 100 windows; one publisher sends ``next`` for every window in one write (the
   buttons pressed at once), ``mosquitto_sub -F '%U %t'`` stamps the arrival of each window's retained
   state: press → state p50/p99 over ``ROUNDS`` bursts, and the hub's CPU per burst; one window alone for
   comparison; and the earlier method (a Python publisher sending the presses one after another, a Python
   subscriber stamping them) beside it.

Every wait has a deadline and a missed one raises: a figure is reported only when all its messages came.
The hub's state lives on a disk-backed folder (``/var/tmp``), since a tmpfs writes nothing.
``run() -> dict``; as a script prints JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from kiosk.bus.broker import PrivateBroker  # noqa: E402

SITE = "bench"
ROOT = f"hall/{SITE}/"
LINES = 20000
LIFE = 200
WINDOWS = 100
ROUNDS = 20
SOLO = 200
RATE_TIMEOUT_S = 300.0
CLK_TCK = os.sysconf("SC_CLK_TCK")

ROWS = [
    ("pass_through_msg_per_s", "broker pass-through, mosquitto_pub -l -q 1 → mosquitto_sub -q 1 (msg/s)", "", None),
    ("ticket_issue_replies_per_s", "ticket.issue, mosquitto_pub -l → 20,000 ok replies (replies/s)", "", None),
    ("issue_vs_pass_through", "ticket.issue ÷ pass-through, same run", "≥ 0.5", lambda v: v >= 0.5),
    ("echo.replies_per_s", "durable echo on the hub's parts (log, commit, ack, reply), same lines (replies/s)", "",
     None),
    ("echo.vs_pass_through", "durable echo ÷ pass-through, same run: the floor's ratio", "", None),
    ("echo.cpu_ms_per_request", "durable echo CPU per request (ms)", "", None),
    ("burst.p50", "press → window state, 100 windows at once (one write; mosquitto_sub stamps), p50 (ms)", "", None),
    ("burst.p99", "press → window state, 100 windows at once (one write; mosquitto_sub stamps), p99 (ms)", "≤ 20",
     lambda v: v <= 20),
    ("burst_py.p50", "the same, earlier method (Python publisher one press after another, Python subscriber), p50 (ms)",
     "", None),
    ("burst_py.p99", "the same, earlier method, p99 (ms)", "", None),
    ("solo.p50", "press → window state, one window, p50 (ms)", "", None),
    ("solo.p99", "press → window state, one window, p99 (ms)", "≤ 20", lambda v: v <= 20),
    ("life.write_kib_per_ticket", "hub writes per ticket's life, one transaction a step (KiB)", "", None),
    ("life.cpu_ms_per_ticket", "hub CPU per ticket's life, one transaction a step (ms)", "", None),
    ("bulk.write_kib_per_ticket", "hub writes per ticket, 20,000 issued in bulk (KiB)", "", None),
    ("bulk.cpu_ms_per_ticket", "hub CPU per ticket, 20,000 issued in bulk (ms)", "", None),
    ("bulk.worker_cpu_ms_per_ticket", "… of which the worker thread (ms)", "", None),
    ("bulk.paho_thread_cpu_ms_per_ticket", "… of which paho's network thread (ms)", "", None),
    ("burst.hub_cpu_ms_per_burst", "hub CPU per burst of 100 presses (ms)", "", None),
    ("hub_rss_mb_after_tickets", "hub RSS after 20,000 tickets (MB)", "≤ 60", lambda v: v <= 60),
]


# ---------------------------------------------------------------- the hub process
HALL_TZ = ZoneInfo("Asia/Shanghai")  # the hub's default zone, which the bench's halls keep


def bench_config(path: Path, windows: int) -> Path:
    """A hall with a calendar, as the town's hall has one (every ticket.issue asks it whether walk-ins are
    taken and when the hall closes), whose office hours are the whole of today, hall time, made a working
    day: the run does not depend on the hour or the date (see ``clear_of_midnight``)."""
    calendar = path.with_name(path.stem + "-calendar.toml")
    today = datetime.now(HALL_TZ).date()
    calendar.write_text(f'[[extra_workday]]\ndate = {today.isoformat()}\nreason = "基准测试"\n\n'
                        '[hours]\nclosing_minutes = 15\n\n'
                        '[[hours.season]]\nname = "全天"\nstarts = "01-01"\nsessions = [["00:00", "23:59"]]\n',
                        encoding="utf-8")
    lines = ['[site]\nid = "bench"\nname = "基准测试大厅"\n',
             f'[hub]\ncalendar = "{calendar}"\ncatalog_dir = "{REPO / "config" / "catalog"}"\n',
             '[[categories]]\nid = "A"\nname = "综合"\n']
    for i in range(1, windows + 1):
        lines.append(f'[[windows]]\nid = "w{i}"\nnumber = {i}\nname = "窗口{i}"\nkind = "comprehensive"\n'
                     f'categories = ["A"]\n')
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def clear_of_midnight(minutes: float) -> None:
    """Wait, if need be, so that the next ``minutes`` do not cross midnight in the hall (where the bench
    hall's office hours end and its business day turns)."""
    now = datetime.now(HALL_TZ)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=HALL_TZ)
    if midnight - now < timedelta(minutes=minutes):
        time.sleep((midnight - now).total_seconds() + 30)


def hub_argv(cfg: Path, state: Path, port: int) -> list[str]:
    """The hub's command line on the private broker."""
    return [sys.executable, "-m", "kiosk", "hub", "--config", str(cfg), "--state", str(state),
            "--broker", f"127.0.0.1:{port}", "--no-advertise"]


def start_hub(cfg: Path, state: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(hub_argv(cfg, state, port), cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def stop_hub(hub: subprocess.Popen) -> None:
    hub.terminate()
    try:
        hub.wait(20)
    except subprocess.TimeoutExpired:
        hub.kill()
        hub.wait(5)


def write_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    raise RuntimeError(f"no write_bytes in /proc/{pid}/io")


def cpu_s(pid: int) -> float:
    """utime + stime of the whole process (all its threads), seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def worker_cpu_s(pid: int) -> float:
    """utime + stime of the hub's worker alone (its main thread), seconds; the rest is paho's thread."""
    fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmRSS in /proc/{pid}/status")


# ---------------------------------------------------------------- the C clients
class Sub:
    """``mosquitto_sub -q 1 -C n``: returns once it has subscribed (its SUBACK), output in a file."""

    def __init__(self, port: int, topic: str, n: int, out: Path, name: str) -> None:
        self.out = out
        self.n = n
        self.f = open(out, "wb")
        # line-buffered, so its SUBACK can be seen in the file at once
        self.p = subprocess.Popen(["stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-C", str(n),
                                   "-i", name, "-t", topic, "-d"], stdout=self.f, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while b"SUBACK" not in out.read_bytes():
            if self.p.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mosquitto_sub on {topic} did not subscribe within 10 s")
            time.sleep(0.01)

    def wait(self, timeout: float) -> float:
        """Blocks until the n-th message; the moment it had them all (perf_counter)."""
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            got = self.payloads().count(b"\n")
            raise RuntimeError(f"timed out: only about {got} of {self.n} messages within {timeout:.0f} s") from None
        end = time.perf_counter()
        self.f.close()
        if self.p.returncode != 0:
            raise RuntimeError(f"mosquitto_sub exited with {self.p.returncode}")
        return end

    def payloads(self) -> bytes:
        return b"\n".join(line for line in self.out.read_bytes().splitlines()
                          if line.startswith(b"{")) + b"\n"


def pub_lines(port: int, topic: str, lines: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-l", "-i", name,
                             "-t", topic], stdin=open(lines, "rb"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def c_rate(port: int, topic: str, reply_topic: str, lines: Path, work: Path, tag: str) -> tuple[float, Path]:
    """Publish every line of ``lines`` on ``topic``; the rate at which ``reply_topic`` received as many."""
    n = sum(1 for _ in lines.open("rb"))
    sub = Sub(port, reply_topic, n, work / f"{tag}.out", f"bench-sub-{tag}")
    t0 = time.perf_counter()
    pub = pub_lines(port, topic, lines, f"bench-pub-{tag}")
    end = sub.wait(RATE_TIMEOUT_S)
    try:
        _, err = pub.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        pub.kill()
        raise RuntimeError("mosquitto_pub did not finish after the last message was received") from None
    if pub.returncode != 0:
        raise RuntimeError(f"mosquitto_pub exited with {pub.returncode}: {err.decode(errors='replace')[:200]}")
    return n / (end - t0), sub.out


def request_lines(path: Path, n: int, device: str, tag: str) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"v": 1, "txn": f"{tag}{i}", "reply_to": f"{ROOT}device/{device}/reply",
                                "category": "A", "accept_late": True}, separators=(",", ":")) + "\n")
    return path


# ---------------------------------------------------------------- a Python client for paced steps and the burst
class Client:
    def __init__(self, port: int, name: str, subs: tuple[str, ...] = ()) -> None:
        self.c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=name,
                             protocol=mqtt.MQTTv311)
        self.c.max_inflight_messages_set(1000)
        self.cv = threading.Condition()
        self.got: list[tuple[str, bytes, float]] = []
        ready = threading.Event()
        self.c.on_socket_open = lambda c, u, sock: sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.c.on_connect = lambda c, u, f, rc, p: ([c.subscribe(s, qos=1) for s in subs], ready.set())
        self.c.on_subscribe = lambda *a: None
        self.c.on_message = self._msg
        self.c.connect("127.0.0.1", port)
        self.c.loop_start()
        if not ready.wait(10):
            raise RuntimeError(f"bench client {name} could not connect to 127.0.0.1:{port} within 10 s")

    def _msg(self, c, u, m) -> None:
        t = time.perf_counter()
        with self.cv:
            self.got.append((m.topic, bytes(m.payload), t))
            self.cv.notify_all()

    def wait(self, pred, timeout: float, what: str) -> None:
        with self.cv:
            if not self.cv.wait_for(pred, timeout):
                raise RuntimeError(f"timed out after {timeout} s: {what}")

    def publish(self, topic: str, body: dict) -> None:
        self.c.publish(ROOT + topic, json.dumps(body), qos=1)

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


ECHO_SITE = "bench-echo"


def durable_echo(port: int, reqs: Path, work: Path) -> dict:
    """The floor: ``durable_echo.py`` on a site of its own answers the same lines (see the module's text)."""
    root = f"hall/{ECHO_SITE}/"
    lines = work / "echo-requests.txt"
    lines.write_text(reqs.read_text(encoding="utf-8").replace(ROOT, root), encoding="utf-8")
    echo = subprocess.Popen([sys.executable, str(Path(__file__).with_name("durable_echo.py")), str(port),
                             str(work / "echo.sqlite3"), ECHO_SITE], cwd=REPO)
    try:
        probe = Client(port, "bench-echo-probe", (f"{root}device/bench-echo-probe/reply",))
        deadline = time.monotonic() + 30
        while not probe.got:  # subscribed and answering: a probe request is answered
            if echo.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"durable_echo.py did not answer a probe (exit status {echo.poll()})")
            probe.c.publish(f"{root}request/echo", json.dumps(
                {"v": 1, "txn": f"probe{time.monotonic()}", "reply_to": f"{root}device/bench-echo-probe/reply"}), qos=1)
            time.sleep(0.2)
        probe.close()
        c0 = cpu_s(echo.pid)
        rate, replies = c_rate(port, f"{root}request/echo", f"{root}device/bench-kiosk/reply", lines, work, "echo")
        n = sum(1 for _ in lines.open("rb"))
        ok = replies.read_bytes().count(b'"ok":true')
        if ok != n:
            raise RuntimeError(f"{ok} of {n} durable echo replies were ok")
        return {"replies_per_s": round(rate), "cpu_ms_per_request": round(1000 * (cpu_s(echo.pid) - c0) / n, 3)}
    finally:
        echo.kill()
        echo.wait(10)


def wait_hub(port: int) -> None:
    probe = Client(port, "bench-probe", (f"{ROOT}hub/status", f"{ROOT}device/hub/status"))
    probe.wait(lambda: probe.got, 30, "the hub's retained status")
    probe.close()


def ticket_lives(port: int, n: int) -> None:
    """n tickets, one after another: issue, call at w1, complete; every step waits for the hub's answer."""
    c = Client(port, "bench-life", (f"{ROOT}device/bench-life/reply", f"{ROOT}window/w1/state"))
    c.wait(lambda: any(t.endswith("/state") for t, _, _ in c.got), 10, "w1's retained state")
    seq = 0

    def step(topic: str, body: dict, answer) -> None:
        k = len(c.got)
        c.publish(topic, body)
        c.wait(lambda: any(answer(t, p) for t, p, _ in c.got[k:]), 10, f"the hub's answer to {topic}")

    for i in range(n):
        txn = f"life{i}"
        step("request/ticket.issue", {"v": 1, "txn": txn, "reply_to": f"{ROOT}device/bench-life/reply", "category": "A"},
             lambda t, p: t.endswith("/reply") and json.loads(p)["txn"] == txn and json.loads(p)["ok"])
        for action, state in (("next", "called"), ("complete", None)):
            seq += 1
            step("window/w1/press", {"v": 1, "device": "bench-life-btn", "seq": seq, "action": action},
                 lambda t, p, s=state: t.endswith("/state") and (json.loads(p)["ticket"] or {}).get("state") == s)
    c.close()


def press_latency(port: int, windows: int, rounds: int, tag: str) -> list[float]:
    """One publisher presses ``next`` for every window at once, ``rounds`` times; one subscriber."""
    sub = Client(port, f"bench-states-{tag}", (f"{ROOT}window/+/state",))
    sub.wait(lambda: len({t for t, _, _ in sub.got}) >= WINDOWS if windows > 1 else sub.got, 10,
             "the windows' retained states")
    pub = Client(port, f"bench-buttons-{tag}")
    lat: list[float] = []
    for r in range(1, rounds + 1):
        k = len(sub.got)
        sent: dict[str, float] = {}
        for i in range(1, windows + 1):
            sent[f"w{i}"] = time.perf_counter()
            pub.publish(f"window/w{i}/press", {"v": 1, "device": f"btn{i}-{tag}", "seq": r, "action": "next"})

        def all_in() -> bool:  # every pressed window's new state (not a late retained one of another)
            return {t.split("/")[3] for t, _, _ in sub.got[k:]} >= sent.keys()
        sub.wait(all_in, 60, f"all {windows} windows' new states, round {r}")
        first: dict[str, float] = {}
        for t, _, at in sub.got[k:]:
            first.setdefault(t.split("/")[3], at)
        lat += [first[w] - sent[w] for w in sent]
    pub.close()
    sub.close()
    return lat


class StateWatch:
    """``mosquitto_sub -q 1 -F '%U %t'`` on every window's state: the moment each message arrived, stamped
    by the C client itself (Unix time with nanoseconds), so no Python client sits in the measured path."""

    def __init__(self, port: int, out: Path, windows: int) -> None:
        self.out = out
        self.f = open(out, "wb")
        self.p = subprocess.Popen(["stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1",
                                   "-i", f"bench-watch-{out.stem}", "-t", f"{ROOT}window/+/state", "-F", "%U %t"],
                                  stdout=self.f, stderr=subprocess.STDOUT)
        self.seen = 0
        self.wait_lines(windows, 10, "the windows' retained states")

    def lines(self) -> list[tuple[float, str]]:
        got = []
        text = self.out.read_bytes()
        for line in text[:text.rfind(b"\n") + 1].splitlines()[self.seen:]:  # whole lines only
            at, _, topic = line.decode().partition(" ")
            got.append((float(at), topic.split("/")[3]))
        return got

    def wait_lines(self, n: int, timeout: float, what: str) -> list[tuple[float, str]]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.lines()
            if len(got) >= n:
                self.seen += len(got)
                return got
            if self.p.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"timed out after {timeout} s: {what} ({len(got)} of {n})")
            time.sleep(0.001)

    def close(self) -> None:
        self.p.terminate()
        self.p.wait(10)
        self.f.close()


def press_at_once(port: int, windows: int, rounds: int, work: Path, tag: str) -> list[float]:
    """One publisher sends ``next`` for every window in one write (the buttons pressed at once), ``rounds``
    times; mosquitto_sub stamps each window's new state. Latency: that stamp minus the moment of the write."""
    from kiosk.bus.client import BusClient, BusSettings
    from kiosk.protocol import Topics
    watch = StateWatch(port, work / f"watch-{tag}.txt", WINDOWS)  # the hall's retained states first
    pub = BusClient(BusSettings(host="127.0.0.1", port=port, device_id=f"bench-buttons-{tag}",
                                topics=Topics(SITE), announce_availability=False, max_inflight=1000)).start()
    if not pub.wait_connected(10):
        raise RuntimeError("the bench's button client could not connect")
    lat: list[float] = []
    try:
        for r in range(1, rounds + 1):
            with pub.corked():
                for i in range(1, windows + 1):
                    pub.publish(f"{ROOT}window/w{i}/press", json.dumps(
                        {"v": 1, "device": f"btn{i}-{tag}", "seq": r, "action": "next"}).encode())
                sent = time.time()  # the presses leave in one write when the block ends, right after this
            got = watch.wait_lines(windows, 60, f"all {windows} windows' new states, round {r}")
            first: dict[str, float] = {}
            for at, w in got:
                first.setdefault(w, at)
            if len(first) != windows:
                raise RuntimeError(f"round {r}: states of {len(first)} windows, not {windows}")
            lat += [at - sent for at in first.values()]
    finally:
        pub.stop()
        watch.close()
    return lat


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def ms(xs: list[float]) -> dict:
    return {"p50": round(1000 * statistics.median(xs), 2), "p99": round(1000 * pct(xs, 99), 2), "samples": len(xs)}


# ---------------------------------------------------------------- the run
def run(lines: int = LINES, life: int = LIFE, windows: int = WINDOWS, rounds: int = ROUNDS) -> dict:
    clear_of_midnight(10)
    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-hub-", dir="/var/tmp"))
    out: dict = {"lines": lines, "mode": "open broker, the hub's non-strict role mode"}
    try:
        with PrivateBroker(work / "broker") as broker:
            port = broker.port
            reqs = request_lines(work / "requests.txt", lines, "bench-kiosk", "b")
            # 1. the limit: the broker passing the same lines from one C client to another
            rate, _ = c_rate(port, "bench/pass", "bench/pass", reqs, work, "pass")
            out["pass_through_msg_per_s"] = round(rate)
            out["echo"] = durable_echo(port, reqs, work)
            out["echo"]["vs_pass_through"] = round(out["echo"]["replies_per_s"] / out["pass_through_msg_per_s"], 2)
            # 2 + 3. the town's hall (9 windows)
            hub = start_hub(bench_config(work / "hall.toml", 9), work / "state-hall", port)
            try:
                wait_hub(port)
                w0, c0 = write_bytes(hub.pid), cpu_s(hub.pid)
                ticket_lives(port, life)
                w1, c1, k1 = write_bytes(hub.pid), cpu_s(hub.pid), worker_cpu_s(hub.pid)
                out["life"] = {"tickets": life, "write_kib_per_ticket": round((w1 - w0) / life / 1024, 2),
                               "cpu_ms_per_ticket": round(1000 * (c1 - c0) / life, 2)}
                rate, replies = c_rate(port, f"{ROOT}request/ticket.issue", f"{ROOT}device/bench-kiosk/reply",
                                       reqs, work, "issue")
                w2, c2, k2 = write_bytes(hub.pid), cpu_s(hub.pid), worker_cpu_s(hub.pid)
                ok = replies.read_bytes().count(b'"ok":true')
                if ok != lines:
                    raise RuntimeError(f"{ok} of {lines} ticket.issue replies were ok")
                out["ticket_issue_replies_per_s"] = round(rate)
                out["issue_vs_pass_through"] = round(rate / out["pass_through_msg_per_s"], 2)
                out["bulk"] = {"tickets": lines, "write_kib_per_ticket": round((w2 - w1) / lines / 1024, 2),
                               "cpu_ms_per_ticket": round(1000 * (c2 - c1) / lines, 3),
                               "worker_cpu_ms_per_ticket": round(1000 * (k2 - k1) / lines, 3),
                               "paho_thread_cpu_ms_per_ticket": round(1000 * ((c2 - c1) - (k2 - k1)) / lines, 3),
                               "hub_share_of_a_core": round((c2 - c1) * rate / lines, 2)}
                out["hub_rss_mb_after_tickets"] = rss_mb(hub.pid)
            finally:
                stop_hub(hub)
            # 4. the burst: 100 windows
            hub = start_hub(bench_config(work / "big.toml", windows), work / "state-big", port)
            try:
                wait_hub(port)
                c_rate(port, f"{ROOT}request/ticket.issue", f"{ROOT}device/bench-kiosk/reply",
                       request_lines(work / "stock.txt", 2 * windows * rounds + SOLO + 100, "bench-kiosk", "s"),
                       work, "stock")
                out["solo"] = ms(press_at_once(port, 1, SOLO, work, "solo"))
                c3 = cpu_s(hub.pid)
                out["burst"] = {**ms(press_at_once(port, windows, rounds, work, "burst")), "windows": windows,
                                "hub_cpu_ms_per_burst": round(1000 * (cpu_s(hub.pid) - c3) / rounds, 1)}
                # the earlier method, for comparison: Python publisher (one press after another) and subscriber
                out["burst_py"] = ms(press_latency(port, windows, rounds, "burst-py"))
            finally:
                stop_hub(hub)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
