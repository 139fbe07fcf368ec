"""Install an imported catalogue where the hub serves it from, atomically, keeping the previous one aside.

Rule: one code path for ``kiosk catalog import --install`` and the hub's ``catalog.replace`` (the
director's browser page). The catalogue shipped and hand-edited under ``[hub] catalog_dir`` (e.g.
/etc/kiosk/catalog, read-only to the hub's sandbox) is never written: an import lives in the hub's state
folder::

    <state>/catalog/
        v7/  v8/          one folder of <department>.toml files per import (write_catalog_toml)
        current -> v8     the one the hub serves; switched by a single rename (atomic)
        previous -> v7    the one before, kept aside (``kiosk catalog rollback`` points current back at it)

A version folder is written under a temporary name, flushed to disk, read back with ``load_catalog``
(what is written is what a restart will load) and only then renamed into place, and ``current`` is
switched by renaming a new symlink over it: a crash at any moment leaves either the old or the new
catalogue, never a mix. Older versions than ``previous`` are removed. The loader (and its pinyin
dictionaries) is imported only by the functions that write: the hub asks ``serving_dir`` in its own process.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.catalog import Catalog
from kiosk.system.files import fsync_path

IMPORTS = "catalog"  # below the hub's state folder
_VERSION = re.compile(r"^v(\d+)$")


@dataclass(frozen=True, slots=True)
class Installed:
    directory: Path  # the new current version
    previous: Path | None  # the version it replaced (None: the first import; the hub served catalog_dir)


def imports_dir(state_dir: Path | str) -> Path:
    return Path(state_dir) / IMPORTS


def current_dir(state_dir: Path | str) -> Path | None:
    """The imported catalogue the hub serves, or None (then it serves ``[hub] catalog_dir``)."""
    link = imports_dir(state_dir) / "current"
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def serving_dir(catalog_dir: Path | None, state_dir: Path | str | None) -> Path | None:
    """Where the hub reads its catalogue: the latest import if there is one, else the configured folder."""
    imported = current_dir(state_dir) if state_dir is not None else None
    return imported or catalog_dir


def _point(root: Path, name: str, target: str) -> None:
    """``root/name`` → ``target`` (a relative symlink), replaced in one rename."""
    tmp = root / f".{name}.new"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, root / name)


def install_catalog(catalog: Catalog, state_dir: Path | str) -> Installed:
    """Write ``catalog`` as the next version and make it current; see the module rule."""
    from .catalog_data import load_catalog
    from .catalog_write import write_catalog_toml
    root = imports_dir(state_dir)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    numbers = [int(m[1]) for p in root.iterdir() if (m := _VERSION.match(p.name)) and p.is_dir()]
    name = f"v{max(numbers, default=0) + 1}"
    staging = root / f".{name}.tmp"
    shutil.rmtree(staging, ignore_errors=True)  # a crash's leftover
    written = write_catalog_toml(catalog, staging)
    for path in written:
        fsync_path(path)
    fsync_path(staging)
    load_catalog(staging)  # CatalogError if what was written would not load at the next start
    os.rename(staging, root / name)
    before = current_dir(state_dir)
    if before is not None:
        _point(root, "previous", before.name)
    _point(root, "current", name)
    fsync_path(root)
    keep = {name, before.name if before else ""}
    for p in root.iterdir():
        if (_VERSION.match(p.name) and p.name not in keep) or p.name.endswith(".tmp"):
            shutil.rmtree(p, ignore_errors=True)
    return Installed(root / name, before)


def rollback(state_dir: Path | str) -> Installed:
    """Serve the previous import again (the current one becomes ``previous``); FileNotFoundError if none."""
    from .catalog_data import load_catalog
    root = imports_dir(state_dir)
    link = root / "previous"
    before = current_dir(state_dir)
    if not link.is_symlink() or not link.resolve().is_dir() or before is None:
        raise FileNotFoundError(f"{link}: no previous imported catalogue to go back to")
    target = link.resolve()
    load_catalog(target)
    _point(root, "previous", before.name)
    _point(root, "current", target.name)
    fsync_path(root)
    return Installed(target, before)
