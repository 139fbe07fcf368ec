"""Every console page, in a busy hall, at 1920×1080 (a desk screen) and 1280×800 (the touch monitor beside a
counter): saved under test-output/web/ and checked that nothing is wider than the window."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login, shot


@pytest.mark.parametrize("size", ["1920x1080", "1280x800"])
def test_every_page(web_hall, open_page, size):
    for name, role, windows in (("wangfang", "window", ("w3", "w5", "w6")), ("zhangwei", "desk", ()),
                                ("lina", "director", ()), ("zhaolei", "technician", ())):
        web_hall.add_staff(name, role, windows, full_name={"wangfang": "王芳", "zhangwei": "张伟", "lina": "李娜",
                                                            "zhaolei": "赵磊"}[name], staff_no="HT0307")
    rec = web_hall.recorder("window/w3/state", device="kiosk-1")
    for cat in "CCCCCCCEEADDB":
        assert rec.call("ticket.issue", category=cat, priority=cat == "D")["ok"]
    rec.call("help.request", kind="desk", where="自助区1号机")
    rec.call("help.request", kind="home_visit", phone="13812345678", address="黄潭镇东街12号", name="李大爷",
             group="老年人", note="行动不便，需上门办理养老资格认证")
    rec.publish("device/kiosk-1/status", {"v": 1, "kind": "terminal", "version": "0.1.0", "printer": "paper_low"},
                retain=True)
    rec.publish("device/kiosk-1/availability", b"online", raw=True, retain=True)

    page = open_page(size)
    page.goto("/login")
    shot(page, "page-login")
    login(page, "wangfang")
    shot(page, "page-window-pick")
    page.click("#pick-w3")
    page.click("#act-next")
    expect(page.locator("#current-number")).to_have_text("C001")
    shot(page, "page-window")
    page.goto("/window/w1")
    shot(page, "page-refused")

    desk = open_page(size)
    login(desk, "zhangwei")
    desk.locator("button[id^=reveal-]").first.click()
    desk.wait_for_selector("#contact-phone")
    shot(desk, "page-desk")

    director = open_page(size)
    login(director, "lina")
    expect(director.locator("#total-served")).to_have_text("0")
    expect(director.locator("#printer-kiosk-1")).to_have_text("kiosk-1 纸将用尽")  # in words, and which printer
    assert "paper_low" not in director.inner_text("main")
    shot(director, "page-director-hall")
    director.goto("/director/content")
    director.fill("#content-id", "quanze")
    director.fill("#content-title", "黄潭镇便民服务中心权责清单（2026年版）")
    director.select_option("select[name=kind]", "list")
    director.fill("#content-body", "| 序号 | 事项名称 | 办理时限 |\n|---|---|---|\n| 1 | 城乡居民基本养老保险参保登记 | 即办 |\n"
                                   "| 2 | 临时救助审批（含急难型临时救助先行救助） | 5个工作日 |")
    director.click("#content-publish")
    director.wait_for_selector("#flash.good")
    # the page that says 已发布 lists the page too (not only once the broker has sent it back)
    expect(director.locator("#page-quanze")).to_contain_text("黄潭镇便民服务中心权责清单")
    shot(director, "page-director-content")

    tech = open_page(size)
    login(tech, "zhaolei")
    expect(tech.locator("#device-kiosk-1")).to_contain_text("纸将用尽")
    shot(tech, "page-tech")
