"""Field checks for payload validation, shared by the core ops table and feature modules.

Rule: each check takes (field name, value) and returns the value or raises ``ProtocolError`` with a
stable code and a reason naming the field.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ..errors import KioskError
from .topics import valid_id


class ProtocolError(KioskError, ValueError):
    """A payload or topic that breaks the contract. ``code`` is stable, ``reason`` is for people."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


Check = Callable[[str, Any], Any]


def str_field(pattern: re.Pattern[str] | None = None, max_len: int = 200, choices: tuple[str, ...] = ()) -> Check:
    def check(name: str, v: Any) -> Any:
        if not isinstance(v, str):
            raise ProtocolError("bad_type", f"field {name!r} must be a string, got {type(v).__name__}")
        if len(v) > max_len:
            raise ProtocolError("too_long", f"field {name!r} is longer than {max_len} characters")
        if choices and v not in choices:
            raise ProtocolError("bad_value", f"field {name!r} must be one of {', '.join(choices)}; got {v[:40]!r}")
        if pattern is not None and not pattern.match(v):
            raise ProtocolError("bad_value", f"field {name!r} has an invalid value {v[:40]!r}")
        return v
    return check


def id_field(name: str, v: Any) -> str:
    if not valid_id(v):
        raise ProtocolError("bad_value", f"field {name!r} must be an id of [a-z0-9_-], got {str(v)[:40]!r}")
    return v


def int_field(lo: int = 0, hi: int = 2**53) -> Check:
    def check(name: str, v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ProtocolError("bad_type", f"field {name!r} must be an integer, got {type(v).__name__}")
        if not lo <= v <= hi:
            raise ProtocolError("bad_value", f"field {name!r} must be between {lo} and {hi}")
        return v
    return check


def bool_field(name: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise ProtocolError("bad_type", f"field {name!r} must be true or false, got {type(v).__name__}")
    return v


def list_field(item: Check, max_items: int = 20) -> Check:
    def check(name: str, v: Any) -> list:
        if not isinstance(v, list):
            raise ProtocolError("bad_type", f"field {name!r} must be a list, got {type(v).__name__}")
        if len(v) > max_items:
            raise ProtocolError("too_long", f"field {name!r} has more than {max_items} items")
        return [item(f"{name}[{i}]", x) for i, x in enumerate(v)]
    return check


TICKET = re.compile(r"^[A-Za-z0-9-]{1,32}$")
CATEGORY = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
