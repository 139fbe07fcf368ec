"""The ticket printer in the terminal, end to end: a real pty FakePrinter as the configured port, the real
hub on a real broker, the screen driven by the Pilot like a person."""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

import pytest

from kiosk.devices.fake_printer import FakePrinter, FakePrinterState
from kiosk.terminal.app import Terminal
from kiosk.terminal.devices import PrinterState
from kiosk.terminal.settings import load_settings
from kiosk.terminal.flows.take import REPRINT_SECONDS, Stage
from kiosk.ui.app import DisplayConfig
from kiosk.ui.pilot import LiveClock, Pilot
from kiosk.ui.theme import Mode

from ..conftest import own_store
from ..mqtt_helpers import wait_until
from .appointment_helpers import choose, type_keys
from .test_appointment_flows import PHONE, at, calendar_hall, start_booking  # noqa: F401 (a fixture)

DEVICE = "kiosk-p"


class JumpClock(LiveClock):
    """Real time (the hub and the printer are real) that a test can move forward in one jump."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def jump(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def fake_printer():
    with FakePrinter() as fake:
        yield fake


@pytest.fixture
def printer_terminal(hall_cfg, fake_printer):
    """make(mode, **printer keys) → a Pilot over a Terminal whose [printer] port is the fake's pty."""
    made: list[Terminal] = []

    def make(port: int, *, mode: Mode = Mode.NORMAL, cfg=None, **printer) -> Pilot:
        section = {"port": fake_printer.port, "status_timeout": 0.3, "write_timeout": 2.0, **printer}
        cfg = cfg or hall_cfg
        cfg = replace(cfg, roles={**cfg.roles, "printer": section})
        clock = JumpClock()
        t = Terminal(cfg, host="127.0.0.1", port=port, device_id=DEVICE, mode=mode, clock=clock,
                     settings=replace(load_settings(cfg), reply_timeout=5.0, idle_seconds=600.0),
                     display=DisplayConfig(orientation="portrait"))
        made.append(t)
        t.start()
        p = Pilot(t.app, clock)
        p.terminal = t
        p.run_until(lambda: t.session.connected and t.session.mode is not None
                    and t.session.printer_state is not PrinterState.NONE,
                    what="bus state and the printer's first status")
        return p

    yield make
    for t in made:
        t.close()


def connected(p) -> bool:
    s = p.terminal.session
    return s.connected and s.board is not None and s.mode is not None


def confirm(p, category: str = "C") -> None:
    p.tap("menu-item-0")
    p.tap(f"cat-{category}")
    p.tap("take-confirm")


def ticket_of(p) -> str:
    return str(p.app.top.flow.result["ticket"])


def test_take_a_number_prints_the_ticket_and_reprints_within_a_minute(broker, hub, printer_terminal, fake_printer):
    p = printer_terminal(broker.port)
    confirm(p)
    p.run_until(lambda: p.exists("ticket-number"), what="the printed ticket's screen")
    tid = ticket_of(p)
    snap = fake_printer.wait_for_cuts(1)
    text = "\n".join(snap.text_lines)
    assert "C001" in text and "人社业务" in text and "黄潭镇便民服务中心" in text
    assert "过号" in text and "前面还有 0 人" in text
    from kiosk.store.tickets import TicketTokens
    with own_store(hub) as store:
        token = TicketTokens(store).get(tid)
    assert token and len(token) >= 16  # the ticket's secret travels in its printed QR, nowhere else
    assert snap.qr_payloads == (f"http://192.168.10.2:8080/t/{token}",)  # its phone page; no number in it
    assert snap.status_queries[:4] == (1, 2, 3, 4)  # asked before the number was taken
    wait_until(lambda: hub.queue.state.tickets[tid].delivery == "printed", what="ticket.delivered printed")
    assert "取号单" in p.text_of("ticket-printed")

    p.tap("reprint")
    p.run_until(lambda: fake_printer.snapshot().cuts == 2 and p.app.top.flow.reprint == "", what="the reprint")
    assert fake_printer.snapshot().qr_payloads == (f"http://192.168.10.2:8080/t/{token}",) * 2
    assert p.widget("reprint").enabled

    p.clock.jump(REPRINT_SECONDS + 1)
    p.frames(2)
    assert not p.widget("reprint").enabled and "已超过" in p.text_of("reprint")
    p.tap("reprint")
    p.frames(5)
    assert fake_printer.snapshot().cuts == 2
    assert len(hub.queue.state.tickets) == 1


def test_large_print_ticket(broker, hub, printer_terminal, fake_printer):
    p = printer_terminal(broker.port, mode=Mode.LARGE)
    confirm(p, "A")
    p.run_until(lambda: p.exists("ticket-number"), what="the ticket")
    snap = fake_printer.wait_for_cuts(1)
    sizes = {(c.width, c.height) for c in snap.commands if type(c).__name__ == "SetSize"}
    assert (6, 6) in sizes or (4, 4) in sizes  # the number in the large-print size (shrunk to fit)
    assert "A001" in "\n".join(snap.text_lines)
    assert hub.queue.state.tickets[ticket_of(p)].state.value == "waiting"


@pytest.mark.parametrize("state, words", [(FakePrinterState.PAPER_OUT, "没有纸"),
                                          (FakePrinterState.COVER_OPEN, "故障")])
def test_printer_unable_before_taking_a_number(broker, hub, printer_terminal, fake_printer, recorder, state, words):
    status = recorder(f"device/{DEVICE}/status")
    fake_printer.state = state
    p = printer_terminal(broker.port)
    expected = "paper_out" if state is FakePrinterState.PAPER_OUT else "offline"
    status.wait_for(f"device/{DEVICE}/status", lambda m: m.get("printer") == expected)
    confirm(p)
    p.run_until(lambda: p.exists("noprint-body"), what="the printer problem message")
    assert words in p.text_of("noprint-body") and "拍" in p.text_of("noprint-body")
    assert hub.queue.state.tickets == {}  # nobody holds a number yet
    assert p.check_layout() == []

    p.tap("print-on-screen")
    p.run_until(lambda: p.exists("ticket-number"), what="the on-screen ticket")
    tid = ticket_of(p)
    wait_until(lambda: hub.queue.state.tickets[tid].delivery == "on_screen", what="delivered on_screen")
    assert p.exists("ticket-photo") and not p.exists("reprint")
    assert fake_printer.snapshot().cuts == 0


@pytest.mark.parametrize("choice", ["print-cancel", "print-keep"])
def test_printer_silent_after_the_number_was_issued(broker, hub, printer_terminal, fake_printer, choice):
    p = printer_terminal(broker.port)
    confirm(p)
    p.run_until(lambda: p.app.top.flow.stage is Stage.ISSUING, what="the printer check passed")
    fake_printer.state = FakePrinterState.SILENT  # takes the bytes, never answers again
    slowest = 0.0
    deadline = time.monotonic() + 10
    while not p.exists("print-failed-body"):
        assert time.monotonic() < deadline, "no print failure shown"
        t0 = time.perf_counter()
        p.frames(1)
        slowest = max(slowest, time.perf_counter() - t0)
    # a screen that waited on the silent printer would stall a frame for the whole write_timeout (2 s);
    # half of it separates that from a busy machine's slow frame
    assert slowest < 1.0, f"a frame took {slowest:.2f} s: the screen froze on the printer"
    tid = ticket_of(p)
    assert hub.queue.state.tickets[tid].number in p.text_of("print-failed-body")
    p.tap(choice)
    if choice == "print-cancel":
        assert p.exists("cancelled-body")
        wait_until(lambda: hub.queue.state.tickets[tid].state.value == "voided", what="ticket voided")
    else:
        assert p.exists("ticket-number")
        wait_until(lambda: hub.queue.state.tickets[tid].delivery == "on_screen", what="delivered on_screen")
        assert hub.queue.state.tickets[tid].state.value == "waiting"


def test_leaving_a_failed_print_voids_the_ticket(broker, hub, printer_terminal, fake_printer):
    # the fake answers "paper out" at once; a generous status timeout keeps a busy machine's late answer
    # from reading as a silent printer (故障)
    p = printer_terminal(broker.port, status_timeout=2.0)
    confirm(p)
    p.run_until(lambda: p.app.top.flow.stage is Stage.ISSUING, what="the printer check passed")
    fake_printer.state = FakePrinterState.PAPER_OUT
    p.run_until(lambda: p.exists("print-failed-body"), what="the print failure")
    assert "没有纸" in p.text_of("print-failed-body")
    tid = ticket_of(p)
    p.tap("go-home")
    wait_until(lambda: hub.queue.state.tickets[tid].state.value == "voided", what="ticket voided")


def test_status_topic_follows_the_printer(broker, hub, printer_terminal, fake_printer, recorder):
    status = recorder(f"device/{DEVICE}/status")
    fake_printer.state = FakePrinterState.PAPER_NEAR_END
    p = printer_terminal(broker.port)
    msg = status.wait_for(f"device/{DEVICE}/status", lambda m: m.get("printer") == "paper_low")
    assert msg["kind"] == "terminal"
    confirm(p)  # paper low still prints
    p.run_until(lambda: p.exists("ticket-number"), what="the ticket")
    fake_printer.wait_for_cuts(1)
    fake_printer.state = FakePrinterState.OK
    p.tap("reprint")
    p.run_until(lambda: p.terminal.session.printer_state is PrinterState.OK, what="the state after the reprint")
    status.wait_for(f"device/{DEVICE}/status", lambda m: m.get("printer") == "ok")


def test_tap_to_first_byte(broker, hub, printer_terminal, fake_printer, capsys):
    """Time from the 确认取号 tap to the ticket's first byte on the port (status queries excluded)."""
    p = printer_terminal(broker.port)
    times = []
    for _ in range(20):
        p.tap("menu-item-0")
        p.tap("cat-C", frames=1)
        fake_printer.clear()
        first = []

        def started() -> bool:
            if not first and b"\x1b@" in fake_printer.snapshot().raw:
                first.append(time.perf_counter())
            return bool(first)

        t0 = time.perf_counter()
        p.tap("take-confirm", frames=1)
        p.run_until(started, what="the first byte of the ticket")
        times.append(first[0] - t0)
        p.run_until(lambda: p.exists("ticket-number"), what="the ticket")
        p.tap("go-home")
    med = statistics.median(times)
    with capsys.disabled():
        print(f"\ntap → first ticket byte: median {med * 1000:.0f} ms, max {max(times) * 1000:.0f} ms (n=20)")
    assert med < 2.0


def test_booking_prints_a_slip(broker, calendar_hall, printer_terminal, fake_printer):
    hub, clock, cfg = calendar_hall(at(2026, 11, 30, 9, 40))
    p = printer_terminal(broker.port, cfg=cfg)
    p.run_until(lambda: p.terminal.session.catalog is not None, what="the catalogue")
    start_booking(p, "C", "rs-sbk-apply")
    choose(p, "book-days", "2026-11-30")
    choose(p, "book-slots", "2026-11-30T14:00")
    type_keys(p, "book-phone", PHONE)
    p.tap("book-submit")
    p.run_until(lambda: p.exists("done-code"), what="the booking code")
    code = p.text_of("done-code")
    snap = fake_printer.wait_for_cuts(1)
    text = "\n".join(snap.text_lines)
    assert code in snap.text_lines and "时间：14:00-14:30" in snap.text_lines
    assert "人社业务" in text and "身份证" in text
    assert snap.qr_payloads == (f"http://192.168.10.2:8080/b/{code}",)
    assert PHONE not in text and "5678" not in text  # the phone number is never printed
    p.run_until(lambda: p.exists("done-slip"), what="the slip note")
    assert p.check_layout() == []


def test_booking_without_a_ready_printer_stays_on_screen(broker, calendar_hall, printer_terminal, fake_printer):
    fake_printer.state = FakePrinterState.PAPER_OUT
    hub, clock, cfg = calendar_hall(at(2026, 11, 30, 9, 40))
    p = printer_terminal(broker.port, cfg=cfg)
    p.run_until(lambda: p.terminal.session.catalog is not None, what="the catalogue")
    start_booking(p, "C")
    choose(p, "book-days", "2026-11-30")
    choose(p, "book-slots", "2026-11-30T14:00")
    type_keys(p, "book-phone", PHONE)
    p.tap("book-submit")
    p.run_until(lambda: p.exists("done-code"), what="the booking code")
    p.frames(10)
    assert fake_printer.snapshot().cuts == 0 and not p.exists("done-slip")
    assert p.widget("done-qr").data.startswith("http://192.168.10.2:8080/b/")


def test_disclosure_application_prints_its_receipt(broker, hub, printer_terminal, fake_printer):
    from .test_voice_flows import GOOD_ID, pinyin
    p = printer_terminal(broker.port)
    choose(p, "menu", "disclosure")
    p.tap("gk-applicant_type-item-0")
    pinyin(p, "gk-name-kb", [("zhang", "张"), ("san", "三")])
    p.tap("gk-id_type-item-0")
    type_keys(p, "gk-id_number-kb", GOOD_ID)
    type_keys(p, "gk-phone-kb", "13812345678")
    pinyin(p, "gk-address-kb", [("huang", "黄"), ("tan", "潭")])
    pinyin(p, "gk-info_description-kb", [("wen", "文"), ("jian", "件")])
    p.tap("gk-purpose-skip")
    p.tap("gk-form-item-0")
    p.tap("gk-delivery-item-0")
    p.tap("gk-submit")
    p.run_until(lambda: p.exists("gk-number"), what="the receipt")
    number = p.text_of("gk-number")
    snap = fake_printer.wait_for_cuts(1)
    text = "\n".join(snap.text_lines)
    assert number in snap.text_lines and "答复期限" in text and snap.qr_payloads == (f"HTGK|huangtan|{number}",)
    assert GOOD_ID not in text and "13812345678" not in text and "张三" not in text  # nothing personal on paper
    p.run_until(lambda: "回执已打印" in p.text_of("gk-receipt-text"), what="the printed note")
    assert p.check_layout() == []
