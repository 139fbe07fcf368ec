"""政府信息公开 applications in the hub's database (table ``disclosure_applications``).

Rule: the only SQL about applications. Every personal field is erased after retention; type, form,
delivery and dates stay for reports.
"""

from __future__ import annotations

from typing import Any

from .db import Table

SCHEMA = """
CREATE TABLE IF NOT EXISTS disclosure_applications (
    number           TEXT PRIMARY KEY,
    at               REAL NOT NULL,
    received         TEXT NOT NULL,
    reply_due        TEXT NOT NULL,
    extended_due     TEXT NOT NULL,
    applicant_type   TEXT NOT NULL,
    id_type          TEXT NOT NULL,
    form             TEXT NOT NULL,
    delivery         TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'received',
    name             TEXT,
    id_number        TEXT,
    phone            TEXT,
    address          TEXT,
    postcode         TEXT,
    email            TEXT,
    contact          TEXT,
    info_description TEXT,
    purpose          TEXT,
    purged_at        REAL
);
CREATE INDEX IF NOT EXISTS disclosure_at ON disclosure_applications(at);
"""


class Applications(Table):
    SCHEMA = SCHEMA
    NAME = "disclosure_applications"

    def latest(self, limit: int) -> list[dict[str, Any]]:
        return self.store.rows("SELECT * FROM disclosure_applications ORDER BY at DESC LIMIT ?", (limit,))

    def purge(self, now: float, before: float) -> int:
        cur = self.store.execute(
            "UPDATE disclosure_applications SET name=NULL, id_number=NULL, phone=NULL, address=NULL, postcode=NULL,"
            " email=NULL, contact=NULL, info_description=NULL, purpose=NULL, purged_at=? "
            "WHERE at < ? AND purged_at IS NULL", (now, before))
        return cur.rowcount

    def get(self, number: str) -> dict[str, Any] | None:
        rows = self.store.rows("SELECT * FROM disclosure_applications WHERE number=?", (number,))
        return rows[0] if rows else None

    def set_progress(self, number: str, *, state: str, reply_due: str) -> None:
        """The lifecycle's state and current due day, mirrored into the application's row."""
        self.store.execute("UPDATE disclosure_applications SET state=?, reply_due=? WHERE number=?",
                           (state, reply_due, number))


PROGRESS_SCHEMA = """
CREATE TABLE IF NOT EXISTS disclosure_progress (
    number       TEXT PRIMARY KEY,
    state        TEXT NOT NULL,
    due          TEXT NOT NULL,
    answer_kind  TEXT,
    answered_day TEXT,
    body         TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS disclosure_views (
    id      INTEGER PRIMARY KEY,
    at      REAL NOT NULL,
    number  TEXT NOT NULL,
    device  TEXT NOT NULL,
    role    TEXT NOT NULL,
    by      TEXT NOT NULL,
    reason  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS disclosure_views_number ON disclosure_views(number);
"""


class Progress(Table):
    """An application's lifecycle after 受理 (``kiosk.core.disclosure``), one JSON body per application."""

    SCHEMA = PROGRESS_SCHEMA
    NAME = "disclosure_progress"

    def get(self, number: str) -> str | None:
        rows = self.store.rows("SELECT body FROM disclosure_progress WHERE number=?", (number,))
        return rows[0]["body"] if rows else None

    def put(self, number: str, *, state: str, due: str, answer_kind: str | None, answered_day: str | None,
            body: str) -> None:
        self.store.execute("INSERT OR REPLACE INTO disclosure_progress(number, state, due, answer_kind, answered_day,"
                           " body) VALUES (?,?,?,?,?,?)", (number, state, due, answer_kind, answered_day, body))

    def open_numbers(self) -> list[str]:
        """Applications whose clock may still run: every one not answered or closed (with or without a body)."""
        return [r["number"] for r in self.store.rows(
            "SELECT number FROM disclosure_applications WHERE state IN ('received', 'correction') ORDER BY at")]


class Views(Table):
    """The audit of unmasked views of an applicant's details: who, when, why (kept with the application)."""

    SCHEMA = PROGRESS_SCHEMA
    NAME = "disclosure_views"

    def of(self, number: str) -> list[dict[str, Any]]:
        return self.store.rows("SELECT at, device, role, by, reason FROM disclosure_views WHERE number=? ORDER BY id",
                               (number,))
