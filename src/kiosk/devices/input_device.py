"""Read a Linux input device and feed one decoder from ``evdev_decode``.

Rule: the read loop works on any readable file descriptor and knows nothing
of python-evdev; only ``open_evdev`` touches it. A device that disappears
(ENODEV, EOF) is closed and looked up again by its stable
``/dev/input/by-id/<name>`` every ``rescan_interval`` seconds until it is back
or ``stop`` is set. Results go to a callback, which must only enqueue (the
owner thread acts on them).
"""

from __future__ import annotations

import errno
import os
import select
import threading
from dataclasses import dataclass
from typing import Callable, Generic, Protocol, TypeVar

from kiosk.devices.errors import InputDeviceError, InputDeviceGone
from kiosk.devices.evdev_decode import EVENT_SIZE, EventStream, InputEvent

T = TypeVar("T")
BY_ID_DIR = "/dev/input/by-id"
_GONE_ERRNOS = frozenset((errno.ENODEV, errno.EIO, errno.ENXIO, errno.EBADF))


class Decoder(Protocol[T]):
    def feed(self, event: InputEvent) -> list[T]: ...


class OpenedDevice(Protocol):
    """What an opener returns: a readable fd and a way to close it."""

    fd: int

    def close(self) -> None: ...


def read_loop(fd: int, on_event: Callable[[InputEvent], None], stop: threading.Event,
              *, name: str = "input device", poll_interval: float = 0.2) -> None:
    """Read events from ``fd`` until ``stop`` is set.

    Raises ``InputDeviceGone`` on EOF or a vanished device, so the caller can
    reopen; ``poll_interval`` bounds how long ``stop`` may go unnoticed.
    """
    stream = EventStream()
    while not stop.is_set():
        try:
            readable, _, _ = select.select([fd], [], [], poll_interval)
            if not readable:
                continue
            data = os.read(fd, EVENT_SIZE * 64)
        except (BlockingIOError, InterruptedError):
            continue
        except (OSError, ValueError) as exc:
            if isinstance(exc, ValueError) or exc.errno in _GONE_ERRNOS:
                raise InputDeviceGone(f"{name}: device went away: {exc}") from exc
            raise InputDeviceError(f"{name}: read failed: {exc}") from exc
        if not data:
            raise InputDeviceGone(f"{name}: end of file")
        for event in stream.feed(data):
            on_event(event)


@dataclass
class _EvdevHandle:
    device: object
    fd: int

    def close(self) -> None:
        try:
            self.device.close()  # type: ignore[attr-defined]
        except OSError:
            pass


def open_evdev(path: str, *, grab: bool) -> OpenedDevice:
    """Open ``path`` with python-evdev, optionally grabbing it exclusively.

    A grabbed scanner's keystrokes reach only us, not the desktop or a
    focused text field.
    """
    try:
        import evdev
    except ImportError as exc:
        raise InputDeviceError("python-evdev is not installed (Linux only)") from exc
    try:
        device = evdev.InputDevice(path)
    except FileNotFoundError as exc:
        raise InputDeviceGone(f"{path}: not present") from exc
    except OSError as exc:
        raise InputDeviceError(f"{path}: cannot open: {exc.strerror}") from exc
    if grab:
        try:
            device.grab()
        except OSError as exc:
            device.close()
            raise InputDeviceError(f"{path}: cannot grab exclusively "
                                   f"(another reader holds it?): {exc.strerror}") from exc
    return _EvdevHandle(device=device, fd=device.fd)


class InputSource(Generic[T]):
    """One named device, one decoder, reopened whenever it comes back."""

    def __init__(self, name: str, decoder: Decoder[T], on_result: Callable[[T], None], *,
                 grab: bool = False, rescan_interval: float = 2.0, by_id_dir: str = BY_ID_DIR,
                 opener: Callable[[str], OpenedDevice] | None = None,
                 on_error: Callable[[InputDeviceError], None] | None = None) -> None:
        self.name = name
        self.decoder = decoder
        self.on_result = on_result
        self.grab = grab
        self.rescan_interval = rescan_interval
        self.path = os.path.join(by_id_dir, name)
        self._opener = opener or (lambda path: open_evdev(path, grab=self.grab))
        self._on_error = on_error
        self.opened_count = 0
        self.connected = threading.Event()

    def _feed(self, event: InputEvent) -> None:
        for result in self.decoder.feed(event):
            self.on_result(result)

    def run(self, stop: threading.Event) -> None:
        """Read until ``stop``; survives unplugging. Call from its own thread."""
        while not stop.is_set():
            try:
                handle = self._opener(self.path)
            except InputDeviceError as exc:
                if self._on_error is not None and not isinstance(exc, InputDeviceGone):
                    self._on_error(exc)
                stop.wait(self.rescan_interval)
                continue
            self.opened_count += 1
            self.connected.set()
            try:
                read_loop(handle.fd, self._feed, stop, name=self.path)
            except InputDeviceError as exc:
                if self._on_error is not None:
                    self._on_error(exc)
            finally:
                self.connected.clear()
                handle.close()
            if not stop.is_set():
                stop.wait(self.rescan_interval)

    def start(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(stop,), daemon=True,
                                  name=f"input-{self.name}")
        thread.start()
        return thread
