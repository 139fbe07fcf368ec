"""The hub's durable state: SQLite in WAL mode, an append-only command log plus snapshots.

Rule: the hub acknowledges nothing before it is in here. Each batch of commands (group commit) is one
transaction holding the commands, their events, the (window, device, seq) of presses and the replies to
requests; the in-memory queue is rebuilt from the newest snapshot plus the commands after it, so a
restart yields exactly the state before it. Every sqlite3 error leaves as ``StoreError``.

Inside a batch the rows of the hot tables (commands, events, presses, replies, and those a feature adds
with ``add_hot``, such as ticket tokens) wait in memory and go in with one ``executemany`` each just before
the COMMIT, so a command costs the database no statement of its own; what is pending is seen by the reads
here (``press_seen``, ``stored_reply``, ``hot_pending``, …) and is written first whenever other SQL names one
of those tables. The batch's replies and presses already handled are looked up with one statement for the
whole batch (``prefetch``). Nothing changes for durability: the rows are in the
same transaction, and nothing is acknowledged before its COMMIT returns.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Self

from ..core.commands import Command, Event, command_from_dict, command_to_dict, event_to_dict
from ..errors import StoreError
from ..protocol.codec import compact_json

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
) WITHOUT ROWID;
"""


PAGE_SIZE = 1024  # for new files (an existing file keeps its page size: WAL mode cannot change it)

# the hot tables: rows wait for the batch's end and go in with one statement per table
_HOT = {
    "commands": "INSERT INTO commands(seq, at, kind, body) VALUES (?,?,?,?)",
    "events": "INSERT INTO events(cmd_seq, at, day, kind, ticket, window, body) VALUES (?,?,?,?,?,?,?)",
    "presses": "INSERT OR IGNORE INTO presses(window, device, seq, at, outcome) VALUES (?,?,?,?,?)",
    "replies": "INSERT OR REPLACE INTO replies(device, txn, at, reply) VALUES (?,?,?,?)",
}

_HOT_NAMED = re.compile("|".join(_HOT))
_SET_META = "INSERT OR REPLACE INTO meta(key, value) VALUES (?,?)"


_PREFETCH = {"replies": (("device", "txn"), "reply"), "presses": (("window", "device", "seq"), "outcome")}


@functools.lru_cache(maxsize=64)
def prefetch_sql(table: str, n: int) -> str:
    """The stored value of ``n`` keys of ``table`` in one statement, from the keys to the table: one
    primary-key search per key. (A row-value ``IN (VALUES …)`` scans the whole table, which grows all day:
    4 ms a batch at 20,000 rows.)"""
    cols, value = _PREFETCH[table]
    marks = ",".join(["(" + ",".join("?" * len(cols)) + ")"] * n)
    on = " AND ".join(f"t.{c} = k.column{i}" for i, c in enumerate(cols, 1))
    picked = ", ".join(f"t.{c}" for c in cols)
    return f"SELECT {picked}, t.{value} FROM (VALUES {marks}) AS k CROSS JOIN {table} AS t ON {on}"


_dumps = compact_json


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
            if new:  # a commit writes whole pages to the WAL: small ones wear an SD card far less
                self._db.execute(f"PRAGMA page_size={PAGE_SIZE}")
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
        self._sql = dict(_HOT)
        self._hot_named = _HOT_NAMED
        self._pending: dict[str, list[tuple]] = {t: [] for t in _HOT}
        self._pending_presses: dict[tuple[str, str, int], str] = {}
        self._pending_replies: dict[tuple[str, str], str] = {}
        self._pending_keyed: dict[str, dict[Any, Any]] = {}
        self._pending_meta: dict[str, str] = {}  # key -> JSON text: the batch's last value of each key
        # what one statement found (or did not) for the batch's presses and requests: (table, key) -> value
        self._known: dict[tuple[str, Any], Any] = {}
        self._seq = self._max_seq()

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
        self._write_pending_for(sql)
        return self._exec(sql, args)

    def insert(self, table: str, row: dict[str, Any]) -> None:
        """One row of a feature's table; column names come from the feature's code, never from input."""
        cols = ",".join(row)
        self._exec(f"INSERT INTO {table}({cols}) VALUES ({','.join('?' * len(row))})", tuple(row.values()))

    def rows(self, sql: str, args: tuple = ()) -> list[dict[str, Any]]:
        self._write_pending_for(sql)
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
            self._write_pending()
        except BaseException:
            self._rollback()
            raise
        finally:
            self._in_batch = False
            self._known.clear()
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise StoreError(f"{self.path}: cannot commit: {exc}") from exc

    def _rollback(self) -> None:
        self._drop_pending()
        try:
            self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the transaction is already gone (e.g. disk I/O error aborted it)
        try:
            self._seq = self._max_seq()
        except StoreError:
            pass  # unreadable now; the next batch fails the same way and says so

    def _drop_pending(self) -> None:
        for rows in self._pending.values():
            rows.clear()
        self._pending_presses.clear()
        self._pending_replies.clear()
        self._pending_meta.clear()
        for keyed in self._pending_keyed.values():
            keyed.clear()

    def _write_pending(self) -> None:
        """The batch's rows of the hot tables, one statement per table."""
        try:
            for table, rows in self._pending.items():
                if rows:
                    self._db.executemany(self._sql[table], rows)
            if self._pending_meta:
                self._db.executemany(_SET_META, self._pending_meta.items())
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from exc
        self._drop_pending()

    def _write_pending_for(self, sql: str) -> None:
        if (any(self._pending.values()) and self._hot_named.search(sql)) or (self._pending_meta and "meta" in sql):
            self._write_pending()

    def add_hot(self, table: str, insert_sql: str, row: tuple, key: Any, value: Any) -> None:
        """A row of a feature's table that waits for the batch's end like the hot tables' rows (one
        statement per table per batch); ``hot_pending(table, key)`` gives ``value`` until then. The first
        row of a key in a batch stays (``insert_sql`` is an INSERT OR IGNORE)."""
        if table not in self._sql:
            self._sql[table] = insert_sql
            self._pending[table] = []
            self._pending_keyed[table] = {}
            self._hot_named = re.compile("|".join(self._sql))
        keyed = self._pending_keyed[table]
        if key in keyed:
            return
        keyed[key] = value
        self._add(table, row)

    def hot_pending(self, table: str, key: Any) -> Any:
        keyed = self._pending_keyed.get(table)
        return None if keyed is None else keyed.get(key)

    def prefetch(self, replies: list[tuple[str, str]], presses: list[tuple[str, str, int]]) -> None:
        """Inside a batch: the stored replies of ``replies`` ((device, txn)) and the outcomes of ``presses``
        ((window, device, seq)), with one statement each for the whole batch; ``stored_reply`` and
        ``press_seen`` then answer these keys without a statement of their own."""
        for table, keys, cols in (("replies", replies, _PREFETCH["replies"][0]),
                                  ("presses", presses, _PREFETCH["presses"][0])):
            width = len(cols)
            keys = list(dict.fromkeys(keys))
            for i in range(0, len(keys), 300):  # well under SQLite's bound-parameter limit
                part = keys[i:i + 300]
                args = tuple(x for k in part for x in k)
                for k in part:
                    self._known[(table, k)] = None
                for row in self._exec(prefetch_sql(table, len(part)), args):
                    self._known[(table, tuple(row[:width]))] = row[width]

    def _add(self, table: str, row: tuple) -> None:
        self._pending[table].append(row)
        if not self._in_batch:  # a single write outside a batch commits by itself, as before
            self._write_pending()

    def _exec(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from exc

    # ------------------------------------------------------------------ writes (inside a batch)
    def add_command(self, cmd: Command) -> int:
        """Log a command; its seq (the log's next) is known at once, the row is written with the batch."""
        body = command_to_dict(cmd)
        self._seq += 1
        self._add("commands", (self._seq, cmd.now, body["type"], _dumps(body)))
        return self._seq

    def add_events(self, cmd_seq: int, day: str, events: list[Event]) -> None:
        rows = self._pending["events"]
        for ev in events:
            d = event_to_dict(ev)
            rows.append((cmd_seq, ev.at, day, d["kind"], d.get("ticket"), d.get("window"), _dumps(d)))
        if not self._in_batch:
            self._write_pending()

    def mark_press(self, window: str, device: str, seq: int, at: float, outcome: str) -> None:
        key = (window, device, seq)
        if key in self._pending_presses:
            return  # INSERT OR IGNORE: the first outcome stays
        self._pending_presses[key] = outcome
        self._add("presses", (window, device, seq, at, outcome))

    def save_reply(self, device: str, txn: str, at: float, reply: dict[str, Any] | bytes) -> None:
        """The answer to (device, txn), kept for its retries: a dict, or the very bytes published."""
        text = reply.decode("utf-8") if isinstance(reply, bytes) else _dumps(reply)
        self._pending_replies[(device, txn)] = text
        self._add("replies", (device, txn, at, text))

    def set_meta(self, key: str, value: Any) -> None:
        """Inside a batch, written with the batch's other rows (the last value of a key wins, as it would
        one statement at a time): a pad's offer is set at every completed service."""
        text = json.dumps(value)
        if self._in_batch:
            self._pending_meta[key] = text
        else:
            self._exec(_SET_META, (key, text))

    def probe_write(self) -> None:
        """Inside a batch: write (and drop) a few pages, which a full disk or a read-only file refuses."""
        self._exec("INSERT OR REPLACE INTO meta(key, value) VALUES ('write_probe', ?)", ("0" * 16384,))
        self._exec("DELETE FROM meta WHERE key = 'write_probe'")

    def save_snapshot(self, cmd_seq: int, state: dict[str, Any]) -> None:
        self._exec("INSERT OR REPLACE INTO snapshots(cmd_seq, body) VALUES (?,?)",
                   (cmd_seq, _dumps(state)))
        self._exec("DELETE FROM snapshots WHERE cmd_seq < ?", (cmd_seq,))

    def forget_dedupe(self, before: float) -> None:
        self._write_pending()
        self._exec("DELETE FROM replies WHERE at < ?", (before,))
        self._exec("DELETE FROM presses WHERE at < ?", (before,))

    # ------------------------------------------------------------------ reads
    def press_seen(self, window: str, device: str, seq: int) -> str | None:
        """The outcome of press ``seq`` of ``device`` on ``window``, if it was handled already. Keyed by the
        window too: a press on another window's topic naming this device never uses up its seq."""
        key = (window, device, seq)
        pending = self._pending_presses.get(key)
        if pending is not None:
            return pending
        if ("presses", key) in self._known:
            return self._known[("presses", key)]
        row = self._exec("SELECT outcome FROM presses WHERE window=? AND device=? AND seq=?",
                         (window, device, seq)).fetchone()
        return None if row is None else row[0]

    def stored_reply(self, device: str, txn: str) -> dict[str, Any] | None:
        text = self._pending_replies.get((device, txn))
        if text is None and ("replies", (device, txn)) in self._known:
            text = self._known[("replies", (device, txn))]
        elif text is None:
            row = self._exec("SELECT reply FROM replies WHERE device=? AND txn=?", (device, txn)).fetchone()
            text = None if row is None else row[0]
        return None if text is None else {k: v for k, v in json.loads(text).items() if k != "v"}

    def get_meta(self, key: str, default: Any = None) -> Any:
        text = self._pending_meta.get(key)
        if text is None:
            row = self._exec("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
            if row is None:
                return default
            text = row[0]
        return json.loads(text)

    def last_seq(self) -> int:
        return self._seq

    def _max_seq(self) -> int:
        row = self._exec("SELECT MAX(seq) FROM commands").fetchone()
        return int(row[0] or 0)

    def last_command_at(self) -> float:
        """When the newest logged command happened (0 with an empty log): a durable trace of the clock."""
        self._write_pending_for("commands")
        row = self._exec("SELECT at FROM commands ORDER BY seq DESC LIMIT 1").fetchone()
        return float(row[0]) if row else 0.0

    def latest_snapshot(self) -> tuple[int, dict[str, Any] | None]:
        row = self._exec("SELECT cmd_seq, body FROM snapshots ORDER BY cmd_seq DESC LIMIT 1").fetchone()
        if row is None:
            return 0, None
        return int(row[0]), json.loads(row[1])

    def commands_after(self, seq: int) -> Iterator[tuple[int, Command]]:
        self._write_pending_for("commands")
        for s, body in self._exec("SELECT seq, body FROM commands WHERE seq > ? ORDER BY seq", (seq,)):
            yield int(s), command_from_dict(json.loads(body))

    def events(self, *, day: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        self._write_pending_for("events")
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
