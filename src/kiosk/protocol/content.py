"""The 政务公开 content pages as they travel on the bus (``hall/<site>/content/<id>``, docs/display.md),
and the pure text helpers that turn a page's Markdown-ish body into something a screen can show.

Rule: shared by every role that shows content (the wall display, the terminal), so it is pure — standard
library and :mod:`kiosk.protocol` only, no pygame, no clock, no role package. A malformed payload raises
:class:`~kiosk.protocol.ProtocolError`; the caller decides whether to log and keep what it shows.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from . import MAX_STATE_PAYLOAD, ProtocolError, decode_json

CONTENT_KINDS = ("notice", "list", "policy", "image")
IMAGE_MIMES = ("image/png", "image/jpeg")
MAX_TITLE = 80
MAX_BODY = 200_000

_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ContentPage:
    id: str
    kind: str
    title: str
    body: str = ""
    image: bytes = b""
    mime: str = ""
    dwell_s: float | None = None
    published_at: float = 0.0


def decode_content(page_id: str, payload: bytes) -> ContentPage | None:
    """A ``content/<id>`` payload → page; ``None`` for the empty payload that deletes it.

    Raises ProtocolError for anything malformed.
    """
    if not payload:
        return None
    obj = decode_json(payload, limit=MAX_STATE_PAYLOAD)
    kind = obj.get("kind")
    if kind not in CONTENT_KINDS:
        raise ProtocolError("bad_value", f"content kind must be one of {', '.join(CONTENT_KINDS)}")
    if obj.get("id", page_id) != page_id:
        raise ProtocolError("bad_value", "content id does not match its topic")
    title = obj.get("title", "")
    if not isinstance(title, str) or len(title) > MAX_TITLE:
        raise ProtocolError("bad_value", f"title must be a string of at most {MAX_TITLE} characters")
    dwell = obj.get("dwell_s")
    if dwell is not None and (isinstance(dwell, bool) or not isinstance(dwell, (int, float)) or not 2 <= dwell <= 600):
        raise ProtocolError("bad_value", "dwell_s must be a number of seconds between 2 and 600")
    published = obj.get("published_at", 0.0)
    if isinstance(published, bool) or not isinstance(published, (int, float)):
        raise ProtocolError("bad_type", "published_at must be a number")
    common = dict(id=page_id, kind=kind, title=title, dwell_s=None if dwell is None else float(dwell),
                  published_at=float(published))
    if kind == "image":
        mime, data = obj.get("mime"), obj.get("image_b64")
        if mime not in IMAGE_MIMES or not isinstance(data, str):
            raise ProtocolError("bad_value", "an image page needs mime image/png or image/jpeg and image_b64")
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise ProtocolError("bad_value", "image_b64 is not base64") from None
        return ContentPage(image=raw, mime=mime, **common)
    body = obj.get("body")
    if not isinstance(body, str) or len(body) > MAX_BODY:
        raise ProtocolError("bad_value", f"body must be a string of at most {MAX_BODY} characters")
    return ContentPage(body=body, **common)


def markdown_text(body: str, bullet: str = "· ") -> str:
    """Markdown-ish body → plain text: headings lose their #, list items get ``bullet``."""
    out = []
    for line in body.splitlines():
        s = line.strip()
        if s.startswith("#"):
            out.append(s.lstrip("#").strip())
        elif s[:2] in ("- ", "* ", "+ "):
            out.append(bullet + s[2:].strip())
        else:
            out.append(s)
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def table_rows(body: str) -> list[tuple[str, ...]]:
    """``| a | b |`` lines → cells; rule lines (``|---|``) are dropped; other lines are one cell."""
    rows = []
    for line in body.splitlines():
        s = line.strip()
        if not s or _TABLE_RULE.match(s):
            continue
        if "|" in s:
            rows.append(tuple(c.strip() for c in s.strip("|").split("|")))
        else:
            rows.append((s.lstrip("-*+ ").strip(),))
    return rows


def table(body: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """A ``list`` page's body → (header, rows): the first row is the header when the body is a real
    ``| a | b |`` table of more than one row; a plain list has no header."""
    rows = table_rows(body)
    if len(rows) > 1 and len(rows[0]) > 1 and "|" in body:
        return rows[0], rows[1:]
    return (), rows
