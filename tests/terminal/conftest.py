"""Terminal fixtures: a Terminal driven by the Pilot — live clock against a real broker and hub, or a
fake clock with no bus at all (screenshots, idle timers)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.loaders.catalog_data import load_catalog
from kiosk.terminal.app import Terminal
from kiosk.terminal.messages import BoardIn, CatalogIn, Connection, ModeIn
from kiosk.terminal.settings import load_settings
from kiosk.ui.app import DisplayConfig
from kiosk.ui.pilot import FakeClock, LiveClock, Pilot
from kiosk.ui.theme import Mode

from ..conftest import OUTPUT, REPO

SHOTS = OUTPUT / "screens" / "terminal"


@pytest.fixture
def live_terminal(hall_cfg):
    """make(port, **settings) → a Pilot over a Terminal connected to 127.0.0.1:port, real time."""
    made: list[tuple[Terminal, Pilot]] = []

    def make(port: int, *, mode: Mode = Mode.NORMAL, device_id: str = "kiosk-t", cfg=None, **overrides) -> Pilot:
        cfg = cfg or hall_cfg
        settings = replace(load_settings(cfg), reply_timeout=overrides.pop("reply_timeout", 3.0),
                           **overrides)
        clock = LiveClock()
        t = Terminal(cfg, host="127.0.0.1", port=port, device_id=device_id, settings=settings, mode=mode,
                     display=DisplayConfig(orientation="portrait"), clock=clock)
        t.start()
        p = Pilot(t.app, clock)
        p.terminal = t
        made.append((t, p))
        return p

    yield make
    for t, _ in made:
        t.close()


def sample_board(cfg) -> dict:
    counts = {"A": 3, "B": 0, "C": 5, "D": 2, "E": 7, "F": 0}
    return {"categories": [{"category": c.id, "name": c.name, "group": c.group, "waiting": counts.get(c.id, 1),
                            "open_windows": 1, "eta_s": 300} for c in cfg.hall.categories]}


SAMPLE_MODE = {"state": "open", "label": "办公中", "sessions": ["8:30-12:00", "14:00-17:30"],
               "next_open_text": None}


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(REPO / "config" / "catalog")


@pytest.fixture
def offline_terminal(hall_cfg, catalog):
    """make(mode, orientation, fed=True) → a Pilot over a Terminal without a bus and a fake clock."""
    made: list[Terminal] = []

    def make(mode: Mode = Mode.NORMAL, orientation: str = "portrait", *, fed: bool = True, **overrides) -> Pilot:
        settings = replace(load_settings(hall_cfg), **overrides)
        clock = FakeClock()
        t = Terminal(hall_cfg, connect=False, settings=settings, mode=mode, clock=clock,
                     display=DisplayConfig(orientation=orientation), wall=lambda: 1_795_000_000.0)
        t.start()
        made.append(t)
        p = Pilot(t.app, clock)
        p.terminal = t
        if fed:
            for msg in (Connection(connected=True), BoardIn(board=sample_board(hall_cfg)),
                        ModeIn(mode=SAMPLE_MODE), CatalogIn(catalog=catalog)):
                t.inbox.put(msg)
        p.frames(2)
        return p

    yield make
    for t in made:
        t.close()


# 10:00 on Wednesday 18 November 2026 in Huangtan: a working day, inside walk-in hours. The hub's clock
# starts there and runs at real speed, so the flows do not depend on when the tests run.
OPEN_HOURS_START = 1_794_967_200.0


@pytest.fixture
def hub(broker, hall_cfg, tmp_path):
    import time

    from ..conftest import HubThread

    base = time.time()
    h = HubThread(hall_cfg, tmp_path / "state", broker.port,
                  clock=lambda: OPEN_HOURS_START + (time.time() - base)).start()
    yield h.hub
    h.stop()
