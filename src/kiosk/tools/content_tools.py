"""``kiosk content``: publish, list and remove the pages of the 政务公开 screen.

Rule: a content page is one retained message on ``hall/<site>/content/<id>`` (see docs/display.md);
an empty retained payload deletes it. Files are read and checked here, before anything is sent, so a
page the displays would refuse is never published. Only pages are published — never anything
personal. Exit codes: 0 ok, 1 refused (bad file, too large), 3 no broker.
"""

from __future__ import annotations

import argparse
import base64
import json
import queue
import re
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

from ..errors import KioskError
from ..halltime import hall_time, hall_zone
from ..protocol import MAX_STATE_PAYLOAD, Topics, decode_json, encode, valid_id
from .common import connect, site_config

KINDS = ("notice", "list", "policy", "image")
DEFAULT_MAX_BYTES = 1024 * 1024
MAX_TITLE = 80
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"


class PageError(KioskError, ValueError):
    """A page file that cannot be published; the message says why, for the person at the terminal."""


def image_mime(data: bytes) -> str | None:
    if data.startswith(_PNG):
        return "image/png"
    if data.startswith(_JPEG):
        return "image/jpeg"
    return None


def page_id_for(path: Path, given: str | None) -> str:
    pid = given or re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-")
    if not valid_id(pid):
        raise PageError(f"cannot make a page id from {path.name!r}; give one with --id (letters a-z, digits, - _)")
    return pid


def _markdown(text: str) -> tuple[str, str]:
    """First ``# heading`` → title, the rest → body."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip():
            if line.lstrip().startswith("# "):
                return line.strip()[2:].strip(), "\n".join(lines[i + 1:]).strip()
            break
    return "", text.strip()


def _toml(text: str, where: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PageError(f"{where}: not valid TOML: {exc}") from None
    known = {"title", "kind", "body", "dwell_s", "columns", "rows", "items"}
    extra = sorted(set(data) - known)
    if extra:
        raise PageError(f"{where}: unknown key {extra[0]!r} (known: {', '.join(sorted(known))})")
    body = data.get("body", "")
    if "rows" in data or "items" in data:
        body = _table_body(data, where) + ("\n\n" + body if body else "")
    if not isinstance(body, str):
        raise PageError(f"{where}: body must be a string")
    return {**{k: data[k] for k in ("title", "kind", "dwell_s") if k in data}, "body": body}


def _table_body(data: dict[str, Any], where: str) -> str:
    """``columns`` + ``rows`` (or a plain ``items`` list) → Markdown table / list lines."""
    if "items" in data:
        items = data["items"]
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise PageError(f"{where}: items must be a list of strings")
        return "\n".join(f"- {i}" for i in items)
    cols, rows = data.get("columns", []), data["rows"]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise PageError(f"{where}: rows must be a list of lists")
    cell = lambda v: str(v).replace("|", "／").replace("\n", " ")  # noqa: E731
    lines = []
    if cols:
        lines += ["| " + " | ".join(cell(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def read_page(path: str | Path, *, page_id: str | None = None, kind: str | None = None, title: str | None = None,
              dwell: float | None = None, max_bytes: int = DEFAULT_MAX_BYTES, now: float | None = None) -> dict:
    """A page file (``.toml``, ``.md``/``.txt``, ``.png``, ``.jpg``) → the ``content/<id>`` message body."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PageError(f"cannot read {path}: {exc.strerror or exc}") from None
    pid = page_id_for(path, page_id)
    page: dict[str, Any] = {"id": pid}
    mime = image_mime(raw)
    if mime is not None:
        if kind not in (None, "image"):
            raise PageError(f"{path.name} is a picture; its kind can only be image")
        if len(raw) > max_bytes:
            raise PageError(f"{path.name} is {len(raw):,} bytes; the limit is {max_bytes:,} "
                            f"([display] content_max_bytes). Make it smaller (e.g. 1920 px wide, JPEG).")
        page.update(kind="image", title=title or "", mime=mime, image_b64=base64.b64encode(raw).decode("ascii"))
    else:
        if path.suffix.lower() in (".png", ".jpg", ".jpeg"):
            raise PageError(f"{path.name} is not a PNG or JPEG picture")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise PageError(f"{path.name} is not UTF-8 text") from None
        if path.suffix.lower() == ".toml":
            fields = _toml(text, path.name)
        else:
            md_title, body = _markdown(text)
            fields = {"title": md_title, "body": body}
        page.update(kind=kind or fields.get("kind") or "notice", title=title or fields.get("title") or "",
                    body=fields["body"])
        if page["kind"] == "image":
            raise PageError(f"{path.name}: a text file cannot be an image page")
        if "dwell_s" in fields and dwell is None:
            dwell = fields["dwell_s"]
        if not page["body"].strip():
            raise PageError(f"{path.name}: the page has no text")
    if page["kind"] not in KINDS:
        raise PageError(f"kind must be one of {', '.join(KINDS)}, got {page['kind']!r}")
    if not isinstance(page["title"], str) or len(page["title"]) > MAX_TITLE:
        raise PageError(f"the title must be text of at most {MAX_TITLE} characters")
    if dwell is not None:
        if isinstance(dwell, bool) or not isinstance(dwell, (int, float)) or not 2 <= dwell <= 600:
            raise PageError("dwell must be between 2 and 600 seconds")
        page["dwell_s"] = float(dwell)
    page["published_at"] = round(time.time() if now is None else now, 3)
    if len(encode(page)) > MAX_STATE_PAYLOAD:
        raise PageError(f"{path.name} is too large to publish ({len(encode(page)):,} bytes encoded)")
    return page


def max_bytes_of(cfg: Any) -> int:
    v = cfg.roles.get("display", {}).get("content_max_bytes", DEFAULT_MAX_BYTES)
    return v if isinstance(v, int) and not isinstance(v, bool) and v > 0 else DEFAULT_MAX_BYTES


def collect(bus: Any, topics: Topics, quiet: float = 0.5, limit: float = 3.0) -> dict[str, dict]:
    """Retained pages, gathered until the broker has been quiet for ``quiet`` seconds."""
    pages: dict[str, dict] = {}
    end = time.monotonic() + limit
    last = time.monotonic()
    while time.monotonic() < end and time.monotonic() - last < quiet:
        try:
            it = bus.inbox.get(timeout=0.05)
        except queue.Empty:
            continue
        kind, pid = topics.parse(it.topic)
        if kind != "content" or not pid:
            continue
        last = time.monotonic()
        if not it.payload:
            pages.pop(pid, None)
            continue
        try:
            pages[pid] = decode_json(it.payload, limit=MAX_STATE_PAYLOAD)
        except ValueError as exc:
            pages[pid] = {"kind": "?", "title": f"(unreadable: {exc})"}
    return pages


def cmd_publish(args: argparse.Namespace) -> int:
    cfg = site_config(args)
    try:
        page = read_page(args.file, page_id=args.id, kind=args.kind, title=args.title, dwell=args.dwell,
                         max_bytes=max_bytes_of(cfg))
    except PageError as exc:
        print(f"kiosk content publish: {exc}", file=sys.stderr)
        return 1
    bus, topics, _ = connect(args, cfg, kind="content")
    try:
        info = bus.publish(topics.content(page["id"]), encode(page), qos=1, retain=True)
        info.wait_for_publish(10)
    finally:
        bus.stop()
    size = len(page.get("body", "")) or len(page.get("image_b64", ""))
    print(f"published {page['id']} ({page['kind']}, {page['title'] or 'untitled'}, {size:,} characters)")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    cfg = site_config(args)
    topics = Topics(cfg.site_id)
    bus, topics, _ = connect(args, cfg, kind="content", subscriptions=(topics.all_content,))
    try:
        pages = collect(bus, topics, quiet=args.wait)
    finally:
        bus.stop()
    if args.json:
        print(json.dumps({k: {f: v for f, v in p.items() if f != "image_b64"} for k, p in sorted(pages.items())},
                         ensure_ascii=False, indent=1))
        return 0
    if not pages:
        print("no content pages published")
    tz = hall_zone(cfg.timezone)
    for pid, p in sorted(pages.items()):
        when = hall_time(p.get("published_at"), tz)
        print(f"{pid:24} {p.get('kind', '?'):7} {when}  {p.get('title', '')}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    if not valid_id(args.id):
        print(f"kiosk content remove: {args.id!r} is not a page id", file=sys.stderr)
        return 1
    cfg = site_config(args)
    bus, topics, _ = connect(args, cfg, kind="content")
    try:
        bus.publish(topics.content(args.id), b"", qos=1, retain=True).wait_for_publish(10)
    finally:
        bus.stop()
    print(f"removed {args.id}")
    return 0


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("content", help="publish, list and remove 政务公开 pages")
    csub = p.add_subparsers(dest="content_command", required=True, metavar="ACTION")
    pub = csub.add_parser("publish", help="publish a TOML/Markdown text page or a PNG/JPEG picture")
    add_common(pub)
    pub.add_argument("file")
    pub.add_argument("--id", help="page id (default: from the file name)")
    pub.add_argument("--kind", choices=KINDS, help="notice (default for text), list, policy, image")
    pub.add_argument("--title", help="page title (default: from the file)")
    pub.add_argument("--dwell", type=float, help="seconds each slide of the page stays on screen")
    pub.set_defaults(func=cmd_publish)
    ls = csub.add_parser("list", help="list the published pages")
    add_common(ls)
    ls.add_argument("--wait", type=float, default=0.5, help="seconds of quiet before the list is complete")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=cmd_list)
    rm = csub.add_parser("remove", help="remove a page from every screen")
    add_common(rm)
    rm.add_argument("id")
    rm.set_defaults(func=cmd_remove)
