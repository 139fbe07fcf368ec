"""The back office's figures for the report: 满意率 (per window, category and month, appeals left out),
政府信息公开申请, home visits, 12345 orders, service items, and this month against last.

Rule: read-only SQL on the tables the hub features create (``kiosk.store``); a table that does not exist
yet gives its section a "no data" note instead of failing. The satisfaction rate is levels 3–5 of the
ratings counted; a rating whose appeal (申诉复核) the director upheld is not counted, and is listed with the
director's reason. An application is answered on time when its answer day is on or before its due day
(after 补正 and 延期); it is overdue when its clock still runs after the due day, at the period's end.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..core.disclosure import ANSWER_KINDS
from ..core.evaluation import LEVEL_LABELS, is_bad
from ..core.homevisits import OUTCOMES
from ..core.homevisits import STATE_LABELS as VISIT_LABELS
from ..core.homevisits import VisitState
from .queries import NO_DATA, Period, Section, Table, load_tickets, month_period, table_columns

CHANNELS = {"kiosk": "自助终端", "pad": "窗口评价器", "qr": "扫码评价"}


def _rate(good: int, counted: int) -> str | None:
    return None if counted == 0 else f"{100.0 * good / counted:.1f}%"


def evaluation_rows(db: sqlite3.Connection, a: float, b: float) -> list[dict[str, Any]]:
    """Ratings given in [a, b) with their case's appeal, oldest first (read by the section and the CSV)."""
    if not table_columns(db, "evaluations"):
        return []
    have_cases = bool(table_columns(db, "cases"))
    appeal = "json_extract(c.body, '$.appeal')" if have_cases else "NULL"
    state = "c.state" if have_cases else "NULL"
    join = "LEFT JOIN cases c ON c.id = e.case_id" if have_cases else ""
    cur = db.execute(f"SELECT e.id, e.at, e.ticket, e.number, e.day, e.window, e.category, e.level, e.reasons, "
                     f"e.channel, e.case_id, {state}, {appeal} FROM evaluations e {join} "
                     f"WHERE e.at >= ? AND e.at < ? ORDER BY e.at, e.id", (a, b))
    out = []
    for (eid, at, ticket, number, day, window, cat, level, reasons, channel, case_id, case_state, ap) in cur:
        ap = json.loads(ap) if ap else None
        out.append({"id": eid, "at": at, "ticket": ticket, "number": number, "day": day, "window": window or "",
                    "category": cat or "", "level": level, "reasons": json.loads(reasons or "[]"),
                    "channel": channel, "case": case_id, "case_state": case_state, "appeal": ap,
                    "counted": not (ap and ap.get("decision") == "upheld")})
    return out


def _sat_row(label: list[Any], rs: list[dict[str, Any]]) -> list[Any]:
    counted = [r for r in rs if r["counted"]]
    good = sum(1 for r in counted if not is_bad(r["level"]))
    return [*label, len(rs), len(rs) - len(counted), len(counted), good, _rate(good, len(counted))]


SAT_COLS = ["评价", "申诉成立剔除", "计入", "满意(3-5级)", "满意率"]


def satisfaction_section(db: sqlite3.Connection, cfg, period: Period, tz: ZoneInfo) -> Section:
    sec = Section("satisfaction", "满意率 Satisfaction (好差评, 申诉成立的差评不计入)")
    a, b = period.bounds(tz)
    rows = evaluation_rows(db, a, b)
    if not rows:
        sec.note = NO_DATA
        return sec
    hall = cfg.hall
    sec.tables.append(Table("total", "全部", ["范围", *SAT_COLS], [_sat_row(["全部"], rows)]))
    by_w: dict[str, list] = defaultdict(list)
    by_c: dict[str, list] = defaultdict(list)
    by_m: dict[str, list] = defaultdict(list)
    for r in rows:
        by_w[r["window"]].append(r)
        by_c[r["category"]].append(r)
        by_m[r["day"][:7]].append(r)
    win_rows = []
    for wid in sorted(by_w, key=lambda w: (hall.window(w).number if hall.window(w) else 999, w)):
        w = hall.window(wid)
        win_rows.append(_sat_row([f"{w.number}号" if w else wid or "–", w.name if w else ""], by_w[wid]))
    sec.tables.append(Table("by_window", "按窗口", ["窗口", "名称", *SAT_COLS], win_rows))
    sec.tables.append(Table("by_category", "按业务类别", ["类别", "名称", *SAT_COLS], [
        _sat_row([c or "–", hall.category(c).name if hall.category(c) else ""], by_c[c]) for c in sorted(by_c)]))
    sec.tables.append(Table("by_month", "按月", ["月份", *SAT_COLS], [_sat_row([m], by_m[m]) for m in sorted(by_m)]))
    upheld = [r for r in rows if not r["counted"]]
    sec.tables.append(Table("appeals", "申诉成立、不计入满意率的评价", ["评价", "票号", "窗口", "等级", "申诉理由", "复核意见", "决定人"], [
        [r["id"], r["number"], r["window"], LEVEL_LABELS.get(r["level"], r["level"]),
         f"{r['appeal'].get('grounds', '')}: {r['appeal'].get('reason', '')}", r["appeal"].get("decision_reason", ""),
         r["appeal"].get("decided_by", "")] for r in upheld]))
    return sec


def disclosure_section(db: sqlite3.Connection, period: Period, tz: ZoneInfo) -> Section:
    sec = Section("disclosure", "政府信息公开申请 Disclosure applications")
    if not table_columns(db, "disclosure_applications"):
        sec.note = NO_DATA
        return sec
    a, b = period.bounds(tz)
    join = "LEFT JOIN disclosure_progress p ON p.number = d.number" if table_columns(db, "disclosure_progress") else ""
    kind, answered = ("p.answer_kind", "p.answered_day") if join else ("NULL", "NULL")
    rows = db.execute(f"SELECT d.number, d.state, d.reply_due, {kind}, {answered} FROM disclosure_applications d "
                      f"{join} WHERE d.at >= ? AND d.at < ?", (a, b)).fetchall()
    if not rows:
        sec.note = NO_DATA
    end = period.end.isoformat()
    answered_rows = [r for r in rows if r[4] is not None]
    on_time = sum(1 for r in answered_rows if r[4] <= r[2])
    overdue = sum(1 for r in rows if r[1] == "received" and r[2] < end)
    sec.tables.append(Table("totals", "申请", ["指标", "数值"], [
        ["收到申请 received", len(rows)], ["已答复 answered", len(answered_rows)], ["按期答复 on time", on_time],
        ["逾期答复 answered late", len(answered_rows) - on_time], ["待补正 awaiting correction",
                                                                   sum(1 for r in rows if r[1] == "correction")],
        ["超期未答复 overdue (at period end)", overdue]]))
    kinds = Counter(r[3] for r in answered_rows)
    sec.tables.append(Table("by_answer", "按答复类型", ["答复类型", "件数"],
                            [[ANSWER_KINDS.get(k, k), n] for k, n in sorted(kinds.items())]))
    return sec


def visits_section(db: sqlite3.Connection, period: Period, tz: ZoneInfo) -> Section:
    sec = Section("home_visits", "上门服务 Home visits")
    if not table_columns(db, "help_requests"):
        sec.note = NO_DATA
        return sec
    a, b = period.bounds(tz)
    join = "LEFT JOIN home_visits v ON v.id = h.id" if table_columns(db, "home_visits") else ""
    body = "v.body" if join else "NULL"
    rows = db.execute(f"SELECT h.grp, {body} FROM help_requests h {join} WHERE h.kind='home_visit' AND "
                      "h.at >= ? AND h.at < ?", (a, b)).fetchall()
    if not rows:
        sec.note = NO_DATA
    states, outcomes = Counter(), Counter()
    for _, b_ in rows:
        v = json.loads(b_) if b_ else {"state": "registered"}
        states[v["state"]] += 1
        if v.get("outcome"):
            outcomes[v["outcome"]] += 1
    sec.tables.append(Table("by_state", "按状态", ["状态", "件数"],
                            [[VISIT_LABELS[s], states[s.value]] for s in VisitState]))
    sec.tables.append(Table("by_outcome", "上门结果", ["结果", "件数"],
                            [[OUTCOMES.get(k, k), n] for k, n in sorted(outcomes.items())]))
    return sec


def hotline_section(db: sqlite3.Connection, period: Period, tz: ZoneInfo) -> Section:
    sec = Section("hotline", "12345热线工单 Hotline work orders")
    if not table_columns(db, "cases"):
        sec.note = NO_DATA
        return sec
    a, b = period.bounds(tz)
    rows = [json.loads(body) for (body,) in db.execute(
        "SELECT body FROM cases WHERE opened_at >= ? AND opened_at < ? AND json_extract(body, '$.source')='hotline'",
        (a, b))]
    if not rows:
        sec.note = NO_DATA
    end = period.end.isoformat()
    closed = [c for c in rows if c["state"] == "closed"]
    sec.tables.append(Table("totals", "工单", ["指标", "数值"], [
        ["收到工单 received", len(rows)], ["已办结 closed", len(closed)],
        ["回访满意 call-back satisfied", sum(1 for c in closed if c.get("callback_result") == "满意")],
        ["回访不满意后重新整改 reopened", sum(1 for c in rows if c.get("reopened"))],
        ["超过热线期限未办结 open past the hotline deadline",
         sum(1 for c in rows if c["state"] != "closed" and (c.get("order_deadline") or "9999") < end)]]))
    return sec


def items_section(db: sqlite3.Connection, cfg, period: Period) -> Section:
    """Tickets per service item, where the ticket knows it: an appointment's check-in names its items."""
    sec = Section("items", "按服务事项 By service item (预约签到的号)")
    if not {"items", "ticket", "day"} <= set(table_columns(db, "appointments")):
        sec.note = NO_DATA
        return sec
    counts: Counter = Counter()
    for (items,) in db.execute("SELECT items FROM appointments WHERE ticket IS NOT NULL AND day BETWEEN ? AND ?",
                               (period.start.isoformat(), period.end.isoformat())):
        counts.update(json.loads(items or "[]"))
    names = _item_names(cfg)
    sec.tables.append(Table("items", "按服务事项", ["事项编码", "事项名称", "取号"],
                            [[i, names.get(i, ""), n] for i, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]))
    if not counts:
        sec.note = NO_DATA
    return sec


def _item_names(cfg) -> dict[str, str]:
    if getattr(cfg, "catalog_dir", None) is None:
        return {}
    from ..loaders.catalog_data import load_catalog
    try:
        return {i.id: i.name for i in load_catalog(cfg.catalog_dir).items}
    except Exception:  # noqa: BLE001 - a broken catalogue costs the names, not the report
        return {}


def _figures(db: sqlite3.Connection, period: Period, tz: ZoneInfo) -> dict[str, Any]:
    tickets, _ = load_tickets(db, period)
    a, b = period.bounds(tz)
    ev = [r for r in evaluation_rows(db, a, b) if r["counted"]]
    good = sum(1 for r in ev if not is_bad(r["level"]))

    def count(table: str, where: str, col: str = "at") -> int:
        if not table_columns(db, table):
            return 0
        return db.execute(f"SELECT COUNT(*) FROM {table} WHERE {col} >= ? AND {col} < ? {where}", (a, b)).fetchone()[0]

    return {"取号 tickets": len(tickets), "办结 served": sum(1 for t in tickets if t.outcome == "served"),
            "评价 ratings": len(ev), "满意率 satisfaction": _rate(good, len(ev)),
            "整改工单 cases": count("cases", "", "opened_at"),
            "12345工单 hotline orders": count("cases", "AND json_extract(body, '$.source')='hotline'", "opened_at"),
            "信息公开申请 applications": count("disclosure_applications", ""),
            "上门服务 home visits": count("help_requests", "AND kind='home_visit'")}


def compare_section(db: sqlite3.Connection, period: Period, tz: ZoneInfo) -> Section:
    """This month against the month before (month reports only)."""
    prev = month_period(period.start - timedelta(days=1))
    now, before = _figures(db, period, tz), _figures(db, prev, tz)
    rows = []
    for k in now:
        x, y = now[k], before[k]
        diff = None if isinstance(x, str) or isinstance(y, str) or x is None or y is None else x - y
        rows.append([k, x, y, diff])
    return Section("compare", f"本月与上月 {period.label} vs {prev.label}",
                   [Table("compare", "本月与上月", ["指标", period.label, prev.label, "增减"], rows)])


def office_sections(db: sqlite3.Connection, cfg, period: Period, tz: ZoneInfo) -> list[Section]:
    """Each section on its own: a table not (yet) shaped as expected gives that section a note, not an error."""
    builders = [("satisfaction", "满意率", lambda: satisfaction_section(db, cfg, period, tz)),
                ("disclosure", "政府信息公开申请", lambda: disclosure_section(db, period, tz)),
                ("home_visits", "上门服务", lambda: visits_section(db, period, tz)),
                ("hotline", "12345热线工单", lambda: hotline_section(db, period, tz)),
                ("items", "按服务事项", lambda: items_section(db, cfg, period))]
    if period.kind == "month":
        builders.append(("compare", "本月与上月", lambda: compare_section(db, period, tz)))
    out = []
    for key, title, build in builders:
        try:
            out.append(build())
        except sqlite3.Error as exc:
            out.append(Section(key, title, note=f"{NO_DATA}: {exc}"))
    return out
