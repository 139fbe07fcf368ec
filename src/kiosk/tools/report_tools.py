"""``kiosk report day|month|range``: statistics from the hub's database, as text, CSV or HTML.

Rule: the one staff tool that reads the hub's SQLite directly instead of talking MQTT — reports need
history the contract does not carry. It opens the file read-only, so it is safe beside the live hub;
run it on the hub Pi as root or as the ``kiosk`` user (the file is 0600).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import ConfigError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-29") from None


def _month(text: str) -> date:
    try:
        return date.fromisoformat(text + "-01") if len(text) == 7 else date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month like 2026-11 (or a date in it)") from None


def period_of(args: argparse.Namespace, today: date):
    from ..reports import Period, day_period, month_period
    if args.kind == "day":
        return day_period(_date(args.date) if args.date else today)
    if args.kind == "month":
        return month_period(_month(args.date) if args.date else today)
    if not (args.from_ and args.to):
        raise ConfigError("--from/--to", "", "a range report needs both --from and --to")
    start, end = _date(args.from_), _date(args.to)
    if end < start:
        raise ConfigError("--to", "", f"{end} is before --from {start}")
    return Period(start, end, "range")


def cmd_report(args: argparse.Namespace) -> int:
    from ..reports import build_report
    from ..reports.render import matplotlib_available, render_html, render_text, write_csv
    from .common import site_config
    cfg = site_config(args)
    try:
        period = period_of(args, datetime.now(ZoneInfo(cfg.timezone)).date())
    except argparse.ArgumentTypeError as exc:
        raise ConfigError("--date", "", str(exc)) from None
    state = Path(args.state) if args.state else cfg.state_dir
    report = build_report(state / "hub.sqlite3", cfg, period)
    out = Path(args.out) if args.out else None
    if args.format == "text":
        text = render_text(report)
        if out is None:
            sys.stdout.write(text)
        else:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"report-{period.label}.txt").write_text(text, encoding="utf-8")
            print(out / f"report-{period.label}.txt")
    elif args.format == "evaluations":
        from ..reports.export import write_evaluations_csv
        path = out or Path(f"evaluations-{period.label}.csv")
        if path.is_dir():
            path = path / f"evaluations-{period.label}.csv"
        n = write_evaluations_csv(state / "hub.sqlite3", cfg, period, path)
        print(f"{path} ({n})")
    elif args.format == "csv":
        for p in write_csv(report, out or Path(f"report-{period.label}")):
            print(p)
    else:
        out = out or Path(".")
        out.mkdir(parents=True, exist_ok=True)
        page = out / f"report-{period.label}.html"
        page.write_text(render_html(report), encoding="utf-8")
        print(page)
        if not matplotlib_available():
            print("note: matplotlib is not installed, the page has tables only (pip install 'kiosk[report]')",
                  file=sys.stderr)
    return 0


def report_message(db: Path, cfg, period, *, now: float) -> dict:
    """The retained ``hub/report/<day|month>`` body: the report's HTML page and its CSV files as text."""
    import tempfile
    from ..reports import build_report
    from ..reports.render import render_html, write_csv
    report = build_report(db, cfg, period)
    with tempfile.TemporaryDirectory() as tmp:
        csv = {p.name: p.read_text(encoding="utf-8-sig") for p in write_csv(report, tmp)}
    return {"period": period.kind, "label": period.label, "built_at": round(now, 3),
            "html": render_html(report), "csv": csv}


def cmd_publish(args: argparse.Namespace) -> int:
    """Today's and this month's report, published retained for the director's 报表 page in the web."""
    import time
    from ..protocol import MAX_STATE_PAYLOAD, encode
    from ..reports import day_period, month_period
    from .common import connect, site_config
    from ..config import REPORTER_ACCOUNT
    cfg = site_config(args)
    user = cfg.broker.username
    if user and user != REPORTER_ACCOUNT:  # an open broker (demo) has no accounts at all
        print(f"kiosk report publish: {cfg.path}: broker.username is {user!r}; the reports are published with "
              f"the {REPORTER_ACCOUNT!r} account only (kiosk provision: devices/{REPORTER_ACCOUNT}), which may "
              f"write hub/report/# and nothing else", file=sys.stderr)
        return 2
    today = datetime.now(ZoneInfo(cfg.timezone)).date()
    db = (Path(args.state) if args.state else cfg.state_dir) / "hub.sqlite3"
    bus, topics, _ = connect(args, cfg, kind="report")  # first: a wrong account is said before any work
    try:
        bodies = {}
        for name, period in (("day", day_period(today)), ("month", month_period(today))):
            body = encode(report_message(db, cfg, period, now=time.time()))
            if len(body) > MAX_STATE_PAYLOAD:
                raise ConfigError("report", name, f"the {name} report is {len(body):,} bytes, over {MAX_STATE_PAYLOAD:,}")
            bodies[name] = body
        for name, body in bodies.items():
            bus.publish(topics.hub_report(name), body, qos=1, retain=True).wait_for_publish(10)
            print(f"published hub/report/{name} ({len(body):,} bytes)")
    finally:
        bus.stop()
    return 0


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("report", help="statistics of a day, a month or a date range from the hub's database")
    p.add_argument("kind", choices=("day", "month", "range", "publish"),
                   help="publish: today's and this month's report, retained on hub/report/day|month for the web")
    p.add_argument("--date", help="day: YYYY-MM-DD (default today); month: YYYY-MM (default this month)")
    p.add_argument("--from", dest="from_", help="range: first day YYYY-MM-DD")
    p.add_argument("--to", help="range: last day YYYY-MM-DD (inclusive)")
    p.add_argument("--state", help="the hub's state folder holding hub.sqlite3 (default [hub] state_dir)")
    p.add_argument("--format", choices=("text", "csv", "html", "evaluations"), default="text",
                   help="evaluations: the ratings as one CSV for the provincial 好差评 platform (docs/reports.md)")
    p.add_argument("--out", help="output folder (text: default stdout; csv: ./report-<period>/; html: .; "
                                 "evaluations: a file or folder, default ./evaluations-<period>.csv)")
    add_common(p)
    p.set_defaults(func=lambda a: cmd_publish(a) if a.kind == "publish" else cmd_report(a))
