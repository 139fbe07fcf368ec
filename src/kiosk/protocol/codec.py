"""Encode and decode the JSON payloads of the contract, validating every field.

Rule: inbound bytes are untrusted. Anything malformed raises ``ProtocolError`` with a short ``code`` and
a reason that names the field; nothing here ever raises anything else for bad input. Payloads are UTF-8
JSON objects with ``"v": 1``.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .fields import ProtocolError, bool_field as _bool, id_field as _id, int_field as _int, str_field as _str
from .topics import valid_id

VERSION = 1
MAX_PAYLOAD = 64 * 1024  # a command is a few hundred bytes; anything near this is junk
MAX_STATE_PAYLOAD = 2 * 1024 * 1024  # retained state (catalogue, content pages) read by screens
PRESS_ACTIONS = ("next", "recall", "skip", "start", "complete", "pause", "resume", "transfer", "call",
                 "open", "close")
_TXN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_CATEGORY = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
_TICKET = re.compile(r"^[A-Za-z0-9-]{1,32}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")  # a ticket's secret, as its QR code carries it


def _validate(obj: dict[str, Any], spec: dict[str, tuple[Any, bool]], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    known = 0  # keys of obj that spec names
    for name, (check, required) in spec.items():
        v = obj.get(name)
        if v is None:
            known += name in obj
            if required:
                raise ProtocolError("missing_field", f"{where}: field {name!r} is required")
            continue
        known += 1
        out[name] = check(name, v)
    if len(obj) > known + ("v" in obj and "v" not in spec):  # only then is there a key spec does not name
        extra = sorted(set(obj) - set(spec) - {"v"})
        raise ProtocolError("unknown_field", f"{where}: unknown field {extra[0]!r}")
    return out


def decode_json(payload: bytes, *, limit: int = MAX_PAYLOAD) -> dict[str, Any]:
    """Bytes → JSON object with ``v == 1``, or ProtocolError."""
    if not isinstance(payload, (bytes, bytearray)):
        raise ProtocolError("bad_payload", "payload must be bytes")
    if len(payload) > limit:
        raise ProtocolError("too_large", f"payload is {len(payload)} bytes; the limit is {limit}")
    if not payload:
        raise ProtocolError("empty", "payload is empty")
    try:
        text = bytes(payload).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError("bad_utf8", f"payload is not UTF-8 (byte {exc.start})") from None
    try:
        obj = _DECODER.decode(text)
    except ProtocolError:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise ProtocolError("bad_json", f"payload is not JSON: {str(exc)[:80]}") from None
    if not isinstance(obj, dict):
        raise ProtocolError("bad_json", "payload must be a JSON object")
    if "\\u" in text:  # a lone surrogate can only come from an escape: UTF-8 itself cannot carry one
        _unicode_only(obj)
    v = obj.get("v")
    if type(v) is not int or v != VERSION:  # exactly the integer 1: not 1.0, not true
        raise ProtocolError("bad_version", f'field "v" must be {VERSION}, got {str(v)[:20]!r}')
    return obj


MAX_DIGITS = 20  # no field needs more; Python would otherwise spend time on (or refuse) huge numbers


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ProtocolError("duplicate_key", f"key {k[:40]!r} appears twice")
        out[k] = v
    return out


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise ProtocolError("bad_value", f"a number has {len(digits)} digits; at most {MAX_DIGITS}")
    return int(digits)


def _constant(name: str) -> Any:
    raise ProtocolError("bad_json", f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_int=_integer, parse_constant=_constant)
"""Made once: ``json.loads`` with these arguments builds a decoder every call."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def _unicode_only(obj: Any) -> None:
    """Refuse lone surrogates (``\\ud800``): JSON can spell them, but they are not text and cannot be
    stored, printed or sent on. Iterative, so a deeply nested payload cannot exhaust the stack."""
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            if not x.isascii() and _SURROGATE.search(x):
                raise ProtocolError("bad_text", "a text field holds a lone surrogate, which is not Unicode text")
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)


_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
"""Keys that are not text are written as text, as the standard library writes them; dates and dataclasses
are left to the fallback, which refuses them as ``json.dumps`` does."""
_POOLED = 512 - 33  # a bytes object this long or shorter fits Python's own small-object pools
_C_ENCODE = json.encoder.c_make_encoder(
    None, json.JSONEncoder().default, json.encoder.encode_basestring, None, ":", ",", False, False, True)


def _written(obj: Any) -> bytes:
    """``json.dumps(obj, ensure_ascii=False, separators=(",", ":"))`` in UTF-8, written by orjson (a tenth of
    the time): the same bytes, except that a float under 1e-4 may be spelt otherwise (``0.00001`` or
    ``3.5e-7`` where the standard library writes ``1e-05`` or ``3.5e-07``, the same numbers), and NaN or an
    infinity is ``null`` where it writes ``NaN``, which is not JSON and which no strict reader, ours
    included, accepts. What orjson cannot write (an integer beyond 64 bits) the standard library's encoder
    writes, built once; it also raises what ``json.dumps`` raises."""
    try:
        return orjson.dumps(obj, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return "".join(_C_ENCODE(obj, 0)).encode("utf-8")


def compact_bytes(obj: Any) -> bytes:
    """``_written``, as bytes the caller may keep: orjson starts every text in a 1 KiB buffer outside
    Python's small-object pools, and a short text kept there holds the heap apart (``kiosk.system.heap``),
    so a short one is copied into the pools (about 50 ns)."""
    out = _written(obj)
    return bytes(memoryview(out)) if len(out) <= _POOLED else out


def compact_json(obj: Any) -> str:
    """``_written`` as text, for the store's TEXT columns."""
    return _written(obj).decode("utf-8")


def encode(obj: dict[str, Any]) -> bytes:
    """A message dict → compact UTF-8 JSON with ``v`` first."""
    if "v" in obj:
        obj = {k: val for k, val in obj.items() if k != "v"}
    return compact_bytes({"v": VERSION, **obj})


def encode_members(obj: dict[str, Any]) -> bytes:
    """The members of a JSON object as ``encode`` writes them, without the braces: pieces to join, so a part
    shared by several messages (a window's state, also inside the board) is encoded once."""
    return compact_bytes(obj)[1:-1]


# ---------------------------------------------------------------- button presses

@dataclass(frozen=True, slots=True, kw_only=True)
class Press:
    device: str
    seq: int
    action: str
    ticket: str | None = None
    to_category: str | None = None
    to_window: str | None = None
    reason: str | None = None


_PRESS_SPEC = {
    "device": (_id, True),
    "seq": (_int(0), True),
    "action": (_str(choices=PRESS_ACTIONS), True),
    "ticket": (_str(_TICKET, 32), False),
    "to_category": (_str(_CATEGORY, 8), False),
    "to_window": (_id, False),
    "reason": (_str(max_len=60), False),
}


def decode_press(payload: bytes) -> Press:
    f = _validate(decode_json(payload), _PRESS_SPEC, "press")
    p = Press(**f)
    if p.action == "call" and p.ticket is None:
        raise ProtocolError("missing_field", "press: action 'call' needs field 'ticket'")
    if p.action == "transfer" and (p.to_category is None) == (p.to_window is None):
        raise ProtocolError("missing_field", "press: action 'transfer' needs one of 'to_category' or 'to_window'")
    return p


# ---------------------------------------------------------------- requests and replies

_ENVELOPE = {
    "txn": (_str(_TXN, 64), True),
    "reply_to": (_str(max_len=200), True),
    "device": (_id, False),
}
_PERSONAL = dict(max_len=200)

# op -> its own fields. Ops of later features register here too, so validation stays in one place.
REQUEST_OPS: dict[str, dict[str, tuple[Any, bool]]] = {
    "ticket.issue": {"category": (_str(_CATEGORY, 8), True), "priority": (_bool, False),
                     "priority_reason": (_str(choices=("age",)), False),
                     "accept_late": (_bool, False),
                     "lang": (_str(max_len=8), False), "large_print": (_bool, False)},
    "ticket.delivered": {"ticket": (_str(_TICKET, 32), True),
                         "how": (_str(choices=("printed", "on_screen")), True)},
    "ticket.void": {"ticket": (_str(_TICKET, 32), True), "reason": (_str(max_len=80), False)},
    "ticket.requeue": {"ticket": (_str(_TICKET, 32), True)},
    "ticket.info": {"ticket": (_str(_TICKET, 32), False), "token": (_str(_TOKEN, 64), False)},  # one of them
    "help.request": {"kind": (_str(choices=("desk", "home_visit")), False),
                     "where": (_str(max_len=40), False), "note": (_str(max_len=200), False),
                     "name": (_str(**_PERSONAL), False), "phone": (_str(max_len=20), False),
                     "address": (_str(**_PERSONAL), False), "group": (_str(max_len=20), False)},
    "help.ack": {"alert": (_str(_TXN, 64), True), "by": (_str(max_len=40), False)},
    "alert.list": {},
}
# Ops of later features live in their own modules (protocol/ops_<feature>.py, each with an OPS dict),
# so adding a feature never edits this table.
# A module may also raise the payload limit of its own ops (``LIMITS``: op -> bytes), e.g. the catalogue.
OP_PAYLOAD_LIMITS: dict[str, int] = {}
for _m in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if _m.name.startswith("ops_"):
        _mod = importlib.import_module(f"{__package__}.{_m.name}")
        REQUEST_OPS.update(_mod.OPS)
        OP_PAYLOAD_LIMITS.update(getattr(_mod, "LIMITS", {}))
MAX_REQUEST_PAYLOAD = max([MAX_PAYLOAD, *OP_PAYLOAD_LIMITS.values()])


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    op: str
    txn: str
    reply_to: str
    device: str | None = None
    args: dict[str, Any] = field(default_factory=dict)


def decode_request(op: str, payload: bytes) -> Request:
    """Validate a request. Raises ProtocolError; the envelope is checked first so a reply can be sent."""
    obj = decode_json(payload, limit=OP_PAYLOAD_LIMITS.get(op, MAX_PAYLOAD))
    env_keys = {k: obj[k] for k in _ENVELOPE if k in obj}
    env = _validate(env_keys, _ENVELOPE, f"request {op}")
    spec = REQUEST_OPS.get(op)
    if spec is None:
        raise ProtocolError("unknown_op", f"unknown request op {op[:40]!r}")
    rest = {k: v for k, v in obj.items() if k not in _ENVELOPE}
    args = _validate(rest, spec, f"request {op}")
    return Request(op=op, args=args, **env)


def _ignored(text: str) -> int:
    return 0


def envelope_of(payload: bytes) -> tuple[str, str] | None:
    """Best effort (txn, reply_to) of a bad request, so the hub can still answer it."""
    try:
        # numbers are not needed here: never convert them (a 5,000-digit one must not cost the reply)
        obj = json.loads(bytes(payload[:MAX_REQUEST_PAYLOAD]).decode("utf-8"), parse_int=_ignored, parse_float=_ignored,
                         parse_constant=_ignored)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    txn, reply_to = obj.get("txn"), obj.get("reply_to")
    if isinstance(txn, str) and _TXN.match(txn) and isinstance(reply_to, str) and len(reply_to) <= 200:
        return txn, reply_to
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    txn: str
    ok: bool
    result: Any = None
    code: str | None = None
    message: str | None = None


def ok_reply(txn: str, result: Any) -> dict[str, Any]:
    return {"txn": txn, "ok": True, "result": result}


def error_reply(txn: str, code: str, message: str) -> dict[str, Any]:
    return {"txn": txn, "ok": False, "error": {"code": code, "message": message}}


def decode_reply(payload: bytes) -> Reply:
    obj = decode_json(payload)
    txn, ok = obj.get("txn"), obj.get("ok")
    if not isinstance(txn, str) or not isinstance(ok, bool):
        raise ProtocolError("bad_reply", "reply needs string 'txn' and boolean 'ok'")
    if ok:
        return Reply(txn=txn, ok=True, result=obj.get("result"))
    err = obj.get("error") if isinstance(obj.get("error"), dict) else {}
    return Reply(txn=txn, ok=False, code=str(err.get("code", "error")), message=str(err.get("message", "")))
