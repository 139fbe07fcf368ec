"""The visitor's phone pages as a visitor meets them: a number taken at the kiosk (pygame, SDL dummy), its QR
code decoded from the kiosk's screen with zxing-cpp, the link opened in Chromium at phone sizes with
JavaScript on and off; the call button's 下一位 puts the banner on the page; a rating after completion is
recorded once; a wrong token shows nothing; too many requests get the friendly page.
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.bus.broker import PrivateBroker, free_port
from kiosk.terminal.app import Terminal
from kiosk.terminal.settings import load_settings
from kiosk.ui.app import DisplayConfig
from kiosk.ui.pilot import LiveClock, Pilot

from ..conftest import OUTPUT, REPO, HubThread, own_store
from ..mqtt_helpers import wait_until
from ..qr import qr_texts
from .conftest import WebHall, WebProcess, shot, web_site_toml

PHONES = {"360x640": (360, 640), "412x915": (412, 915)}
KIOSK_SHOTS = OUTPUT / "web" / "kiosk"
ANDROID = ("Mozilla/5.0 (Linux; Android 8.1.0; vivo Y71) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/66.0.3359.126 Mobile Safari/537.36")
# what navigator.vibrate was asked, so a test can see the page tried (headless Chromium has no motor)
RECORD_VIBRATE = "window.__vibrated = []; navigator.vibrate = function (p) { window.__vibrated.push(p); return true; };"


class PhoneHall(WebHall):
    """A web hall whose tickets' QR codes name this web (``[phone] base_url``), with kiosks on demand."""

    kiosks: list

    def kiosk(self) -> Pilot:
        cfg = self.cfg
        clock = LiveClock()
        t = Terminal(cfg, host="127.0.0.1", port=self.broker.port, device_id="kiosk-1",
                     settings=replace(load_settings(cfg), reply_timeout=5.0), display=DisplayConfig(orientation="portrait"),
                     clock=clock)
        t.start()
        p = Pilot(t.app, clock)
        p.terminal = t
        self.kiosks.append(t)
        p.run_until(lambda: t.session.connected and t.session.board is not None, timeout=20, what="kiosk online")
        return p

    def stop(self) -> None:
        for t in self.kiosks:
            t.close()
        super().stop()


@pytest.fixture
def phone_hall(tmp_path):
    broker = PrivateBroker(tmp_path / "broker").start()
    web_port = free_port()
    state = tmp_path / "state"
    text = web_site_toml(broker.port, state, web_port)
    text, n = re.subn(r'(?m)^base_url = "http://192\.168\.10\.2:8080"$', f'base_url = "http://127.0.0.1:{web_port}"', text)
    assert n == 1, "config/huangtan.toml's [phone] base_url moved"
    config = tmp_path / "site.toml"
    config.write_text(text, encoding="utf-8")
    hall = PhoneHall(tmp=tmp_path, broker=broker, config=config, web_port=web_port, web_state=state / "web")
    hall.kiosks = []
    try:
        yield hall.start()
    finally:
        hall.stop()
        broker.stop()


@pytest.fixture
def phone(browser, phone_hall):
    """``phone(size, js)`` → a page in a fresh phone-sized context (own cookies)."""
    contexts = []

    def make(size: str, js: bool = True):
        w, h = PHONES[size]
        ctx = browser.new_context(viewport={"width": w, "height": h}, base_url=phone_hall.url, locale="zh-CN",
                                  java_script_enabled=js, is_mobile=True, has_touch=True, user_agent=ANDROID)
        ctx.add_init_script(RECORD_VIBRATE)
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for c in contexts:
        c.close()


def take_at_kiosk(hall: PhoneHall, name: str) -> tuple[str, str]:
    """Take a 人社 number at the kiosk; (its number, the link decoded from the kiosk's screenshot)."""
    k = hall.kiosk()
    k.tap("menu-item-0")
    k.tap("cat-C")
    k.tap("take-confirm")
    k.run_until(lambda: k.exists("ticket-number"), timeout=20, what="a ticket on the kiosk's screen")
    png = k.screenshot(KIOSK_SHOTS / f"{name}.png")
    links = qr_texts(png)
    assert len(links) == 1 and links[0].startswith(hall.url + "/t/"), links
    return k.text_of("ticket-number"), links[0]


DONE = {"next": lambda s: (s.get("ticket") or {}).get("state") == "called",
        "complete": lambda s: s.get("ticket") is None and s.get("served", 0) >= 1}


def press(hall: PhoneHall, action: str, window: str = "w3") -> None:
    """The window's call button (one device: its presses are numbered in order)."""
    if not hasattr(hall, "button"):
        hall.button = hall.recorder("window/+/state", device=f"btn-{window}")
    hall.button.press(window, action, device=f"btn-{window}")
    hall.button.wait_for(f"window/{window}/state", DONE[action], timeout=10)


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("size", list(PHONES))
def test_a_number_from_the_kiosk_is_followed_on_the_phone_until_called(phone_hall, phone, size, js):
    tag = f"{'js' if js else 'nojs'}"
    number, link = take_at_kiosk(phone_hall, f"ticket-{size}-{tag}")
    page = phone(size, js)
    resp = page.goto(link)
    assert resp.status == 200 and resp.headers["cache-control"] == "no-store"
    assert page.inner_text("#number") == number and page.inner_text("#business") == "人社业务"
    assert page.inner_text("#state") == "排队等候中" and page.inner_text("#ahead") == "0 人"
    assert page.query_selector("#banner") is None
    shot(page, f"phone-waiting-{tag}")
    if js:
        page.evaluate("window.__same_page = true")
        wait_until(lambda: page.evaluate("document.body.getAttribute('data-state')") == "waiting", what="script")

    press(phone_hall, "next")  # staff at window 3 press 下一位
    page.wait_for_selector("#banner", timeout=10_000 if js else 30_000)  # live event / the 15 s refresh
    assert page.inner_text("#banner strong") == "请到 3 号窗口"
    assert page.inner_text("#state") == "正在叫您的号"
    if js:  # pushed into the open page, with a vibration asked for
        assert page.evaluate("window.__same_page") is True
        assert page.evaluate("window.__vibrated") == [[400, 200, 400, 200, 400]]
    banner = page.query_selector("#banner").bounding_box()
    assert banner["x"] == 0 and abs(banner["width"] - PHONES[size][0]) <= 1  # the full width
    shot(page, f"phone-called-{tag}")


@pytest.mark.parametrize("size, js", [("360x640", False), ("412x915", True)], ids=["nojs", "js"])
def test_a_rating_after_completion_is_recorded_once(phone_hall, phone, size, js):
    tag = "js" if js else "nojs"
    number, link = take_at_kiosk(phone_hall, f"rated-{tag}")
    page = phone(size, js)
    page.goto(link)
    assert page.query_selector("#rate") is None  # 严禁先评价、后办事: no levels before the service
    press(phone_hall, "next")
    press(phone_hall, "complete")
    if js:  # the open page reloads itself once the ticket is served, and offers the rating
        page.wait_for_selector("#rate")
        page.click("#size")  # the large-print switch
        page.wait_for_selector("body.big #rate")
        assert page.inner_text("#size") == "标准字号"
    else:
        page.goto(link)
    assert page.inner_text("#state") == "已办结"
    levels = page.query_selector_all("input[name=level]")
    assert [page.inner_text(f"label[for=level-{n}]") for n in (5, 4, 3, 2, 1)] == \
        ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert not any(x.is_checked() for x in levels)  # none pre-selected
    boxes = [page.query_selector(f"label[for=level-{n}]").bounding_box() for n in (5, 4, 3, 2, 1)]
    assert len({(round(b["width"]), round(b["height"])) for b in boxes}) == 1  # five equal choices
    shot(page, f"phone-rate-{'big-' if js else ''}{tag}")
    csrf = page.get_attribute("input[name=csrf]", "value")

    page.check("#level-2")  # 不满意 without a reason
    page.click("#rate-submit")
    page.wait_for_selector("#rate-error")
    assert "请至少选择一项" in page.inner_text("#rate-error") and page.is_checked("#level-2")
    shot(page, f"phone-rate-need-reason-{tag}")
    page.check("#reason-wait_long")
    page.click("#rate-submit")
    page.wait_for_selector("#notice")
    assert page.inner_text("#notice") == "感谢您的评价！" and page.query_selector("#rate") is None
    shot(page, f"phone-rated-{tag}")
    with own_store(phone_hall.hub.hub) as store:
        rows = store.rows("SELECT level, channel, reasons FROM evaluations")
    assert rows == [{"level": 2, "channel": "qr", "reasons": '["wait_long"]'}]

    token = link.rsplit("/", 1)[1]
    again = page.request.post(f"/t/{token}/rate", form={"csrf": csrf, "level": "5"})
    assert again.ok and "已经评价过了" in again.text()  # once per ticket
    with own_store(phone_hall.hub.hub) as store:
        assert store.rows("SELECT COUNT(*) AS n FROM evaluations")[0]["n"] == 1


def test_a_wrong_token_or_a_number_shows_nothing_and_a_lost_hub_a_friendly_page(phone_hall, phone):
    number, link = take_at_kiosk(phone_hall, "wrong-token")
    page = phone("360x640", True)
    token = link.rsplit("/", 1)[1]
    for path in (f"/t/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}", f"/t/{number}", "/t/20261201-C001",
                 "/t/%3Cscript%3E", f"/t/{token.lower() if token.lower() != token else token.upper()}"):
        resp = page.goto(path)
        assert resp.status == 404, path
        assert page.inner_text("#message-title") == "没有找到排队信息" and number not in page.content(), path
        assert page.query_selector("#number") is None
    shot(page, "phone-not-found")

    phone_hall.hub.stop()  # the hub is gone: a friendly page, not an error
    phone_hall.hub = None
    page = phone("412x915", True)
    resp = page.goto(link)
    assert resp.status == 503 and page.inner_text("#message-title") == "暂时无法查询"
    assert "叫号屏" in page.inner_text("#message")
    shot(page, "phone-offline")


def test_too_many_requests_get_the_friendly_page_and_streams_are_bounded(phone_hall, phone):
    number, link = take_at_kiosk(phone_hall, "busy")
    token = link.rsplit("/", 1)[1]
    held = []
    try:  # a script opening many live streams from one address: the fifth is refused
        codes = [_stream_status(phone_hall.web_port, token, held) for _ in range(5)]
        assert codes == [200, 200, 200, 200, 503], codes
    finally:
        for s in held:
            s.close()
    page = phone("360x640", False)
    statuses = [page.goto(f"/t/AAAAAAAAAAAAAAA{i % 10}").status for i in range(12)]  # guessing tokens
    assert statuses[:10] == [404] * 10 and set(statuses[10:]) == {429}, statuses
    resp = page.goto(link)  # this address is slowed down, even for its own ticket, for a while
    assert resp.status == 429 and resp.headers.get("retry-after") == "15"
    assert "刷新得太快" in page.inner_text("#message")
    assert page.query_selector("meta[http-equiv=refresh]") is not None
    shot(page, "phone-slow-down")


def _stream_status(port: int, token: str, held: list) -> int:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    held.append(s)
    s.sendall(f"GET /t/{token}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    head = b""
    deadline = time.monotonic() + 10
    while b"\r\n" not in head and time.monotonic() < deadline:
        head += s.recv(1024)
    return int(head.split(b" ", 2)[1])


class ClockedHall(PhoneHall):
    """The hall with its office hours and a hub on a fixed clock, for bookings."""

    now: float = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()  # a Tuesday

    def start(self) -> "ClockedHall":
        self.hub = HubThread(self.cfg, self.tmp / "state", self.broker.port, clock=lambda: self.now).start()
        self.web = WebProcess(self.config, self.tmp / "web.log").start()
        wait_until(self.healthy, timeout=30, what=f"kiosk web on {self.url}")
        return self


def test_a_booking_code_opens_its_page_with_the_slot_the_windows_and_how_to_check_in(tmp_path, browser):
    broker = PrivateBroker(tmp_path / "broker").start()
    web_port = free_port()
    text = web_site_toml(broker.port, tmp_path / "state", web_port).replace(
        'calendar = ""', f'calendar = "{REPO / "config" / "calendar.toml"}"', 1)
    config = tmp_path / "site.toml"
    config.write_text(text, encoding="utf-8")
    hall = ClockedHall(tmp=tmp_path, broker=broker, config=config, web_port=web_port, web_state=tmp_path / "state" / "web")
    hall.kiosks = []
    try:
        hall.start()
        kiosk = hall.recorder(device="kiosk-1")
        slots = kiosk.call("appointment.slots", category="C", date="2026-12-02")["result"]["slots"]
        booked = kiosk.call("appointment.book", category="C", slot=slots[0]["slot"], phone="13812345678",
                            items=["rs-sbk-apply"])
        assert booked["ok"], booked
        code = booked["result"]["code"]
        ctx = browser.new_context(viewport={"width": 360, "height": 640}, base_url=hall.url, locale="zh-CN",
                                  is_mobile=True, user_agent=ANDROID)
        try:
            page = ctx.new_page()
            assert page.goto(f"/b/{code}").status == 200
            text = page.inner_text("#booking")
            assert code in text and "12月2日（周三）" in text and "人社业务" in text and "已预约" in text
            assert "3号人社窗口" in text and "预约签到" in text
            assert "身份证" in page.inner_text("#materials")
            assert "5678" not in page.content() and "138" not in page.content()  # no phone, not even masked
            shot(page, "phone-booking")
            assert_terms_unbroken(page)
            page.click("#size")
            page.wait_for_selector("body.big #booking")
            shot(page, "phone-booking-big")
            assert_terms_unbroken(page)
            assert page.goto("/b/ZZZZZZ").status == 404 and "没有找到这个预约码" in page.inner_text("#message")
        finally:
            ctx.close()
    finally:
        hall.stop()
        broker.stop()


def assert_terms_unbroken(page) -> None:
    """Quoted terms (“预约签到”) and bracketed notes (（原件）) each sit on one line at this width."""
    terms = page.locator("#booking .nw, #materials .nw")
    assert terms.count() >= 2
    for i in range(terms.count()):
        lines = terms.nth(i).evaluate("e => e.getClientRects().length")
        assert lines == 1, (terms.nth(i).inner_text(), lines)
