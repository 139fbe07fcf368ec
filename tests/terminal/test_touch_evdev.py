"""A touch panel SDL cannot read, through evdev: raw multi-touch input_event bytes through a pipe →
TouchDecoder on the reader thread → pygame FINGERDOWN/FINGERUP on the event queue → the toolkit treats
them as native touch. A tap lands on the button under the finger and acts exactly once."""

from __future__ import annotations

import os

import pygame
import pytest

from kiosk.devices import input_device
from kiosk.devices.evdev_decode import (ABS_MT_POSITION_X, ABS_MT_POSITION_Y, ABS_MT_SLOT, ABS_MT_TRACKING_ID,
                                        BTN_TOUCH, EV_ABS, EV_KEY, EV_SYN, SYN_REPORT, TouchConfig, TouchEvent,
                                        TouchKind, pack_event)
from kiosk.terminal.devices import TOUCH_ID, TouchPoster

RAW_MAX = 4095


class PipePanel:
    def __init__(self) -> None:
        self.fd, self.w = os.pipe()
        self.tracking = 100

    def close(self) -> None:
        os.close(self.fd)

    def tap(self, raw_x: int, raw_y: int) -> None:
        self.tracking += 1
        syn = pack_event(EV_SYN, SYN_REPORT, 0)
        down = (pack_event(EV_ABS, ABS_MT_SLOT, 0) + pack_event(EV_ABS, ABS_MT_TRACKING_ID, self.tracking)
                + pack_event(EV_ABS, ABS_MT_POSITION_X, raw_x) + pack_event(EV_ABS, ABS_MT_POSITION_Y, raw_y)
                + pack_event(EV_KEY, BTN_TOUCH, 1) + syn)
        up = pack_event(EV_ABS, ABS_MT_TRACKING_ID, -1) + pack_event(EV_KEY, BTN_TOUCH, 0) + syn
        os.write(self.w, down + up)


@pytest.fixture
def panel(monkeypatch):
    dev = PipePanel()
    monkeypatch.setattr(input_device, "open_evdev", lambda path, *, grab: dev)
    yield dev
    os.close(dev.w)


def raw_point(p, widget_id: str, rotation: int) -> tuple[int, int]:
    """Where on the sensor a finger must be to hit the widget's centre (sensor turned by ``rotation``)."""
    phys = p.app.display_config.physical_size
    px, py = p.physical_point(widget_id)
    x, y = (px + 0.5) / phys[0], (py + 0.5) / phys[1]
    # inverse of the decoder's clockwise turn
    x, y = {0: (x, y), 90: (y, 1 - x), 180: (1 - x, 1 - y), 270: (1 - y, x)}[rotation]
    return round(x * RAW_MAX), round(y * RAW_MAX)


def evdev_tap(p, panel, widget_id: str, rotation: int, until) -> None:
    panel.tap(*raw_point(p, widget_id, rotation))
    p.run_until(until, what=f"the tap on {widget_id}")
    p.frames(3)  # anything posted twice would act now


@pytest.mark.parametrize("rotation, orientation", [(0, "portrait"), (180, "portrait"), (90, "landscape")])
def test_a_tap_on_the_panel_acts_once(offline_terminal, panel, rotation, orientation):
    p = offline_terminal(orientation=orientation, touch_device="usb-eGalax_Touch-event-if00",
                         touch=TouchConfig(x_max=RAW_MAX, y_max=RAW_MAX, rotation=rotation))
    p.run_until(p.terminal.devices.sources[0].connected.is_set, what="the panel opened")
    evdev_tap(p, panel, "menu-item-0", rotation, lambda: p.app.top.key == "take")
    evdev_tap(p, panel, "cat-C", rotation, lambda: p.app.top.stage == "confirm")
    # 绿色通道 toggles: a tap that acted twice would leave it off
    evdev_tap(p, panel, "green", rotation, lambda: p.app.top.flow.priority)
    assert p.app.top.flow.priority and "已选择" in p.text_of("green")


def test_touch_poster_makes_sdl_finger_events():
    posted: list[pygame.event.Event] = []
    poster = TouchPoster(posted.append)
    poster(TouchEvent(kind=TouchKind.DOWN, finger=1, x=0.25, y=0.5, time=0.0))
    poster(TouchEvent(kind=TouchKind.MOVE, finger=1, x=0.3, y=0.5, time=0.01))
    poster(TouchEvent(kind=TouchKind.UP, finger=1, x=0.3, y=0.5, time=0.02))
    assert [e.type for e in posted] == [pygame.FINGERDOWN, pygame.FINGERMOTION, pygame.FINGERUP]
    assert all(e.touch_id == TOUCH_ID and e.finger_id == 1 for e in posted)
    assert (posted[0].x, posted[0].y) == (0.25, 0.5) and round(posted[1].dx, 6) == 0.05


def test_touch_keys_are_validated(hall_cfg):
    from dataclasses import replace

    from kiosk.errors import ConfigError
    from kiosk.terminal.settings import load_settings

    cfg = replace(hall_cfg, roles={**hall_cfg.roles, "terminal": {
        "touch_device": "panel", "touch_x_range": [100, 3900], "touch_y_range": [200, 3800],
        "touch_calibration": [0, 1, 0, 1, 0, 0], "touch_rotation": 270}})
    s = load_settings(cfg)
    assert s.touch == TouchConfig(x_min=100, x_max=3900, y_min=200, y_max=3800,
                                  calibration=(0.0, 1.0, 0.0, 1.0, 0.0, 0.0), rotation=270)
    for bad in ({"touch_x_range": [5, 1]}, {"touch_calibration": [1, 0, 0]}, {"touch_rotation": 45}):
        with pytest.raises(ConfigError):
            load_settings(replace(hall_cfg, roles={**hall_cfg.roles, "terminal": bad}))
