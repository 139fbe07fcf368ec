"""One error hierarchy: every exception class the project defines derives from kiosk.errors.KioskError,
so the CLI's one catch covers all of them, and the root module's docstring draws every one."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys

import kiosk
from kiosk.errors import KioskError


def _project_exceptions() -> dict[str, type]:
    found = {}
    for info in pkgutil.walk_packages(kiosk.__path__, "kiosk."):
        if info.name in ("kiosk.__main__",):
            continue
        mod = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(mod, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == info.name:
                found[f"{info.name}.{obj.__name__}"] = obj
    return found


def test_every_project_exception_is_a_kiosk_error():
    found = _project_exceptions()
    assert len(found) > 20
    assert [name for name, cls in found.items() if not issubclass(cls, KioskError)] == []


def test_the_root_docstring_names_every_base():
    doc = sys.modules["kiosk.errors"].__doc__
    roots = {cls.__name__ for cls in _project_exceptions().values() if KioskError in cls.__bases__}
    assert roots and all(name in doc for name in roots), sorted(n for n in roots if n not in doc)


def test_one_device_error_and_it_is_a_kiosk_error():
    from kiosk.devices.errors import DeviceError, PrinterWriteTimeout
    import kiosk.errors as root
    assert not hasattr(root, "DeviceError")
    assert issubclass(PrinterWriteTimeout, DeviceError) and issubclass(DeviceError, KioskError)


def test_the_cli_catches_a_device_error_as_one_line(monkeypatch, capsys):
    """A device failure that reaches the top ends as one line on stderr and exit 3, not a traceback."""
    from kiosk import cli
    from kiosk.devices.errors import PrinterOpenError
    from kiosk.tools import printer_tools

    def broken(args):
        raise PrinterOpenError("/dev/ttyUSB9", "cannot open serial port")

    monkeypatch.setattr(printer_tools, "cmd_status", broken)
    assert cli.main(["printer", "status", "--port", "/dev/ttyUSB9"]) == 3
    assert capsys.readouterr().err.strip() == "kiosk printer: printer /dev/ttyUSB9: cannot open serial port"
