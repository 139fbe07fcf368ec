"""The terminal against a real mosquitto and a real hub, driven through the screen like a person."""

from __future__ import annotations

import time

from kiosk.store.tickets import TicketTokens

from ..conftest import HubThread, own_store
from ..mqtt_helpers import wait_until
from .conftest import OPEN_HOURS_START


def open_hours_clock():
    base = time.time()
    return lambda: OPEN_HOURS_START + (time.time() - base)


def connected(p) -> bool:
    s = p.terminal.session
    return s.connected and s.board is not None and s.catalog is not None and s.mode is not None


def take(p, category: str, *, green: bool = False) -> None:
    p.tap("menu-item-0")
    assert p.app.top.key == "take"
    p.tap(f"cat-{category}")
    if green:
        p.tap("green")
        assert "已选择" in p.text_of("green")
    p.tap("take-confirm")
    p.run_until(lambda: p.exists("ticket-number") or p.exists("failed-body"), what="a ticket on screen")


def ticket_of(hub, link: str) -> str:
    """The ticket a QR link names: the link has only the token, which the hub knows."""
    token = link.rsplit("/", 1)[1]
    with own_store(hub) as store:
        return TicketTokens(store).tickets_for([token])[token]


def test_take_a_number_normal_and_green_channel(broker, hub, live_terminal):
    p = live_terminal(broker.port)
    p.run_until(lambda: connected(p), what="retained board, mode and catalogue")
    take(p, "C")
    assert p.text_of("ticket-number") == "C001"
    assert "人社业务" in p.text_of("ticket-category")
    assert p.text_of("ticket-ahead") == "前面还有 0 人"
    assert p.exists("ticket-qr") and p.widget("ticket-qr").data.startswith("http://192.168.10.2:8080/t/")
    first = ticket_of(hub, p.widget("ticket-qr").data)
    wait_until(lambda: hub.queue.state.tickets[first].delivery == "on_screen", what="ticket.delivered")

    p.tap("go-home")
    p.run_until(lambda: p.terminal.session.waiting("C") == 1, what="the board counting C001")
    p.tap("menu-item-0")
    assert "等候 1 人" in p.text_of("cat-C")
    p.tap("go-home")
    take(p, "C", green=True)
    assert p.text_of("ticket-number") == "C002"
    assert "绿色通道" in p.text_of("ticket-category")
    assert p.text_of("ticket-ahead") == "前面还有 0 人"  # a priority ticket goes ahead of C001
    second = ticket_of(hub, p.widget("ticket-qr").data)
    t2 = hub.queue.state.tickets[second]
    assert t2.priority and t2.category == "C" and t2.state.value == "waiting"
    assert {first, second} <= set(hub.queue.state.tickets)
    assert p.check_layout() == []


def test_find_a_guide_by_pinyin_initials(broker, hub, live_terminal):
    p = live_terminal(broker.port)
    p.run_until(lambda: connected(p), what="the catalogue")
    p.tap("menu-item-1")
    p.tap("how-search")
    for ch in "SBK":
        p.tap(f"kb-key-{ch}")
    assert p.widget("kb").value == "SBK"
    assert p.text_of("results-item-0") == "社会保障卡申领"
    p.tap("results-item-0")
    assert p.text_of("heading") == "社会保障卡申领"
    text = p.text_of("guide-rs-sbk-apply")
    assert "一次性告知" in text and "原件" in text
    assert p.check_layout() == []


def test_call_a_helper_and_staff_acknowledge(broker, hub, live_terminal, recorder):
    staff = recorder("alert")
    p = live_terminal(broker.port, location="自助区1号机")
    p.run_until(lambda: connected(p), what="connected")
    p.tap("menu-item-2")
    p.tap("help-call")
    p.run_until(lambda: p.exists("help-status"), what="the hub's answer")
    assert p.text_of("help-status") == "已通知工作人员，请稍候"
    alert = staff.wait_for("alert", lambda m: m.get("kind") == "help")
    assert alert["place"] == "自助区1号机"
    rep = staff.call("help.ack", alert=alert["id"], by="王芳")
    assert rep["ok"], rep
    p.run_until(lambda: "马上就到" in p.text_of("help-status"), what="the acknowledgement")
    assert p.text_of("help-status") == "工作人员（王芳）马上就到"
    assert p.check_layout() == []


def test_register_a_home_visit(broker, hub, live_terminal, recorder):
    staff = recorder("alert")
    p = live_terminal(broker.port)
    p.run_until(lambda: connected(p), what="connected")
    p.tap("menu-item-2")
    p.tap("help-visit")
    p.tap("group-0")
    for d in "1381234":
        p.tap(f"phone-key-{d}")
    p.tap("phone-key-ok")
    assert p.exists("phone-error")  # too short: said in words, not only by colour
    for d in "5678":
        p.tap(f"phone-key-{d}")
    p.tap("phone-key-ok")
    assert p.app.top.stage == "visit_address"
    p.tap("villages-item-1")
    assert "138****5678" in p.text_of("visit-summary")
    p.tap("visit-submit")
    p.run_until(lambda: p.exists("visit-status"), what="the registration reply")
    assert "138****5678" in p.text_of("visit-status")
    alert = staff.wait_for("alert", lambda m: m.get("help_kind") == "home_visit")
    assert alert["phone"] == "138****5678" and alert["group"] == "老年人"


def test_no_hub_means_consultation_desk_within_the_timeout(broker, live_terminal):
    p = live_terminal(broker.port, reply_timeout=0.5)
    p.run_until(lambda: p.terminal.session.connected, what="the broker")
    take(p, "A")
    assert p.exists("failed-body")
    assert "请到咨询台取号" in p.text_of("failed-body")
    assert "0728-5321001" in p.text_of("failed-phone")
    assert p.check_layout() == []


def test_broker_unreachable_shows_offline_and_refers_to_the_desk(live_terminal):
    from kiosk.bus.broker import free_port

    p = live_terminal(free_port())  # nobody listens there
    p.terminal.session.started -= 10  # past the first-connect grace
    p.frames(2)
    p.app.top.invalidate()
    p.frames(1)
    assert p.exists("offline") and "网络未连接" in p.text_of("offline")
    take(p, "A")
    assert "请到咨询台取号" in p.text_of("failed-body")
    assert "网络未连接" in p.text_of("failed-reason")


def test_a_ticket_issued_after_the_timeout_is_voided(broker, hall_cfg, tmp_path, live_terminal):
    # The hub has a persistent session: while it is down the broker keeps its requests.
    h = HubThread(hall_cfg, tmp_path / "state", broker.port, clock=open_hours_clock()).start()
    h.stop()
    p = live_terminal(broker.port, reply_timeout=0.3)
    p.run_until(lambda: p.terminal.session.connected, what="the broker")
    take(p, "D")
    assert p.exists("failed-body")
    h2 = HubThread(hall_cfg, tmp_path / "state", broker.port, clock=open_hours_clock()).start()
    try:
        p.run_until(lambda: p.terminal.session.voided, what="the late ticket voided")
        tid = p.terminal.session.voided[0]
        wait_until(lambda: h2.hub.queue.state.tickets[tid].state.value == "voided", what="void applied")
        assert p.exists("failed-body")  # the screen did not change under the resident
    finally:
        h2.stop()
