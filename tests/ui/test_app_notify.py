"""The App loop speaks systemd's notify protocol on a real datagram socket: READY=1 only once a frame has
been presented, WATCHDOG=1 only from ``step`` (idle frames count), STATUS from the role's callable."""

import threading
from zoneinfo import ZoneInfo

import pygame

from kiosk.system.sdnotify import Notifier, link_status
from kiosk.ui.app import App, DisplayConfig
from tests.systemd.units import NotifySocket

from kiosk.ui.screen import Screen
from kiosk.ui.widget import Column
from kiosk.ui.widgets import Label


class Still(Screen):
    """Nothing on it moves: after the first frame every frame is idle."""

    def build(self, ctx):
        return Column("root", [Label("hello", "请取号")], padded=True)


REGISTRY = {"counter": Still}


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def make_app(themes, sock: NotifySocket, clock: FakeClock, status=None) -> App:
    notifier = Notifier(sock.path, watchdog_usec=4_000_000, clock=clock)
    return App(screens=REGISTRY, themes=themes, display=DisplayConfig(orientation="portrait", window_scale=0.25),
               clock=clock, notifier=notifier, status=status)


def fields(sock: NotifySocket) -> list[dict[str, str]]:
    return sock.messages()


def test_ready_after_the_first_presented_frame_then_pings_only_from_the_loop(themes):
    sock, clock = NotifySocket(), FakeClock()
    text = {"now": "connecting to the broker 127.0.0.1:1883"}
    app = make_app(themes, sock, clock, status=lambda: text["now"])
    presented = []
    real_update = pygame.display.update
    try:
        pygame.display.update = lambda *a: (presented.append(app.notifier.is_ready), real_update(*a))[1]
        app.start("counter")
        assert sock.quiet_for(0.3, "READY"), "READY before any frame"
        assert app.step() is True
        assert presented == [False], "the first frame reaches the screen before READY=1"
        sock.wait_for(lambda d: "READY" in d.fields, 5, "READY")
        assert fields(sock)[0] == {"READY": "1", "STATUS": "connecting to the broker 127.0.0.1:1883"}

        # idle frames: nothing drawn, nothing presented, but the loop is alive
        drawn = app.frames_drawn
        for _ in range(6):
            clock.t += 1.0
            assert app.step() is False
        assert app.frames_drawn == drawn and len(presented) == 1
        sock.wait_for(lambda d: sum("WATCHDOG" in f for f in fields(sock)) >= 6, 5, "six pings")
        assert sum("WATCHDOG" in f for f in fields(sock)) == 6  # one per second of loop time (WatchdogSec/4)

        # time passes but the loop does not go round (a hang in a screen, a stuck DRM master): no ping
        clock.t += 60
        assert sock.quiet_for(0.5, "WATCHDOG")

        text["now"] = "serving: screen counter, normal print"
        app.step()
        sock.wait_for(lambda d: d.fields.get("STATUS") == text["now"], 5, "the new STATUS")
        app.step()  # same status: not sent again
        assert sock.statuses() == ["connecting to the broker 127.0.0.1:1883", "serving: screen counter, normal print"]
        app.close()
        sock.wait_for(lambda d: "STOPPING" in d.fields, 5, "STOPPING=1")
    finally:
        pygame.display.update = real_update
        app.close()
        sock.close()


def test_without_notify_socket_the_loop_runs_and_sends_nothing(themes):
    app = App(screens=REGISTRY, themes=themes, display=DisplayConfig(window_scale=0.25),
              notifier=Notifier.from_env({}))
    try:
        app.start("counter")
        assert app.step() is True and not app.notifier.enabled and not app.notifier.is_ready
    finally:
        app.close()


def test_notifier_from_env_follows_systemds_rules():
    sock = NotifySocket()
    try:
        mine = Notifier.from_env({"NOTIFY_SOCKET": sock.path, "WATCHDOG_USEC": "8000000", "WATCHDOG_PID": "4242"},
                                 pid=4242)
        assert mine.watchdog_interval == 2.0
        inherited = Notifier.from_env({"NOTIFY_SOCKET": sock.path, "WATCHDOG_USEC": "8000000",
                                       "WATCHDOG_PID": "1"}, pid=4242)
        assert inherited.watchdog_interval is None  # the watchdog belongs to the parent
        assert Notifier.from_env({"NOTIFY_SOCKET": sock.path, "WATCHDOG_USEC": "soon"}).watchdog_interval is None
        clock = FakeClock()
        n = Notifier(sock.path, watchdog_usec=8_000_000, clock=clock)
        assert n.alive() is False  # not before READY
        n.ready("line one\nline two")
        clock.t += 1.9
        assert n.alive() is False
        clock.t += 0.1
        assert n.alive() is True
        sock.wait_for(lambda d: "WATCHDOG" in d.fields, 5, "a ping")
        assert fields(sock)[0] == {"READY": "1", "STATUS": "line one line two"}
    finally:
        sock.close()


def test_notifier_reaches_an_abstract_socket():
    import socket
    name = f"kiosk-test-{threading.get_ident()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.bind("\0" + name)
        s.settimeout(5)
        assert Notifier("@" + name).send("READY=1")
        assert s.recv(100) == b"READY=1"
    assert Notifier(None).send("READY=1") is False


def test_link_status_words_the_three_states_in_hall_time():
    tz = ZoneInfo("Asia/Shanghai")
    assert link_status(connected=False, offline_since=None, tz=tz, serving="x", broker="h:1") \
        == "connecting to the broker h:1"
    # 2026-12-01 10:15 UTC is 18:15 in the hall
    off = link_status(connected=False, offline_since=1796120100.0, tz=tz, serving="x", broker="h:1")
    assert off.startswith("offline since 2026-12-01 18:15 (Asia/Shanghai)")
    assert link_status(connected=True, offline_since=None, tz=tz, serving="board") == "serving: board"
    assert link_status(connected=True, offline_since=1796120100.0, tz=tz, serving="board", hub_online=False) \
        .startswith("hub offline since 2026-12-01 18:15")
