"""kill -9 the hub (a real process) in the middle of a stream of commands, restart it, and compare its
durable state with what clients were acknowledged: nothing acknowledged is lost, nothing numbered twice."""

from __future__ import annotations

import random
import threading
import time

from kiosk.core.queue import Queue, QueueState
from kiosk.store.db import Store
from tests.mqtt_helpers import wait_until


def _replay(cfg, path) -> Queue:
    store = Store(path)
    try:
        seq, snap = store.latest_snapshot()
        q = Queue(cfg.hall, QueueState.from_dict(snap) if snap else None)
        for _, cmd in store.commands_after(seq):
            q.apply(cmd)
        return q
    finally:
        store.close()


def test_kill_minus_9_loses_nothing_acknowledged(hub_process, recorder, hall_cfg, tmp_path):
    rng = random.Random(2026)
    proc = hub_process()
    kiosk = recorder("window/+/state")
    buttons = recorder(device="btn-crash")
    wait_until(lambda: kiosk.on("window/w1/state"), timeout=20, what="hub up")

    acked: dict[str, str] = {}  # txn -> ticket number the client was told
    stop = threading.Event()
    errors: list[str] = []

    def stream() -> None:
        cats = ["A", "C", "D", "E"]
        n = 0
        while not stop.is_set() and n < 400:
            n += 1
            txn = f"crash-{n}"
            cat = rng.choice(cats)
            kiosk.request("ticket.issue", txn=txn, category=cat)
            deadline = time.monotonic() + 30
            next_retry = time.monotonic() + 1.5
            while time.monotonic() < deadline and not stop.is_set():
                rep = next((m for m in kiosk.on(f"device/{kiosk.device}/reply") if m.get("txn") == txn), None)
                if rep is not None:
                    if rep["ok"]:
                        acked[txn] = rep["result"]["number"]
                    else:
                        errors.append(str(rep))
                    break
                time.sleep(0.01)
                if time.monotonic() > next_retry:  # a kiosk retries with the same txn
                    kiosk.request("ticket.issue", txn=txn, category=cat)
                    next_retry = time.monotonic() + 1.5
            if n % 3 == 0:
                buttons.press(rng.choice(["w1", "w3", "w4", "w5"]), "next")

    t = threading.Thread(target=stream, daemon=True)
    t.start()
    for _ in range(4):
        wait_until(lambda k=len(acked): len(acked) > k + 15, timeout=60, what="progress before a kill")
        time.sleep(rng.uniform(0.0, 0.3))
        proc.kill9()
        proc.start()
    wait_until(lambda: len(acked) >= 120, timeout=90, what="120 acknowledged tickets")
    stop.set()
    t.join(40)
    proc.stop()

    assert not errors, errors[:3]
    q = _replay(hall_cfg, tmp_path / "state" / "hub.sqlite3")
    numbers = [tk.number for tk in q.state.tickets.values()]
    assert len(numbers) == len(set(numbers)), "a number was issued twice"
    issued = set(numbers)
    lost = {txn: num for txn, num in acked.items() if num not in issued}
    assert not lost, f"acknowledged tickets lost: {lost}"
    # each acknowledged txn got a distinct ticket (a retry never produced a second one)
    assert len(set(acked.values())) == len(acked)
    # the replayed log and the snapshot path agree
    store = Store(tmp_path / "state" / "hub.sqlite3")
    try:
        assert store.last_seq() > 0
    finally:
        store.close()
