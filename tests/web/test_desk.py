"""导办台 in the browser: a kiosk's help call arrives live (with the chime), the desk acknowledges it and the
kiosk (pygame, SDL dummy) shows who is coming; a home-visit registration's full phone is shown only on a
deliberate click, and that reveal is audited."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import login, shot


def test_the_desk_acknowledges_a_kiosks_help_call(web_hall, open_page, live_terminal):
    web_hall.add_staff("zhangwei", "desk", full_name="张伟")
    page = open_page()
    login(page, "zhangwei")
    assert page.url.endswith("/desk")
    expect(page.locator("body")).to_have_attribute("data-live_open", "1")
    assert page.inner_text("#no-calls") == "暂无待响应的求助"

    kiosk = live_terminal(web_hall.broker.port, location="自助区1号机", device_id="kiosk-1")
    kiosk.run_until(lambda: (s := kiosk.terminal.session).connected and s.board is not None and s.mode is not None,
                    what="the kiosk connected")
    kiosk.tap("menu-item-2")
    kiosk.tap("help-call")
    kiosk.run_until(lambda: kiosk.exists("help-status"), what="the hub's answer")

    page.wait_for_selector("#calls tr[id^=call-]")  # arrived without a reload (SSE)
    assert page.evaluate("document.body.dataset.chimes") == "1"
    row = page.locator("#calls tr[id^=call-]").first
    assert "自助区1号机" in row.inner_text() and "请求帮办" in row.inner_text()
    shot(page, "desk")
    row.locator("button.primary").click()
    page.wait_for_selector("#flash.good")
    kiosk.run_until(lambda: "马上就到" in kiosk.text_of("help-status"), what="the acknowledgement on the kiosk")
    assert kiosk.text_of("help-status") == "工作人员（张伟）马上就到"
    page.wait_for_selector("#no-calls")
    assert any(e["action"] == "help_ack" for e in web_hall.audit(who="zhangwei"))


def test_a_home_visits_full_phone_only_on_a_click_and_audited(web_hall, open_page):
    web_hall.add_staff("zhangwei", "desk", full_name="张伟")
    rec = web_hall.recorder("alert", device="kiosk-1")
    rep = rec.call("help.request", kind="home_visit", phone="13812345678", address="黄潭镇东街12号",
                   name="李大爷", group="老年人")
    assert rep["ok"], rep
    page = open_page("1280x800")
    login(page, "zhangwei")
    text = page.inner_text("#calls")
    assert "138****5678" in text and "13812345678" not in page.content()
    page.locator("button[id^=reveal-]").first.click()
    page.wait_for_selector("#contact-phone")
    assert page.inner_text("#contact-phone") == "13812345678"
    assert "黄潭镇东街12号" in page.inner_text("#contact")
    shot(page, "desk-contact")
    reveals = web_hall.audit(who="zhangwei", action="help_reveal")
    assert len(reveals) == 1 and reveals[0]["target"] == rep["result"]["alert"]
