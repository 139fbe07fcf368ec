"""One process at a time owns the hub's state folder: an exclusive ``flock`` on ``<state>/hub.lock``.

Rules:
* The hub takes it for its whole life; the kernel drops it when the process ends, however it ends
  (kill -9, power cut), so there is never a stale lock to clean up.
* ``kiosk restore`` takes the same lock, so it refuses while a hub runs on that folder and a hub cannot
  start half-way through a restore.
* The file holds the owner's pid, for the message that names who holds it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..errors import KioskError

LOCK_NAME = "hub.lock"


class StateBusy(KioskError):
    """Another process holds the state folder."""

    def __init__(self, folder: Path, pid: str) -> None:
        self.folder, self.pid = folder, pid
        who = f" (pid {pid})" if pid else ""
        super().__init__(f"{folder} is in use by a running hub{who}")


class StateLock:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._fd: int | None = None

    def acquire(self) -> "StateLock":
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise StateBusy(self.folder, pid) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "StateLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
