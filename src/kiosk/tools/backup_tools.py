"""``kiosk backup`` and ``kiosk restore FILE``: the hub's database, copied while it runs and put back.

Rules:
* The copy is SQLite's online backup (``sqlite3.Connection.backup``) in one step: one consistent
  snapshot under a read transaction, which in WAL mode never blocks the hub's writes.
* A backup is written as a temporary file in the target folder, checked (``PRAGMA integrity_check`` and
  the hub's tables), switched to a self-contained rollback journal, fsynced, then renamed into place:
  a half-written copy never carries a backup's name. Then only the newest ``keep`` are kept.
* The target is ``[backup] dir`` (a USB stick or a network share mounted there); with
  ``require_mount = true`` a folder that is not its own mount point is refused, so a missing stick does
  not quietly fill the SD card.
* ``kiosk restore`` refuses while a hub holds the state folder (:mod:`kiosk.system.statelock`) and refuses
  a file that fails the same checks; the database it replaces is moved aside, never deleted.
* Names carry hall time (``hub-2026-12-01-031500.sqlite3``), files are 0600: they hold personal data.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from ..config import SiteConfig
from ..errors import ConfigError, KioskError
from ..halltime import hall_time, hall_zone
from ..system.files import fsync_path
from ..system.statelock import StateBusy, StateLock
from .common import site_config

DB_NAME = "hub.sqlite3"
PREFIX = "hub-"
SUFFIX = ".sqlite3"
STAMP = "%Y-%m-%d-%H%M%S"
HUB_TABLES = {"commands", "events", "snapshots", "meta"}


@dataclass(frozen=True, slots=True)
class BackupSettings:
    dir: Path = Path("/var/backups/kiosk")
    keep: int = 14
    require_mount: bool = False


def backup_settings(cfg: SiteConfig) -> BackupSettings:
    sec = cfg.role("backup")
    s = BackupSettings(dir=Path(sec.get("dir", str, "/var/backups/kiosk")),
                       keep=sec.get("keep", int, 14, check=lambda v: None if v >= 1 else "must be 1 or more"),
                       require_mount=sec.get("require_mount", bool, False))
    sec.done()
    if not s.dir.is_absolute():
        raise ConfigError(cfg.path, "backup.dir", f"must be an absolute path, got {str(s.dir)!r}")
    return s


class BackupError(KioskError):
    pass


def check_database(path: Path) -> None:
    """Raise BackupError unless ``path`` is an intact hub database."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path}: cannot open ({exc})") from None
    try:
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.Error as exc:
            raise BackupError(f"{path}: not a readable SQLite database ({exc})") from None
        try:
            result = [r[0] for r in con.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as exc:  # damage bad enough to stop the check itself
            result = [str(exc)]
    finally:
        con.close()
    if result != ["ok"]:
        raise BackupError(f"{path}: integrity check failed: {'; '.join(result[:3])}")
    missing = HUB_TABLES - tables
    if missing:
        raise BackupError(f"{path}: not a hub database (no {', '.join(sorted(missing))} table)")


def backups(folder: Path) -> list[Path]:
    """This tool's backups in ``folder``, oldest first."""
    found = [p for p in folder.glob(f"{PREFIX}*{SUFFIX}") if p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))


def _target_name(folder: Path, now: float, tz: tzinfo) -> Path:
    stem = f"{PREFIX}{hall_time(now, tz, STAMP)}"
    path, n = folder / f"{stem}{SUFFIX}", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{SUFFIX}"
    return path


def take_backup(state_dir: Path, settings: BackupSettings, *, now: float, tz: tzinfo) -> tuple[Path, list[Path]]:
    """Copy the live database into ``settings.dir``; return the new file and the old ones removed."""
    source = state_dir / DB_NAME
    if not source.is_file():
        raise BackupError(f"no hub database at {source} (--state or [hub] state_dir)")
    owner = source.stat().st_uid
    if os.geteuid() != owner:
        # SQLite creates the -wal/-shm files of a WAL database on open: made by another user, they would
        # lock the hub out of its own database
        raise BackupError(f"run this as the owner of {source} (uid {owner}), e.g. "
                          f"sudo -u kiosk /opt/kiosk/.venv/bin/kiosk backup")
    folder = settings.dir
    if not folder.is_dir():
        raise BackupError(f"backup folder {folder} does not exist or is not mounted ([backup] dir)")
    if settings.require_mount and not os.path.ismount(folder):
        raise BackupError(f"backup folder {folder} is not a mounted file system; is the stick or share "
                          f"plugged in? ([backup] require_mount = true)")
    target = _target_name(folder, now, tz)
    tmp = folder / f".{target.name}.tmp"
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)  # one step: a consistent snapshot; WAL lets the hub write meanwhile
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            dst.close()
            src.close()
        os.chmod(tmp, 0o600)
        check_database(tmp)
        fsync_path(tmp)
        os.replace(tmp, target)
        fsync_path(folder)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"backup into {folder} failed: {exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    older = [p for p in backups(folder) if p != target]
    removed = older[:max(0, len(older) - (settings.keep - 1))]
    for p in removed:
        p.unlink()
    return target, removed


def restore(file: Path, state_dir: Path, *, now: float, tz: tzinfo) -> Path | None:
    """Put ``file`` in place of the hub's database; return where the replaced one went (None: there was none)."""
    if not file.is_file():
        raise BackupError(f"{file}: no such file")
    check_database(file)
    try:
        lock = StateLock(state_dir).acquire()
    except StateBusy as exc:
        raise BackupError(f"{exc}; stop it first (systemctl stop kiosk-hub), then restore") from None
    try:
        live = state_dir / DB_NAME
        aside = None
        if live.exists():
            aside = state_dir / "replaced" / f"{PREFIX}{hall_time(now, tz, STAMP)}"
            n = 1
            while aside.exists():
                n += 1
                aside = aside.with_name(f"{PREFIX}{hall_time(now, tz, STAMP)}-{n}")
            aside.mkdir(parents=True, mode=0o700)
            for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm"):  # the WAL belongs to the old file
                if (state_dir / name).exists():
                    os.replace(state_dir / name, aside / name)
        tmp = state_dir / f".{DB_NAME}.restore"
        shutil.copyfile(file, tmp)
        os.chmod(tmp, 0o600)
        owner = state_dir.stat()
        if os.geteuid() == 0 and (owner.st_uid, owner.st_gid) != (0, 0):
            os.chown(tmp, owner.st_uid, owner.st_gid)  # run as root: the file stays the service user's
        fsync_path(tmp)
        os.replace(tmp, live)
        fsync_path(state_dir)
        return aside
    finally:
        lock.release()


def _state_dir(args: argparse.Namespace, cfg: SiteConfig) -> Path:
    return Path(args.state) if args.state else cfg.state_dir


def cmd_backup(args: argparse.Namespace) -> int:
    cfg = site_config(args)
    settings = backup_settings(cfg)
    if args.dir:
        settings = BackupSettings(dir=Path(args.dir), keep=settings.keep, require_mount=settings.require_mount)
    if args.keep is not None:
        settings = BackupSettings(dir=settings.dir, keep=args.keep, require_mount=settings.require_mount)
    try:
        target, removed = take_backup(_state_dir(args, cfg), settings, now=time.time(), tz=hall_zone(cfg.timezone))
    except BackupError as exc:
        print(f"kiosk backup: {exc}", file=sys.stderr)
        return 1
    print(f"backed up to {target} ({target.stat().st_size:,} bytes, integrity ok)")
    for p in removed:
        print(f"removed old backup {p.name} (keeping {settings.keep})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    cfg = site_config(args)
    state = _state_dir(args, cfg)
    try:
        aside = restore(Path(args.file), state, now=time.time(), tz=hall_zone(cfg.timezone))
    except BackupError as exc:
        print(f"kiosk restore: {exc}", file=sys.stderr)
        return 1
    print(f"restored {args.file} into {state / DB_NAME}")
    if aside is not None:
        print(f"the database it replaced is kept in {aside}")
    print("start the hub: systemctl start kiosk-hub")
    return 0


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("backup", help="copy the hub's database while it runs ([backup] dir, keep the newest N)")
    add_common(p)
    p.add_argument("--state", help="the hub's state folder (default [hub] state_dir)")
    p.add_argument("--dir", help="back up into this folder instead of [backup] dir")
    p.add_argument("--keep", type=int, help="keep this many backups (default [backup] keep)")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="put a backup in place of the hub's database (the hub must be stopped)")
    add_common(p)
    p.add_argument("file", help="a backup written by kiosk backup")
    p.add_argument("--state", help="the hub's state folder (default [hub] state_dir)")
    p.set_defaults(func=cmd_restore)
