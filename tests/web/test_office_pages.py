"""The back office's console pages through the real browser, against the real hub: a 政府信息公开申请 taken to
its answer with the director's recorded unmasked view; the rectification ledger with a 12345 order, a
不满意 call-back and an appeal the director decides; the home-visit ledger from registration to the visit."""

from __future__ import annotations

from tests.test_voice_disclosure import FORM, ID_OK, PHONE

from .conftest import login, shot


def _serve_bad_rating(r, window: str, category: str) -> str:
    t = r.call("ticket.issue", category=category)["result"]
    r.press(window, "next")
    r.wait_for(f"window/{window}/state", lambda s: (s["ticket"] or {}).get("number") == t["number"])
    r.press(window, "complete")
    r.wait_for(f"window/{window}/state", lambda s: s["ticket"] is None)
    return r.call("evaluation.submit", ticket=t["number"], level=1, reasons=["attitude"])["result"]["case"]


def test_application_lifecycle_and_the_recorded_unmasked_view(web_hall, open_page):
    web_hall.add_staff("lina", "director", full_name="李娜")
    web_hall.add_staff("zhangwei", "desk", full_name="张伟")
    r = web_hall.recorder()
    number = r.call("disclosure.apply", **FORM)["result"]["application"]
    page = open_page()
    login(page, "zhangwei")
    page.goto("/office/applications")
    page.click(f"#app-{number} a")
    assert page.inner_text("#app-state") == "办理中" and not page.is_visible("#reveal-form")
    status = page.evaluate(f"""async () => {{
        const r = await fetch('/office/applications/{number}/reveal', {{method: 'POST',
            body: new URLSearchParams({{csrf: document.body.dataset.csrf, note: 'x'}})}});
        return r.status; }}""")
    assert status == 403  # the desk may not see the applicant unmasked
    due_before = page.inner_text("#app-due")
    page.fill("#app-note", "需征求第三方意见")
    page.click("#do-extend")
    assert "已记录" in page.inner_text("#flash") and page.inner_text("#app-due") > due_before
    assert not page.is_visible("#do-extend")  # once only
    page.select_option("#app-kind", "partial")
    page.fill("#app-note", "涉及个人隐私部分不予公开")
    page.click("#do-answer")
    assert page.inner_text("#app-state") == "已答复" and "部分公开" in page.inner_text("#app-answer")
    shot(page, "office-application")

    boss = open_page("1280x800")
    login(boss, "lina")
    boss.goto(f"/office/applications/{number}")
    assert ID_OK not in boss.content()
    boss.fill("#reveal-note", "电话联系申请人")
    boss.click("#do-reveal")
    assert boss.inner_text("#revealed-id") == ID_OK and boss.inner_text("#revealed-phone") == PHONE
    assert "李" in boss.inner_text("#app-views") or "lina" in boss.inner_text("#app-views")
    assert "电话联系申请人" in boss.inner_text("#app-views")
    shot(boss, "office-application-revealed")
    g = r.call("disclosure.get", application=number)["result"]
    assert [(v["by"], v["reason"]) for v in g["views"]] == [("lina", "电话联系申请人")]
    assert [s["action"] for s in g["history"]] == ["receive", "extend", "answer"]
    assert any(e["action"] == "disclosure_reveal" for e in web_hall.audit(who="lina"))


def test_ledger_with_a_hotline_order_a_dissatisfied_callback_and_an_appeal(web_hall, open_page):
    web_hall.add_staff("zhangwei", "desk", full_name="张伟")
    web_hall.add_staff("lina", "director", full_name="李娜")
    r = web_hall.recorder("window/+/state")
    rated = _serve_bad_rating(r, "w1", "A")
    page = open_page()
    login(page, "zhangwei")
    page.goto("/office/ledger")
    page.fill("#hl-order", "GD2099010500001")
    page.fill("#hl-deadline", "2099-01-09")
    page.fill("#hl-phone", PHONE)
    page.select_option("#hl-category", "D")
    page.fill("#hl-content", "反映医保窗口排队时间长")
    page.click("#hl-add")
    page.wait_for_url("**/office/ledger/c*")
    assert page.inner_text("#case-state") == "待核实" and "GD2099010500001" in page.inner_text("#case")
    page.click("#do-verify")
    page.click("#do-rectify")
    page.click("#do-callback-bad")
    assert page.inner_text("#case-state") == "整改中" and "已退回整改 1 次" in page.inner_text("#case")
    page.fill("#case-note", "增设午间轮岗")
    page.click("#do-rectify")
    page.click("#do-callback-ok")
    assert page.inner_text("#case-state") == "已办结"
    shot(page, "office-ledger-hotline")

    page.goto(f"/office/ledger/{rated}")
    page.select_option("#case-grounds", "mistaken")
    page.fill("#case-note", "群众表示误点了非常不满意")
    page.click("#do-appeal")
    assert page.inner_text("#case-state") == "申诉复核中" and not page.is_visible("#do-upheld")
    boss = open_page("1280x800")
    login(boss, "lina")
    boss.goto(f"/office/ledger/{rated}")
    boss.fill("#case-note", "回访录音证实为误评")
    boss.click("#do-upheld")
    assert boss.inner_text("#case-state") == "已办结" and boss.is_visible("#case-not-counted")
    assert "回访录音证实为误评" in boss.inner_text("#case-appeal")
    shot(boss, "office-ledger-appeal")
    c = r.call("case.get", id=rated)["result"]
    assert c["appeal"]["decided_by"] == "lina" and not c["counted"]


def test_home_visit_ledger_from_registration_to_the_visit(web_hall, open_page):
    web_hall.add_staff("zhangwei", "desk", full_name="张伟")
    r = web_hall.recorder()
    hid = r.call("help.request", kind="home_visit", name="王大爷", phone=PHONE, address="黄潭镇杨场村5组12号",
                 group="老年人", note="腿脚不便，需代办高龄津贴认证")["result"]["alert"]
    r.call("help.ack", alert=hid, by="zhangwei")
    page = open_page("1280x800")
    login(page, "zhangwei")
    page.goto("/office/visits")
    assert "腿脚不便" in page.inner_text(f"#visit-{hid}")
    page.click(f"#visit-{hid} a")
    assert page.inner_text("#visit-state") == "已登记" and PHONE not in page.content()
    page.click("#do-schedule")  # no day, no staff: refused with the hub's words
    assert "安排上门" in page.inner_text("#flash")
    page.fill("#visit-day-input", "2099-01-05")
    page.fill("#visit-staff", "小周")
    page.click("#do-schedule")
    assert page.inner_text("#visit-state") == "已安排" and "2099-01-05 小周" in page.inner_text("#visit-day")
    page.select_option("#visit-outcome-input", "collected")
    page.fill("#visit-note", "已代收认证材料")
    page.click("#do-done")
    assert page.inner_text("#visit-state") == "已上门" and page.inner_text("#visit-outcome") == "已代收材料"
    shot(page, "office-visit")
    assert r.call("visit.list")["result"]["visits"] == []
    assert r.call("visit.get", id=hid)["result"]["staff"] == "小周"
