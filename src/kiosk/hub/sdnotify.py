"""systemd's notify protocol (READY=1, WATCHDOG=1, STATUS=…), spoken directly on $NOTIFY_SOCKET.

Rule: a no-op when not started by systemd. It is a datagram of ``KEY=value`` lines; no library needed.
"""

from __future__ import annotations

import os
import socket
import time

_last_watchdog = 0.0


def notify(message: str) -> bool:
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return False
    if path.startswith("@"):
        path = "\0" + path[1:]  # abstract namespace socket
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.connect(path)
            s.sendall(message.encode())
        return True
    except OSError:
        return False


def watchdog() -> None:
    """Ping at most every half of WATCHDOG_USEC; called from the loop that does the real work."""
    global _last_watchdog
    usec = os.environ.get("WATCHDOG_USEC")
    if not usec:
        return
    now = time.monotonic()
    if now - _last_watchdog >= int(usec) / 2e6:
        _last_watchdog = now
        notify("WATCHDOG=1")
