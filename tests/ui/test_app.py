"""The App loop: taps act once, idle frames draw nothing, inbox, screen stack, mode and rotation."""

import queue
import threading

import pygame
import pytest

from kiosk.ui.app import App, DisplayConfig
from kiosk.ui.demo import SCREENS
from kiosk.ui.errors import ScreenError
from kiosk.ui.pilot import Pilot
from kiosk.ui.screen import ModalResult, Pop, Push, Screen
from kiosk.ui.theme import Mode
from kiosk.ui.widget import Column, CountdownExpired, Pressed
from kiosk.ui.widgets import Button, Countdown, Label


class Counter(Screen):
    def __init__(self):
        super().__init__()
        self.taps, self.inbox, self.results, self.expired = 0, [], [], 0

    def build(self, ctx):
        return Column("root", [Label("count", f"已点击 {self.taps} 次"), Button("plus", "加一"),
                               Button("other", "其他", tone="secondary"), Button("open", "打开"),
                               Countdown("timer", 3)], padded=True)

    def handle(self, message):
        if isinstance(message, Pressed) and message.widget_id == "plus":
            self.taps += 1
            self.invalidate()
        elif isinstance(message, Pressed) and message.widget_id == "open":
            return Push(key="modal", data="问")
        elif isinstance(message, ModalResult):
            self.results.append(message.value)
        elif isinstance(message, CountdownExpired):
            self.expired += 1
        elif isinstance(message, str):
            self.inbox.append(message)
            self.invalidate()
        return None


class Modal(Screen):
    modal = True

    def startup(self, data):
        self.question = data

    def build(self, ctx):
        return Column("root", [Label("q", self.question), Button("answer", "回答")], padded=True)

    def handle(self, message):
        if isinstance(message, Pressed):
            return Pop(result=42)
        return None


REGISTRY = {"counter": Counter, "modal": Modal}


@pytest.fixture
def pilot():
    p = Pilot.start(REGISTRY, "counter")
    yield p
    p.close()


def test_finger_tap_with_synthesised_mouse_acts_once(pilot):
    pilot.tap("plus", via="finger", synth_mouse=True)
    assert pilot.app.top.taps == 1
    assert pilot.text_of("count") == "已点击 1 次"


def test_mouse_tap_acts_once(pilot):
    pilot.tap("plus", via="mouse")
    assert pilot.app.top.taps == 1


def test_down_on_one_widget_up_on_another_does_nothing(pilot):
    window = pilot.app.window_size
    a = pilot.widget("plus").rect.center
    b = pilot.widget("other").rect.center
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=a, button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=b, button=1))
    pilot.frames(2)
    assert pilot.app.top.taps == 0 and window == (1080, 1920)


def test_idle_frames_draw_nothing(pilot):
    pilot.frames(3)
    before = pilot.app.frames_drawn
    drawn = pilot.frames(20, dt=0.01)  # 0.2 s: the 3-second countdown shows the same number
    assert drawn == 0 and pilot.app.frames_drawn == before
    pilot.tap("plus")
    assert pilot.app.frames_drawn > before


def test_countdown_redraws_once_a_second_and_expires_once(pilot):
    pilot.frames(1)
    before = pilot.app.frames_drawn
    pilot.advance(1.0, dt=0.05)
    assert pilot.app.frames_drawn - before == 1
    assert "2 秒" in pilot.text_of("timer")
    pilot.advance(5.0)
    assert pilot.app.top.expired == 1 and "0 秒" in pilot.text_of("timer")


def test_inbox_from_another_thread(pilot):
    t = threading.Thread(target=lambda: pilot.app.inbox.put("叫号 A012"))
    t.start()
    t.join()
    pilot.wait_until(lambda: pilot.app.top.inbox == ["叫号 A012"])


def test_modal_returns_typed_result_to_screen_below(pilot):
    pilot.tap("open")
    assert pilot.app.top.key == "modal" and pilot.text_of("q") == "问"
    pilot.tap("answer")
    assert pilot.app.top.key == "counter" and pilot.app.top.results == [42]


def test_unknown_screen_and_bad_pop_raise(pilot):
    with pytest.raises(ScreenError, match="nope"):
        pilot.post(Push(key="nope"))
    with pytest.raises(ScreenError):
        pilot.post(Pop(result=None))


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_taps_land_on_rotated_and_scaled_panels(rotation):
    with Pilot.start(REGISTRY, "counter", rotation=rotation, window_scale=0.5) as p:
        phys = p.app.display_config.physical_size
        assert p.app.window_size == (phys[0] // 2, phys[1] // 2)
        p.tap("plus")
        p.tap("plus", via="mouse")
        assert p.app.top.taps == 2


def test_mode_switch_rebuilds_with_large_tokens_and_keeps_widget_state():
    with Pilot.start(SCREENS, "gallery", mode=Mode.NORMAL) as p:
        p.tap("services-next")
        assert "第 2/2 页" in p.text_of("services-page")
        first_visible = p.widget("services").get_state()
        normal_h = p.widget("mode").rect.height
        p.tap("mode")
        assert p.app.mode is Mode.LARGE and p.app.theme.mode is Mode.LARGE
        assert p.widget("mode").rect.height >= p.app.theme.target_min > normal_h
        assert p.exists(f"services-item-{first_visible}")
        assert p.check_layout() == []


def test_set_display_changes_orientation_at_runtime():
    with Pilot.start(REGISTRY, "counter") as p:
        p.app.set_display(DisplayConfig(orientation="landscape", rotation=90))
        p.frames(1)
        assert p.app.surface.get_size() == (1920, 1080)
        assert p.app.window_size == (1080, 1920)
        p.tap("plus")
        assert p.app.top.taps == 1


def test_display_config_validates():
    with pytest.raises(ValueError):
        DisplayConfig(orientation="square")
    with pytest.raises(ValueError):
        DisplayConfig(rotation=45)


def test_run_loop_stops_on_quit_event(themes):
    inbox: queue.Queue = queue.Queue()
    app = App(screens=REGISTRY, themes=themes, inbox=inbox)
    app.open()
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    app.run("counter")  # returns because of the QUIT event
    assert not app.running and app.frames_drawn <= 1
