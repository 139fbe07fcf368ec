"""The frame loop of a screen fed by the bus: the wall display, the window screen and the evaluation pad.

Rules:
* The paho thread only puts items into the app's inbox, a :class:`WakeQueue`; the loop wakes on them at
  once instead of waiting for the next frame tick, so a message reaches the pixels within one frame's work.
* The loop owns the clock; a retained ``device/<id>/status`` goes out every ``status_interval_s``.
* With a last-known-state cache the loop folds it each frame (``tick``) and hands back topics the broker
  no longer holds; ``stop`` writes it once more.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from ..protocol import encode


class WakeQueue(queue.Queue):
    """A queue that also sets an event on every put, so the loop can sleep until there is work."""

    def __init__(self) -> None:
        super().__init__()
        self.wake = threading.Event()

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        super().put(item, block, timeout)
        self.wake.set()


class LiveLoop:
    """Runs ``app`` on screen ``key`` with ``bus`` until stopped (or ``duration`` seconds, for tests)."""

    def __init__(self, app: Any, bus: Any, *, key: str, fps: int, status_topic: str,
                 status: Callable[[float], dict[str, Any]], lastknown: Any = None,
                 status_interval_s: float = 60.0) -> None:
        self.app, self.bus, self.key, self.fps = app, bus, key, fps
        self.status_topic, self.status, self.lastknown = status_topic, status, lastknown
        self.status_interval_s = status_interval_s
        self._stop = threading.Event()
        self._signalled = False  # set by a signal handler: a plain flag, no lock (see ``stop``)
        self.on_frame: Callable[[bool], None] | None = None  # tests and benchmarks hook drawn frames here

    def stop(self, *, from_signal: bool = False) -> None:
        """Leave the loop. From another thread the loop is woken at once. From a signal handler only a plain
        flag is set: the handler runs on the loop's own thread, between two bytecodes, possibly while that
        thread holds the lock inside the very ``Event`` it would set (``clear``, or the start or end of
        ``wait``), and it would wait for itself forever, until systemd's SIGKILL. Every wait of the loop is
        bounded by one frame period, so the flag is seen within it."""
        self._signalled = True
        if from_signal:
            return
        self._stop.set()
        wake = getattr(self.app.inbox, "wake", None)
        if wake is not None:
            wake.set()

    def run(self, *, duration: float | None = None) -> None:
        app = self.app
        self.bus.start()
        app.start(self.key)
        period = 1.0 / max(1, self.fps)
        wake: threading.Event | None = getattr(app.inbox, "wake", None)
        clock = app.clock
        begin = next_frame = clock()
        next_status, frames_at, status_at = begin + 2.0, app.frames_run, begin
        try:
            while app.running and not self._signalled and not self._stop.is_set():
                if wake is not None:
                    wake.clear()
                drew = app.step()
                if self.lastknown is not None:
                    for gone in self.lastknown.tick():
                        app.inbox.put(gone)
                if self.on_frame is not None:
                    self.on_frame(drew)
                now = clock()
                if now >= next_status:
                    fps = (app.frames_run - frames_at) / max(1e-6, now - status_at)
                    frames_at, status_at = app.frames_run, now
                    self.bus.publish(self.status_topic, encode(self.status(fps)), retain=True)
                    next_status = now + self.status_interval_s
                if duration is not None and now - begin >= duration:
                    break
                next_frame = max(next_frame + period, now)
                timeout = next_frame - clock()
                if timeout > 0:
                    (wake or self._stop).wait(timeout)
        finally:
            self.bus.stop()
            if self.lastknown is not None:
                self.lastknown.stop()
            app.close()
