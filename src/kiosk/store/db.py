"""The hub's durable state: SQLite in WAL mode, an append-only command log plus snapshots.

Rule: the hub acknowledges nothing before it is in here. Each batch of commands (group commit) is one
transaction holding the commands, their events, the (window, device, seq) of presses and the replies to
requests; the in-memory queue is rebuilt from the newest snapshot plus the commands after it, so a
restart yields exactly the state before it. Every sqlite3 error leaves as ``StoreError``.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Self

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
    window TEXT NOT NULL,
    device TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    at     REAL NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (window, device, seq)
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
            self._db.execute("PRAGMA secure_delete=ON")  # purged personal data is overwritten, not left in free pages
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.execute("PRAGMA busy_timeout=5000")
            old = [r[1] for r in self._db.execute("PRAGMA table_info(presses)")]
            if old and "window" not in old:  # a file from before presses were keyed by window too
                self._db.execute("ALTER TABLE presses RENAME TO presses_by_device")
            self._db.executescript(SCHEMA)
            if old and "window" not in old:
                self._db.executescript("INSERT INTO presses SELECT '', device, seq, at, outcome FROM presses_by_device;"
                                       "DROP TABLE presses_by_device;")
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

    def insert(self, table: str, row: dict[str, Any]) -> None:
        """One row of a feature's table; column names come from the feature's code, never from input."""
        cols = ",".join(row)
        self._exec(f"INSERT INTO {table}({cols}) VALUES ({','.join('?' * len(row))})", tuple(row.values()))

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

    def mark_press(self, window: str, device: str, seq: int, at: float, outcome: str) -> None:
        self._exec("INSERT OR IGNORE INTO presses(window, device, seq, at, outcome) VALUES (?,?,?,?,?)",
                   (window, device, seq, at, outcome))

    def save_reply(self, device: str, txn: str, at: float, reply: dict[str, Any]) -> None:
        self._exec("INSERT OR REPLACE INTO replies(device, txn, at, reply) VALUES (?,?,?,?)",
                   (device, txn, at, json.dumps(reply, ensure_ascii=False)))

    def set_meta(self, key: str, value: Any) -> None:
        self._exec("INSERT OR REPLACE INTO meta(key, value) VALUES (?,?)", (key, json.dumps(value)))

    def probe_write(self) -> None:
        """Inside a batch: write (and drop) a few pages, which a full disk or a read-only file refuses."""
        self._exec("INSERT OR REPLACE INTO meta(key, value) VALUES ('write_probe', ?)", ("0" * 16384,))
        self._exec("DELETE FROM meta WHERE key = 'write_probe'")

    def save_snapshot(self, cmd_seq: int, state: dict[str, Any]) -> None:
        self._exec("INSERT OR REPLACE INTO snapshots(cmd_seq, body) VALUES (?,?)",
                   (cmd_seq, json.dumps(state, ensure_ascii=False)))
        self._exec("DELETE FROM snapshots WHERE cmd_seq < ?", (cmd_seq,))

    def forget_dedupe(self, before: float) -> None:
        self._exec("DELETE FROM replies WHERE at < ?", (before,))
        self._exec("DELETE FROM presses WHERE at < ?", (before,))

    # ------------------------------------------------------------------ reads
    def press_seen(self, window: str, device: str, seq: int) -> str | None:
        """The outcome of press ``seq`` of ``device`` on ``window``, if it was handled already. Keyed by the
        window too: a press on another window's topic naming this device never uses up its seq."""
        row = self._exec("SELECT outcome FROM presses WHERE window=? AND device=? AND seq=?",
                         (window, device, seq)).fetchone()
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


class Table:
    """A hub feature's table(s) in the store: its ``SCHEMA`` and every SQL statement about them.

    Built per use on the worker thread (``Table(store)``, nothing but the store inside); ``open`` once at
    the hub's start, outside any batch, creates the tables if missing."""

    SCHEMA = ""
    NAME = ""  # the table ``add`` inserts into

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, store: Store) -> Self:
        store.ensure_schema(cls.SCHEMA)
        return cls(store)

    def add(self, row: dict[str, Any]) -> None:
        self.store.insert(self.NAME, row)
