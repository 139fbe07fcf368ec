"""The printer driver against a fake printer on a real pty pair."""

from __future__ import annotations

import os
import time
import tty

import pytest

from kiosk.devices import escpos as e
from kiosk.devices.errors import (
    PrinterNotOpenError,
    PrinterOpenError,
    PrinterWriteTimeout,
)
from kiosk.devices.fake_printer import FakePrinterState, status_byte
from kiosk.devices.printer import (
    PortKind,
    Printer,
    PrinterConfig,
    decode_status,
    is_status_byte,
)
from kiosk.devices.ticket import render_raster, render_text

from .conftest import CJK_FONT
from .test_ticket import EXPECTED_58


def _printer(port: str, kind: PortKind = PortKind.SERIAL, **kw) -> Printer:
    return Printer(PrinterConfig(port=port, kind=kind, baud=115200, **kw))


@pytest.mark.parametrize("kind", [PortKind.SERIAL, PortKind.DEVICE_FILE])
def test_text_ticket_through_the_pty(fake_printer, sample_ticket, kind):
    data = render_text(sample_ticket, 58)
    with _printer(fake_printer.port, kind) as printer:
        assert printer.print_ticket(data) == len(data) <= 1024
        snap = fake_printer.wait_for_cuts(1)
    assert snap.raw == data
    assert snap.text_lines == EXPECTED_58
    assert snap.qr_payloads == (sample_ticket.qr_payload,)
    assert snap.cuts == 1


def test_raster_ticket_through_the_pty(fake_printer, sample_ticket):
    data = render_raster(sample_ticket, CJK_FONT, 384)
    with _printer(fake_printer.port) as printer:
        printer.print_ticket(data)
        snap = fake_printer.wait_for_cuts(1)
    assert len(snap.raw) == len(data)
    assert e.raster_image(snap.commands).width == 384


@pytest.mark.parametrize("state, expected", [
    (FakePrinterState.OK, dict(online=True, paper_near_end=False, paper_out=False,
                               cover_open=False, error=False, ready=True)),
    (FakePrinterState.PAPER_NEAR_END, dict(online=True, paper_near_end=True, paper_out=False,
                                           cover_open=False, error=False, ready=True)),
    (FakePrinterState.PAPER_OUT, dict(online=False, paper_near_end=True, paper_out=True,
                                      cover_open=False, error=False, ready=False)),
    (FakePrinterState.COVER_OPEN, dict(online=False, paper_near_end=False, paper_out=False,
                                       cover_open=True, error=False, ready=False)),
    (FakePrinterState.CUTTER_ERROR, dict(online=False, paper_near_end=False, paper_out=False,
                                         cover_open=False, error=True, ready=False)),
])
@pytest.mark.parametrize("kind", [PortKind.SERIAL, PortKind.DEVICE_FILE])
def test_status_states(fake_printer, state, expected, kind):
    fake_printer.state = state
    with _printer(fake_printer.port, kind, status_timeout=2.0) as printer:
        status = printer.status()
    assert status.answered
    assert {k: getattr(status, k) for k in expected} == expected
    assert fake_printer.snapshot().status_queries == (1, 2, 3, 4)


@pytest.mark.parametrize("kind", [PortKind.SERIAL, PortKind.DEVICE_FILE])
def test_silent_printer_times_out_without_hanging(fake_printer, kind):
    fake_printer.state = FakePrinterState.SILENT
    with _printer(fake_printer.port, kind, status_timeout=0.3) as printer:
        started = time.monotonic()
        status = printer.status()
        elapsed = time.monotonic() - started
    assert not status.answered and not status.ready
    assert 0.25 <= elapsed < 2.0
    # It asked once and gave up rather than waiting four timeouts.
    assert fake_printer.wait_for(lambda s: s.status_queries == (1,)).status_queries == (1,)


def test_status_recovers_when_the_state_changes(fake_printer):
    with _printer(fake_printer.port, status_timeout=2.0) as printer:
        fake_printer.state = FakePrinterState.PAPER_OUT
        assert printer.status().paper_out
        fake_printer.state = FakePrinterState.OK
        assert printer.status().ready


def test_stale_bytes_before_a_query_are_ignored(fake_printer):
    with _printer(fake_printer.port, status_timeout=2.0) as printer:
        # Noise from the printer (not a status byte) arrives first.
        os.write(fake_printer._master, b"\xff\x00")
        assert printer.status().ready


@pytest.mark.parametrize("kind", [PortKind.SERIAL, PortKind.DEVICE_FILE])
def test_missing_port_raises_printer_error_naming_it(tmp_path, kind):
    path = str(tmp_path / "usb" / "lp7")
    printer = _printer(path, kind)
    with pytest.raises(PrinterOpenError) as info:
        printer.open()
    assert path in str(info.value)
    assert info.value.__cause__ is not None


def test_unopenable_device_file_names_the_path(tmp_path):
    path = tmp_path / "lp0"
    path.write_bytes(b"")
    path.chmod(0)
    if os.geteuid() == 0:  # root opens anything; use a directory instead
        path.unlink()
        path.mkdir()
    with pytest.raises(PrinterOpenError, match=str(path)):
        Printer(PrinterConfig(port=str(path))).open()


def test_auto_kind_picks_the_transport():
    assert PrinterConfig(port="/dev/usb/lp0").resolved_kind is PortKind.DEVICE_FILE
    assert PrinterConfig(port="/dev/ttyUSB0").resolved_kind is PortKind.SERIAL


def test_use_before_open_is_an_error():
    with pytest.raises(PrinterNotOpenError, match="/dev/ttyS9"):
        Printer(PrinterConfig(port="/dev/ttyS9")).print_ticket(b"x")


@pytest.mark.parametrize("kind", [PortKind.SERIAL, PortKind.DEVICE_FILE])
def test_printer_that_never_reads_makes_the_write_time_out(kind):
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    try:
        with _printer(os.ttyname(slave), kind, write_timeout=0.3) as printer:
            started = time.monotonic()
            with pytest.raises(PrinterWriteTimeout, match=os.ttyname(slave)):
                printer.print_ticket(b"\x00" * 4_000_000)
            assert time.monotonic() - started < 3.0
    finally:
        os.close(master)
        os.close(slave)


def test_status_bytes_round_trip_for_every_state():
    for state in FakePrinterState:
        answers = {n: status_byte(state, n) for n in (1, 2, 3, 4)}
        assert all(is_status_byte(b) for b in answers.values())
        status = decode_status(answers)
        assert status.paper_out == (state is FakePrinterState.PAPER_OUT)
        assert status.cover_open == (state is FakePrinterState.COVER_OPEN)
