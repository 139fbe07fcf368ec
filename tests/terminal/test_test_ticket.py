"""The technician's test ticket at a real terminal: the hall broker run from what ``kiosk provision`` wrote
(with its ACL), the Terminal logged in as ``kiosk-1`` with its own password (SDL dummy), the printer a
FakePrinter on a pty speaking ESC/POS, and the command sent as the web identity would send it. The slip's
bytes are decoded back from GB18030 by the fake's parser; the retained status must report the result."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.config import load
from kiosk.devices.fake_printer import FakePrinter, FakePrinterState
from kiosk.terminal.app import Terminal
from kiosk.terminal.devices import PrinterState
from kiosk.terminal.settings import load_settings
from kiosk.ui.app import DisplayConfig
from kiosk.ui.pilot import LiveClock, Pilot

from ..conftest import HALL_CONFIG
from ..ops.conftest import PROVISION, ROOT, as_device, hall_broker, provisioned  # noqa: F401  (fixtures)

CMD = ROOT + "device/kiosk-1/command"
STATUS = ROOT + "device/kiosk-1/status"
HALL = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def site_toml(tmp_path):
    p = tmp_path / "site.toml"
    p.write_text(HALL_CONFIG.read_text(encoding="utf-8") + PROVISION + 'web = ["web"]\n', encoding="utf-8")
    return p


@pytest.fixture
def fake_printer():
    with FakePrinter() as fake:
        yield fake


@pytest.fixture
def kiosk(hall_broker, provisioned, site_toml, fake_printer):
    """start() → a Pilot over Terminal ``kiosk-1`` logged in with its provisioned password."""
    made: list[Terminal] = []

    def start() -> Pilot:
        cfg = load(site_toml)
        cfg = replace(cfg, broker=replace(cfg.broker, username="kiosk-1"),
                      roles={**cfg.roles, "printer": {"port": fake_printer.port, "status_timeout": 1.0,
                                                      "write_timeout": 2.0}})
        pw = (provisioned.out / "devices" / "kiosk-1" / "mqtt.password").read_text().strip()
        clock = LiveClock()
        t = Terminal(cfg, host="127.0.0.1", port=hall_broker.port, device_id="kiosk-1", clock=clock,
                     password=pw, settings=replace(load_settings(cfg), idle_seconds=600.0, status_seconds=600.0),
                     display=DisplayConfig(orientation="portrait"))
        made.append(t)
        t.start()
        p = Pilot(t.app, clock)
        p.terminal = t
        p.run_until(lambda: t.session.connected and t.session.printer_state is not PrinterState.NONE,
                    timeout=30, what="kiosk-1 connected and its printer's first status")
        return p

    yield start
    for t in made:
        t.close()


def send(web, cid: str, *, retain: bool = False, **extra) -> None:
    body = {"v": 1, "cmd": "test_ticket", "id": cid, "by": "zhaolei", "name": "赵磊", "at": time.time(), **extra}
    web.publish(CMD, json.dumps(body, ensure_ascii=False).encode(), retain=retain)


def parties(kiosk, as_device, watch: str = STATUS):
    """(the kiosk's Pilot, a hub-account watcher of ``watch``, the web identity) on the provisioned broker."""
    watcher = as_device("hub")
    watcher.subscribe(watch)
    web = as_device("web")
    return kiosk(), watcher, web


def result_is(watcher, result: str, cid: str | None = None):
    return lambda: (last_test(watcher) or {}).get("result") == result and \
        (cid is None or last_test(watcher)["id"] == cid)


def last_test(watcher) -> dict | None:
    got = watcher.got(STATUS)
    return json.loads(got[-1]).get("last_test") if got else None


def test_a_test_ticket_prints_the_slip_and_the_status_says_printed(kiosk, as_device, fake_printer, caplog):
    caplog.set_level(logging.INFO)
    p, watcher, web = parties(kiosk, as_device, ROOT + "#")
    p.tap("menu-item-0")  # a visitor is in the middle of taking a number
    screen, depth = p.app.top.key, len(p.app.stack)

    send(web, "a1b2c3d4e5f60718")
    p.run_until(result_is(watcher, "printed"), timeout=20, what="status last_test printed")
    snap = fake_printer.wait_for_cuts(1, timeout=20)  # written to the port ≠ parsed by the printer yet
    assert snap.cuts == 1
    text = "\n".join(snap.text_lines)
    for words in ("黄潭镇便民服务中心", "测试票", "非排队凭证", "测试票 / 非排队凭证", "设备：kiosk-1",
                  "申请：赵磊（zhaolei）", "编号：a1b2c3d4e5f60718", "仅供检查打印机，不能排队办事"):
        assert words in snap.text_lines, words  # each on a line of its own: nothing wraps mid-word
    printed = datetime.strptime(re.search(r"时间：(\S+ \S+)", text).group(1), "%Y-%m-%d %H:%M:%S")
    assert abs(printed.replace(tzinfo=HALL).timestamp() - time.time()) < 120  # hall time, not the UTC clock
    big = [ln for ln in snap.lines if ln.text == "测试票"]
    assert big and big[0].height == 3 and big[0].bold
    lt = last_test(watcher)
    assert lt["id"] == "a1b2c3d4e5f60718" and abs(lt["at"] - time.time()) < 120
    assert (p.app.top.key, len(p.app.stack)) == (screen, depth)  # the visitor's screen did not change
    assert not [t for t, _, _ in watcher.messages if t.startswith(ROOT + "request/")]  # no queue number

    # QoS 1 may deliver twice: the same id prints once; junk is logged and dropped, the kiosk carries on
    send(web, "a1b2c3d4e5f60718")
    web.publish(CMD, b"{not json")
    send(web, "bad-by-0001", by="赵磊")
    send(web, "second-0000000002")
    p.run_until(result_is(watcher, "printed", "second-0000000002"), timeout=20, what="the second test ticket")
    snap = fake_printer.wait_for_cuts(2, timeout=20)
    assert snap.cuts == 2  # a repeated id would have come out before the second
    assert "ignored a malformed command" in caplog.text and "'by'" in caplog.text
    assert "a1b2c3d4e5f60718 was done already" in caplog.text


def test_a_retained_command_is_not_run_when_the_kiosk_connects(kiosk, as_device, fake_printer, caplog):
    caplog.set_level(logging.INFO)
    web = as_device("web")
    send(web, "retained-00000001", retain=True)  # as if a console had retained it: it would print at every start
    watcher = as_device("hub")
    watcher.subscribe(STATUS)
    p = kiosk()
    send(web, "live-000000000001")
    p.run_until(result_is(watcher, "printed", "live-000000000001"), timeout=20, what="the live test ticket")
    snap = fake_printer.wait_for_cuts(1, timeout=20)
    assert snap.cuts == 1  # a retained one run would have come out first
    assert "ignored a retained command" in caplog.text
    web.publish(CMD, b"", retain=True)


def test_paper_out_is_reported_and_nothing_is_sent_to_the_printer(kiosk, as_device, fake_printer):
    p, watcher, web = parties(kiosk, as_device)
    fake_printer.state = FakePrinterState.PAPER_OUT
    send(web, "paper-00000000001")
    p.run_until(result_is(watcher, "paper_out"), timeout=20, what="status last_test paper_out")
    body = json.loads(watcher.got(STATUS)[-1])
    assert body["printer"] == "paper_out"
    assert fake_printer.snapshot().cuts == 0  # a slip buffered now would come out long after, for a visitor

    fake_printer.state = FakePrinterState.OK
    send(web, "paper-00000000002")
    p.run_until(result_is(watcher, "printed", "paper-00000000002"), timeout=20, what="printed once paper is back")
    assert json.loads(watcher.got(STATUS)[-1])["printer"] == "ok"


def test_a_silent_printer_is_reported_offline(kiosk, as_device, fake_printer):
    p, watcher, web = parties(kiosk, as_device)
    fake_printer.state = FakePrinterState.SILENT
    send(web, "silent-0000000001")
    p.run_until(result_is(watcher, "offline"), timeout=30, what="status last_test offline")
    assert fake_printer.snapshot().cuts == 0


def test_a_test_slip_waits_behind_a_visitors_ticket_already_queued(fake_printer):
    """One worker owns the port: the slip asked while a visitor's ticket is printing comes out after it."""
    import queue

    from kiosk.devices.ticket import TicketPrint
    from kiosk.terminal.devices import PrinterSettings, PrinterWorker
    from kiosk.terminal.documents import printer_test_slip
    from kiosk.terminal.printing import PrintFinished
    from kiosk.terminal.strings import TerminalStrings

    answers: queue.Queue = queue.Queue()
    w = PrinterWorker(PrinterSettings(port=fake_printer.port, status_timeout=1.0, write_timeout=2.0), answers.put)
    ticket = TicketPrint(centre_name="黄潭镇便民服务中心", category_name="医保", ticket_number="C007",
                         people_ahead=2, eta_minutes=10, issued_at=datetime(2026, 12, 2, 9, 0),
                         wait_at="请在等候区就座", missed_rule="过号请到咨询台", qr_payload="https://hall/t/x")
    slip = printer_test_slip(centre="黄潭镇便民服务中心", device="kiosk-1", place="自助区1号机", by="zhaolei",
                             cid="order-000000001", now=datetime(2026, 12, 2, 9, 0, tzinfo=HALL),
                             s=TerminalStrings())
    w.print("visitor", ticket)
    w.print("test", slip)
    w.start()
    try:
        done = []
        while len(done) < 2:
            m = answers.get(timeout=20)
            if isinstance(m, PrintFinished):
                done.append((m.tag, m.ok))
    finally:
        w.stop()
    assert done == [("visitor", True), ("test", True)]
    lines = fake_printer.wait_for_cuts(2, timeout=20).text_lines
    assert lines.index("C007") < lines.index("测试票") and "位置：自助区1号机" in lines


def test_a_raster_printer_gets_the_slip_drawn_with_our_font(fake_printer):
    """Printers without a Chinese font ([printer] mode = "raster"): the slip arrives as a GS v 0 image."""
    from kiosk.devices import escpos
    from kiosk.terminal.devices import PrinterSettings, render_test_slip_raster
    from kiosk.terminal.documents import printer_test_slip
    from kiosk.terminal.strings import TerminalStrings

    from ..conftest import OUTPUT

    slip = printer_test_slip(centre="黄潭镇便民服务中心", device="kiosk-1", place="自助区1号机", by="赵磊（zhaolei）",
                             cid="raster-00000001", now=datetime(2026, 12, 2, 9, 0, 5, tzinfo=HALL),
                             s=TerminalStrings())
    data = render_test_slip_raster(slip, PrinterSettings().font, 58)
    parser = escpos.Parser()
    image = escpos.raster_image(parser.feed(data) + parser.flush())
    out = OUTPUT / "print"
    out.mkdir(parents=True, exist_ok=True)
    image.save(out / "test-slip-raster-58mm.png")
    assert image.size[0] == 384 and 300 < image.size[1] < 900
    dark = image.convert("L").histogram()[0]
    assert dark > 4000  # text was drawn, not an empty strip
