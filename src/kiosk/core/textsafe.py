"""Text that visitors typed, made safe for staff screens, terminals and spreadsheets.

Rule: whatever reaches a staff member's terminal, a report or an export goes through here. Control
characters (C0, DEL, C1: an ESC sequence can clear or rewrite the terminal), invisible format characters
(bidi overrides reorder what is shown, zero-width and tag characters hide text), line/paragraph
separators and lone surrogates are shown as ``\\uXXXX`` instead of acting. A CSV cell that a spreadsheet
would run as a formula (``= + - @``, tab, CR, and their full-width forms) gets a leading apostrophe.
"""

from __future__ import annotations

import re
from typing import Any

# Cc (C0, DEL, C1), the format characters in use (Arabic letter mark, zero-width/bidi marks, embeddings
# and overrides, word joiner… isolates, BOM, interlinear annotation, tags), Zl/Zp, and surrogates.
_FORMAT = ("\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
           "\ud800-\udfff\U000e0000-\U000e007f")
_ANY = re.compile(f"[\x00-\x1f{_FORMAT}]")
_KEEP_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{_FORMAT}]")  # all but tab (09) and newline (0a)
FORMULA_START = frozenset("=+-@\t\r＝＋－＠")


def _code(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\u{c:04x}" if c <= 0xFFFF else f"\\U{c:08x}"


def one_line(s: str) -> str:
    """A visitor's text as one inert line: every control, format or separator character escaped."""
    return _ANY.sub(_code, s)


def printable(s: str) -> str:
    """Output of a staff tool: like ``one_line`` but keeps the tool's own newlines and tabs."""
    return _KEEP_LINES.sub(_code, s)


def csv_cell(v: Any) -> Any:
    """A CSV value that a spreadsheet shows and never evaluates; numbers and None pass unchanged."""
    if not isinstance(v, str):
        return v
    shown = printable(v)
    return "'" + shown if v[:1] in FORMULA_START else shown
