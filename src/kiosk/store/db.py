"""The hub's durable state: SQLite in WAL mode, an append-only command log plus snapshots.

Rule: the hub acknowledges nothing before it is in here. Each batch of commands (group commit) is one
transaction holding the commands, their events, the (device, seq) of presses and the replies to
requests; the in-memory queue is rebuilt from the newest snapshot plus the commands after it, so a
restart yields exactly the state before it. Every sqlite3 error leaves as ``StoreError``.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from ..core.commands import Command, Event, command_from_dict, command_to_dict, event_to_dict
from ..errors import StoreError

SCHEMA = """
CREATE TABLE IF NOT EXISTS commands (
    seq   INTEGER PRIMARY KEY,
    at    REAL NOT NULL,
    kind  TEXT NOT NULL,
    body  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id      INTEGER PRIMARY KEY,
    cmd_seq INTEGER NOT NULL,
    at      REAL NOT NULL,
    day     TEXT NOT NULL,
    kind    TEXT NOT NULL,
    ticket  TEXT,
    window  TEXT,
    body    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_day ON events(day, kind);
CREATE TABLE IF NOT EXISTS presses (
    device TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    at     REAL NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (device, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS replies (
    device TEXT NOT NULL,
    txn    TEXT NOT NULL,
    at     REAL NOT NULL,
    reply  TEXT NOT NULL,
    PRIMARY KEY (device, txn)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
    cmd_seq INTEGER PRIMARY KEY,
    body    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS help_requests (
    id        TEXT PRIMARY KEY,
    at        REAL NOT NULL,
    kind      TEXT NOT NULL,
    device    TEXT NOT NULL,
    txn       TEXT NOT NULL,
    place     TEXT NOT NULL DEFAULT '',
    note      TEXT NOT NULL DEFAULT '',
    grp       TEXT NOT NULL DEFAULT '',
    name      TEXT,
    phone     TEXT,
    address   TEXT,
    state     TEXT NOT NULL,
    acked_by  TEXT,
    acked_at  REAL
);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class Store:
    """One SQLite file, used by one thread (the hub's worker)."""

    def __init__(self, path: str | Path, *, synchronous: str = "FULL") -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists()
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            if new:
                # Personal data (phones, names) lands here later: the service user alone may read it.
                os.chmod(self.path, 0o600)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"{self.path}: cannot open the state database: {exc}") from exc
        self._in_batch = False

    def close(self) -> None:
        self._db.close()

    def ensure_schema(self, sql: str) -> None:
        """Tables of a hub feature (CREATE … IF NOT EXISTS)."""
        try:
            self._db.executescript(sql)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot create tables: {exc}") from exc

    def execute(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        """For hub features' own tables; inside a batch it commits with the batch."""
        return self._exec(sql, args)

    def rows(self, sql: str, args: tuple = ()) -> list[dict[str, Any]]:
        cur = self._exec(sql, args)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    # ------------------------------------------------------------------ batches
    @contextmanager
    def batch(self) -> Iterator["Store"]:
        """One transaction: everything written inside commits together or not at all."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot begin a transaction: {exc}") from exc
        self._in_batch = True
        try:
            yield self
        except BaseException:
            self._rollback()
            raise
        finally:
            self._in_batch = False
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise StoreError(f"{self.path}: cannot commit: {exc}") from exc

    def _rollback(self) -> None:
        try:
            self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the transaction is already gone (e.g. disk I/O error aborted it)

    def _exec(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from exc

    # ------------------------------------------------------------------ writes (inside a batch)
    def add_command(self, cmd: Command) -> int:
        body = command_to_dict(cmd)
        cur = self._exec("INSERT INTO commands(at, kind, body) VALUES (?,?,?)",
                         (cmd.now, body["type"], json.dumps(body, ensure_ascii=False)))
        return int(cur.lastrowid)

    def add_events(self, cmd_seq: int, day: str, events: list[Event]) -> None:
        rows = []
        for ev in events:
            d = event_to_dict(ev)
            rows.append((cmd_seq, ev.at, day, d["kind"], d.get("ticket"), d.get("window"),
                         json.dumps(d, ensure_ascii=False)))
        try:
            self._db.executemany(
                "INSERT INTO events(cmd_seq, at, day, kind, ticket, window, body) VALUES (?,?,?,?,?,?,?)", rows)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from exc

    def mark_press(self, device: str, seq: int, at: float, outcome: str) -> None:
        self._exec("INSERT OR IGNORE INTO presses(device, seq, at, outcome) VALUES (?,?,?,?)",
                   (device, seq, at, outcome))

    def save_reply(self, device: str, txn: str, at: float, reply: dict[str, Any]) -> None:
        self._exec("INSERT OR REPLACE INTO replies(device, txn, at, reply) VALUES (?,?,?,?)",
                   (device, txn, at, json.dumps(reply, ensure_ascii=False)))

    def set_meta(self, key: str, value: Any) -> None:
        self._exec("INSERT OR REPLACE INTO meta(key, value) VALUES (?,?)", (key, json.dumps(value)))

    def save_snapshot(self, cmd_seq: int, state: dict[str, Any]) -> None:
        self._exec("INSERT OR REPLACE INTO snapshots(cmd_seq, body) VALUES (?,?)",
                   (cmd_seq, json.dumps(state, ensure_ascii=False)))
        self._exec("DELETE FROM snapshots WHERE cmd_seq < ?", (cmd_seq,))

    def add_help(self, row: dict[str, Any]) -> None:
        cols = ",".join(row)
        self._exec(f"INSERT INTO help_requests({cols}) VALUES ({','.join('?' * len(row))})", tuple(row.values()))

    def ack_help(self, hid: str, by: str, at: float) -> None:
        self._exec("UPDATE help_requests SET state='acknowledged', acked_by=?, acked_at=? WHERE id=?", (by, at, hid))

    def forget_dedupe(self, before: float) -> None:
        self._exec("DELETE FROM replies WHERE at < ?", (before,))
        self._exec("DELETE FROM presses WHERE at < ?", (before,))

    def purge_help(self, before: float) -> int:
        """Forget personal data of old requests; the counts stay for the reports."""
        cur = self._exec("UPDATE help_requests SET name=NULL, phone=NULL, address=NULL "
                         "WHERE at < ? AND (name IS NOT NULL OR phone IS NOT NULL OR address IS NOT NULL)", (before,))
        return cur.rowcount

    # ------------------------------------------------------------------ reads
    def help_request(self, hid: str) -> dict[str, Any] | None:
        cur = self._exec("SELECT * FROM help_requests WHERE id=?", (hid,))
        row = cur.fetchone()
        return None if row is None else dict(zip([d[0] for d in cur.description], row))

    def help_requests(self, *, open_only: bool = False) -> list[dict[str, Any]]:
        sql = "SELECT * FROM help_requests" + (" WHERE state='waiting'" if open_only else "") + " ORDER BY at"
        cur = self._exec(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def press_seen(self, device: str, seq: int) -> str | None:
        row = self._exec("SELECT outcome FROM presses WHERE device=? AND seq=?", (device, seq)).fetchone()
        return None if row is None else row[0]

    def stored_reply(self, device: str, txn: str) -> dict[str, Any] | None:
        row = self._exec("SELECT reply FROM replies WHERE device=? AND txn=?", (device, txn)).fetchone()
        return None if row is None else json.loads(row[0])

    def get_meta(self, key: str, default: Any = None) -> Any:
        row = self._exec("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def last_seq(self) -> int:
        row = self._exec("SELECT MAX(seq) FROM commands").fetchone()
        return int(row[0] or 0)

    def latest_snapshot(self) -> tuple[int, dict[str, Any] | None]:
        row = self._exec("SELECT cmd_seq, body FROM snapshots ORDER BY cmd_seq DESC LIMIT 1").fetchone()
        if row is None:
            return 0, None
        return int(row[0]), json.loads(row[1])

    def commands_after(self, seq: int) -> Iterator[tuple[int, Command]]:
        for s, body in self._exec("SELECT seq, body FROM commands WHERE seq > ? ORDER BY seq", (seq,)):
            yield int(s), command_from_dict(json.loads(body))

    def events(self, *, day: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT body FROM events WHERE 1=1", []
        if day is not None:
            sql += " AND day=?"
            args.append(day)
        if kind is not None:
            sql += " AND kind=?"
            args.append(kind)
        return [json.loads(b) for (b,) in self._exec(sql + " ORDER BY id", tuple(args))]
