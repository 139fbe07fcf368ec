"""Ticket printer benchmark: bytes per ticket, line time at real baud rates, pty push time.

Run: .venv/bin/python bench/bench_printer.py  (prints JSON). ``run()`` returns the dict.
Transmit times are computed for 8N1 framing (10 bits per byte); the pty push
time is measured end to end (driver write -> fake printer has parsed the cut).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import datetime

from kiosk.devices.fake_printer import FakePrinter
from kiosk.devices.printer import PortKind, Printer, PrinterConfig
from kiosk.devices.ticket import TicketPrint, render_raster, render_text

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
BAUDS = (9600, 115200)
BITS_PER_BYTE = 10  # start + 8 data + stop


def sample_ticket(large_print: bool = False) -> TicketPrint:
    return TicketPrint(
        centre_name="黄潭镇便民服务中心", category_name="社保医保", ticket_number="A012",
        people_ahead=3, eta_minutes=15, issued_at=datetime(2025, 3, 4, 9, 15),
        wait_at="请在一楼B区等候叫号",
        missed_rule="过号请到窗口说明，叫号三次未到视为放弃，需重新取号。",
        qr_payload="https://huangtan.example/q/A012?d=20250304", large_print=large_print)


def _push_seconds(data: bytes, repeats: int) -> list[float]:
    times = []
    with FakePrinter() as fake:
        config = PrinterConfig(port=fake.port, kind=PortKind.SERIAL, baud=115200)
        with Printer(config) as printer:
            for i in range(repeats):
                started = time.perf_counter()
                printer.print_ticket(data)
                fake.wait_for_cuts(i + 1, timeout=30)
                times.append(time.perf_counter() - started)
    return times


def run(repeats: int = 5) -> dict:
    tickets = {
        "text_58": render_text(sample_ticket(), 58),
        "text_80": render_text(sample_ticket(), 80),
        "text_58_large": render_text(sample_ticket(True), 58),
    }
    if os.path.exists(CJK_FONT):
        tickets["raster_58"] = render_raster(sample_ticket(), CJK_FONT, 384)
        tickets["raster_80"] = render_raster(sample_ticket(), CJK_FONT, 576)
    result: dict = {"bits_per_byte": BITS_PER_BYTE, "tickets": {}}
    for name, data in tickets.items():
        pushes = _push_seconds(data, repeats)
        result["tickets"][name] = {
            "bytes": len(data),
            **{f"transmit_s_at_{baud}": round(len(data) * BITS_PER_BYTE / baud, 4)
               for baud in BAUDS},
            "pty_push_s_median": round(statistics.median(pushes), 5),
            "pty_push_s_max": round(max(pushes), 5),
        }
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))


# rows for docs/performance.md: (dotted key, label, target, check)
ROWS = [
    ("tickets.text_58.bytes", "ticket bytes, text mode, 58 mm", "≤ 1,024", lambda v: v <= 1024),
    ("tickets.text_58.transmit_s_at_9600", "ticket transmit time at 9600 baud, text (s)", "", None),
    ("tickets.text_58.transmit_s_at_115200", "ticket transmit time at 115200 baud, text (s)", "", None),
    ("tickets.raster_58.bytes", "ticket bytes, raster mode, 58 mm", "", None),
    ("tickets.raster_58.transmit_s_at_9600", "ticket transmit time at 9600 baud, raster (s)", "", None),
    ("tickets.raster_58.transmit_s_at_115200", "ticket transmit time at 115200 baud, raster (s)", "", None),
]
