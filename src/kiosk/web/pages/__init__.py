"""The pages of ``kiosk web``: one module per console, each with ``routes(site)``.

Rule: :func:`discover` imports every module of this package in name order and calls its ``routes(site)``,
so adding a page never edits another module. Page modules never import each other; what they share lives
in :mod:`kiosk.web.site` (registration, login, CSRF, templates) and :mod:`kiosk.web.views` (reading the
cached hall state).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType


def discover() -> list[ModuleType]:
    here = str(Path(__file__).parent)
    return [importlib.import_module(f"{__package__}.{m.name}")
            for m in sorted(pkgutil.iter_modules([here]), key=lambda m: m.name) if not m.name.startswith("_")]
