"""``systemctl stop`` of a screen: SIGTERM must end the frame loop, whatever the loop was doing at that moment.

A Python signal handler runs on the main thread between two bytecodes. Setting a ``threading.Event`` from it
deadlocks when the interrupted code holds that Event's lock (``clear``, or the start or end of ``wait``), which
the frame loop does every frame; the unit then hangs until systemd's SIGKILL.
"""

from __future__ import annotations

import threading
import time

from kiosk.ui.live import LiveLoop, WakeQueue


class _App:
    def __init__(self) -> None:
        self.inbox, self.running, self.frames_run, self.clock = WakeQueue(), True, 0, time.monotonic
        self.closed = False

    def start(self, key: str) -> None:
        pass

    def step(self) -> bool:
        self.frames_run += 1
        return False

    def close(self) -> None:
        self.closed = True


class _Bus:
    stopped = False

    def start(self) -> None:
        pass

    def stop(self) -> None:
        self.stopped = True

    def publish(self, *args: object, **kwargs: object) -> None:
        pass


def test_stop_from_a_signal_never_takes_a_lock_the_loop_may_hold():
    app, bus = _App(), _Bus()
    loop = LiveLoop(app, bus, key="idle", fps=5, status_topic="t", status=lambda fps: {})
    # a handler interrupting the loop inside Event.clear/wait runs with these locks held by its own thread
    held = [app.inbox.wake._cond, loop._stop._cond]
    returned = threading.Event()

    def interrupted_while_holding() -> None:
        with held[0], held[1]:
            loop.stop(from_signal=True)
        returned.set()

    threading.Thread(target=interrupted_while_holding, daemon=True).start()
    assert returned.wait(5), "stop(from_signal=True) waited for a lock its own thread holds"

    runner = threading.Thread(target=loop.run, daemon=True)
    runner.start()
    runner.join(5)  # the flag is seen within one frame period (0.2 s here)
    assert not runner.is_alive() and bus.stopped and app.closed


def test_stop_from_another_thread_wakes_the_loop_at_once():
    app, bus = _App(), _Bus()
    loop = LiveLoop(app, bus, key="idle", fps=1, status_topic="t", status=lambda fps: {})
    runner = threading.Thread(target=loop.run, daemon=True)
    runner.start()
    while app.frames_run == 0:
        time.sleep(0.01)
    asked = time.monotonic()
    loop.stop()
    runner.join(5)
    assert not runner.is_alive()
    assert time.monotonic() - asked < 0.9, "woken by the event, not by the end of a 1 s frame"
