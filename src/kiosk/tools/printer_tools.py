"""``kiosk printer status|test``: for the technician at the kiosk with a new or troubled printer.

Rule: talks to the port directly (the terminal must be stopped first, a port has one owner); every
failure is one line naming the port and what went wrong, exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def _printer(args: argparse.Namespace):
    from ..devices.printer import Printer, PrinterConfig
    return Printer(PrinterConfig(port=args.port, baud=args.baud, status_timeout=args.timeout))


def describe_status(st) -> str:
    if not st.answered:
        return "打印机无应答 (no answer: check cable, power and baud rate)"
    parts = ["在线" if st.online else "离线"]
    if st.cover_open:
        parts.append("纸仓盖打开")
    if st.paper_out:
        parts.append("缺纸")
    elif st.paper_near_end:
        parts.append("纸将用尽")
    if st.error:
        parts.append("故障")
    return "，".join(parts) + ("  (ready)" if st.ready else "  (NOT ready)")


def cmd_status(args: argparse.Namespace) -> int:
    from ..devices.errors import PrinterError
    try:
        with _printer(args) as p:
            st = p.status()
    except PrinterError as exc:
        print(f"kiosk printer status: {exc}", file=sys.stderr)
        return 1
    print(f"{args.port}: {describe_status(st)}")
    return 0 if st.ready else 1


def sample_ticket(large: bool = False):
    from ..devices.ticket import TicketPrint
    return TicketPrint(centre_name="黄潭镇便民服务中心", category_name="人社业务", ticket_number="C012",
                       people_ahead=3, eta_minutes=21, issued_at=datetime(2026, 11, 30, 9, 41),
                       wait_at="请在休息等候区等候叫号", missed_rule="过号请到咨询台重新排队",
                       qr_payload="HT1|huangtan|20261130-C012", large_print=large)


def cmd_test(args: argparse.Namespace) -> int:
    from ..devices.errors import PrinterError
    from ..devices.ticket import render_raster, render_text
    t = sample_ticket(args.large)
    data = render_raster(t, args.font, args.dots) if args.raster else render_text(t, args.width)
    try:
        with _printer(args) as p:
            st = p.status()
            if st.answered and not st.ready:
                print(f"{args.port}: {describe_status(st)}; not printing", file=sys.stderr)
                return 1
            n = p.print_ticket(data)
            after = p.status()
    except PrinterError as exc:
        print(f"kiosk printer test: {exc}", file=sys.stderr)
        return 1
    print(f"{args.port}: sent {n} bytes ({'raster' if args.raster else 'text'}); now: {describe_status(after)}")
    return 0


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("printer", help="ticket printer: decoded status, sample ticket")
    s = p.add_subparsers(dest="printer_cmd", required=True)
    for name, func, text in (("status", cmd_status, "print the decoded DLE EOT status"),
                             ("test", cmd_test, "print a sample ticket with a real-looking number")):
        c = s.add_parser(name, help=text)
        c.add_argument("--port", required=True, help="/dev/ttyUSB0, /dev/serial/by-id/…, /dev/usb/lp0")
        c.add_argument("--baud", type=int, default=9600)
        c.add_argument("--timeout", type=float, default=0.5, help="seconds to wait for each status answer")
        c.set_defaults(func=func)
        if name == "test":
            c.add_argument("--raster", action="store_true", help="render with the bundled font (no printer font)")
            c.add_argument("--large", action="store_true", help="the 长辈模式 large-print variant")
            c.add_argument("--width", type=int, default=58, choices=(58, 80), help="paper width in mm")
            c.add_argument("--dots", type=int, default=384, help="raster width in dots (384 for 58 mm)")
            c.add_argument("--font", default=FONT)
