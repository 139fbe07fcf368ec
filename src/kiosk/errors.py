"""The root of every exception the project raises, and the errors of the outer layers.

Every exception class in ``kiosk`` derives from ``KioskError``, so ``kiosk.cli`` catches all of them in one
place (a person gets one line and a non-zero exit, never a traceback). Each package keeps its own errors
module; this one is standard library only, so the pure layers may import it. ``tests/test_errors.py``
checks the tree below against the code.

Hierarchy::

    KioskError
    ├── ConfigError            a config file that can't be used: names file, key and reason   (here)
    ├── StoreError             the SQLite state can't be read or written                      (here)
    ├── BusError               the MQTT broker can't be reached or refused us                 (here)
    ├── CoreError              anything the pure core refuses                                 kiosk.core.errors
    │   ├── QueueError         an illegal queue command (UnknownTicket, UnknownWindow, UnknownCategory)
    │   ├── Refused            an event a flow (terminal screen, counter pad) does not take now (no change) kiosk.core.machine
    │   └── PolicyError        a value object built with impossible settings
    ├── ProtocolError          a payload or topic that breaks the contract (also a ValueError) kiosk.protocol
    ├── DeviceError            printer or evdev failure (PrinterError…, InputDeviceError…)    kiosk.devices.errors
    ├── UIError                theme, font, text, screen stack, test pilot                    kiosk.ui.errors
    ├── CatalogError           a catalogue file is wrong (also a ValueError)                  kiosk.loaders.catalog_data
    ├── CatalogImportError     a spreadsheet has bad rows (also a ValueError)                 kiosk.loaders.catalog_data
    ├── CalendarConfigError    the calendar file is wrong (also a ValueError)                 kiosk.loaders.calendar_data
    ├── SpeechUnavailable      no voice can be made for an announcement                       kiosk.devices.voice
    ├── OpError                a hub op refused with a wire code                              kiosk.hub.features
    ├── WorkerFailed           a hub worker process died or did not answer in time            kiosk.hub.hallinfo
    ├── StateBusy              another process holds the hub's state directory              kiosk.system.statelock
    ├── BackupError            a backup or restore of the hub's database that cannot be done kiosk.tools.backup_tools
    ├── AccountError           a staff account that can't be added, changed or used          kiosk.web.accounts
    ├── HubError               the hub refused a staff console's request, or did not answer  kiosk.web.link
    └── PageError              a content page a staff tool cannot publish (also a ValueError)  kiosk.tools.content_tools

Third-party exceptions are translated into these at the boundary (``raise X(...) from exc``). The ones
that are also ``ValueError`` keep that base so callers that validate input with ``except ValueError``
still work.
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

