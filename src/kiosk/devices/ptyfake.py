"""What every software device on a pseudo-terminal shares: the pty pair, the thread that reads the
master side, and writing the answers back.

Rule: the driver under test opens ``port`` (the pty slave) exactly as it would open a real serial port;
a subclass only says what it answers to the bytes it got (``_receive``). Keeping our own slave fd open
means the master never sees EIO while the driver closes and reopens the port.
"""

from __future__ import annotations

import errno
import os
import select
import threading
import tty
from typing import TypeVar

_F = TypeVar("_F", bound="PtyFake")


class PtyFake:
    THREAD_NAME = "fake-device"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._master = self._slave = -1
        self.port = ""

    def start(self: _F) -> _F:
        self._master, self._slave = os.openpty()
        tty.setraw(self._master)
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.THREAD_NAME, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for fd in (self._master, self._slave):
            if fd >= 0:
                os.close(fd)
        self._master = self._slave = -1

    def __enter__(self: _F) -> _F:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _receive(self, chunk: bytes) -> bytes:
        """What the device answers to ``chunk`` (b"" for nothing)."""
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.is_set():
            readable, _, _ = select.select([self._master], [], [], 0.05)
            if not readable:
                continue
            try:
                chunk = os.read(self._master, 65536)
            except OSError as exc:
                if exc.errno in (errno.EIO, errno.EAGAIN, errno.EINTR):
                    continue
                raise
            if chunk:
                answer = self._receive(chunk)
                if answer:
                    os.write(self._master, answer)
