"""The registry of tables other hub features write (evaluations, cases, appointments …), and the
generic section a report makes of each.

Rule: a feature's table is read through a ``Source``: a small description of a table (its time column,
the columns to count by, the columns to average). A missing table or column never fails a report: its
section says "no data". A feature with its own idea of a report registers a ``Source`` with a ``build``
function instead.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Callable
from zoneinfo import ZoneInfo

from .queries import NO_DATA, Period, Section, Table, _ident, table_columns


# ---------------------------------------------------------------------------------------------- extension
@dataclass(frozen=True, slots=True)
class Source:
    """A table some hub feature writes, described well enough to report on it.

    ``time_column`` holds epoch seconds; rows in the period are counted, counted per value of each
    ``group_by`` column that exists, and each ``average`` column that exists is averaged. ``build``,
    when given, replaces all that: ``build(db, period, tz) -> Section``.
    """

    key: str
    title: str
    table: str
    time_column: str = "at"
    group_by: tuple[str, ...] = ()
    average: tuple[str, ...] = ()
    build: Callable[[sqlite3.Connection, Period, ZoneInfo], Section] | None = None


# Matched to the tables the evaluation and case features create today (kiosk.hub.feature_*); a column
# they drop or rename is simply skipped.
SOURCES: list[Source] = [
    Source("evaluations", "好差评 Evaluations", "evaluations", group_by=("level", "window", "category", "channel"),
           average=("level",)),
    # a booking belongs to the day of its slot (start_at); the table has no ``at`` column
    Source("appointments", "预约 Appointments", "appointments", time_column="start_at",
           group_by=("state", "category", "kind")),
    Source("cases", "办件与差评整改 Cases", "cases", time_column="opened_at", group_by=("state",)),
]


def register_source(src: Source) -> None:
    """Add or replace (by key) the description of a feature's table."""
    SOURCES[:] = [s for s in SOURCES if s.key != src.key] + [src]


def source_section(db: sqlite3.Connection, src: Source, period: Period, tz: ZoneInfo) -> Section:
    if src.build is not None:
        try:
            return src.build(db, period, tz)
        except sqlite3.Error as exc:  # the feature's table is not (yet) what its builder expects
            return Section(src.key, src.title, note=f"{NO_DATA}: {exc}")
    cols = table_columns(db, src.table)
    sec = Section(src.key, src.title)
    if not cols:
        sec.note = f"{NO_DATA}（{src.table} 表尚不存在）"
        return sec
    if src.time_column not in cols:
        sec.note = f"{NO_DATA}（{src.table} 表没有 {src.time_column} 列）"
        return sec
    a, b = period.bounds(tz)
    where = f"FROM {_ident(src.table)} WHERE {_ident(src.time_column)} >= ? AND {_ident(src.time_column)} < ?"
    total = db.execute(f"SELECT COUNT(*) {where}", (a, b)).fetchone()[0]
    summary = [["记录 rows", total]]
    for col in (c for c in src.average if c in cols):
        avg = db.execute(f"SELECT AVG({_ident(col)}) {where}", (a, b)).fetchone()[0]
        summary.append([f"平均 {col}", None if avg is None else round(avg, 2)])
    sec.tables.append(Table("summary", src.title, ["指标", "数值"], summary))
    for col in (c for c in src.group_by if c in cols):
        rows = db.execute(f"SELECT {_ident(col)}, COUNT(*) {where} GROUP BY 1 ORDER BY 2 DESC, 1", (a, b)).fetchall()
        sec.tables.append(Table(f"by_{col}", f"按 {col}", [col, "记录"], [list(r) for r in rows]))
    if total == 0:
        sec.note = NO_DATA
    return sec
