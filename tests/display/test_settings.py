"""The [display] and [announcer] config sections, and the screen → announcer hand-over."""

from __future__ import annotations

import dataclasses
from datetime import time as dtime
from pathlib import Path

import pytest

from kiosk.bus.client import Inbound
from kiosk.config import parse
from kiosk.demo import busy_hall as scene
from kiosk.display.settings import (PLACEHOLDER_EVALUATION_URL, announcer_settings, display_settings,
                                    parse_span)
from kiosk.errors import ConfigError

from .conftest import feed, make_pilot

BASE = {"site": {"id": "t", "name": "测试"}, "categories": [{"id": "A", "name": "综合"}],
        "windows": [{"id": "w1", "number": 1, "name": "一号", "kind": "comprehensive", "categories": ["A"]}]}


def cfg(**sections):
    return parse(Path("site.toml"), {**BASE, **sections})


def test_defaults():
    d = display_settings(cfg())
    assert (d.layout, d.size, d.evaluation_url) == ("board", (1920, 1080), PLACEHOLDER_EVALUATION_URL)
    a = announcer_settings(cfg())
    assert (a.repeat, a.voice, a.speech) == (2, "cmn-latn-pinyin", True)


def test_values_and_orientation():
    d = display_settings(cfg(display={"layout": "combined", "orientation": "portrait", "size": "3840x2160",
                                      "blank": ["22:00-06:00"], "evaluation_url": "https://pj.example/hq"}))
    assert d.size == (2160, 3840) and d.scale == 2.0 and d.effective_dpi == 80.0  # a 55-inch 4K panel
    assert d.glyph_floor_mm == 14.0  # 3 m from the seats: 16 arcmin
    assert d.blank[0].contains(dtime(23, 0)) and not d.blank[0].contains(dtime(12, 0))
    a = announcer_settings(cfg(announcer={"repeat": 3, "volume": 0.8,
                                          "quiet": [{"hours": "12:00-14:30", "volume": 0.3}]}))
    assert a.volume_at(dtime(13, 0)) == 0.3 and a.volume_at(dtime(9, 0)) == 0.8


@pytest.mark.parametrize("section, data, key", [
    ("display", {"layout": "wall"}, "display.layout"),
    ("display", {"size": "big"}, "display.size"),
    ("display", {"blank": ["25:00-06:00"]}, "display.blank[0]"),
    ("display", {"colour": "red"}, "display.colour"),
    ("announcer", {"repeat": 0}, "announcer.repeat"),
    ("announcer", {"quiet": [{"hours": "12-14", "volume": 0.3}]}, "announcer.quiet[0].hours"),
    ("announcer", {"volume": 2.0}, "announcer.volume"),
    ("announcer", {"voice": "cmn"}, "announcer.voice"),  # reads tone digits in English
    ("announcer", {"engine": "festival"}, "announcer.engine"),
    ("announcer", {"engine": "voicepack"}, "announcer.voice_pack"),
])
def test_mistakes_name_the_key(section, data, key):
    with pytest.raises(ConfigError) as err:
        (display_settings if section == "display" else announcer_settings)(cfg(**{section: data}))
    assert err.value.key == key


def test_span_wraps_midnight():
    s = parse_span("22:00-06:00")
    assert s.contains(dtime(5, 59)) and s.contains(dtime(22, 0)) and not s.contains(dtime(6, 0))


def test_each_call_event_goes_to_the_announcer_once(topics):
    heard = []
    pilot, screen, _ = make_pilot(announce=heard.append)
    with pilot:
        feed(pilot, [m for m in scene.messages(topics) if m[0] != topics.call])
        assert heard == []  # retained state is drawn, never announced
        call = {"v": 1, "number": "E009", "window": "w7", "window_number": 7, "recall": 0, "at": scene.T0 + 60,
                "speech": "请 E 零 零 九 号，到 7 号窗口办理"}
        import json
        pilot.post(Inbound(topics.call, json.dumps(call).encode()))
        assert [h["number"] for h in heard] == ["E009"]
        assert pilot.text_of("call-number") == "E009" and pilot.widget("call").flashing
        assert dataclasses.is_dataclass(screen.settings)
