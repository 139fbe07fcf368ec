"""主任 in the browser: the hall now, and a 政务公开 notice written, previewed and published from the page,
which the wall display's information screen (pygame, SDL dummy) then shows; withdrawn, it is gone."""

from __future__ import annotations

from kiosk.bus.client import BusClient, BusSettings
from kiosk.demo.busy_hall import make_pilot
from kiosk.display.runtime import subscriptions
from kiosk.protocol import Topics

from ..mqtt_helpers import wait_until
from playwright.sync_api import expect

from .conftest import login, shot


def test_the_director_sees_the_hall_now(web_hall, open_page):
    web_hall.add_staff("lina", "director", full_name="李娜")
    rec = web_hall.recorder("board", device="kiosk-1")
    for cat in "CCEA":
        assert rec.call("ticket.issue", category=cat)["ok"]
    rec.wait_for("board", lambda m: sum(c["waiting"] for c in m["categories"]) == 4)
    page = open_page()
    login(page, "lina")
    page.wait_for_url("**/director/hall")
    expect(page.locator("#total-waiting")).to_have_text("4")
    # a window counts everyone it could call, so the windows add up to more than the hall: the page says so
    per_window = sum(int(x) for x in page.locator("#windows tr td:nth-child(4)").all_inner_texts())
    assert per_window > 4 and "一位办事人可计入几个窗口" in page.inner_text("#windows-note")
    assert "人社窗口" in page.inner_text("#windows")
    shot(page, "director-hall")
    page.set_viewport_size({"width": 1280, "height": 800})
    shot(page, "director-hall")
    page.goto("/tech")
    assert "kiosk-1" in page.inner_text("#devices") or "hub" in page.inner_text("#devices")
    shot(page, "tech")


def test_the_director_publishes_a_notice_the_display_shows(web_hall, open_page):
    web_hall.add_staff("lina", "director")
    pilot, screen, _ = make_pilot(layout="disclosure")
    topics = Topics("huangtan")
    with pilot:
        bus = BusClient(BusSettings(host="127.0.0.1", port=web_hall.broker.port, device_id="display-1", topics=topics,
                                    subscriptions=subscriptions(topics)), pilot.app.inbox).start()
        try:
            page = open_page()
            login(page, "lina")
            page.goto("/director/content")
            page.fill("#content-id", "tingdian")
            page.fill("#content-title", "停电通知")
            page.fill("#content-body", "因线路检修，12月3日下午大厅暂停自助服务。\n- 窗口业务照常办理")
            page.click("#content-preview")
            page.wait_for_selector("#preview")
            assert "· 窗口业务照常办理" in page.inner_text("#preview")
            assert "tingdian" not in screen.state.content  # a preview publishes nothing
            shot(page, "director-content-preview")
            page.click("#content-publish")
            page.wait_for_selector("#flash.good")
            wait_until(lambda: pilot.frames(1) >= 0 and "tingdian" in screen.state.content, 10, "the page on the display")
            p = screen.state.content["tingdian"]
            assert (p.kind, p.title) == ("notice", "停电通知")
            wait_until(lambda: pilot.frames(1) >= 0 and "窗口业务照常办理" in pilot.text_of("disclosure"), 10,
                       "the notice drawn")
            page.goto("/director/content")
            assert "停电通知" in page.inner_text("#pages")
            shot(page, "director-content")
            page.click("#withdraw-tingdian")
            page.wait_for_selector("#flash.good")
            wait_until(lambda: pilot.frames(1) >= 0 and "tingdian" not in screen.state.content, 10, "withdrawn")
            actions = [e["action"] for e in web_hall.audit(who="lina")]
            assert "content_publish" in actions and "content_withdraw" in actions
        finally:
            bus.stop()


def test_a_page_the_display_would_refuse_is_not_published(web_hall, open_page):
    web_hall.add_staff("lina", "director")
    rec = web_hall.recorder("content/#")
    page = open_page("1280x800")
    login(page, "lina")
    page.goto("/director/content")
    page.fill("#content-id", "Bad Id!")
    page.fill("#content-body", "x")
    page.fill("input[name=dwell_s]", "9999")
    page.click("#content-publish")
    page.wait_for_selector("#flash.bad")
    assert "不能显示" in page.inner_text("#flash") and "dwell_s" in page.inner_text("#flash")
    assert rec.on("content/bad-id") == []
