"""Ticket tokens in the hub's database (table ``ticket_tokens``): the secret printed in a ticket's QR.

Rule: the only SQL about tokens. A token is never in the command log, the retained state or the board;
it is written in the batch that issues the ticket and forgotten after ``TOKEN_DAYS``.
"""

from __future__ import annotations

from .db import Table

SCHEMA = """
CREATE TABLE IF NOT EXISTS ticket_tokens (
    ticket TEXT PRIMARY KEY,
    token  TEXT NOT NULL,
    at     REAL NOT NULL
) WITHOUT ROWID;
"""


class TicketTokens(Table):
    SCHEMA = SCHEMA
    NAME = "ticket_tokens"

    def add(self, ticket: str, token: str, at: float) -> None:
        self.store.execute("INSERT OR IGNORE INTO ticket_tokens(ticket, token, at) VALUES (?,?,?)", (ticket, token, at))

    def get(self, ticket: str) -> str | None:
        rows = self.store.rows("SELECT token FROM ticket_tokens WHERE ticket=?", (ticket,))
        return rows[0]["token"] if rows else None

    def purge(self, before: float) -> int:
        return self.store.execute("DELETE FROM ticket_tokens WHERE at < ?", (before,)).rowcount
