"""好差评 ratings in the hub's database (table ``evaluations``) and the service events they rate.

Rule: the only SQL about ratings. The phone and the comment are forgotten after retention.
"""

from __future__ import annotations

from typing import Any

from .db import Table

SCHEMA = """
CREATE TABLE IF NOT EXISTS evaluations (
    id       TEXT PRIMARY KEY,
    seq      INTEGER NOT NULL,
    ticket   TEXT NOT NULL UNIQUE,
    number   TEXT NOT NULL,
    day      TEXT NOT NULL,
    window   TEXT,
    category TEXT,
    level    INTEGER NOT NULL,
    reasons  TEXT NOT NULL,
    text     TEXT,
    channel  TEXT NOT NULL,
    at       REAL NOT NULL,
    phone    TEXT,
    case_id  TEXT,
    purged   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS evaluations_day ON evaluations(day);
"""


class Evaluations(Table):
    SCHEMA = SCHEMA
    NAME = "evaluations"

    def rated(self, ticket: str) -> bool:
        return bool(self.store.rows("SELECT 1 AS x FROM evaluations WHERE ticket=?", (ticket,)))


    def between(self, since: str, until: str) -> list[dict[str, Any]]:
        """Ratings of days in [since, until], each with ``counted``: false for a bad rating whose 申诉复核
        the director upheld (kept, but not in the satisfaction rate)."""
        return self.store.rows(
            "SELECT e.window, e.category, e.level, e.channel, NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = e.case_id "
            "AND json_extract(c.body, '$.appeal.decision') = 'upheld') AS counted "
            "FROM evaluations e WHERE e.day >= ? AND e.day <= ?", (since, until))

    def service_events(self, day: str, ticket: str) -> list[dict[str, Any]]:
        """Issue, transfer and completion events of one earlier day's ticket, oldest first."""
        return self.store.rows("SELECT kind, body FROM events WHERE day=? AND ticket=? AND kind IN "
                               "('TicketIssued','TicketTransferred','TicketCompleted') ORDER BY id", (day, ticket))

    def purge(self, before: float) -> int:
        cur = self.store.execute("UPDATE evaluations SET phone=NULL, text=NULL, purged=1 WHERE at < ? AND purged=0",
                                 (before,))
        return cur.rowcount
