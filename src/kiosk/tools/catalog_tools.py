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
    from ..loaders.catalog_data import CatalogImportError, import_csv, write_catalog_toml
    try:
        cat = import_csv(args.csv)
    except CatalogImportError as exc:
        print(f"kiosk catalog import: {args.csv}: {len(exc.problems)} bad cells", file=sys.stderr)
        for p in exc.problems:
            print(f"  row {p.row}, column {p.column}: {p.reason}", file=sys.stderr)
        return 2
    if args.out is None:
        print(f"{args.csv}: {len(cat)} items, no errors (give --out DIR to write the TOML files)")
        return 0
    written = write_catalog_toml(cat, Path(args.out), overwrite=args.overwrite)
    print(f"{len(cat)} items written to {len(written)} files in {args.out}")
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
    i.add_argument("csv", type=Path)
    i.add_argument("--out", help="write one TOML file per department into this folder")
    i.add_argument("--overwrite", action="store_true")
    i.set_defaults(func=cmd_import)
