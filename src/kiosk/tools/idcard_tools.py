"""``kiosk idcard test``: for the technician at the kiosk with a new or troubled ID card reader.

Rule: talks to the port directly (stop the terminal first: a port has one owner). It checks the reader's
security module, waits for a card, and prints what it decoded with the personal fields masked — the ID
number as 420***********1234, the name and the address cut short — so a screenshot of the technician's
terminal carries nothing a visitor would mind. Every failure is one line naming the port and the reader's
own words; exit code 1.
"""

from __future__ import annotations

import argparse
import sys
import time


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1)


def describe(card) -> list[str]:
    from ..core.idcard import mask_address, mask_id, resident_id_problem
    problem = resident_id_problem(card.id_number)
    return [
        f"姓名 name:          {_mask_name(card.name)}",
        f"性别 gender:        {card.gender}",
        f"民族 nation:        {card.nation}",
        f"出生 born:          {card.birth.year}年",
        f"住址 address:       {mask_address(card.address)}",
        f"公民身份号码 ID:    {mask_id(card.id_number)}  "
        + ("(check digit OK)" if problem is None else f"(NOT a valid ID number: {problem})"),
        f"签发机关 authority: {card.authority}",
        f"有效期限 valid:     {card.valid_from}–{card.valid_to}",
    ]


def cmd_test(args: argparse.Namespace) -> int:
    from ..devices.errors import IdReaderError
    from ..devices.ga467 import BadMessage
    from ..devices.idreader import IdReader, IdReaderConfig

    try:
        config = IdReaderConfig(port=args.port, baud=args.baud, timeout=args.timeout)
    except ValueError as exc:
        print(f"kiosk idcard test: {exc}", file=sys.stderr)
        return 2
    try:
        with IdReader(config) as r:
            r.status()
            print(f"{args.port}: reader answers, security module OK; place a card (waiting {args.wait:g} s)",
                  flush=True)
            deadline = time.monotonic() + args.wait
            while not r.find():
                if time.monotonic() >= deadline:
                    print(f"{args.port}: no card placed in {args.wait:g} s", file=sys.stderr)
                    return 1
                time.sleep(0.25)
            r.select()
            card = r.read_base()
    except IdReaderError as exc:
        print(f"kiosk idcard test: {exc}", file=sys.stderr)
        return 1
    except BadMessage as exc:
        print(f"kiosk idcard test: {args.port}: the card's text does not decode: {exc}", file=sys.stderr)
        return 1
    print("\n".join(describe(card)))
    return 0


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("idcard", help="resident ID card reader: self-check and a masked test read")
    s = p.add_subparsers(dest="idcard_cmd", required=True)
    c = s.add_parser("test", help="check the reader, wait for a card, print its fields masked")
    c.add_argument("--port", required=True, help="/dev/serial/by-id/…, /dev/ttyUSB0")
    c.add_argument("--baud", type=int, default=115200, help="9600, 19200, 38400, 57600 or 115200")
    c.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for each answer")
    c.add_argument("--wait", type=float, default=30.0, help="seconds to wait for a card")
    c.set_defaults(func=cmd_test)
