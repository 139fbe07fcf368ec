"""Durable writes on the hub Pi's SD card: what an atomic replace needs besides the rename."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_path(path: Path | str) -> None:
    """Flush a file's data, or a folder's entries (after a rename or unlink in it), to the card."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
