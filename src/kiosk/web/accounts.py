"""Staff accounts, lock-out and the audit log of ``kiosk web``, in the web's own SQLite file.

Rule: this file (``<[web] state_dir>/web.sqlite3``) is the web's, never the hub's database: staff are people
with logins here, the hub only sees the web's broker identity and the ``by`` it puts on each action.
Passwords are hashed with the standard library's scrypt (a memory-hard KDF, no extra package); each change
of password or of the account bumps ``version``, which every session cookie carries, so a password change or
a ``disable`` ends the sessions already given out. ``kiosk staff`` and the running web share the file; SQLite
(WAL) serialises their writes. The clock is passed in.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import KioskError

STAFF_ROLES = ("window", "desk", "director", "technician")
NAME = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")
STAFF_NO = re.compile(r"^[A-Za-z0-9-]{1,20}$")
MIN_PASSWORD = 8
SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}  # ~16 MiB and a few tens of ms per login on a Pi 4

_SCHEMA = """
CREATE TABLE IF NOT EXISTS staff (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, windows TEXT NOT NULL DEFAULT '[]',
    full_name TEXT NOT NULL DEFAULT '', staff_no TEXT NOT NULL DEFAULT '',
    hash TEXT NOT NULL, salt TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1,
    disabled INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0, created_at REAL NOT NULL, last_login REAL);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '{}', ip TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class AccountError(KioskError):
    """A staff account command that cannot be done (unknown name, bad role, weak password …)."""


@dataclass(frozen=True, slots=True)
class StaffMember:
    name: str
    role: str
    windows: tuple[str, ...]
    full_name: str
    staff_no: str
    version: int
    disabled: bool
    locked_until: float
    last_login: float | None

    @property
    def shown(self) -> str:
        return self.full_name or self.name


def hash_password(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **SCRYPT).hex()


class Accounts:
    """The staff table, the failures that lock an account and the audit log."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.db = sqlite3.connect(str(self.path), timeout=5.0, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        try:
            self.path.chmod(0o600)
        except OSError:
            pass

    @classmethod
    def in_dir(cls, state_dir: Path) -> "Accounts":
        return cls(Path(state_dir) / "web.sqlite3")

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ the secret that signs cookies
    def secret(self) -> bytes:
        """The key of session cookies and CSRF tokens; made once, kept with the accounts (0600)."""
        row = self.db.execute("SELECT value FROM meta WHERE key='cookie_secret'").fetchone()
        if row:
            return bytes.fromhex(row[0])
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('cookie_secret', ?)", (secrets.token_hex(32),))
        return self.secret()

    # ------------------------------------------------------------------ accounts
    def add(self, name: str, password: str, *, role: str, windows: tuple[str, ...] = (), full_name: str = "",
            staff_no: str = "", now: float) -> StaffMember:
        _check_name(name)
        _check_role(role, windows)
        _check_password(password)
        if staff_no and not STAFF_NO.match(staff_no):
            raise AccountError("工号 (--staff-no) must be 1 to 20 letters, digits or dashes")
        if len(full_name) > 20:
            raise AccountError("--full-name must be at most 20 characters")
        salt = secrets.token_bytes(16)
        try:
            self.db.execute("INSERT INTO staff (name, role, windows, full_name, staff_no, hash, salt, created_at) "
                            "VALUES (?,?,?,?,?,?,?,?)", (name, role, json.dumps(list(windows)), full_name.strip(),
                                                         staff_no, hash_password(password, salt), salt.hex(), now))
        except sqlite3.IntegrityError:
            raise AccountError(f"staff {name!r} exists already (use kiosk staff passwd to change the password)") \
                from None
        return self.require(name)

    def get(self, name: str) -> StaffMember | None:
        row = self.db.execute("SELECT name, role, windows, full_name, staff_no, version, disabled, locked_until, "
                              "last_login FROM staff WHERE name=?", (name,)).fetchone()
        if row is None:
            return None
        return StaffMember(row[0], row[1], tuple(json.loads(row[2])), row[3], row[4], row[5], bool(row[6]),
                           row[7], row[8])

    def require(self, name: str) -> StaffMember:
        m = self.get(name)
        if m is None:
            raise AccountError(f"no staff {name!r} (kiosk staff list shows them)")
        return m

    def all(self) -> list[StaffMember]:
        names = [r[0] for r in self.db.execute("SELECT name FROM staff ORDER BY name")]
        return [self.require(n) for n in names]

    def set_password(self, name: str, password: str) -> None:
        self.require(name)
        _check_password(password)
        salt = secrets.token_bytes(16)
        self.db.execute("UPDATE staff SET hash=?, salt=?, version=version+1, failures=0, locked_until=0 WHERE name=?",
                        (hash_password(password, salt), salt.hex(), name))

    def set_disabled(self, name: str, disabled: bool = True) -> None:
        self.require(name)
        self.db.execute("UPDATE staff SET disabled=?, version=version+1 WHERE name=?", (int(disabled), name))

    def update(self, name: str, *, role: str | None = None, windows: tuple[str, ...] | None = None) -> StaffMember:
        m = self.require(name)
        role, windows = role or m.role, m.windows if windows is None else windows
        _check_role(role, windows)
        self.db.execute("UPDATE staff SET role=?, windows=?, version=version+1 WHERE name=?",
                        (role, json.dumps(list(windows)), name))
        return self.require(name)

    # ------------------------------------------------------------------ login
    def verify(self, name: str, password: str, *, now: float, limit: int, lock_s: float) -> tuple[StaffMember | None, str]:
        """(member, "") on success; (None, why) otherwise: ``unknown``, ``disabled``, ``locked``, ``wrong``.

        The hash is computed even for an unknown name, so the time taken does not tell which names exist.
        ``limit`` wrong passwords in a row lock the account for ``lock_s`` seconds; while locked even the
        right password is refused.
        """
        row = self.db.execute("SELECT hash, salt, disabled, failures, locked_until FROM staff WHERE name=?",
                              (name,)).fetchone()
        salt = bytes.fromhex(row[1]) if row else b"\0" * 16
        good = hmac.compare_digest(hash_password(password, salt), row[0] if row else "0" * 64)
        if row is None:
            return None, "unknown"
        if row[2]:
            return None, "disabled"
        if row[4] > now:
            return None, "locked"
        if not good:
            failures = row[3] + 1
            locked = now + lock_s if failures >= limit else 0.0
            self.db.execute("UPDATE staff SET failures=?, locked_until=? WHERE name=?",
                            (0 if locked else failures, locked, name))
            return None, "locked" if locked else "wrong"
        self.db.execute("UPDATE staff SET failures=0, locked_until=0, last_login=? WHERE name=?", (now, name))
        return self.require(name), ""

    # ------------------------------------------------------------------ audit
    def audit(self, *, at: float, who: str, action: str, target: str = "", detail: dict[str, Any] | None = None,
              ip: str = "") -> None:
        self.db.execute("INSERT INTO audit (at, who, action, target, detail, ip) VALUES (?,?,?,?,?,?)",
                        (at, who, action, target, json.dumps(detail or {}, ensure_ascii=False), ip))

    def audit_log(self, *, limit: int = 200, who: str | None = None, action: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT at, who, action, target, detail, ip FROM audit", []
        cond = []
        if who:
            cond.append("who=?")
            args.append(who)
        if action:
            cond.append("action=?")
            args.append(action)
        if cond:
            sql += " WHERE " + " AND ".join(cond)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        return [{"at": r[0], "who": r[1], "action": r[2], "target": r[3], "detail": json.loads(r[4]), "ip": r[5]}
                for r in self.db.execute(sql, args)]


def _check_name(name: str) -> None:
    if not NAME.match(name):
        raise AccountError(f"login name {name!r}: 2 to 32 of a-z 0-9 _ -, starting with a letter (e.g. wangfang)")


def _check_role(role: str, windows: tuple[str, ...]) -> None:
    if role not in STAFF_ROLES:
        raise AccountError(f"--role must be one of {', '.join(STAFF_ROLES)}, got {role!r}")
    if role == "window" and not windows:
        raise AccountError("a window staff account needs --windows (e.g. --windows w1,w3)")
    if role != "window" and windows:
        raise AccountError("--windows is for the window role only")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > 200:
        raise AccountError("a password has at most 200 characters")
