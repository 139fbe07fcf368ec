"""Shared fixtures: a real private mosquitto per test, a hub (in-process or as a real process), and
recording MQTT clients. SDL runs with its dummy drivers; zeroconf is bound to 127.0.0.1 only."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from kiosk.bus.broker import PrivateBroker  # noqa: E402
from kiosk.config import load  # noqa: E402

from kiosk.ui.pilot import Pilot  # noqa: E402

from . import golden  # noqa: E402
from .mqtt_helpers import Recorder, wait_until  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REAL_CONFIG = REPO / "config" / "huangtan.toml"
OUTPUT = REPO / "test-output"


def _always_open_config() -> Path:
    """The real hall, but without office hours: tests must not depend on the time they run at.
    Tests of the calendar use REAL_CONFIG with a fake clock."""
    out = Path(tempfile.mkdtemp(prefix="kiosk-test-cfg-")) / "site.toml"
    atexit.register(shutil.rmtree, out.parent, True)
    text = REAL_CONFIG.read_text(encoding="utf-8").replace(
        '[hub]\n', f'[hub]\ncalendar = ""\ncatalog_dir = "{REPO / "config" / "catalog"}"\n', 1)
    out.write_text(text, encoding="utf-8")
    return out


HALL_CONFIG = _always_open_config()


@pytest.fixture(autouse=True)
def golden_screens(monkeypatch):
    """Every screenshot a test saves under test-output/screens/ must match its golden (tests/golden.py)."""
    save = Pilot.screenshot

    def screenshot(self, path):
        out = save(self, path)
        golden.check(out)
        return out

    monkeypatch.setattr(Pilot, "screenshot", screenshot)


@pytest.fixture
def hall_cfg():
    return load(HALL_CONFIG)


@pytest.fixture
def real_cfg():
    return load(REAL_CONFIG)


@pytest.fixture
def broker(tmp_path):
    b = PrivateBroker(tmp_path / "broker", persistence=True).start()
    yield b
    b.stop()


@pytest.fixture
def recorder(broker, hall_cfg):
    recs: list[Recorder] = []

    def make(*subs: str, device: str | None = None) -> Recorder:
        r = Recorder(broker.port, hall_cfg.site_id, subs, device=device)
        recs.append(r)
        return r

    yield make
    for r in recs:
        r.close()


@contextmanager
def own_store(hub):
    """The running hub's database on a connection of the test's own. The hub's ``Store`` belongs to its
    worker thread: a batch keeps rows pending, and a read through it from another thread would write them
    in the middle of the hub's transaction."""
    from kiosk.store.db import Store
    store = Store(hub.store.path)
    try:
        yield store
    finally:
        store.close()


class HubThread:
    """The hub in this process: fast to start, for tests that do not kill it."""

    def __init__(self, cfg, state_dir: Path, port: int, clock=None) -> None:
        from kiosk.hub.service import Hub
        kw = {"clock": clock} if clock else {}
        self.hub = Hub(cfg, state_dir=state_dir, host="127.0.0.1", port=port, **kw)
        self.thread = threading.Thread(target=self.hub.run, daemon=True)

    def start(self) -> "HubThread":
        self.thread.start()
        assert self.hub.wait_ready(10), "hub did not become ready"
        return self

    def stop(self) -> None:
        self.hub.stop()
        self.thread.join(10)


@pytest.fixture
def hub(broker, hall_cfg, tmp_path):
    h = HubThread(hall_cfg, tmp_path / "state", broker.port).start()
    yield h.hub
    h.stop()


class HubProcess:
    """The hub as a real process (``python -m kiosk hub``), for crash tests."""

    def __init__(self, config: Path, state_dir: Path, port: int, log: Path) -> None:
        self.args = [sys.executable, "-m", "kiosk", "hub", "--config", str(config), "--broker",
                     f"127.0.0.1:{port}", "--state", str(state_dir), "--no-advertise"]
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> "HubProcess":
        self.proc = subprocess.Popen(self.args, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
                                     cwd=REPO)
        return self

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def hub_process(broker, tmp_path):
    procs: list[HubProcess] = []

    def make(config: Path = HALL_CONFIG) -> HubProcess:
        p = HubProcess(config, tmp_path / "state", broker.port, tmp_path / "hub.log").start()
        procs.append(p)
        return p

    yield make
    for p in procs:
        p.stop()


__all__ = ["wait_until", "OUTPUT", "REPO", "HALL_CONFIG"]
