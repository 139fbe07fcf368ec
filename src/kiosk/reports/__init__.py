"""Reports for the centre's management (``kiosk report``), read straight from the hub's SQLite file.

| module | what it holds |
|---|---|
| ``queries`` | the report's shape (tables, sections, periods) and the queue's own figures |
| ``sources`` | the registry of feature tables (``Source``, ``register_source``) and their generic section |
| ``build`` | ``build_report``: one period's whole report |
| ``render`` | text, CSV and a self-contained HTML page (optional matplotlib charts) |
| ``demo_history`` | a month of realistic demo traffic through the real queue core and store |
"""

from .build import build_report
from .queries import NO_DATA, Chart, Period, Report, Section, Table, day_period, month_period, open_readonly, quantile
from .sources import SOURCES, Source, register_source

__all__ = ["build_report", "NO_DATA", "Chart", "Period", "Report", "Section", "Table", "day_period",
           "month_period", "open_readonly", "quantile", "SOURCES", "Source", "register_source"]
