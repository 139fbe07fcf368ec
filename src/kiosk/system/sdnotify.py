"""systemd's notify protocol (``READY=1``, ``WATCHDOG=1``, ``STATUS=…``) spoken on ``$NOTIFY_SOCKET``.

Rules:
* A :class:`Notifier` is built once per process from its environment (:meth:`Notifier.from_env`); without
  ``NOTIFY_SOCKET`` it is a silent no-op, so the same code runs by hand, in tests and under systemd.
* The message is one datagram of ``KEY=value`` lines on an AF_UNIX socket; no library is needed.
* ``WATCHDOG=1`` is only sent by :meth:`Notifier.alive`, which the loop doing the real work calls (the
  hub's worker, a screen's render loop). It pings every quarter of ``WATCHDOG_USEC``: the loop's own
  period (a frame, the hub's one-second tick) then still keeps the gap well under half the timeout.
* ``WATCHDOG_PID``, when set, must be this process (systemd's rule for inherited environments).
* The clock is injected (monotonic by default); nothing here reads it at import.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Mapping
from datetime import tzinfo

from ..halltime import hall_time

PING_FRACTION = 4  # ping every WATCHDOG_USEC / 4


class Notifier:
    """One process's channel to systemd. ``socket_path`` None: every call is a no-op."""

    def __init__(self, socket_path: str | None = None, *, watchdog_usec: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.socket_path = socket_path or None
        self.watchdog_interval = (watchdog_usec / 1e6 / PING_FRACTION
                                  if self.socket_path and watchdog_usec and watchdog_usec > 0 else None)
        self.clock = clock
        self.is_ready = False
        self.last_status: str | None = None
        self.pings = 0
        self._last_ping: float | None = None
        self._sock: socket.socket | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, clock: Callable[[], float] = time.monotonic,
                 pid: int | None = None) -> "Notifier":
        env = os.environ if env is None else env
        usec: int | None = None
        try:
            usec = int(env.get("WATCHDOG_USEC", "") or 0) or None
        except ValueError:
            usec = None
        owner = env.get("WATCHDOG_PID", "")
        if usec and owner and owner != str(os.getpid() if pid is None else pid):
            usec = None  # the watchdog belongs to the process that started us
        return cls(env.get("NOTIFY_SOCKET") or None, watchdog_usec=usec, clock=clock)

    @property
    def enabled(self) -> bool:
        return self.socket_path is not None

    def send(self, *lines: str) -> bool:
        """Send ``KEY=value`` lines as one datagram; False when not under systemd or the socket is gone."""
        if self.socket_path is None or not lines:
            return False
        address = self.socket_path
        if address.startswith("@"):
            address = "\0" + address[1:]  # abstract namespace socket
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto("\n".join(lines).encode("utf-8"), address)
            return True
        except OSError:
            return False

    def ready(self, status: str | None = None) -> None:
        """Started: systemd leaves the ``activating`` state now (and starts watching the pings)."""
        if self.is_ready:
            return
        self.is_ready = True
        lines = ["READY=1"]
        if status is not None and status != self.last_status:
            self.last_status = status
            lines.append(f"STATUS={_one_line(status)}")
        self.send(*lines)
        self._last_ping = self.clock()

    def status(self, text: str) -> None:
        """What the process is doing, for ``systemctl status``; sent only when it changes."""
        if text != self.last_status:
            self.last_status = text
            self.send(f"STATUS={_one_line(text)}")

    def alive(self) -> bool:
        """The working loop went round once: ping the watchdog when its interval is due. True if pinged."""
        if self.watchdog_interval is None or not self.is_ready:
            return False
        now = self.clock()
        if self._last_ping is not None and now - self._last_ping < self.watchdog_interval:
            return False
        self._last_ping = now
        self.pings += 1
        self.send("WATCHDOG=1")
        return True

    def stopping(self, status: str | None = None) -> None:
        """Shutting down: no more pings after this."""
        if not self.is_ready:
            return
        self.is_ready = False
        self.send("STOPPING=1", *([f"STATUS={_one_line(status)}"] if status else []))

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def link_status(*, connected: bool, offline_since: float | None, tz: tzinfo, serving: str,
                broker: str = "", hub_online: bool | None = None) -> str:
    """The ``STATUS=`` line of a screen: connecting, offline since (hall time), or what it serves.

    ``offline_since`` is the wall time (epoch seconds) the link was lost; None while it has never been up.
    """
    if not connected:
        if offline_since is None:
            return f"connecting to the broker {broker}".rstrip()
        again = f"reconnecting to the broker {broker}".rstrip()
        return f"offline since {hall_time(offline_since, tz)} ({tz}), showing the last known hall; {again}"
    if hub_online is False:
        return f"hub offline since {hall_time(offline_since, tz)} ({tz}); {serving}"
    return f"serving: {serving}"
