"""Restart mosquitto (persistence on, same port) in the middle of a stream of presses and ticket
requests from several clients.

Proves: every QoS 1 press is applied exactly once — each press is ``next`` on a window with plenty of
waiting tickets, so the number of first calls (TicketCalled, recall 0) in the hub's events table must
equal the number of distinct presses sent; every ticket request makes exactly one ticket; and every
client — the hub (a real process), the buttons, the kiosks and a plain subscriber — reconnects by
itself and keeps working after each restart.
"""

from __future__ import annotations

import threading
import time

import pytest

from tests.mqtt_helpers import wait_until

from .helpers import Sender, event_bodies, query, quick_config, wait_progress

SITE = "hall/huangtan/"
# window -> the one category it alone is pressed for (other windows that serve it stay untouched)
WINDOWS = {"w1": "A", "w2": "B", "w3": "C", "w4": "D", "w9": "F"}


def _restart_run(broker, hub_process, recorder, tmp_path, *, restarts: int, presses_per_window: int,
                 pace: float) -> dict:
    proc = hub_process(quick_config())
    watcher = recorder("window/+/state", "device/hub/availability")
    wait_until(lambda: watcher.on("window/w1/state"), timeout=30, what="the hub")
    db = tmp_path / "state" / "hub.sqlite3"

    # plenty of waiting tickets: every press below calls someone
    stock = recorder(device="kiosk-stock")
    for cat in WINDOWS.values():
        for _ in range(presses_per_window + 5):
            stock.request("ticket.issue", category=cat)
    wait_until(lambda: len(stock.on("device/kiosk-stock/reply")) >= len(WINDOWS) * (presses_per_window + 5),
               timeout=60, what="the stock of tickets")
    before_calls = len(event_bodies(db, "TicketCalled"))

    buttons = {w: Sender(broker.port, f"btn-{w}") for w in WINDOWS}
    kiosks = [Sender(broker.port, f"kiosk-{i}") for i in range(3)]
    for k in kiosks:
        k.c.subscribe(f"{SITE}device/{k.id}/reply", qos=1)
    sent: list[tuple[str, int]] = []
    txns: list[str] = []
    stop = threading.Event()

    def stream() -> None:
        seq = 0
        n = 0
        while not stop.is_set() and seq < presses_per_window:
            seq += 1
            for w, b in buttons.items():
                b.publish(f"{SITE}window/{w}/press", {"v": 1, "device": f"btn-{w}", "seq": seq, "action": "next"})
                sent.append((f"btn-{w}", seq))
            for k in kiosks:
                n += 1
                dev = k.id
                txn = f"{dev}-{n}"
                k.publish(f"{SITE}request/ticket.issue",
                          {"v": 1, "txn": txn, "reply_to": f"{SITE}device/{dev}/reply", "category": "E"})
                txns.append(txn)
            time.sleep(pace)

    total = len(WINDOWS) * presses_per_window
    t = threading.Thread(target=stream, daemon=True)
    t.start()
    downs = 0
    for i in range(restarts):
        wait_progress(lambda: len(sent), total * (i + 1) // (restarts + 1), 60, f"presses before restart {i + 1}")
        mark = len(watcher.messages)
        broker.stop()
        downs += 1
        time.sleep(0.3)  # down long enough for every client to notice
        broker.start()
        # everyone comes back by itself: the devices, the hub (it republishes every window's state on
        # reconnecting) and the plain subscriber that sees it
        for s in [*buttons.values(), *kiosks]:
            try:
                wait_until(lambda s=s: s.connects >= 1 + downs, timeout=30, what=f"{s.id} to reconnect")
            except AssertionError:
                print("\n".join(s.log[-40:]), s.c.is_connected(), s.connects, time.monotonic())
                raise
        wait_until(lambda: any(t == f"{SITE}window/w9/state" for t, _, _ in watcher.messages[mark:]),
                   timeout=30, what="the hub and the subscriber to reconnect")
    t.join(120)
    assert len(sent) == len(WINDOWS) * presses_per_window
    for s in [*buttons.values(), *kiosks]:
        wait_until(s.all_published, timeout=60, what=f"{s.id} to have every message acknowledged")
    wait_until(lambda: query(db, "SELECT COUNT(*) FROM presses")[0][0] >= len(sent), timeout=20,
               what="every press at the hub")
    wait_until(lambda: len(event_bodies(db, "TicketIssued")) >= len(WINDOWS) * (presses_per_window + 5) + len(txns),
               timeout=60, what="every ticket request at the hub")

    # everyone is back: a fresh press goes through the hub and reaches the plain subscriber
    watcher.messages.clear()
    probe = Sender(broker.port, "btn-probe")
    probe.publish(f"{SITE}window/w5/press", {"v": 1, "device": "btn-probe", "seq": 1, "action": "next"})
    wait_until(lambda: watcher.on("window/w5/state"), timeout=30, what="the hub to answer after the restarts")
    result = {
        "sent": sent, "txns": txns, "db": db, "downs": downs, "before_calls": before_calls,
        "connects": {s.id: s.connects for s in [*buttons.values(), *kiosks]},
        "watcher_connected": watcher.c.is_connected(), "hub_alive": proc.proc.poll() is None,
    }
    for s in [*buttons.values(), *kiosks, probe]:
        s.close()
    proc.stop()
    return result


def _check(r: dict) -> None:
    db = r["db"]
    assert r["hub_alive"], "the hub died with the broker"
    assert r["watcher_connected"], "a plain subscriber did not reconnect"
    assert all(n >= 1 + r["downs"] for n in r["connects"].values()), f"a client did not reconnect: {r['connects']}"
    applied = set(query(db, "SELECT device, seq FROM presses WHERE device LIKE 'btn-w%'"))
    assert applied == set(r["sent"]), "presses lost or invented"
    assert set(o for (o,) in query(db, "SELECT outcome FROM presses WHERE device LIKE 'btn-w%'")) == {"ok"}
    first_calls = [e for e in event_bodies(db, "TicketCalled") if e["recall"] == 0 and e["window"] in WINDOWS]
    assert len(first_calls) - r["before_calls"] == len(set(r["sent"])), \
        "number of calls differs from the number of distinct presses (a press applied twice or lost)"
    issued_e = [e for e in event_bodies(db, "TicketIssued") if e["category"] == "E"]
    assert len(issued_e) == len(set(r["txns"])), "a ticket request made more (or fewer) than one ticket"
    replies = query(db, "SELECT COUNT(*) FROM replies WHERE device LIKE 'kiosk-_'")[0][0]
    assert replies == len(set(r["txns"]))


def test_broker_restart_quick(broker, hub_process, recorder, tmp_path):
    _check(_restart_run(broker, hub_process, recorder, tmp_path, restarts=2, presses_per_window=40, pace=0.05))


@pytest.mark.slow
def test_broker_restart_many(broker, hub_process, recorder, tmp_path):
    _check(_restart_run(broker, hub_process, recorder, tmp_path, restarts=10, presses_per_window=300, pace=0.05))


def test_private_broker_persistence_survives_restart(broker, recorder):
    """The fixture's broker claims persistence; a retained message must outlive a restart (this also
    holds when the tests run as root, where mosquitto switches to its own user unless told not to)."""
    r = recorder()
    r.publish("content/robustness-probe", {"v": 1, "page": "probe"}, retain=True)
    broker.stop()
    broker.start()
    again = recorder("content/robustness-probe")
    wait_until(lambda: again.on("content/robustness-probe"), timeout=5,
               what="the retained message after a broker restart (is mosquitto.db written?)")
