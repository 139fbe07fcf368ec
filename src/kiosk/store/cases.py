"""差评整改 and 办不成事 cases in the hub's database (table ``cases``).

Rule: the only SQL about cases. The citizen's phone has its own column; the case body (JSON) holds the
summary and history, masked at intake; a closed case forgets both phone and summary after retention.
"""

from __future__ import annotations

from typing import Any

from .db import Table

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    id        TEXT PRIMARY KEY,
    seq       INTEGER NOT NULL,
    opened_at REAL NOT NULL,
    state     TEXT NOT NULL,
    deadline  TEXT,
    closed_at REAL,
    phone     TEXT,
    body      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_state ON cases(state);
"""


class Cases(Table):
    SCHEMA = SCHEMA
    NAME = "cases"

    def update(self, cid: str, *, state: str, deadline: str | None, closed_at: float | None, phone: str | None,
               body: str) -> None:
        self.store.execute("UPDATE cases SET state=?, deadline=?, closed_at=?, phone=?, body=? WHERE id=?",
                           (state, deadline, closed_at, phone, body, cid))

    def get(self, cid: str) -> dict[str, Any] | None:
        rows = self.store.rows("SELECT phone, body FROM cases WHERE id=?", (cid,))
        return rows[0] if rows else None

    def all(self, *, open_only: bool) -> list[dict[str, Any]]:
        return self.store.rows("SELECT phone, body FROM cases" + (" WHERE state != 'closed'" if open_only else "") +
                               " ORDER BY seq")

    def by_ref(self, source: str, ref: str) -> str | None:
        """The id of the case of ``source`` opened for ``ref`` (a 12345 order number), if any."""
        rows = self.store.rows("SELECT id FROM cases WHERE json_extract(body, '$.source')=? AND "
                               "json_extract(body, '$.ref')=?", (source, ref))
        return rows[0]["id"] if rows else None

    def closed_before(self, before: float) -> list[str]:
        """Closed cases that still hold personal data (a phone, or a summary not yet forgotten)."""
        return [r["id"] for r in self.store.rows(
            "SELECT id FROM cases WHERE state='closed' AND closed_at < ? AND "
            "(phone IS NOT NULL OR json_extract(body, '$.summary') != '')", (before,))]
