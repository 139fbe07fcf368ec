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
CREATE INDEX IF NOT EXISTS ticket_tokens_token ON ticket_tokens(token);
"""


class TicketTokens(Table):
    SCHEMA = SCHEMA
    NAME = "ticket_tokens"

    def add(self, ticket: str, token: str, at: float) -> None:
        """Written with the batch's other hot rows (one statement per batch, not one per ticket)."""
        self.store.add_hot(self.NAME, "INSERT OR IGNORE INTO ticket_tokens(ticket, token, at) VALUES (?,?,?)",
                           (ticket, token, at), key=ticket, value=token)

    def get(self, ticket: str) -> str | None:
        pending = self.store.hot_pending(self.NAME, ticket)
        if pending is not None:
            return pending
        rows = self.store.rows("SELECT token FROM ticket_tokens WHERE ticket=?", (ticket,))
        return rows[0]["token"] if rows else None

    def tickets_for(self, tokens: list[str]) -> dict[str, str]:
        """token -> ticket id for the known ones among ``tokens`` (the phone pages ask by token)."""
        out: dict[str, str] = {}
        for i in range(0, len(tokens), 500):  # SQLite's bound-parameter limit, with room to spare
            part = tokens[i:i + 500]
            marks = ",".join("?" * len(part))
            for r in self.store.rows(f"SELECT ticket, token FROM ticket_tokens WHERE token IN ({marks})", tuple(part)):
                out[r["token"]] = r["ticket"]
        return out

    def purge(self, before: float) -> int:
        return self.store.execute("DELETE FROM ticket_tokens WHERE at < ?", (before,)).rowcount
