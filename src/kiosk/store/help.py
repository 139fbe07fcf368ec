"""帮办代办 requests in the hub's database (table ``help_requests``).

Rule: the only SQL about help requests. Name, phone and address are personal data: kept here only, and
erased (with the free-text note) after the hall's retention time; the counts stay for reports.
"""

from __future__ import annotations

from typing import Any

from .db import Table

SCHEMA = """
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
"""


class HelpRequests(Table):
    SCHEMA = SCHEMA
    NAME = "help_requests"

    def ack(self, hid: str, by: str, at: float) -> None:
        self.store.execute("UPDATE help_requests SET state='acknowledged', acked_by=?, acked_at=? WHERE id=?",
                           (by, at, hid))

    def get(self, hid: str) -> dict[str, Any] | None:
        rows = self.store.rows("SELECT * FROM help_requests WHERE id=?", (hid,))
        return rows[0] if rows else None

    def all(self, *, open_only: bool = False) -> list[dict[str, Any]]:
        return self.store.rows("SELECT * FROM help_requests" + (" WHERE state='waiting'" if open_only else "") +
                               " ORDER BY at")

    def purge(self, before: float) -> int:
        """Forget the personal data of requests older than ``before``; the counts stay for the reports."""
        cur = self.store.execute(
            "UPDATE help_requests SET name=NULL, phone=NULL, address=NULL, note='' WHERE at < ? AND "
            "(name IS NOT NULL OR phone IS NOT NULL OR address IS NOT NULL OR note != '')", (before,))
        return cur.rowcount

    def home_visits(self) -> list[dict[str, Any]]:
        return self.store.rows("SELECT * FROM help_requests WHERE kind='home_visit' ORDER BY at")


VISITS_SCHEMA = """
CREATE TABLE IF NOT EXISTS home_visits (
    id    TEXT PRIMARY KEY,          -- the help request's id
    state TEXT NOT NULL,
    day   TEXT,
    body  TEXT NOT NULL
);
"""


class HomeVisits(Table):
    """The ledger of home visits after registration (``kiosk.core.homevisits``), one JSON body each."""

    SCHEMA = VISITS_SCHEMA
    NAME = "home_visits"

    def get(self, vid: str) -> str | None:
        rows = self.store.rows("SELECT body FROM home_visits WHERE id=?", (vid,))
        return rows[0]["body"] if rows else None

    def put(self, vid: str, *, state: str, day: str | None, body: str) -> None:
        self.store.execute("INSERT OR REPLACE INTO home_visits(id, state, day, body) VALUES (?,?,?,?)",
                           (vid, state, day, body))
