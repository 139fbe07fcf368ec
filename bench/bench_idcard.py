"""ID card reader benchmark: decoding cost, wire time of a base message, and card placed → card posted
through the terminal's poller on a pty (the poll period dominates: at 4 Hz a card waits up to 250 ms).

Run: .venv/bin/python bench/bench_idcard.py  (prints JSON). ``run()`` returns the dict.
"""

from __future__ import annotations

import json
import queue
import statistics
import time

from kiosk.devices import ga467
from kiosk.devices.fake_idreader import FakeCard, FakeIdReader, base_message, reply_frame
from kiosk.devices.idreader import CardPoller, CardRead, IdReaderConfig, ReaderStatus

BITS_PER_BYTE = 10  # 8N1


def _decode_us(n: int = 2000) -> float:
    frame = reply_frame(0x90, base_message(FakeCard()))
    t0 = time.perf_counter()
    for _ in range(n):
        [reply] = ga467.Deframer().feed(frame)
        ga467.decode_base(reply.data)
    return (time.perf_counter() - t0) / n * 1e6


def _placed_to_posted_ms(poll_hz: float, placements: int) -> list[float]:
    inbox: queue.Queue = queue.Queue()
    out = []
    with FakeIdReader() as fake:
        poller = CardPoller(IdReaderConfig(port=fake.port), inbox.put, poll_hz=poll_hz, retry_seconds=0.2)
        poller.start()
        try:
            while not isinstance(inbox.get(timeout=10), ReaderStatus):
                pass
            for _ in range(placements):
                fake.take_away()
                n = fake.commands().count((0x20, 0x01))
                fake.wait_for(lambda c, n=n: c.count((0x20, 0x01)) >= n + 2, timeout=10)
                t0 = time.perf_counter()
                fake.place(FakeCard())
                while not isinstance(inbox.get(timeout=10), CardRead):
                    pass
                out.append((time.perf_counter() - t0) * 1000)
        finally:
            poller.stop()
    return out


def run(placements: int = 10) -> dict:
    frame = reply_frame(0x90, base_message(FakeCard()))
    result: dict = {"base_message_frame_bytes": len(frame),
                    **{f"base_message_wire_s_at_{b}": round(len(frame) * BITS_PER_BYTE / b, 3) for b in (9600, 115200)},
                    "deframe_and_decode_us": round(_decode_us(), 1)}
    for hz in (4.0, 10.0):
        ms = _placed_to_posted_ms(hz, placements)
        result[f"placed_to_posted_ms_at_{hz:g}hz"] = {"median": round(statistics.median(ms), 1),
                                                      "max": round(max(ms), 1), "n": len(ms)}
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))


# rows for docs/performance.md: (dotted key, label, target, check)
ROWS = [
    ("base_message_wire_s_at_9600", "ID card base message on the wire at 9600 baud (s)", "", None),
    ("deframe_and_decode_us", "ID card frame → decoded card (µs)", "", None),
    ("placed_to_posted_ms_at_4hz.median", "ID card placed → read card on the terminal's inbox, 4 Hz poll, median (ms)",
     "≤ 500", lambda v: v <= 500),
]
