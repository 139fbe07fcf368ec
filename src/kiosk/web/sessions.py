"""Signed, expiring session cookies and the CSRF tokens bound to them.

Rule: pure functions of (secret, values, now): no I/O, no clock. A cookie is ``payload.signature`` where the
payload is URL-safe base64 of compact JSON {u: name, v: account version, exp: expiry, sid: random} and the
signature HMAC-SHA256 over it with the secret kept beside the accounts. Anything that does not verify, has
expired or names an old account version is simply no session. A CSRF token is HMAC(secret, "csrf:" + sid):
the session id for a login, or the id of the anonymous cookie a browser gets before it logs in, so the
login form is protected too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

COOKIE = "kiosk_session"
ANON_COOKIE = "kiosk_anon"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True, slots=True)
class Session:
    name: str
    version: int
    expires: float
    sid: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest())


def issue(secret: bytes, *, name: str, version: int, now: float, hours: float) -> tuple[str, Session]:
    s = Session(name=name, version=version, expires=now + hours * 3600.0, sid=secrets.token_urlsafe(16))
    payload = _b64(json.dumps({"u": s.name, "v": s.version, "exp": s.expires, "sid": s.sid},
                              separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_sign(secret, payload)}", s


def read(secret: bytes, cookie: str | None, *, now: float) -> Session | None:
    """The session a cookie carries, or None (missing, forged, malformed or expired)."""
    if not cookie or len(cookie) > 1024 or cookie.count(".") != 1:
        return None
    payload, sig = cookie.split(".")
    try:
        if not hmac.compare_digest(_sign(secret, payload), sig):
            return None
        obj = json.loads(_unb64(payload))
        s = Session(name=str(obj["u"]), version=int(obj["v"]), expires=float(obj["exp"]), sid=str(obj["sid"]))
    except (ValueError, KeyError, TypeError, UnicodeError):
        return None
    return s if s.expires > now else None


def new_anonymous_id() -> str:
    return secrets.token_urlsafe(16)


def csrf_token(secret: bytes, sid: str) -> str:
    return _b64(hmac.new(secret, f"csrf:{sid}".encode("utf-8"), hashlib.sha256).digest())


def csrf_ok(secret: bytes, sid: str | None, token: str | None) -> bool:
    return bool(sid and token) and hmac.compare_digest(csrf_token(secret, sid or ""), token or "")
