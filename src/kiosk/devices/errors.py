"""Every exception raised by ``kiosk.devices``.

Rule: third-party and OS errors (pyserial, ``OSError``, python-evdev) are
translated at the boundary with ``raise ... from exc``; the message names the
port or device and what failed, so a log line alone tells staff what to check.

Hierarchy::

    KioskError (kiosk.errors; so the CLI's one catch covers device failures too)
    └── DeviceError
    ├── PrinterError              anything wrong with the ticket printer
    │   ├── PrinterOpenError      the port / device file could not be opened
    │   ├── PrinterNotOpenError   used before open() or after close()
    │   └── PrinterWriteError     bytes could not be written
    │       └── PrinterWriteTimeout   the write did not finish in time
    ├── InputDeviceError          anything wrong with an evdev source
    │   └── InputDeviceGone       the device vanished (unplugged, ENODEV, EOF)
    └── IdReaderError             anything wrong with the ID card reader
        ├── IdReaderOpenError     the port could not be opened (unplugged, no permission)
        ├── IdReaderGone          the port failed while in use (unplugged)
        ├── IdReaderTimeout       no whole answer in time
        ├── IdReaderBrokenFrame   an answer with a bad checksum or length
        └── IdReaderRefused       a well-formed answer with a failure code (``code``, named in Chinese)
    BadMessage (kiosk.devices.ga467; also a ValueError)   a base message that cannot be a card's
"""

from __future__ import annotations

from ..errors import KioskError


class DeviceError(KioskError):
    """Base of every device error."""


class PrinterError(DeviceError):
    """The ticket printer could not do what was asked."""

    def __init__(self, port: str, message: str) -> None:
        super().__init__(f"printer {port}: {message}")
        self.port = port


class PrinterOpenError(PrinterError):
    """The serial port or printer device file could not be opened."""


class PrinterNotOpenError(PrinterError):
    """The printer was used before ``open()`` or after ``close()``."""


class PrinterWriteError(PrinterError):
    """Writing to the printer failed."""


class PrinterWriteTimeout(PrinterWriteError):
    """The printer did not take the bytes within the write timeout."""


class InputDeviceError(DeviceError):
    """An evdev input device could not be opened or read."""


class InputDeviceGone(InputDeviceError):
    """The input device disappeared; the caller should rescan and reopen."""


class IdReaderError(DeviceError):
    """The ID card reader could not do what was asked."""

    def __init__(self, port: str, message: str) -> None:
        super().__init__(f"ID card reader {port}: {message}")
        self.port = port


class IdReaderOpenError(IdReaderError):
    """The reader's serial port could not be opened."""


class IdReaderGone(IdReaderError):
    """The port failed while in use: the reader was unplugged or lost power."""


class IdReaderTimeout(IdReaderError):
    """The reader did not answer (a whole frame) in time."""


class IdReaderBrokenFrame(IdReaderError):
    """The reader's answer was not a valid frame (checksum or length)."""


class IdReaderRefused(IdReaderError):
    """The reader answered with a failure code (``code``; ``name`` is its Chinese name)."""

    def __init__(self, port: str, code: int, name: str) -> None:
        super().__init__(port, f"{name} (SW3 {code:02X})")
        self.code, self.name = code, name
