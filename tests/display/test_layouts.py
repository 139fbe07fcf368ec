"""Every layout, orientation and panel size with a realistic hall: PNGs and clean layout checks."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.bus.client import Inbound
from kiosk.demo import busy_hall as scene
from kiosk.display.settings import DisplaySettings, parse_span
from kiosk.protocol import encode

from .conftest import SHOTS, feed, make_pilot

COMBOS = [(layout, orient, size) for layout in ("board", "disclosure", "combined")
          for orient in ("landscape", "portrait") for size in ((1920, 1080), (3840, 2160))]


EVALUATION_URL = "https://pj.huangtan.gov.cn/yimatongping"  # as configured by a hall that has its link


@pytest.mark.parametrize("layout, orientation, size", COMBOS)
def test_layout_renders_cleanly(layout, orientation, size, topics):
    pilot, screen, _ = make_pilot(layout=layout, orientation=orientation, size=size,
                                  settings=replace(DisplaySettings(), evaluation_url=EVALUATION_URL))
    with pilot:
        feed(pilot, scene.messages(topics))
        problems = pilot.check_layout()
        pilot.screenshot(SHOTS / f"{layout}-{orientation}-{size[0]}x{size[1]}.png")  # compared with its golden
        assert pilot.app.surface.get_size() == (size if orientation == "landscape" else size[::-1])
        assert problems == [], "\n".join(map(str, problems))
        texts = " ".join(pilot.visible_texts())
        if layout != "disclosure":
            assert "C004" in pilot.text_of("call")  # the latest call
            assert "暂停" in texts and "已关闭" in texts
            assert "一码通评" in texts and "0728-5321001" in texts
        assert "办公时间 08:30-12:00" in texts


@pytest.mark.parametrize("layout, orientation", [("board", "landscape"), ("board", "portrait"),
                                                 ("combined", "landscape"), ("combined", "portrait")])
def test_a_placeholder_evaluation_link_shows_no_qr_code(layout, orientation, topics):
    """The shipped config's 一码通评 address is a placeholder: no QR code leading nowhere on the wall."""
    pilot, screen, _ = make_pilot(layout=layout, orientation=orientation)
    with pilot:
        feed(pilot, scene.messages(topics))
        assert not pilot.exists("qr")
        texts = " ".join(pilot.visible_texts())
        assert "一码通评" not in texts and "0728-5321001" in texts
        assert pilot.check_layout() == []
        pilot.screenshot(SHOTS / f"{layout}-{orientation}-no-evaluation-link.png")


def test_the_ticker_shows_no_markdown(topics):
    pilot, screen, _ = make_pilot()
    with pilot:
        msgs = scene.messages(topics)
        body = "# 停水通知\n- 12月3日 **上午** 停水\n- 饮水机暂停使用\n\n* 请自带饮用水"
        msgs.append((topics.content("tingshui"), encode({"v": 1, "id": "tingshui", "kind": "notice",
                                                         "title": "停水", "body": body, "published_at": 2e9})))
        feed(pilot, msgs)
        loop = pilot.widget("ticker").loop
        assert "停水：停水通知　12月3日 上午 停水　饮水机暂停使用　请自带饮用水" in loop
        for mark in ("- ", "* ", "#", "**"):
            assert mark not in loop


def test_every_disclosure_slide_fits(topics):
    """Rotate through all slides (notices, 权责清单, catalogue pages, picture, policy): none cut off."""
    pilot, screen, _ = make_pilot(layout="disclosure", orientation="portrait")
    with pilot:
        feed(pilot, scene.messages(topics))
        pane = pilot.widget("disclosure")
        total = sum(len(p.parts) for p in pane.plans)
        assert total > 8
        seen, sections = set(), set()
        for i in range(total):
            pane = pilot.widget("disclosure")
            seen.add(pilot.text_of("disclosure-page"))
            sections.add(pane.items[pane.index].section)
            assert pilot.check_layout() == [], pilot.text_of("disclosure-page")
            if i in (1, 3, total - 4):
                pilot.screenshot(SHOTS / f"disclosure-slide-{i}.png")
            pilot.advance(pane.items[pane.index].dwell + 0.1, dt=0.5)
        assert len(seen) == total
        assert sections == {"公示公告", "权责清单", "办事事项", "办事流程", "政策文件"}
        # every catalogue item appeared on some slide
        catalog = next(it for it in pane.items if it.key == "catalog")
        plan = pane.plans[pane.items.index(catalog)]
        assert sum(b - a for a, b in plan.parts) == len(catalog.rows) == len(screen.state.catalog)


def test_flash_alternates_shape_not_only_colour(topics):
    pilot, screen, _ = make_pilot()
    with pilot:
        feed(pilot, scene.messages(topics))
        phases = []
        for _ in range(12):
            phases.append(pilot.widget("call").phase)
            if phases[-1] == 1:
                assert pilot.exists("call-left") and pilot.exists("call-right")  # arrows, not just colour
            else:
                assert not pilot.exists("call-left")
            pilot.advance(0.25, dt=0.05)
        assert 1 in phases and 2 in phases
        pilot.advance(10)
        assert pilot.widget("call").phase == 0  # steady after flash_s
        assert pilot.check_layout() == []


def test_ticker_moves_by_whole_characters(topics):
    pilot, screen, _ = make_pilot()
    with pilot:
        feed(pilot, scene.messages(topics))
        ticker = pilot.widget("ticker")
        loop2, first_offset, first = ticker.loop * 2, ticker.offset, pilot.text_of("ticker")
        assert loop2[first_offset:].startswith(first)
        drawn = pilot.app.frames_drawn
        pilot.advance(1.0, dt=1 / 30)
        ticker = pilot.widget("ticker")
        later = pilot.text_of("ticker")
        assert ticker.offset - first_offset in (2, 3, 4)  # 3 characters a second, whole characters only
        assert loop2[ticker.offset:].startswith(later) and later != first
        assert 2 <= pilot.app.frames_drawn - drawn <= 5  # redraws only when it steps, not every frame
        assert pilot.check_layout() == []


def test_offline_marker_shows_last_state(topics):
    pilot, screen, wall = make_pilot()
    with pilot:
        feed(pilot, scene.messages(topics))
        wall.now += 120
        pilot.post(Inbound("", connected=False))
        pilot.advance(1.0)
        assert not pilot.exists("offline")  # a blip shorter than the grace period is not shown
        pilot.advance(1.5)
        assert "离线 自 11:02 起" in pilot.text_of("offline")
        assert "C004" in pilot.text_of("call")  # last state still shown
        assert pilot.check_layout() == []
        pilot.screenshot(SHOTS / "board-offline.png")
        pilot.post(Inbound("", connected=True))
        pilot.frames(2)
        assert not pilot.exists("offline")
        pilot.post(Inbound(topics.availability("hub"), b"offline"))
        pilot.advance(2.5)
        assert "叫号主机离线" in pilot.text_of("offline")


def test_a_mode_past_its_end_is_not_shown_as_the_halls_mode(topics):
    """Offline through closing time, the header no longer says 正常办公 (the hub would have said 今日已下班)."""
    pilot, screen, wall = make_pilot()
    with pilot:
        feed(pilot, scene.messages(topics))  # 正常办公 until 12:00 on 2025-11-29, hall time
        assert pilot.text_of("hdr-mode").startswith("正常办公 · 办公时间")
        pilot.post(Inbound("", connected=False))
        wall.now = scene.mode_body()["until"] + 60
        pilot.advance(3.0)
        assert "离线" in pilot.text_of("offline")
        mode = pilot.text_of("hdr-mode")
        assert "正常办公" not in mode and "08:30" in mode, mode  # the day's hours are still the day's
        wall.now += 86400  # the next day: yesterday's hours are not today's
        pilot.advance(1.0)
        assert pilot.text_of("hdr-mode") == "办公时间 以公告为准"
        assert pilot.check_layout() == []


@pytest.mark.parametrize("layout", ["board", "combined"])
def test_closed_notice_with_next_opening(layout, topics):
    pilot, screen, _ = make_pilot(layout=layout)
    with pilot:
        feed(pilot, scene.messages(topics, mode="closed"))
        assert "下次办公 11月30日 08:30" in pilot.text_of("closed")
        assert "今日已下班" in pilot.text_of("closed")
        assert pilot.check_layout() == []
        pilot.screenshot(SHOTS / f"{layout}-closed.png")


def test_blank_schedule(topics):
    settings = replace(DisplaySettings(), blank=(parse_span("10:30-11:30"),))
    pilot, screen, wall = make_pilot(settings=settings)
    with pilot:
        feed(pilot, scene.messages(topics))
        assert pilot.visible_texts() == []  # 11:00 is inside the blank span
        wall.now += 3600
        pilot.frames(2)
        assert "C004" in pilot.text_of("call")


def test_content_update_and_removal_redraw(topics):
    pilot, screen, _ = make_pilot()
    with pilot:
        feed(pilot, scene.messages(topics))
        assert "城乡居民医保" in pilot.text_of("ticker")
        pilot.post(Inbound(topics.content("notice-jiaofei"), b""))
        pilot.post(Inbound(topics.content("notice-yibao"), b""))
        assert not pilot.exists("ticker")
        pilot.post(Inbound(topics.content("new"), encode({"id": "new", "kind": "notice", "title": "新通知",
                                                          "body": "今天下午停电检修", "published_at": 1.0})))
        assert "今天下午停电检修" in pilot.text_of("ticker")


def test_bad_payloads_never_change_the_screen(topics):
    pilot, screen, _ = make_pilot()
    with pilot:
        feed(pilot, scene.messages(topics))
        before = pilot.visible_texts()
        for topic, payload in [(topics.board, b"{nope"), (topics.board, b'{"v":1,"windows":3}'),
                               (topics.call, b'{"v":1}'), (topics.content("x"), b'{"v":1,"kind":"video"}'),
                               (topics.mode, b"[]"), (topics.catalog, b'{"v":2}'),
                               (topics.window_state("w1"), b'{"v":1,"window":"w1"}')]:
            pilot.post(Inbound(topic, payload))
        assert pilot.visible_texts()[:20] == before[:20]


def test_older_board_is_ignored(topics):
    pilot, screen, _ = make_pilot()
    with pilot:
        msgs = scene.messages(topics)
        feed(pilot, msgs)
        board = next(p for t, p in msgs if t == topics.board)
        import json
        old = json.loads(board)
        old["version"] = 10
        old["recent"] = [{"number": "Z999", "window": "w1", "window_number": 1, "at": 0, "recall": 0}]
        pilot.post(Inbound(topics.board, encode(old)))
        assert "Z999" not in " ".join(pilot.visible_texts())


def test_privacy_only_numbers_and_window_names(topics):
    """Personal data never reaches the screen, even if a payload carried some by mistake."""
    pilot, screen, _ = make_pilot()
    with pilot:
        msgs = [(t, p.replace(b'"number":"C004"', b'"number":"C004","name":"\\u5f20\\u4e09","phone":"13800000000"'))
                for t, p in scene.messages(topics)]
        feed(pilot, msgs)
        texts = " ".join(pilot.visible_texts())
        assert "张三" not in texts and "13800000000" not in texts


def test_import_does_not_touch_pygame():
    code = ("import kiosk.display.main, kiosk.display.runtime, kiosk.display.announcer, pygame;"
            "assert not pygame.display.get_init() and not pygame.font.get_init()")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_modules_are_small_and_documented():
    import kiosk.display
    import kiosk.tools.content_tools as ct

    for module in [*Path(kiosk.display.__file__).parent.glob("*.py"), Path(ct.__file__)]:
        source = module.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 600, module
        assert source.lstrip().startswith('"""'), module
