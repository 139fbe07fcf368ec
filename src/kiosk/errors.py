"""Errors of the outer layers (config, store, bus, devices, apps).

Hierarchy::

    KioskError
    ├── ConfigError        a config file that can't be used: names file, key and reason
    ├── StoreError         the SQLite state can't be read or written (disk full, read-only, corrupt)
    ├── BusError           the MQTT broker can't be reached or refused us
    └── DeviceError        a printer, scanner or keypad failed (see kiosk.devices)

Pure layers have their own: ``kiosk.core.errors`` and ``kiosk.protocol.ProtocolError``.
Third-party exceptions are translated into these at the boundary (``raise X(...) from exc``).
"""

from __future__ import annotations

from pathlib import Path


class KioskError(Exception):
    pass


class ConfigError(KioskError):
    def __init__(self, path: Path | str, key: str, reason: str) -> None:
        self.path, self.key, self.reason = Path(path), key, reason
        where = f"{path}: {key}" if key else str(path)
        super().__init__(f"{where}: {reason}")


class StoreError(KioskError):
    pass


class BusError(KioskError):
    pass


class DeviceError(KioskError):
    pass
