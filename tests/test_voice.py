"""好差评, the 差评整改 ledger and 办不成事 feedback end to end: a real broker, a real hub on a fake clock."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.cases import add_working_days
from tests.conftest import HubThread
from tests.mqtt_helpers import wait_until

TZ = ZoneInfo("Asia/Shanghai")
PHONE = "13812345678"
PHONE2 = "13987654321"


def at(y, m, d, hh=9, mm=0) -> float:
    return datetime(y, m, d, hh, mm, tzinfo=TZ).timestamp()


class Hall:
    """A hub on a clock the test moves, and a recording client subscribed to the whole site."""

    def __init__(self, broker, hall_cfg, tmp_path, recorder, start: float) -> None:
        self.clock = {"now": start}
        self.cfg = hall_cfg
        self.state = tmp_path / "state"
        self.h = HubThread(hall_cfg, self.state, broker.port, clock=lambda: self.clock["now"]).start()
        self.hub = self.h.hub
        self.r = recorder("#")
        self.r.wait_for("board")

    def move_to(self, t: float) -> None:
        """Set the clock and wait until the hub has started that business day."""
        self.clock["now"] = t
        day = datetime.fromtimestamp(t, TZ).date().isoformat()
        self.r.wait_for("board", lambda b: b["day"] == day, timeout=15)

    def call(self, op: str, **args) -> dict:
        return self.r.call(op, **args)

    def ok(self, op: str, **args) -> dict:
        rep = self.call(op, **args)
        assert rep["ok"], rep
        return rep["result"]

    def error(self, op: str, **args) -> dict:
        rep = self.call(op, **args)
        assert not rep["ok"], rep
        return rep["error"]

    def serve(self, category: str, window: str) -> dict:
        """Issue a ticket and run it through the window: next, then complete."""
        t = self.ok("ticket.issue", category=category)
        self.r.press(window, "next")
        self.r.wait_for(f"window/{window}/state", lambda s: (s["ticket"] or {}).get("number") == t["number"])
        self.r.press(window, "complete")
        self.r.wait_for(f"window/{window}/state", lambda s: s["ticket"] is None and s["served"] >= 1)
        return t

    def payloads(self) -> bytes:
        """Everything published except the requests themselves (the kiosk's own form, which goes to the
        hub alone; mosquitto's ACLs keep other devices from reading request topics)."""
        with self.r.lock:
            return b"\n".join(p for t, p, _ in self.r.messages if "/request/" not in t)

    def stop(self) -> None:
        self.h.stop()

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.state / "hub.sqlite3")


@pytest.fixture
def hall(broker, real_cfg, tmp_path, recorder):
    """The real hall with its calendar (deadlines in working days), on Monday 30 November 2026."""
    h = Hall(broker, real_cfg, tmp_path, recorder, at(2026, 11, 30))
    yield h
    h.stop()


# ------------------------------------------------------------------ 好差评

def test_rating_only_after_service_and_only_once_and_the_pad(hall):
    t = hall.ok("ticket.issue", category="C")
    err = hall.error("evaluation.submit", ticket=t["number"], level=5)
    assert err["code"] == "not_served" and "先评价、后办事" in err["message"]
    hall.r.press("w3", "next")
    hall.r.wait_for("window/w3/state", lambda s: (s["ticket"] or {}).get("number") == t["number"])
    assert hall.error("evaluation.submit", ticket=t["ticket"], level=5)["code"] == "not_served"
    # the window calls the next visitor at once; nothing waits for a rating
    hall.r.press("w3", "complete")
    pad = hall.r.wait_for("window/w3/evaluation", lambda m: m.get("ticket") == t["ticket"])
    assert pad == {"v": 1, "ticket": t["ticket"], "number": t["number"], "window": "w3", "at": pad["at"],
                   "qr": f"https://pj.example.invalid/pj?site=huangtan&t={t['ticket']}"}
    retained = [rt for tp, _, rt in hall.r.messages if tp.endswith("window/w3/evaluation")]
    assert retained  # a pad that joins late still gets it: retained
    res = hall.ok("evaluation.submit", ticket=t["number"], level=4, channel="pad")
    assert res["label"] == "满意" and res["case"] is None and res["window"] == "w3" and res["phone"] == ""
    hall.r.wait_for("window/w3/evaluation", lambda m: m.get("ticket") is None)
    err = hall.error("evaluation.submit", ticket=t["ticket"], level=1, reasons=["attitude"])
    assert err["code"] == "already_rated"
    assert hall.error("evaluation.submit", ticket="C999", level=5)["code"] == "unknown_ticket"


def test_bad_rating_opens_a_case_with_an_alert_and_masks_the_phone(hall):
    t = hall.serve("A", "w1")
    err = hall.error("evaluation.submit", ticket=t["number"], level=2)
    assert err["code"] == "missing_field" and "原因" in err["message"]
    assert hall.error("evaluation.submit", ticket=t["number"], level=2, reasons=["wait_long"],
                      phone="12345")["code"] == "bad_phone"
    res = hall.ok("evaluation.submit", ticket=t["number"], level=1, reasons=["wait_long", "attitude"],
                  text=f"等了两个小时，请回电{PHONE}", phone=PHONE, channel="kiosk")
    assert res["label"] == "非常不满意" and res["case"] == "c1" and res["phone"] == "138****5678"
    alert = hall.r.wait_for("alert", lambda a: a.get("kind") == "case_opened")
    assert alert["id"] == "c1" and alert["phone"] == "138****5678" and "1号窗口" in alert["text"]
    assert "非常不满意" in alert["text"] and alert["deadline"] == "2026-12-02"
    c = hall.ok("case.get", id="c1")
    assert c["state_label"] == "待核实" and c["window"] == "w1" and c["category"] == "A"
    assert c["reasons"] == ["排队等候时间长", "服务态度不好"] and c["has_phone"] and c["phone"] == "138****5678"
    assert "138****5678" in c["summary"]
    listed = hall.ok("case.list")["cases"]
    assert [x["id"] for x in listed] == ["c1"] and "device" not in listed[0]
    stats = hall.ok("evaluation.stats")
    assert stats["total"] == 1 and stats["by_window"][0]["window"] == "w1" and stats["channels"]["kiosk"] == 1
    assert PHONE.encode() not in hall.payloads()


def test_earlier_days_tickets_can_be_rated_for_a_few_days(hall):
    t = hall.serve("C", "w3")
    waiting = hall.ok("ticket.issue", category="D")  # never served
    hall.move_to(at(2026, 12, 1))
    assert hall.error("evaluation.submit", ticket=t["number"], level=5)["code"] == "unknown_ticket"
    assert hall.error("evaluation.submit", ticket=waiting["ticket"], level=5)["code"] == "not_served"
    res = hall.ok("evaluation.submit", ticket=t["ticket"], level=3, channel="qr")
    assert res["window"] == "w3" and res["label"] == "基本满意"
    assert hall.error("evaluation.submit", ticket=t["ticket"], level=3)["code"] == "already_rated"
    t2 = hall.serve("C", "w3")
    hall.move_to(at(2026, 12, 7))
    err = hall.error("evaluation.submit", ticket=t2["ticket"], level=4)
    assert err["code"] == "too_late" and "3天" in err["message"]


# ------------------------------------------------------------------ the ledger

def test_case_lifecycle_deadlines_overdue_and_call_back(hall):
    t = hall.serve("B", "w2")
    hall.ok("evaluation.submit", ticket=t["number"], level=2, reasons=["many_trips"], phone=PHONE)
    assert hall.ok("case.get", id="c1")["deadline"] == "2026-12-02"  # 2 working days after Monday
    hall.move_to(at(2026, 12, 3))  # Thursday: verification is late
    alert = hall.r.wait_for("alert", lambda a: a.get("kind") == "case_overdue")
    assert alert["id"] == "c1" and "待核实" in alert["text"] and "2026-12-02" in alert["text"]
    hall.r.wait_for("alert", lambda a: a.get("kind") == "cases_overdue" and a["count"] == 1)
    over = hall.ok("case.list", overdue=True)
    assert [c["id"] for c in over["cases"]] == ["c1"] and over["cases"][0]["overdue"]
    assert hall.error("case.advance", id="c1", action="rectify", by="王")["code"] == "illegal"
    assert hall.error("case.advance", id="c9", action="verify", by="王")["code"] == "unknown_case"
    c = hall.ok("case.advance", id="c1", action="verify", by="王主任", note="窗口人员解释不清，情况属实")
    cal = hall.hub.info.schedule.calendar
    assert c["state_label"] == "整改中" and not c["overdue"]
    assert c["deadline"] == add_working_days(date(2026, 12, 3), 10, cal.is_working_day).isoformat()
    c = hall.ok("case.advance", id="c1", action="rectify", by="王主任", note="已组织窗口一次性告知培训")
    assert c["state_label"] == "待回访"
    err = hall.error("case.advance", id="c1", action="close", by="王主任")
    assert err["code"] == "callback_required" and "回访" in err["message"]
    assert hall.error("case.advance", id="c1", action="callback", by="李")["code"] == "missing_field"
    c = hall.ok("case.advance", id="c1", action="callback", by="李", callback_result="满意", note="群众表示满意")
    assert c["state_label"] == "已办结" and c["callback_result"] == "满意"
    assert [s["action"] for s in c["history"]] == ["open", "verify", "rectify", "callback"]
    assert c["history"][1]["by"] == "王主任" and c["history"][3]["result"] == "满意"
    assert hall.ok("case.list")["cases"] == [] and len(hall.ok("case.list", all=True)["cases"]) == 1
    hall.move_to(at(2026, 12, 4))  # a closed case raises no more alerts
    assert sum(1 for a in hall.r.on("alert") if a.get("kind") == "case_overdue") == 1
    assert PHONE.encode() not in hall.payloads()


def test_without_a_calendar_deadlines_count_plain_days(broker, hall_cfg, tmp_path, recorder):
    assert hall_cfg.calendar_path is None
    h = Hall(broker, hall_cfg, tmp_path, recorder, at(2026, 12, 4))  # a Friday
    try:
        res = h.ok("feedback.submit", problem="周末也想办")
        assert res["deadline"] == "2026-12-06"  # Sunday: every day counts
    finally:
        h.stop()


def test_feedback_opens_a_case_and_takes_a_complaint_ticket(hall):
    res = hall.ok("feedback.submit", item_text="个体工商户变更登记", problem="材料都带齐了，窗口说系统不通，已经跑了三次",
                  phone=PHONE2, want_ticket=True)
    assert res["case"] == "c1" and res["state_label"] == "待核实" and res["phone"] == "139****4321"
    tk = res["ticket"]
    assert tk["number"] == "F001" and tk["category"] == "F" and tk["state"] == "waiting"
    board = hall.r.wait_for("board", lambda b: any(c["category"] == "F" and c["waiting"] == 1
                                                   for c in b["categories"]))
    assert board
    alert = hall.r.wait_for("alert", lambda a: a.get("kind") == "case_opened" and a.get("source") == "feedback")
    assert "个体工商户变更登记" in alert["text"] and alert["window"] == "w9"
    c = hall.ok("case.get", id="c1")
    assert c["source_label"] == "办不成事反映" and c["window_number"] == 9 and c["ticket"] == tk["ticket"]
    res2 = hall.ok("feedback.submit", problem="想问低保申请的进度，没人说得清")
    assert res2["case"] == "c2" and res2["ticket"] is None and res2["phone"] == ""
    hall.ok("case.advance", id="c2", action="verify", by="王")
    hall.ok("case.advance", id="c2", action="rectify", by="王")
    assert hall.ok("case.advance", id="c2", action="close", by="王", note="未留电话")["state_label"] == "已办结"
    err = hall.error("feedback.submit", problem="  ")
    assert err["code"] == "missing_field" and "反映内容" in err["message"]
    assert hall.error("feedback.submit", problem="x", phone="999")["code"] == "bad_phone"
    assert PHONE2.encode() not in hall.payloads()


def test_old_personal_data_is_purged_and_the_rest_kept(hall):
    t = hall.serve("E", "w5")
    hall.ok("evaluation.submit", ticket=t["number"], level=1, reasons=["other"], text="姓王，电话见下",
            phone=PHONE)
    for action, extra in (("verify", {}), ("rectify", {}), ("callback", {"callback_result": "不满意"}),
                          ("rectify", {}), ("callback", {"callback_result": "不满意"}), ("rectify", {}),
                          ("callback", {"callback_result": "满意"})):
        hall.ok("case.advance", id="c1", action=action, by="王", **extra)
    open_t = hall.serve("E", "w5")
    hall.ok("evaluation.submit", ticket=open_t["number"], level=2, reasons=["slow"], phone=PHONE2)
    hall.move_to(at(2027, 7, 1))  # past 90 days for ratings and 180 for closed cases
    c1, c2 = hall.ok("case.get", id="c1"), hall.ok("case.get", id="c2")
    assert c1["has_phone"] and c1["phone"] == "" and c1["callback_result"] == "满意" and c1["reopened"] == 2
    assert c2["phone"] == "139****4321"  # an open case keeps its call-back number
    stats = hall.ok("evaluation.stats")
    assert stats["total"] == 2 and stats["bad"] == 2
    hall.stop()
    with hall.db() as db:
        rows = db.execute("SELECT phone, text, level, window, reasons FROM evaluations ORDER BY seq").fetchall()
    assert rows == [(None, None, 1, "w5", '["other"]'), (None, None, 2, "w5", '["slow"]')]


def test_masking_in_replies_alerts_and_lists(hall):
    """The raw phone never crosses the bus, whatever the citizen typed where."""
    t = hall.serve("D", "w4")
    hall.ok("evaluation.submit", ticket=t["number"], level=1, reasons=["not_done"], phone=f"+86 {PHONE}",
            text=f"我的电话{PHONE}")
    hall.ok("feedback.submit", problem=f"请联系{PHONE2}", item_text=f"电话{PHONE2}", phone=PHONE2)
    hall.ok("case.advance", id="c1", action="verify", by="王", note=f"已联系{PHONE}")
    for op, args in (("case.list", {}), ("case.get", {"id": "c1"}), ("case.get", {"id": "c2"}),
                     ("evaluation.stats", {})):
        hall.ok(op, **args)
    wait_until(lambda: len(hall.r.on("alert")) >= 2, what="two alerts")
    blob = hall.payloads()
    assert PHONE.encode() not in blob and PHONE2.encode() not in blob
    assert "138****5678".encode() in blob



def test_config_sections_parse_and_typos_name_the_key(real_cfg, tmp_path):
    from kiosk.config import load
    from kiosk.errors import ConfigError
    from kiosk.hub import feature_cases, feature_evaluations, feature_voice
    assert feature_cases.settings(real_cfg).deadlines.rectify_days == 10
    assert feature_evaluations.settings(real_cfg).qr_template.endswith("{ticket}")
    assert feature_voice.settings(real_cfg).reply_days == 20
    assert feature_cases.complaint_target(real_cfg) == ("w9", "F")
    bad = tmp_path / "site.toml"
    bad.write_text(real_cfg.path.read_text(encoding="utf-8").replace("rectify_days = 10", "rectfy_days = 10")
                   .replace('qr_template = "https://pj.example.invalid/pj?site={site}&t={ticket}"',
                            'qr_template = "https://x/{tiket}"'), encoding="utf-8")
    cfg = load(bad)
    with pytest.raises(ConfigError) as ei:
        feature_cases.settings(cfg)
    assert "cases.rectfy_days" in str(ei.value)
    with pytest.raises(ConfigError) as ei:
        feature_evaluations.settings(cfg)
    assert "evaluation.qr_template" in str(ei.value)
