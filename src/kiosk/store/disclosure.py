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
