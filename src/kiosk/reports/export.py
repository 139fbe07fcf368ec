"""The evaluations of a period as one CSV for the provincial 好差评 platform's import (docs/reports.md).

Rule: read-only, from the hub's database; one row per rating, oldest first; the column layout is fixed
(``COLUMNS``) and documented, so the file can be mapped once in the platform's import. No phone number
and no comment leave in it: only what the rating is about and how it was handled.
"""

from __future__ import annotations

import csv
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..core.evaluation import LEVEL_LABELS, is_bad, reason_labels
from ..core.textsafe import csv_cell
from ..errors import StoreError
from .office import CHANNELS, evaluation_rows
from .queries import Period, open_readonly

# (header, meaning) — the layout docs/reports.md documents, in this order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("评价编号", "the hall's rating id (e12), unique"),
    ("评价时间", "hall time, YYYY-MM-DD HH:MM:SS"),
    ("服务中心", "the centre's name from the site config"),
    ("办件编号", "the ticket id rated (20261130-A012): one rating per service event"),
    ("窗口编号", "the window's number (1–9)"),
    ("窗口名称", "the window's name"),
    ("业务类别", "the queue category's name (公安业务 …)"),
    ("评价渠道", "自助终端 / 窗口评价器 / 扫码评价"),
    ("评价等级", "1–5 (5 非常满意 … 1 非常不满意)"),
    ("评价等级名称", "the level's label"),
    ("是否差评", "是 for levels 1–2"),
    ("差评原因", "the reasons chosen, separated by ；"),
    ("整改工单", "the rectification case (c3) a bad rating opened"),
    ("整改状态", "the case's state label (待核实 / 整改中 / 待回访 / 申诉复核中 / 已办结)"),
    ("申诉复核结果", "申诉成立 / 申诉不成立 / empty"),
    ("计入满意率", "否 when an appeal was upheld, else 是"),
)
CASE_STATES = {"verifying": "待核实", "rectifying": "整改中", "callback": "待回访", "appeal": "申诉复核中",
               "closed": "已办结"}
DECISIONS = {"upheld": "申诉成立", "rejected": "申诉不成立"}


def write_evaluations_csv(db_path: str | Path, cfg, period: Period, out: str | Path) -> int:
    """Write the period's ratings to ``out`` (UTF-8 with BOM, comma, CRLF); returns the number of rows."""
    tz = ZoneInfo(cfg.timezone)
    db = open_readonly(db_path)
    try:
        rows = evaluation_rows(db, *period.bounds(tz))
    except sqlite3.Error as exc:
        raise StoreError(f"{db_path}: cannot read: {exc}") from exc
    finally:
        db.close()
    hall = cfg.hall
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow([h for h, _ in COLUMNS])
        for r in rows:
            win, cat = hall.window(r["window"]), hall.category(r["category"])
            ap = r["appeal"] or {}
            w.writerow([csv_cell(v) for v in (
                r["id"], datetime.fromtimestamp(r["at"], tz).strftime("%Y-%m-%d %H:%M:%S"), cfg.name, r["ticket"],
                win.number if win else "", win.name if win else "", cat.name if cat else r["category"],
                CHANNELS.get(r["channel"], r["channel"]), r["level"], LEVEL_LABELS.get(r["level"], ""),
                "是" if is_bad(r["level"]) else "否", "；".join(reason_labels(r["reasons"])), r["case"] or "",
                CASE_STATES.get(r["case_state"] or "", ""), DECISIONS.get(ap.get("decision") or "", ""),
                "是" if r["counted"] else "否")])
    return len(rows)
