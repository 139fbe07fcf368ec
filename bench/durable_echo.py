"""The floor under the hub's ticket.issue: a durable echo on the hub's own parts.

The hub's bus client (manual acknowledgement, MQTT 5, 1000 in flight, one wake-up per read), its batch
loop (up to 512 messages), one SQLite row per request in WAL mode with ``synchronous=FULL`` and 1 KiB
pages, and the same rule: a request is acknowledged and answered only after its COMMIT returned. It
decodes each request, logs it, and replies ``{"v":1,"txn":…,"ok":true,…}`` to its ``reply_to``; no queue,
no checks, no views. What it reaches beside the broker's pass-through is what any hub built on these parts
could reach; the hub's distance from it is the hub's own work.

``python bench/durable_echo.py PORT DB SITE`` (runs until killed); bench_hub.py starts it on a site of
its own, so that the hub, subscribed to its own site's requests, never sees these.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from kiosk.bus.client import BusClient, BusSettings, Inbox  # noqa: E402
from kiosk.protocol import Topics  # noqa: E402
from kiosk.protocol.codec import compact_json  # noqa: E402

BATCH_MAX = 512  # the hub's


def main(port: int, db_path: str, site: str) -> None:
    topics = Topics(site)
    inbox = Inbox()
    bus = BusClient(BusSettings(host="127.0.0.1", port=port, device_id="echo", topics=topics,
                                persistent_session=True, manual_ack=True, retain_as_published=True,
                                max_inflight=1000, announce_availability=False,
                                subscriptions=(topics.all_requests,)), inbox).start()
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA page_size=1024")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS log(seq INTEGER PRIMARY KEY, txn TEXT NOT NULL, body TEXT NOT NULL)")
    decoder = json.JSONDecoder()
    seq = 0
    while True:
        items = [inbox.get()]
        items += inbox.drain(BATCH_MAX - 1)
        rows, replies = [], []
        for it in items:
            if not it.topic:
                continue  # a connection change
            body = decoder.decode(it.payload.decode("utf-8"))
            seq += 1
            rows.append((seq, body["txn"], compact_json(body)))
            replies.append((body["reply_to"], compact_json(
                {"v": 1, "txn": body["txn"], "ok": True, "ticket": {"number": f"A{seq % 1000:03d}"}}).encode()))
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO log(seq, txn, body) VALUES (?,?,?)", rows)
        db.execute("COMMIT")
        with bus.corked():
            for it in items:
                if it.topic:
                    bus.ack(it)
            for topic, payload in replies:
                bus.send(topic, payload)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
