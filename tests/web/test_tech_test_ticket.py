"""技术员 · 打印测试票 in the browser: a technician clicks the button for a kiosk, the page says 已发送, the real
terminal (pygame, SDL dummy) prints the slip on its FakePrinter (a pty speaking ESC/POS) and reports
``last_test`` in its retained status, and the page shows 已打印 without a reload. A window-role login and the
director are refused; the command goes out once, not retained, with the login as ``by``."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from playwright.sync_api import expect

from kiosk.devices.fake_printer import FakePrinter, FakePrinterState
from kiosk.terminal.app import Terminal
from kiosk.terminal.devices import PrinterState
from kiosk.terminal.settings import load_settings
from kiosk.ui.app import DisplayConfig
from kiosk.ui.pilot import LiveClock, Pilot

from .conftest import login, shot


@pytest.fixture
def printer_kiosk(web_hall):
    """kiosk-1 of the web hall with a FakePrinter on a pty as its [printer] port."""
    with FakePrinter() as fake:
        cfg = web_hall.cfg
        cfg = replace(cfg, roles={**cfg.roles, "printer": {"port": fake.port, "status_timeout": 1.0,
                                                           "write_timeout": 2.0}})
        clock = LiveClock()
        t = Terminal(cfg, host="127.0.0.1", port=web_hall.broker.port, device_id="kiosk-1", clock=clock,
                     settings=replace(load_settings(cfg), idle_seconds=600.0),
                     display=DisplayConfig(orientation="portrait"))
        t.start()
        try:
            p = Pilot(t.app, clock)
            p.terminal, p.printer = t, fake
            p.run_until(lambda: t.session.connected and t.session.printer_state is PrinterState.OK,
                        timeout=30, what="kiosk-1 connected with its printer ready")
            yield p
        finally:
            t.close()


def csrf_post(page, path: str):
    token = page.evaluate("document.body.dataset.csrf")
    return page.request.post(path, form={"csrf": token})


def test_a_technician_prints_a_test_ticket_and_sees_the_result(web_hall, open_page, printer_kiosk):
    web_hall.add_staff("zhaolei", "technician", full_name="赵磊")
    rec = web_hall.recorder("device/+/command")
    kiosk = printer_kiosk
    page = open_page()
    login(page, "zhaolei")
    page.goto("/tech")
    expect(page.locator("#device-kiosk-1")).to_contain_text("正常")
    button = page.locator("#test-ticket-kiosk-1")
    expect(button).to_have_text("打印测试票")
    page.click("#test-ticket-kiosk-1")
    expect(page.locator("#flash.good")).to_contain_text("已向 kiosk-1 发送测试票")
    expect(page.locator("#test-kiosk-1")).to_have_attribute("data-result", "sent")  # the kiosk has not run yet
    assert "已发送" in page.inner_text("#test-kiosk-1")
    shot(page, "tech-test-sent")

    kiosk.run_until(lambda: kiosk.printer.snapshot().cuts == 1 and kiosk.terminal.session.test_prints.last
                    and kiosk.terminal.session.test_prints.last["result"] == "printed", timeout=20,
                    what="the test slip printed")
    expect(page.locator("#test-kiosk-1")).to_have_attribute("data-result", "printed")  # live, no reload
    assert "已打印" in page.inner_text("#test-kiosk-1")
    lines = kiosk.printer.snapshot().text_lines
    assert "测试票 / 非排队凭证" in lines and "申请：赵磊（zhaolei）" in lines and "设备：kiosk-1" in lines
    shot(page, "tech-test-ticket")
    small = open_page("1280x800")
    login(small, "zhaolei")
    small.goto("/tech")
    expect(small.locator("#test-kiosk-1")).to_have_attribute("data-result", "printed")
    shot(small, "tech-test-ticket")

    # the roll runs out: the next press reports 缺纸 and nothing reaches the paper
    kiosk.printer.state = FakePrinterState.PAPER_OUT
    page.click("#test-ticket-kiosk-1")
    expect(page.locator("#test-kiosk-1")).to_have_attribute("data-result", "sent")
    kiosk.run_until(lambda: kiosk.terminal.session.test_prints.last["result"] == "paper_out", timeout=20,
                    what="the kiosk's paper-out answer")
    expect(page.locator("#test-kiosk-1")).to_have_attribute("data-result", "paper_out")
    assert "缺纸" in page.inner_text("#test-kiosk-1") and kiosk.printer.snapshot().cuts == 1
    shot(page, "tech-test-paper-out")

    sent = [(t, json.loads(p), r) for t, p, r in rec.messages]
    assert len(sent) == 2 and sent[0][1]["id"] != sent[1][1]["id"]
    topic, body, retained = sent[0]
    assert topic == "hall/huangtan/device/kiosk-1/command" and not retained
    assert body["cmd"] == "test_ticket" and body["by"] == "zhaolei" and body["name"] == "赵磊"
    audit = web_hall.audit(who="zhaolei", action="test_ticket")
    assert len(audit) == 2 and {a["target"] for a in audit} == {"kiosk-1"}


def test_window_staff_and_the_director_cannot_send_a_test_ticket(web_hall, open_page, printer_kiosk):
    web_hall.add_staff("wangfang", "window", ("w3",))
    web_hall.add_staff("lina", "director")
    rec = web_hall.recorder("device/+/command")
    window = open_page()
    login(window, "wangfang")
    assert csrf_post(window, "/tech/kiosk-1/test").status == 403

    director = open_page()
    login(director, "lina")
    director.goto("/tech")
    expect(director.locator("#device-kiosk-1")).to_contain_text("正常")
    assert director.locator("#test-ticket-kiosk-1").count() == 0  # monitoring only
    r = csrf_post(director, "/tech/kiosk-1/test")
    assert r.status == 403 and "没有此页面的权限" in r.text()

    # a technician's request for a device that is no printer kiosk is refused with a reason, not sent
    web_hall.add_staff("zhaolei", "technician")
    tech = open_page()
    login(tech, "zhaolei")
    tech.goto("/tech")
    for dev, words in (("display-9", "没有设备 display-9"), ("Bad%20Id", "没有设备")):
        r = csrf_post(tech, f"/tech/{dev}/test")
        assert r.status == 409 and words in r.text()
    r = tech.request.post("/tech/kiosk-1/test", form={"csrf": "forged"})
    assert r.status == 403  # CSRF

    kiosk = printer_kiosk
    kiosk.frames(10)
    assert rec.messages == [] and kiosk.printer.snapshot().cuts == 0
    assert web_hall.audit(who="lina", action="test_ticket_refused")
    assert web_hall.audit(who="wangfang", action="forbidden")
