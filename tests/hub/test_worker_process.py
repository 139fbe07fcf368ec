"""The hub's short-lived worker process (catalogue, calendar, a catalogue import): its death or silence is an
answer, never a wait for ever.

A process pool waits for ever for the answer of a worker that died: the kernel killing the import's worker
when memory ran out on a Pi (the pinyin dictionaries alone take about 55 MB) left the hub's worker thread
stuck in the middle of a batch, handling no press again until the watchdog restarted it, and the unanswered
request then came back to the restarted hub. These run the real code in real processes; the end-to-end test
kills the import's worker with SIGKILL while it works.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import psutil
import pytest

from kiosk.hub.hallinfo import WorkerFailed, run_apart, run_apart_each
from tests.conftest import REPO, HubThread
from tests.mqtt_helpers import wait_until

SAMPLE = (REPO / "config" / "catalog" / "sample_import.csv").read_text(encoding="utf-8-sig")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "slept"


def _refuse(text: str) -> None:
    raise ValueError(text)


def _bounded(fn, *args, **kw):
    """``fn(*args, **kw)`` in a thread, so that a wait for ever fails the test instead of hanging the run."""
    out: dict = {}

    def go() -> None:
        try:
            out["value"] = fn(*args, **kw)
        except BaseException as exc:  # handed to the test
            out["error"] = exc

    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(30)
    assert not t.is_alive(), "still waiting for the worker process after 30 s"
    return out


def _workers() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True)
            if any("spawn_main" in part for part in p.cmdline())]


def test_a_killed_worker_is_an_error_at_once():
    started = time.monotonic()
    out = _bounded(run_apart, _die)
    assert isinstance(out.get("error"), WorkerFailed), out
    assert "killed by SIGKILL" in str(out["error"]) and "memory" in str(out["error"])
    assert time.monotonic() - started < 10


def test_a_silent_worker_is_stopped_at_its_limit():
    out = _bounded(run_apart, _sleep, 60, limit_s=2)
    assert isinstance(out.get("error"), WorkerFailed), out
    assert "within 2 s" in str(out["error"])
    wait_until(lambda: not _workers(), timeout=5, what="the stopped worker to be gone")


def test_answers_exceptions_and_the_watchdog_while_waiting():
    pings: list[float] = []
    out = _bounded(run_apart_each, [(_sleep, (2.5,)), (_sleep, (0,))], alive=lambda: pings.append(time.monotonic()))
    assert out.get("value") == ["slept", "slept"], out
    assert len(pings) >= 2  # about once a second while the worker worked
    out = _bounded(run_apart, _refuse, "第3行 不对")
    assert isinstance(out.get("error"), ValueError) and str(out["error"]) == "第3行 不对"


def test_an_import_whose_worker_is_killed_is_answered_and_the_hub_goes_on(broker, hall_cfg, tmp_path, recorder):
    h = HubThread(hall_cfg, tmp_path / "state", broker.port).start()
    try:
        screen = recorder("catalog")
        before = screen.wait_for("catalog")
        web = recorder(device="web")
        replies: list[dict] = []
        caller = threading.Thread(target=lambda: replies.append(
            web.call("catalog.replace", csv=SAMPLE, by="lina", timeout=40)), daemon=True)
        caller.start()
        wait_until(lambda: _workers(), timeout=20, what="the import's worker process")
        for p in _workers():
            p.send_signal(signal.SIGKILL)
        caller.join(45)
        assert replies, "the hub did not answer the import whose worker was killed"
        rep = replies[0]
        assert rep["ok"] is False and rep["error"]["code"] == "not_saved", rep
        assert "killed by SIGKILL" in rep["error"]["message"], rep
        assert "unchanged" in rep["error"]["message"]
        kiosk = recorder(device="kiosk-1")
        issued = kiosk.call("ticket.issue", category="A", timeout=10)  # the hub's worker is not stuck
        assert issued["ok"], issued
        assert h.hub.info.catalog == before["catalog"]
        assert [m for m in screen.on("catalog")] == [before]
    finally:
        h.stop()
