"""The report's back-office sections and the evaluations CSV, from a database a real hub wrote."""

from __future__ import annotations

import csv
import subprocess
from datetime import date

import pytest

from kiosk.reports import build_report, day_period, month_period
from kiosk.reports.export import COLUMNS
from kiosk.reports.render import render_text
from tests.conftest import REPO
from tests.test_voice import PHONE, Hall, at
from tests.test_voice_cli import KIOSK
from tests.test_voice_disclosure import FORM


@pytest.fixture
def filled(broker, real_cfg, tmp_path, recorder):
    """Two months of a small hall: November with one rating, December with ratings, an upheld appeal,
    applications, home visits, a 12345 order and a booked item."""
    h = Hall(broker, real_cfg, tmp_path, recorder, at(2026, 11, 27))  # Friday
    t = h.serve("A", "w1")
    h.ok("evaluation.submit", ticket=t["number"], level=5)
    h.move_to(at(2026, 12, 1))
    for cat, win, level in (("A", "w1", 5), ("A", "w1", 1), ("C", "w3", 4), ("C", "w3", 2), ("D", "w4", 1)):
        t = h.serve(cat, win)
        h.ok("evaluation.submit", ticket=t["number"], level=level, **({"reasons": ["attitude"]} if level < 3 else {}))
    h.ok("case.appeal", id="c1", by="小李", grounds="mistaken", reason="群众按错")
    h.ok("case.decide", id="c1", by="王主任", decision="upheld", reason="回访确认误评")
    n1 = h.ok("disclosure.apply", **FORM)["application"]
    n2 = h.ok("disclosure.apply", **FORM)["application"]
    h.ok("disclosure.apply", **FORM)
    h.ok("disclosure.advance", application=n1, action="answer", by="刘", answer_kind="public")
    h.ok("disclosure.advance", application=n2, action="correct", by="刘", note="请补充")
    v1 = h.ok("help.request", kind="home_visit", phone=PHONE, address="黄潭镇", group="老年人")["alert"]
    h.ok("help.request", kind="home_visit", phone=PHONE, address="黄潭镇", group="残疾人")
    h.ok("visit.advance", id=v1, action="schedule", by="刘", day="2026-12-02", staff="小周")
    h.ok("visit.advance", id=v1, action="done", by="小周", outcome="paid")
    h.ok("case.hotline", order="GD20261201001", content="反映排队久", deadline="2026-12-03", by="刘", phone=PHONE)
    slots = h.ok("appointment.slots", category="A", date="2026-12-01")
    free = next(s for s in slots["slots"] if s["remaining"] > 0 and s["start"] >= "10:00")
    code = h.ok("appointment.book", category="A", slot=free["slot"], phone=PHONE, items=["ga-sfz-apply"])["code"]
    h.clock["now"] = at(2026, 12, 1, int(free["slot"][11:13]), int(free["slot"][14:16]))
    h.ok("appointment.checkin", code=code)
    h.stop()
    return h.state / "hub.sqlite3", real_cfg


def rows(report, section: str, table: str) -> list[list]:
    return next(t for t in report.section(section).tables if t.key == table).rows


def test_back_office_sections_of_a_month(filled, tmp_path):
    db, cfg = filled
    r = build_report(db, cfg, month_period(date(2026, 12, 1)), now=at(2026, 12, 31))
    assert rows(r, "satisfaction", "total") == [["全部", 5, 1, 4, 2, "50.0%"]]
    by_win = {x[0]: x[2:] for x in rows(r, "satisfaction", "by_window")}
    assert by_win["1号"] == [2, 1, 1, 1, "100.0%"] and by_win["3号"] == [2, 0, 2, 1, "50.0%"]
    assert by_win["4号"] == [1, 0, 1, 0, "0.0%"]
    assert rows(r, "satisfaction", "by_month") == [["2026-12", 5, 1, 4, 2, "50.0%"]]
    (appeal,) = rows(r, "satisfaction", "appeals")
    assert appeal[-2] == "回访确认误评" and appeal[-1] == "王主任" and "群众按错" in appeal[4]
    d = dict((k, v) for k, v in rows(r, "disclosure", "totals"))
    assert d["收到申请 received"] == 3 and d["已答复 answered"] == 1 and d["按期答复 on time"] == 1
    assert d["待补正 awaiting correction"] == 1 and d["超期未答复 overdue (at period end)"] == 1
    assert rows(r, "disclosure", "by_answer") == [["予以公开", 1]]
    assert dict(map(tuple, rows(r, "home_visits", "by_state"))) == {"已登记": 1, "已安排": 0, "已上门": 1, "已取消": 0}
    assert rows(r, "home_visits", "by_outcome") == [["已代缴", 1]]
    assert dict(map(tuple, rows(r, "hotline", "totals")))["收到工单 received"] == 1
    assert rows(r, "items", "items") == [["ga-sfz-apply", "居民身份证申领（换领、补领）", 1]]
    appts = r.section("appointments")
    assert appts.note == "" and ["checked_in", 1] in rows(r, "appointments", "by_state")
    cmp = {x[0]: x[1:] for x in rows(r, "compare", "compare")}
    assert cmp["评价 ratings"] == [4, 1, 3] and cmp["满意率 satisfaction"] == ["50.0%", "100.0%", None]
    assert cmp["取号 tickets"][:2] == [6, 1] and cmp["信息公开申请 applications"] == [3, 0, 3]
    text = render_text(r)
    assert "没有 at 列" not in text and "回访确认误评" in text and "本月与上月" in text
    assert "compare" not in [s.key for s in build_report(db, cfg, day_period(date(2026, 12, 1))).sections]


def test_evaluations_csv_for_the_provincial_platform(filled, tmp_path):
    db, cfg = filled
    out = tmp_path / "ev.csv"
    p = subprocess.run([*KIOSK, "report", "month", "--date", "2026-12", "--format", "evaluations", "--state",
                        str(db.parent), "--out", str(out), "--config", str(cfg.path)],
                       capture_output=True, text=True, timeout=60, cwd=REPO)
    assert p.returncode == 0, p.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and PHONE.encode() not in raw
    with open(out, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == [h for h, _ in COLUMNS] and len(table) == 6
    first = dict(zip(table[0], table[1]))
    assert first["评价等级"] == "5" and first["窗口编号"] == "1" and first["计入满意率"] == "是"
    assert first["评价时间"].startswith("2026-12-01 ") and first["服务中心"] == "黄潭镇便民服务中心"
    appealed = dict(zip(table[0], table[2]))
    assert appealed["申诉复核结果"] == "申诉成立" and appealed["计入满意率"] == "否" and appealed["是否差评"] == "是"
    assert appealed["差评原因"] == "服务态度不好" and appealed["整改状态"] == "已办结"
    doc = (REPO / "docs" / "reports.md").read_text(encoding="utf-8")
    for header, _ in COLUMNS:
        assert f"| {header} |" in doc, header
