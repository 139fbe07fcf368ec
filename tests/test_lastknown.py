"""The last-known-state cache on its own: round trip, deletion, throttling, settling, bad files."""

from __future__ import annotations

import json
import logging
import os
import stat

import pytest

from kiosk.bus.client import Inbound
from kiosk.bus.lastknown import LastKnown, keeping, open_lastknown
from kiosk.protocol import MAX_STATE_PAYLOAD, Topics

T = Topics("huangtan")
KEEP = keeping(T, "board", "window_state", "mode", "catalog", "content")


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def cache(tmp_path, clock: Clock | None = None, **kw) -> LastKnown:
    return LastKnown(tmp_path / "display-1-lastknown.json", KEEP, clock=clock or Clock(), **kw)


def msg(topic: str, body: dict | bytes) -> Inbound:
    payload = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return Inbound(topic, payload, retain=True)


def test_save_and_replay_round_trip(tmp_path):
    clock = Clock()
    lk = cache(tmp_path, clock)
    board = msg(T.board, {"v": 1, "version": 7, "name": "黄潭镇便民服务中心", "windows": []})
    page = msg(T.content("tingdian"), {"id": "tingdian", "kind": "notice", "body": "停电通知"})
    for item in (Inbound("", connected=True), board, page, msg(T.window_state("w1"), {"version": 7}),
                 msg(T.call, {"number": "A001"}), msg(T.availability("hub"), b"online"),
                 msg(T.status("kiosk-1"), {"kind": "terminal"})):
        lk.put(item)
    lk.stop()
    path = tmp_path / "display-1-lastknown.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.with_name(path.name + ".tmp").exists()

    items, saved_at = cache(tmp_path).replay()
    assert saved_at == clock.now
    assert {i.topic: i.payload for i in items} == {board.topic: board.payload, page.topic: page.payload,
                                                  T.window_state("w1"): b'{"version": 7}'}
    assert all(i.retain and i.connected is None for i in items)


def test_nothing_stored_replays_nothing(tmp_path):
    assert cache(tmp_path).replay() == ([], None)


def test_an_empty_payload_deletes_the_topic(tmp_path):
    lk = cache(tmp_path)
    lk.put(msg(T.content("a"), {"id": "a"}))
    lk.put(msg(T.content("b"), {"id": "b"}))
    lk.stop()
    lk = cache(tmp_path)
    lk.replay()
    lk.put(Inbound(T.content("a"), b"", retain=True))
    lk.stop()
    assert [i.topic for i in cache(tmp_path).replay()[0]] == [T.content("b")]


def test_oversized_and_foreign_payloads_are_not_kept(tmp_path):
    lk = cache(tmp_path)
    lk.put(Inbound(T.catalog, b"x" * (MAX_STATE_PAYLOAD + 1), retain=True))
    lk.put(Inbound("hall/other/board", b"{}", retain=True))
    lk.put(Inbound(T.mode, b"\xff\xfe", retain=True))
    lk.stop()
    assert cache(tmp_path).replay() == ([], None)


def test_writes_at_most_every_interval_and_on_stop(tmp_path):
    clock = Clock()
    lk = cache(tmp_path, clock, min_interval_s=5)
    path = tmp_path / "display-1-lastknown.json"
    lk.put(msg(T.board, {"version": 1}))
    lk.tick()
    assert json.loads(path.read_bytes())["saved_at"] == clock.now  # the first change is written at once
    first = clock.now

    clock.now += 1
    lk.put(msg(T.board, {"version": 2}))
    lk.tick()
    assert json.loads(path.read_bytes())["saved_at"] == first  # too soon
    clock.now += 3.9
    lk.tick()
    assert json.loads(path.read_bytes())["saved_at"] == first
    clock.now += 0.2
    lk.tick()
    body = json.loads(path.read_bytes())
    assert body["saved_at"] == clock.now and json.loads(body["topics"][T.board]) == {"version": 2}

    clock.now += 100
    mtime = path.stat().st_mtime_ns
    lk.tick()  # nothing changed: nothing written
    assert path.stat().st_mtime_ns == mtime

    clock.now += 1
    lk.put(msg(T.board, {"version": 3}))
    lk.tick(clock.now)
    lk.put(msg(T.board, {"version": 4}))
    lk.tick(clock.now + 1)
    lk.stop(clock.now + 2)  # stop writes whatever is left, interval or not
    items, saved_at = cache(tmp_path).replay()
    assert saved_at == clock.now + 2 and json.loads(items[0].payload) == {"version": 4}


def test_topics_the_broker_did_not_resend_are_dropped_after_settling(tmp_path):
    clock = Clock()
    lk = cache(tmp_path, clock, settle_s=10)
    lk.put(msg(T.board, {"version": 1}))
    lk.put(msg(T.content("old"), {"id": "old"}))
    lk.stop()

    lk = cache(tmp_path, clock, settle_s=10)
    assert len(lk.replay()[0]) == 2
    lk.put(Inbound("", connected=True))
    lk.put(msg(T.board, {"version": 2}))
    assert lk.tick() == []
    clock.now += 9
    assert lk.tick() == []
    clock.now += 1
    assert lk.tick() == [Inbound(T.content("old"), b"", retain=True)]
    assert lk.topics == [T.board]
    clock.now += 60
    assert lk.tick() == []  # settled once per connection
    lk.stop()
    assert [i.topic for i in cache(tmp_path).replay()[0]] == [T.board]


def test_a_lost_connection_before_settling_drops_nothing(tmp_path):
    clock = Clock()
    lk = cache(tmp_path, clock, settle_s=10)
    lk.put(msg(T.mode, {"state": "open"}))
    lk.tick()
    lk.put(Inbound("", connected=True))
    lk.tick()
    lk.put(Inbound("", connected=False))
    clock.now += 30
    assert lk.tick() == [] and lk.topics == [T.mode]


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b'{"v": 1, "saved_at": "x", "topics": {}}',
                                     b'{"v": 99, "saved_at": 1, "topics": {}}', b"[]", b""])
def test_a_corrupt_file_is_logged_once_and_ignored(tmp_path, caplog, content):
    path = tmp_path / "display-1-lastknown.json"
    path.write_bytes(content)
    lk = cache(tmp_path)
    with caplog.at_level(logging.WARNING, logger="kiosk.bus.lastknown"):
        assert lk.replay() == ([], None)
        assert lk.replay() == ([], None)
        lk.put(msg(T.board, {"version": 1}))
        lk.tick()
    assert len([r for r in caplog.records if "corrupt" in r.message]) == 1
    assert len(cache(tmp_path).replay()[0]) == 1  # overwritten with good data


def test_a_failing_write_is_logged_once_and_never_raises(tmp_path, caplog):
    folder = tmp_path / "gone"
    folder.mkdir()
    clock = Clock()
    lk = LastKnown(folder / "x-lastknown.json", KEEP, clock=clock, min_interval_s=1)
    folder.rmdir()
    with caplog.at_level(logging.WARNING, logger="kiosk.bus.lastknown"):
        for i in range(3):
            lk.put(msg(T.board, {"version": i}))
            clock.now += 2
            lk.tick()
        lk.stop()
    assert len([r for r in caplog.records if "cannot save" in r.message]) == 1


def test_open_lastknown_needs_a_writable_folder(tmp_path, caplog):
    lk = open_lastknown(tmp_path / "state", "display-1", KEEP)
    assert lk is not None and lk.path == tmp_path / "state" / "display-1-lastknown.json"
    (tmp_path / "a-file").write_text("")
    with caplog.at_level(logging.WARNING, logger="kiosk.bus.lastknown"):
        assert open_lastknown(tmp_path / "a-file" / "state", "display-1", KEEP) is None
    assert len(caplog.records) == 1 and "no last-known-state cache" in caplog.records[0].message


def test_open_lastknown_runs_without_a_cache_where_it_cannot_write(tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the state folder should be")  # stops root as well as anyone
    with caplog.at_level(logging.WARNING, logger="kiosk.bus.lastknown"):
        assert open_lastknown(blocker / "state", "display-1", KEEP) is None
    assert len(caplog.records) == 1


def test_the_tee_hands_items_to_the_cache_and_passes_them_on(tmp_path):
    import queue
    lk = cache(tmp_path)
    inbox: queue.Queue = queue.Queue()
    tee = lk.tee(inbox)
    board = msg(T.board, {"version": 1})
    tee.put(board)
    tee.put(msg(T.call, {"number": "A001"}))
    assert inbox.qsize() == 2 and inbox.get() is board
    lk.stop()
    assert lk.topics == [T.board]
