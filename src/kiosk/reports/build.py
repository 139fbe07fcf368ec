"""``build_report``: the queue's figures, the help requests and every registered feature table for one
period, as a ``Report`` (rendered by :mod:`kiosk.reports.render`)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import StoreError
from .queries import Period, Report, help_section, load_tickets, open_readonly, queue_sections
from . import sources
from .office import office_sections


# ---------------------------------------------------------------------------------------------- entry
def build_report(db_path: str | Path, cfg, period: Period, *, now: float | None = None) -> Report:
    tz = ZoneInfo(cfg.timezone)
    db = open_readonly(db_path)
    try:
        tickets, noshows = load_tickets(db, period)
        sections = queue_sections(tickets, noshows, cfg, period, tz)
        sections.append(help_section(db, period, tz))
        sections += [sources.source_section(db, s, period, tz) for s in sources.SOURCES]
        sections += office_sections(db, cfg, period, tz)
    except sqlite3.Error as exc:
        raise StoreError(f"{db_path}: cannot read: {exc}") from exc
    finally:
        db.close()
    return Report(cfg.site_id, cfg.name, period, now if now is not None else datetime.now(tz).timestamp(), sections)
