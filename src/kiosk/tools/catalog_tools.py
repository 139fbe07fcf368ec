"""``kiosk catalog``: check, export and import the service guides (办事指南).

Rule: pinyin is computed here, in a short-lived process, so the long-running hub never holds the pinyin
dictionaries (about 55 MB) in memory: the hub runs ``kiosk catalog export`` and reads its JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def cmd_export(args: argparse.Namespace) -> int:
    from ..loaders.catalog_data import CatalogError, load_catalog
    try:
        cat = load_catalog(args.dir)
    except CatalogError as exc:
        print(f"kiosk catalog export: {exc}", file=sys.stderr)
        return 2
    json.dump(cat.to_dict(compact=args.compact), sys.stdout, ensure_ascii=False, separators=(",", ":"))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from ..loaders.catalog_data import CatalogError, load_catalog
    try:
        cat = load_catalog(args.dir)
    except CatalogError as exc:
        print(f"kiosk catalog check: {exc}", file=sys.stderr)
        return 2
    deps: dict[str, int] = {}
    for item in cat:
        deps[item.department] = deps.get(item.department, 0) + 1
    print(f"{len(cat)} items: " + ", ".join(f"{d} {n}" for d, n in deps.items()))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ..loaders.catalog_data import CatalogImportError, decode_csv, import_csv
    from ..loaders.catalog_write import write_catalog_toml
    raw = sys.stdin.buffer.read() if str(args.csv) == "-" else None
    name = "(stdin)" if raw is not None else str(args.csv)
    try:
        cat = import_csv(args.csv, raw=raw)
    except CatalogImportError as exc:
        if args.json:
            json.dump({"ok": False, "problems": [p._asdict() for p in exc.problems]}, sys.stdout)
            return 2
        print(f"kiosk catalog import: {name}: {len(exc.problems)} bad cells", file=sys.stderr)
        for p in exc.problems:
            print(f"  row {p.row}, column {p.column}: {p.reason}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"kiosk catalog import: {name}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if args.json:  # for the director's page: what it shows in the preview and sends to the hub (ASCII-only
        # JSON: the terminal-safe stdout must not touch the spreadsheet's text)
        text = decode_csv(raw if raw is not None else Path(args.csv).read_bytes())
        json.dump({"ok": True, "problems": [], "catalog": cat.to_dict(), "text": text}, sys.stdout,
                  separators=(",", ":"))
        return 0
    if args.install:
        from ..loaders.catalog_install import install_catalog
        done = install_catalog(cat, args.install)
        print(f"{len(cat)} items installed as {done.directory} (previous: {done.previous or 'none'}); "
              f"restart kiosk-hub to serve it (the director's page needs no restart)")
        return 0
    if args.out is None:
        print(f"{name}: {len(cat)} items, no errors (give --out DIR to write the TOML files)")
        return 0
    written = write_catalog_toml(cat, Path(args.out), overwrite=args.overwrite)
    print(f"{len(cat)} items written to {len(written)} files in {args.out}")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from ..loaders.catalog_data import CatalogError
    from ..loaders.catalog_install import rollback
    try:
        done = rollback(args.state)
    except (FileNotFoundError, CatalogError) as exc:
        print(f"kiosk catalog rollback: {exc}", file=sys.stderr)
        return 2
    print(f"serving {done.directory} again (the import {done.previous} is kept as previous); restart kiosk-hub")
    return 0


def export_via_subprocess(directory: Path, timeout: float = 60) -> dict:
    """The catalogue as a dict, computed by a child process (see the module rule)."""
    import subprocess
    r = subprocess.run([sys.executable, "-m", "kiosk", "catalog", "export", str(directory)],
                       capture_output=True, timeout=timeout)
    if r.returncode != 0:
        raise ValueError(r.stderr.decode("utf-8", "replace").strip() or f"exit code {r.returncode}")
    return json.loads(r.stdout)


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("catalog", help="service guides: check, export as JSON, import a city CSV")
    s = p.add_subparsers(dest="catalog_cmd", required=True)
    e = s.add_parser("export", help="print the catalogue (with pinyin) as JSON")
    e.add_argument("dir", type=Path)
    e.add_argument("--compact", action="store_true", help="leave out steps and legal basis")
    e.set_defaults(func=cmd_export)
    c = s.add_parser("check", help="validate a catalogue folder")
    c.add_argument("dir", type=Path)
    c.set_defaults(func=cmd_check)
    i = s.add_parser("import", help="read the city's 事项目录 spreadsheet (CSV, UTF-8 or GB18030)")
    i.add_argument("csv", type=Path, help="the CSV file, or - for standard input")
    how = i.add_mutually_exclusive_group()
    how.add_argument("--out", help="write one TOML file per department into this folder")
    how.add_argument("--install", metavar="STATE_DIR", type=Path,
                     help="make it the catalogue the hub serves (below the hub's state folder; the previous "
                          "import is kept aside), as the director's page does")
    how.add_argument("--json", action="store_true", help="print the result (catalogue or problems) as JSON")
    i.add_argument("--overwrite", action="store_true")
    i.set_defaults(func=cmd_import)
    r = s.add_parser("rollback", help="serve the previous imported catalogue again")
    r.add_argument("state", type=Path, help="the hub's state folder (e.g. /var/lib/kiosk)")
    r.set_defaults(func=cmd_rollback)
