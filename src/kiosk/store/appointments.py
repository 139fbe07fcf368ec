"""预约 bookings in the hub's database (table ``appointments``, the only place a full phone number exists).

Rule: the only SQL about bookings; the rules are ``kiosk.core.appointments`` and the ops
``kiosk.hub.feature_appointments``.
"""

from __future__ import annotations

from typing import Any

from .db import Table

SCHEMA = """
CREATE TABLE IF NOT EXISTS appointments (
    code TEXT PRIMARY KEY,
    category TEXT NOT NULL,
    day TEXT NOT NULL,              -- ISO date of the slot, hall time
    slot TEXT NOT NULL,             -- "2026-12-01T09:00", hall time
    start_at REAL NOT NULL,
    end_at REAL NOT NULL,
    kind TEXT NOT NULL,             -- session kind: walk_in / extended / appointment
    phone TEXT,                     -- personal data: NULL once purged
    id_hash TEXT,                   -- HMAC of the holder's ID number under the hall's key; never the number
    items TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL,
    booked_at REAL NOT NULL,
    device TEXT NOT NULL,
    ticket TEXT,
    number TEXT,
    checked_in_at REAL,
    placement TEXT,
    cancelled_at REAL
);
CREATE INDEX IF NOT EXISTS appointments_slot ON appointments(category, start_at);
CREATE INDEX IF NOT EXISTS appointments_day ON appointments(day, state);
"""


class Appointments(Table):
    SCHEMA = SCHEMA
    NAME = "appointments"

    @classmethod
    def open(cls, store):  # type: ignore[override]
        table = super().open(store)
        columns = {r["name"] for r in store.rows("PRAGMA table_info(appointments)")}
        if "id_hash" not in columns:  # a file from before bookings could carry an ID card
            store.execute("ALTER TABLE appointments ADD COLUMN id_hash TEXT")
        store.ensure_schema("CREATE INDEX IF NOT EXISTS appointments_id ON appointments(id_hash, day)")
        return table

    def booked_by_id(self, id_hash: str, day: str, state: str) -> list[dict[str, Any]]:
        """Bookings of ``day`` in ``state`` made with the ID number whose keyed hash is ``id_hash``."""
        return self.store.rows("SELECT * FROM appointments WHERE id_hash = ? AND day = ? AND state = ? "
                               "ORDER BY start_at", (id_hash, day, state))

    def taken(self, category: str, first: float, last: float, states: tuple[str, ...]) -> dict[str, int]:
        """Places held in ``states``, by slot key, for slots of one category starting in [first, last]."""
        marks = ",".join("?" * len(states))
        rows = self.store.rows(
            f"SELECT slot, COUNT(*) AS n FROM appointments WHERE category = ? AND start_at BETWEEN ? AND ? "
            f"AND state IN ({marks}) GROUP BY slot", (category, first, last, *states))
        return {r["slot"]: r["n"] for r in rows}

    def get(self, code: str) -> dict[str, Any] | None:
        rows = self.store.rows("SELECT * FROM appointments WHERE code = ?", (code,))
        return rows[0] if rows else None

    def __contains__(self, code: object) -> bool:
        """Every code ever stored (codes are never reused)."""
        return bool(self.store.rows("SELECT 1 AS x FROM appointments WHERE code = ?", (code,)))

    def same_day_slots(self, phone: str, category: str, day: str, state: str) -> list[str]:
        return [r["slot"] for r in self.store.rows(
            "SELECT slot FROM appointments WHERE phone = ? AND category = ? AND day = ? AND state = ?",
            (phone, category, day, state))]


    def checked_in(self, code: str, state: str, ticket: str, number: str, at: float, placement: str) -> None:
        self.store.execute("UPDATE appointments SET state = ?, ticket = ?, number = ?, checked_in_at = ?, "
                           "placement = ? WHERE code = ?", (state, ticket, number, at, placement, code))

    def cancelled(self, code: str, state: str, at: float) -> None:
        self.store.execute("UPDATE appointments SET state = ?, cancelled_at = ? WHERE code = ?", (state, at, code))

    def of_day(self, day: str, category: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM appointments WHERE day = ?", [day]
        if category is not None:
            sql += " AND category = ?"
            args.append(category)
        return self.store.rows(sql + " ORDER BY start_at, category, booked_at", tuple(args))

    def mark_missed(self, booked: str, no_show: str, before_day: str) -> list[dict[str, Any]]:
        """Bookings of days before ``before_day`` still ``booked`` become ``no_show``: (day, n) per day."""
        missed = self.store.rows("SELECT day, COUNT(*) AS n FROM appointments WHERE state = ? AND day < ? "
                                 "GROUP BY day ORDER BY day", (booked, before_day))
        if missed:
            self.store.execute("UPDATE appointments SET state = ? WHERE state = ? AND day < ?",
                               (no_show, booked, before_day))
        return missed

    def purge(self, ended_before: float) -> int:
        cur = self.store.execute("UPDATE appointments SET phone = NULL, id_hash = NULL "
                                 "WHERE (phone IS NOT NULL OR id_hash IS NOT NULL) AND end_at < ?", (ended_before,))
        return cur.rowcount
