"""The back office's ledgers on a real hub and broker: home visits after registration; 12345 work orders in
the rectification ledger; a 不满意 call-back sending a case back to 整改; 申诉复核 decided by the director."""

from __future__ import annotations


from tests.test_voice import PHONE, at



def test_home_visit_stays_in_the_ledger_until_done(hall):
    hid = hall.ok("help.request", kind="home_visit", name="王大爷", phone=PHONE, address="黄潭镇杨场村5组12号",
                  group="老年人", note="腿脚不便，需代办高龄津贴认证")["alert"]
    hall.ok("help.ack", alert=hid, by="政务专员小周")
    assert hall.ok("alert.list")["help"] == []  # acknowledged: no longer an open alert …
    (v,) = hall.ok("visit.list")["visits"]  # … but still in the home-visit ledger
    assert v["id"] == hid and v["state_label"] == "已登记" and v["acknowledged"] and v["group"] == "老年人"
    assert v["asked"] == "腿脚不便，需代办高龄津贴认证" and v["name"] == "王*爷" and v["phone"] == "138****5678"
    assert "12号" not in v["address"]
    err = hall.error("visit.advance", id=hid, action="schedule", by="刘", day="2026-11-29", staff="小周")
    assert err["code"] == "bad_value"
    assert hall.error("visit.advance", id=hid, action="done", by="刘", outcome="handled")["code"] == "illegal"
    s = hall.ok("visit.advance", id=hid, action="schedule", by="刘", day="2026-12-02", staff="小周")
    assert s["state_label"] == "已安排" and s["day"] == "2026-12-02" and s["staff"] == "小周"
    assert hall.error("visit.advance", id=hid, action="done", by="小周")["code"] == "missing_field"
    d = hall.ok("visit.advance", id=hid, action="done", by="小周", outcome="collected", note="已代收认证材料")
    assert d["state_label"] == "已上门" and d["outcome_label"] == "已代收材料"
    assert [h["action"] for h in d["history"]] == ["register", "schedule", "done"]
    assert hall.ok("visit.list")["visits"] == [] and len(hall.ok("visit.list", all=True)["visits"]) == 1
    other = hall.ok("help.request", kind="home_visit", phone=PHONE, address="黄潭镇", note="代缴医保")["alert"]
    assert hall.error("visit.advance", id=other, action="cancel", by="刘")["code"] == "missing_field"
    c = hall.ok("visit.advance", id=other, action="cancel", by="刘", note="本人已到大厅办理")
    assert c["state_label"] == "已取消"
    desk = hall.ok("help.request", kind="desk", where="自助区")["alert"]
    assert hall.error("visit.get", id=desk)["code"] == "unknown_visit"
    assert PHONE.encode() not in hall.payloads()


def test_hotline_order_runs_the_same_path_and_a_dissatisfied_callback_reopens(hall):
    c = hall.ok("case.hotline", order="GD2026113000123", content="反映社保窗口中午无人值守，电话13800001111",
                deadline="2026-12-04", by="刘", phone=PHONE, category="C")
    assert c["source_label"] == "12345热线" and c["order"] == "GD2026113000123" and c["order_deadline"] == "2026-12-04"
    assert "13800001111" not in c["summary"] and c["phone"] == "138****5678" and c["state_label"] == "待核实"
    alert = hall.r.wait_for("alert", lambda a: a.get("kind") == "case_opened" and a.get("source") == "hotline")
    assert "GD2026113000123" in alert["text"] and "2026-12-04" in alert["text"]
    dup = hall.error("case.hotline", order="GD2026113000123", content="x", deadline="2026-12-04", by="刘")
    assert dup["code"] == "duplicate" and c["id"] in dup["message"]
    assert hall.error("case.hotline", order="GD1", content="x", deadline="2026-12-04", by="刘")["code"] == "bad_value"
    assert hall.error("case.hotline", order="GD20261130009", content="x", deadline="2026-11-01",
                      by="刘")["code"] == "bad_value"
    for action in ("verify", "rectify"):
        hall.ok("case.advance", id=c["id"], action=action, by="王")
    back = hall.ok("case.advance", id=c["id"], action="callback", by="王", callback_result="不满意", note="仍有意见")
    assert back["state_label"] == "整改中" and back["reopened"] == 1 and back["closed_at"] is None
    assert [x["id"] for x in hall.ok("case.list", source="hotline")["cases"]] == [c["id"]]
    hall.ok("case.advance", id=c["id"], action="rectify", by="王", note="增设午间轮岗")
    done = hall.ok("case.advance", id=c["id"], action="callback", by="王", callback_result="满意")
    assert done["state_label"] == "已办结"
    hall.move_to(at(2026, 12, 7))
    assert hall.ok("case.list", source="hotline")["cases"] == []


def test_appeal_of_a_bad_review_is_decided_by_the_director(hall):
    t = hall.serve("A", "w1")
    cid = hall.ok("evaluation.submit", ticket=t["number"], level=1, reasons=["attitude"])["case"]
    assert hall.error("case.appeal", id=cid, by="窗口小李", grounds="mistaken", reason=" ")["code"] == "missing_field"
    a = hall.ok("case.appeal", id=cid, by="窗口小李", grounds="mistaken", reason="群众表示误点了非常不满意")
    assert a["state_label"] == "申诉复核中" and a["appeal"]["grounds_label"] == "误评"
    alert = hall.r.wait_for("alert", lambda m: m.get("kind") == "case_appeal")
    assert alert["id"] == cid and "误评" in alert["text"]
    d = hall.ok("case.decide", id=cid, by="王主任", decision="upheld", reason="回访录音证实为误评")
    assert d["state_label"] == "已办结" and d["appeal"]["decision_label"] == "申诉成立" and not d["counted"]
    assert d["appeal"]["decision_reason"] == "回访录音证实为误评"
    assert hall.error("case.appeal", id=cid, by="窗口小李", grounds="mistaken", reason="again")["code"] == "illegal"
    stats = hall.ok("evaluation.stats")
    assert stats["total"] == 0 and stats["appeals_upheld"] == 1  # kept on record, out of the rate
    fb = hall.ok("feedback.submit", problem="办不成")["case"]
    assert hall.error("case.appeal", id=fb, by="李", grounds="malicious", reason="x")["code"] == "illegal"
