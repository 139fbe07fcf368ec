"""kill -9 the hub process at random moments while several kiosks and buttons keep sending.

Proves, after all the kills: every ticket a kiosk was told about still exists with that number; no
number was issued twice; every txn produced exactly one ticket (retries got the stored answer); every
QoS 1 press was applied exactly once; the state the hub rebuilds (snapshot + later commands) equals a
replay of the whole log from command 1; and the last board the hub published is that state.
One graceful stop in the middle leaves a snapshot, so the snapshot path is really exercised.
"""

from __future__ import annotations

import json
import random
import threading
import time

import pytest

from kiosk.core.views import board_view
from tests.mqtt_helpers import wait_until

from .helpers import event_bodies, query, quick_config, replay, wait_progress

KIOSKS = 3
BUTTONS = 2


def _storm(hub_process, recorder, hall_cfg, tmp_path, kills: int, seed: int) -> dict:
    rng = random.Random(seed)
    proc = hub_process(quick_config())
    board = recorder("board")
    wait_until(lambda: board.on("board"), timeout=30, what="the hub's first board")
    kiosks = [recorder(device=f"kiosk-{i}") for i in range(KIOSKS)]
    buttons = [recorder(device=f"btn-{i}") for i in range(BUTTONS)]
    acked: dict[str, str] = {}  # txn -> number the kiosk was told
    refused: list[dict] = []
    sent_presses: set[tuple[str, int]] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def kiosk_loop(k, idx: int) -> None:
        r = random.Random(seed * 100 + idx)
        n = 0
        while not stop.is_set():
            n += 1
            txn, cat = f"{k.device}-{n}", r.choice("ACDEBF")
            k.request("ticket.issue", txn=txn, category=cat)
            retry_at, give_up = time.monotonic() + 1.5, time.monotonic() + 60
            while True:  # a kiosk keeps asking with the same txn until it hears back
                rep = next((m for m in k.on(f"device/{k.device}/reply") if m.get("txn") == txn), None)
                if rep is not None:
                    with lock:
                        if rep["ok"]:
                            acked[txn] = rep["result"]["number"]
                        else:
                            refused.append(rep)
                    break
                if time.monotonic() > give_up:
                    with lock:
                        refused.append({"txn": txn, "error": "no reply within 60 s"})
                    break
                if time.monotonic() > retry_at:
                    k.request("ticket.issue", txn=txn, category=cat)
                    retry_at = time.monotonic() + 1.5
                time.sleep(0.005)

    def button_loop(b, idx: int) -> None:
        r = random.Random(seed * 1000 + idx)
        while not stop.is_set():
            seq = b.press(r.choice(["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9"]),
                          r.choice(["next", "next", "next", "recall", "skip", "start"]))
            with lock:
                sent_presses.add((b.device, seq))
            time.sleep(r.uniform(0.01, 0.05))

    threads = [threading.Thread(target=kiosk_loop, args=(k, i), daemon=True) for i, k in enumerate(kiosks)]
    threads += [threading.Thread(target=button_loop, args=(b, i), daemon=True) for i, b in enumerate(buttons)]
    for t in threads:
        t.start()
    for i in range(kills):
        wait_progress(lambda: len(acked), len(acked) + rng.randint(3, 12), 60, f"tickets before kill {i + 1}")
        time.sleep(rng.uniform(0.0, 0.3))
        if i == kills // 2:
            proc.stop()  # a graceful stop writes a snapshot: later kills replay on top of it
        else:
            proc.kill9()
        proc.start()
    wait_progress(lambda: len(acked), len(acked) + 10, 60, "tickets after the last restart")
    stop.set()
    for t in threads:
        t.join(90)
    db = tmp_path / "state" / "hub.sqlite3"
    # every press the broker accepted reaches the hub, however often it died (persistent session)
    wait_until(lambda: len(query(db, "SELECT device, seq FROM presses")) >= len(sent_presses), timeout=60,
               what="every press applied")
    last = wait_until(lambda: query(db, "SELECT MAX(seq) FROM commands")[0][0], 10, "commands")
    wait_until(lambda: (board.last("board") or {}).get("version") == last, timeout=20, what="the final board")
    final_board = board.last("board")
    proc.stop()
    return {"acked": acked, "refused": refused, "presses": sent_presses, "db": db, "board": final_board}


def _check(run: dict, hall_cfg) -> None:
    db = run["db"]
    assert not run["refused"], run["refused"][:3]
    assert query(db, "SELECT COUNT(*) FROM snapshots")[0][0] >= 1, "the graceful stop wrote no snapshot"
    hub_view = replay(hall_cfg, db, use_snapshot=True)
    full = replay(hall_cfg, db, use_snapshot=False)
    assert hub_view.state.to_dict() == full.state.to_dict(), "snapshot + log differs from a replay of the log"

    tickets = full.state.tickets.values()
    numbers = [t.number for t in tickets]
    assert len(numbers) == len(set(numbers)), "a number was issued twice"
    by_number = {t.number for t in tickets}
    lost = {txn: n for txn, n in run["acked"].items() if n not in by_number}
    assert not lost, f"acknowledged tickets lost: {lost}"
    assert len(set(run["acked"].values())) == len(run["acked"]), "two txns were told the same number"
    issued = event_bodies(db, "TicketIssued")
    assert len(issued) == len(run["acked"]), "a txn made more (or fewer) than one ticket"

    applied = set(query(db, "SELECT device, seq FROM presses"))
    assert applied == run["presses"], "presses lost or invented"
    # a press is logged as one command at most: commands from presses == presses accepted by the core
    ok_presses = query(db, "SELECT COUNT(*) FROM presses WHERE outcome='ok'")[0][0]
    window_cmds = query(db, "SELECT COUNT(*) FROM commands WHERE kind NOT IN "
                            "('IssueTicket','StartDay','DeliverTicket','VoidTicket','RequeueTicket')")[0][0]
    assert window_cmds == ok_presses, "a press was applied twice"

    seen = json.loads(json.dumps(run["board"]))
    want = json.loads(json.dumps(board_view(full)))
    for key in ("day", "windows", "categories", "recent"):
        assert seen[key] == want[key], f"the published board's {key} is not the durable state"


def test_kill9_storm_quick(hub_process, recorder, hall_cfg, tmp_path):
    run = _storm(hub_process, recorder, hall_cfg, tmp_path, kills=8, seed=7)
    _check(run, hall_cfg)
    assert len(run["acked"]) >= 40


@pytest.mark.slow
def test_kill9_storm_50(hub_process, recorder, hall_cfg, tmp_path):
    run = _storm(hub_process, recorder, hall_cfg, tmp_path, kills=50, seed=2026)
    _check(run, hall_cfg)
    assert len(run["acked"]) >= 300
