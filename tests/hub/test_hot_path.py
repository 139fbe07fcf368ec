"""The hub's hot path, run in process on a real store with a bus that records what would be published:
one board per batch, window states and the board byte for byte what encoding each whole view gives, a
retry inside the same batch answered from the batch's own (not yet written) rows, and nothing published
or acknowledged for a batch whose commit failed."""

from __future__ import annotations

import contextlib
import json

import pytest

from kiosk.bus.client import Inbound
from kiosk.core.views import board_view, window_view
from kiosk.protocol import encode
from kiosk.store.db import PAGE_SIZE


class RecordingBus:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bool]] = []
        self.acked: list[int] = []
        self.writes: list[list[str]] = []  # what each corked block released together: topics, "ack <mid>"
        self._block: list[str] | None = None

    def publish(self, topic, payload, *, qos=1, retain=False):
        self.sent.append((topic, payload, retain))
        self._note(topic)

    def send(self, topic, payload, *, retain=False):
        self.sent.append((topic, payload, retain))
        self._note(topic)

    def ack(self, item):
        self.acked.append(item.mid)
        self._note(f"ack {item.mid}")

    def _note(self, what: str) -> None:
        if self._block is not None:
            self._block.append(what)

    @contextlib.contextmanager
    def corked(self):
        self._block = []
        try:
            yield
        finally:
            self.writes.append(self._block)
            self._block = None

    def start(self):
        return self

    def stop(self):
        pass


@pytest.fixture
def hub(hall_cfg, tmp_path):
    from kiosk.hub.service import Hub
    h = Hub(hall_cfg, state_dir=tmp_path / "state", host="127.0.0.1", port=1)
    h.bus = RecordingBus()
    h._process([Inbound("", connected=True)])  # the first connection: every retained state once
    yield h
    h.store.close()


def issue(hub, txn: str, mid: int, device: str = "kiosk-1") -> Inbound:
    body = {"v": 1, "txn": txn, "reply_to": hub.topics.reply(device), "category": "A"}
    return Inbound(hub.topics.request("ticket.issue"), json.dumps(body).encode(), mid=mid, qos=1)


def press(hub, window: str, seq: int, mid: int) -> Inbound:
    body = {"v": 1, "device": f"btn-{window}", "seq": seq, "action": "next"}
    return Inbound(hub.topics.press(window), json.dumps(body).encode(), mid=mid, qos=1)


def on(hub, topic: str) -> list[bytes]:
    return [p for t, p, _ in hub.bus.sent if t == topic]


def test_a_batch_publishes_one_board_and_each_state_as_the_whole_view_encodes(hub):
    hub.bus.sent.clear()
    hub._process([issue(hub, f"t{i}", mid=i + 1) for i in range(30)])
    boards = on(hub, hub.topics.board)
    assert len(boards) == 1, "one board per batch, not one per command"
    board = json.loads(boards[0])
    expected = board_view(hub.queue)
    expected.update(version=hub.version, at=board["at"], site=hub.cfg.site_id, name=hub.cfg.name)
    assert boards[0] == encode(expected)
    for w in hub.cfg.hall.windows:
        states = on(hub, hub.topics.window_state(w.id))
        assert len(states) == 1
        assert states[0] == encode({**window_view(hub.queue, w.id), "version": hub.version})
    assert len(on(hub, hub.topics.reply("kiosk-1"))) == 30
    assert sorted(hub.bus.acked) == list(range(1, 31))


def test_a_retry_in_the_same_batch_gets_the_same_answer_and_issues_nothing_more(hub):
    hub._process([issue(hub, "same", 1), issue(hub, "other", 2), issue(hub, "same", 3)])
    replies = on(hub, hub.topics.reply("kiosk-1"))
    assert len(replies) == 3 and replies[0] == replies[2] and replies[0] != replies[1]
    assert len(hub.queue.state.tickets) == 2
    assert hub.store.stored_reply("kiosk-1", "same") == {k: v for k, v in json.loads(replies[0]).items() if k != "v"}
    hub.bus.sent.clear()
    hub._process([issue(hub, "same", 4)])  # a later retry: from the committed row
    assert on(hub, hub.topics.reply("kiosk-1")) == [replies[0]]


def test_a_redelivered_press_in_the_same_batch_is_applied_once(hub):
    w = hub.cfg.hall.windows[0].id
    hub._process([issue(hub, f"t{i}", i + 1) for i in range(3)])
    hub._process([press(hub, w, 1, 10), press(hub, w, 1, 11)])
    called = [t for t in hub.queue.state.tickets.values() if t.state.value == "called"]
    assert len(called) == 1 and hub.queue.state.windows[w].current == called[0].id
    assert hub.store.press_seen(w, f"btn-{w}", 1) == "ok"


def test_a_failed_commit_publishes_and_writes_nothing_of_the_batch(hub, monkeypatch):
    from kiosk.errors import StoreError
    hub._process([issue(hub, "kept", 1)])
    seq = hub.store.last_seq()

    def broken(self):
        raise StoreError("disk full (simulated at the batch's end)")
    monkeypatch.setattr(type(hub.store), "_write_pending", broken)
    hub.bus.sent.clear()
    hub._process([issue(hub, "lost", 2)])
    monkeypatch.undo()
    replies = [json.loads(p) for p in on(hub, hub.topics.reply("kiosk-1"))]
    assert [r["ok"] for r in replies] == [False] and replies[0]["error"]["code"] == "store_unavailable"
    assert hub.store.last_seq() == seq and hub.store.stored_reply("kiosk-1", "lost") is None
    assert len(hub.queue.state.tickets) == 1  # memory rebuilt from what was committed
    hub._process([issue(hub, "lost", 3)])  # the retry is applied now, with the next seq
    assert json.loads(on(hub, hub.topics.reply("kiosk-1"))[-1])["ok"] and hub.store.last_seq() == seq + 1


def test_a_new_state_file_has_small_pages(hub):
    assert hub.store._db.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE == 1024


def test_a_stop_from_a_signal_handler_never_waits_for_the_inbox_lock(hub):
    """A SIGTERM handler runs on the worker's thread, possibly while that thread holds the inbox's lock
    inside ``Queue.get``: stopping must then only set the flag (a put there hung a hub for good)."""
    import threading
    done = threading.Event()

    def handler_while_the_lock_is_held():
        with hub.inbox.mutex:  # as in Queue.get, interrupted by the signal
            hub.stop(from_signal=True)
        done.set()
    t = threading.Thread(target=handler_while_the_lock_is_held, daemon=True)
    t.start()
    assert done.wait(5), "stopping from a signal handler waited for the inbox's lock"
    assert hub._stop.is_set()
    hub.run()  # returns: the worker sees the flag without being woken (its wait has a 1 s timeout)


@pytest.mark.parametrize("table", ["replies", "presses"])
def test_the_batch_lookup_searches_by_primary_key_and_never_scans_the_table(hub, table):
    """The replies and presses tables grow all day; a lookup that scans them made every batch slower than
    the one before (4 ms a batch at 20,000 rows)."""
    from kiosk.store.db import prefetch_sql
    n = 3 if table == "presses" else 2
    plan = hub.store._db.execute("EXPLAIN QUERY PLAN " + prefetch_sql(table, 50), ("x",) * (50 * n)).fetchall()
    details = [row[-1] for row in plan]
    assert any(d.startswith(("SEARCH t USING PRIMARY KEY", "SEARCH t USING INDEX")) for d in details), details
    assert not any(d.startswith("SCAN t") for d in details), details


def test_the_batch_lookup_finds_committed_rows_and_only_those(hub):
    w = hub.cfg.hall.windows[0].id
    hub._process([issue(hub, f"t{i}", i + 1) for i in range(5)])
    hub._process([press(hub, w, 1, 10)])
    with hub.store.batch():
        hub.store.prefetch([("kiosk-1", "t3"), ("kiosk-1", "nope"), ("kiosk-2", "t3")],
                           [(w, f"btn-{w}", 1), (w, f"btn-{w}", 2), ("w2", f"btn-{w}", 1)])
        assert hub.store.stored_reply("kiosk-1", "t3")["ok"] is True
        assert hub.store.stored_reply("kiosk-1", "nope") is None
        assert hub.store.stored_reply("kiosk-2", "t3") is None
        assert hub.store.press_seen(w, f"btn-{w}", 1) == "ok"
        assert hub.store.press_seen(w, f"btn-{w}", 2) is None
        assert hub.store.press_seen("w2", f"btn-{w}", 1) is None


def test_kept_window_parts_always_equal_a_fresh_encoding_of_the_view(hub):
    """Each window's JSON is kept until what its view shows changes; after every kind of press, and a
    rebuild of memory from disk, every state and board published must be byte for byte the whole view."""
    import random
    rng = random.Random(7)
    wins = [w.id for w in hub.cfg.hall.windows]
    cats = [c.id for c in hub.cfg.hall.categories]
    mid, seq = 100, 0
    states: set[str] = set()
    for step in range(60):
        hub.bus.sent.clear()
        batch = []
        for _ in range(rng.randint(1, 6)):
            mid += 1
            if rng.random() < 0.35:
                body = {"v": 1, "txn": f"s{mid}", "reply_to": hub.topics.reply("kiosk-1"), "category": rng.choice(cats)}
                batch.append(Inbound(hub.topics.request("ticket.issue"), json.dumps(body).encode(), mid=mid, qos=1))
                continue
            w = rng.choice(wins)
            seq += 1
            action = rng.choice(["next", "recall", "start", "complete", "skip", "pause", "resume", "next", "complete"])
            body = {"v": 1, "device": f"btn-{w}", "seq": seq, "action": action}
            if action == "pause":
                body["reason"] = "休息"
            batch.append(Inbound(hub.topics.press(w), json.dumps(body).encode(), mid=mid, qos=1))
        hub._process(batch)
        states |= {t.state.value for t in hub.queue.state.tickets.values()}
        states |= {f"window:{r.status.value}" for r in hub.queue.state.windows.values()}
        if step == 30:
            hub.queue = hub._recover()  # as after a failed handler: new objects, the same state
        for w in wins:
            for payload in on(hub, hub.topics.window_state(w)):
                assert payload == encode({**window_view(hub.queue, w), "version": hub.version}), (step, w)
        for payload in on(hub, hub.topics.board):
            board = json.loads(payload)
            expected = board_view(hub.queue)
            expected.update(version=hub.version, at=board["at"], site=hub.cfg.site_id, name=hub.cfg.name)
            assert payload == encode(expected), step
    # the walk did reach the states that change a view
    assert {"called", "serving", "completed", "no_show", "window:paused"} <= states, states


def test_a_steady_stream_takes_no_snapshot_and_the_first_quiet_second_does(hub, monkeypatch):
    """A snapshot is the whole day's state (megabytes late in a busy day): it waits for a whole inbox
    wait with nothing arriving, not for a moment between two batches of a stream."""
    import sqlite3
    import threading
    import time
    from kiosk.hub import service
    monkeypatch.setattr(service, "SNAPSHOT_EVERY", 3)

    def snapshots() -> int:
        with contextlib.closing(sqlite3.connect(hub.store.path)) as db:
            return db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0]
    before = snapshots()
    worker = threading.Thread(target=hub.run, daemon=True)
    worker.start()
    try:
        for i in range(15):  # a ticket every 0.1 s for 1.5 s: the inbox is empty between them
            hub.inbox.put(issue(hub, f"stream{i}", mid=i + 1))
            time.sleep(0.1)
        assert len(on(hub, hub.topics.reply("kiosk-1"))) >= 10, "the stream was being served"
        assert snapshots() == before, "a snapshot was taken in the middle of the stream"
        deadline = time.monotonic() + 10
        while snapshots() == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert snapshots() > before, "no snapshot after the stream stopped"
    finally:
        hub.stop()
        worker.join(10)


def test_the_board_waits_for_the_last_batch_of_a_burst_but_never_long(hub):
    """While more messages already wait in the inbox, a batch sends its window states and leaves the board
    (the biggest message) to a later batch; the board that goes out shows everything. A stream that never
    lets the inbox empty still gets a board with its first batch BOARD_DEFER_MAX_S after a change."""
    from kiosk.hub import service
    t = [hub.clock()]
    hub.clock = lambda: t[0]
    hub.bus.sent.clear()
    hub.inbox.put(Inbound("", connected=None))  # something waiting behind this batch
    hub._process([issue(hub, "b1", mid=1)])
    assert on(hub, hub.topics.board) == [], "the board went out with more waiting"
    assert on(hub, hub.topics.reply("kiosk-1")), "the reply does not wait"
    assert on(hub, hub.topics.window_state(hub.cfg.hall.windows[0].id)), "window states do not wait"
    hub.inbox.drain(10)
    hub._process([issue(hub, "b2", mid=2)])  # the last batch: nothing behind it
    boards = on(hub, hub.topics.board)
    assert len(boards) == 1
    board = json.loads(boards[0])
    assert board["version"] == hub.version and sum(c["waiting"] for c in board["categories"]) >= 2
    expected = board_view(hub.queue)
    expected.update(version=hub.version, at=board["at"], site=hub.cfg.site_id, name=hub.cfg.name)
    assert boards[0] == encode(expected)

    hub.bus.sent.clear()
    hub.inbox.put(Inbound("", connected=None))  # the inbox never empties from here on
    batches, boards_at = [], []
    for i in range(12):
        t[0] += service.BOARD_DEFER_MAX_S / 4
        hub._process([issue(hub, f"s{i}", mid=10 + i)])
        batches.append(t[0])
        boards_at += [t[0]] * len(on(hub, hub.topics.board))
        hub.bus.sent.clear()
    assert len(boards_at) >= 2, "a stream that never pauses got no board"
    step = service.BOARD_DEFER_MAX_S / 4  # a board goes with the first batch BOARD_DEFER_MAX_S after
    for at in batches:  # every change is on a board by then (the last ones may still be owed)
        assert at > boards_at[-1] or any(at <= b <= at + service.BOARD_DEFER_MAX_S + step for b in boards_at)


class _Node:
    """Something the cycle collector tracks and a weak reference can watch."""


def _holds(obj) -> bool:
    """Whether the collector's generations hold ``obj`` (a frozen object is in none of them)."""
    import gc
    return any(o is obj for o in gc.get_objects())


def test_the_collector_walks_everything_only_in_a_quiet_second(hall_cfg, tmp_path, monkeypatch):
    """A hub that owns its process freezes what it holds at the start and after each quiet snapshot, so
    the collector's automatic passes inside a batch walk only what was made since. A cycle frozen that
    way outlives a collection while frozen and is freed by the next quiet pass."""
    import gc
    import threading
    import time
    import weakref
    from kiosk.hub import service
    monkeypatch.setattr(service, "SNAPSHOT_EVERY", 3)
    h = service.Hub(hall_cfg, state_dir=tmp_path / "state", host="127.0.0.1", port=1, quiet_gc=True)
    h.bus = RecordingBus()
    h._process([Inbound("", connected=True)])
    cycle = _Node()
    cycle.me = cycle
    gone = weakref.ref(cycle)
    worker = threading.Thread(target=h.run, daemon=True)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while _holds(cycle) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _holds(cycle), "what the hub held at its start was not frozen"
        assert gc.get_freeze_count() > 1000
        del cycle
        gc.collect()
        assert gone() is not None, "a frozen cycle was collected by an ordinary pass"
        for i in range(5):
            h.inbox.put(issue(h, f"q{i}", mid=i + 1))
        deadline = time.monotonic() + 10
        while gone() is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gone() is None, "the quiet pass after the snapshot did not free the cycle"
        h.stop()
        worker.join(10)
        later = _Node()
        later.me = later
        later_gone = weakref.ref(later)
        del later
        gc.collect()
        assert later_gone() is None, "a cycle made after the last quiet pass must go with an ordinary pass"
    finally:
        h.stop()
        worker.join(10)
        h.store.close()
        gc.unfreeze()  # the test process's own objects back to its collector


def test_a_hub_in_a_thread_of_another_program_leaves_its_collector_alone(hub):
    import gc
    import threading
    import time
    hub_run = threading.Thread(target=hub.run, daemon=True)
    before = gc.get_freeze_count()
    hub_run.start()
    try:
        time.sleep(0.3)
        assert gc.get_freeze_count() == before
    finally:
        hub.stop()
        hub_run.join(10)


def test_kiosk_hub_the_command_freezes_at_its_start(broker, tmp_path):
    """``kiosk hub`` (the unit's ExecStart) is a hub that owns its process."""
    import subprocess
    import sys
    from tests.conftest import HALL_CONFIG, REPO
    script = (
        "import gc, sys, threading\n"
        "from kiosk.hub import service\n"
        "real_run = service.Hub.run\n"
        "def run(self):\n"
        "    t = threading.Thread(target=real_run, args=(self,), daemon=True)\n"
        "    t.start()\n"
        "    assert self.wait_ready(20), 'not ready'\n"
        "    print('frozen', gc.get_freeze_count(), flush=True)\n"
        "    self.stop()\n"
        "    t.join(10)\n"
        "service.Hub.run = run\n"
        "from kiosk.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n")
    out = subprocess.run([sys.executable, "-c", script, "hub", "--config", str(HALL_CONFIG), "--state",
                          str(tmp_path / "state"), "--broker", f"127.0.0.1:{broker.port}", "--no-advertise"],
                         capture_output=True, text=True, timeout=60, cwd=REPO)
    assert out.returncode == 0, out.stderr[-2000:]
    frozen = int(out.stdout.split("frozen", 1)[1].split()[0])
    assert frozen > 10000, out.stdout


def test_a_batch_s_states_and_board_leave_before_its_acks_and_messages(hub):
    """The windows' screens get their states in the batch's first write; the acks, calls and pad offers
    follow in a second one, so the last state of a burst does not wait for the rest to be queued."""
    hub._process([issue(hub, f"t{i}", mid=i + 1) for i in range(5)])
    hub.bus.writes.clear()
    windows = [w.id for w in hub.cfg.hall.windows][:3]
    hub._process([press(hub, w, 1, mid=100 + i) for i, w in enumerate(windows)])
    assert len(hub.bus.writes) == 2
    first, second = hub.bus.writes
    assert sorted(first) == sorted([hub.topics.window_state(w) for w in windows] + [hub.topics.board])
    assert sorted(x for x in second if x.startswith("ack ")) == ["ack 100", "ack 101", "ack 102"]
    assert hub.topics.call in second  # a window with a waiting ticket called it
    assert not [t for t in second if t.endswith("/state") or t == hub.topics.board], "no view waits"
