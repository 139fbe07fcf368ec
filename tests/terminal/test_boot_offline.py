"""A terminal that boots while the broker is down still has 办事指南 and the board, with the offline banner.

Real mosquitto and a real hub for the first run; the second terminal gets a port nobody listens on.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.bus.broker import free_port
from kiosk.bus.lastknown import keeping, open_lastknown
from kiosk.protocol import Topics
from kiosk.terminal.app import CACHED_KINDS, Terminal
from kiosk.terminal.settings import load_settings
from kiosk.ui.app import DisplayConfig
from kiosk.ui.pilot import LiveClock, Pilot

from .conftest import SHOTS

DEVICE = "kiosk-boot"


def start_terminal(cfg, port: int, state_dir) -> tuple[Terminal, Pilot]:
    lastknown = open_lastknown(state_dir, DEVICE, keeping(Topics(cfg.site_id), *CACHED_KINDS))
    assert lastknown is not None
    clock = LiveClock()
    t = Terminal(cfg, host="127.0.0.1", port=port, device_id=DEVICE, settings=load_settings(cfg),
                 display=DisplayConfig(orientation="portrait"), clock=clock, lastknown=lastknown)
    t.start()
    return t, Pilot(t.app, clock)


def test_guides_come_from_the_cache_when_booting_without_broker(hub, broker, hall_cfg, tmp_path):
    state_dir = tmp_path / "terminal-state"
    t, p = start_terminal(hall_cfg, broker.port, state_dir)
    try:
        p.run_until(lambda: t.session.connected and t.session.catalog is not None and t.session.board is not None,
                    what="catalogue and board from the hub")
        items = len(t.session.catalog.items)
    finally:
        t.close()
    broker.stop()

    saved = json.loads((state_dir / f"{DEVICE}-lastknown.json").read_bytes())
    since = datetime.fromtimestamp(saved["saved_at"], ZoneInfo(hall_cfg.timezone)).strftime("%H:%M")

    t, p = start_terminal(hall_cfg, free_port(), state_dir)
    try:
        p.frames(1)
        assert not t.session.connected
        assert t.session.catalog is not None and len(t.session.catalog.items) == items
        assert t.session.board is not None
        assert p.exists("offline") and since in p.text_of("offline")  # at once: no first-connect grace
        p.tap("menu-item-1")  # 办事指南
        assert p.app.top.key == "guides"
        assert not p.exists("loading") and p.exists("how-department")
        p.tap("how-department")
        assert p.exists("list-departments")
        assert p.exists("offline")
        assert p.check_layout() == []
        p.screenshot(SHOTS / "boot-offline-guides.png")
    finally:
        t.close()
