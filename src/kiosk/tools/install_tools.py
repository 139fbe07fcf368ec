"""``kiosk install --role hub|terminal|display|bridge``: put one role on this machine.

Besides the role's unit: the hub gets the nightly backup (``kiosk-backup.service`` + ``.timer``, enabled)
and its folder ``/var/backups/kiosk``; every role gets the journald settings the units expect
(``/etc/systemd/journald.conf.d/kiosk.conf``).

Rule: idempotent and never destructive. Each step first looks at what is there and does only what is
missing; configuration under /etc/kiosk is copied on the first install only and never overwritten
(staff edit it); the systemd unit is code and is replaced when it differs. ``--dry-run`` prints every
step and changes nothing. ``--root DIR`` writes files below DIR only: no user is created, nothing is
chowned, systemctl is not called.
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import KioskError

SOURCE = Path(__file__).resolve().parents[3]  # the checkout, e.g. /opt/kiosk
USER = "kiosk"
UNITS = {"hub": "kiosk-hub.service", "terminal": "kiosk-terminal.service", "display": "kiosk-display.service",
         "bridge": "kiosk-bridge@.service", "pad": "kiosk-pad.service", "web": "kiosk-web.service"}
# installed with the role's unit; the report timer is enabled by hand once /etc/kiosk/report.toml holds the
# `reporter` account it publishes with (docs/operations.md section 9)
EXTRA_UNITS = {"hub": ("kiosk-backup.service", "kiosk-backup.timer", "kiosk-report.service", "kiosk-report.timer")}
ENABLE_EXTRA = {"hub": ("kiosk-backup.timer",)}
JOURNALD_DROPIN = "journald.conf.d/kiosk.conf"  # below systemd/ in the checkout and /etc/systemd/ on the machine


@dataclass(slots=True)
class Step:
    what: str  # one line, e.g. "copy config/huangtan.toml → /etc/kiosk/site.toml"
    needed: bool  # False: already done, nothing to do
    run: Callable[[], None] = lambda: None
    note: str = ""  # why it is skipped


@dataclass(frozen=True, slots=True)
class Plan:
    role: str
    root: Path | None
    source: Path
    instance: str | None = None
    window: str | None = None

    def path(self, absolute: str) -> Path:
        """A system path, moved below --root when there is one."""
        return Path(absolute) if self.root is None else self.root / absolute.lstrip("/")

    @property
    def unit(self) -> str:
        return UNITS[self.role]

    @property
    def enabled_unit(self) -> str:
        return self.unit.replace("@.", f"@{self.instance}.") if self.role == "bridge" else self.unit


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def unit_groups(unit: Path) -> list[str]:
    """The groups a unit file's ``SupplementaryGroups=`` lines name, in order."""
    out: list[str] = []
    for line in unit.read_text(encoding="utf-8").splitlines():
        if line.startswith("SupplementaryGroups="):
            out += [g for g in line.split("=", 1)[1].split() if g not in out]
    return out


def _run(cmd: list[str]) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise KioskError(f"{' '.join(cmd)} failed ({r.returncode}): {(r.stderr or r.stdout).strip()}")


def _mkdir(path: Path, mode: int, chown: bool) -> Callable[[], None]:
    def do() -> None:
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, mode)
        if chown:
            shutil.chown(path, USER, USER)
    return do


def _copy_file(src: Path, dst: Path, mode: int = 0o644) -> Callable[[], None]:
    def do() -> None:
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(dst.name + ".kiosk-new")
        shutil.copyfile(src, tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, dst)
    return do


def _copy_tree(src: Path, dst: Path) -> Callable[[], None]:
    def do() -> None:
        shutil.copytree(src, dst)
        for p in [dst, *dst.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
    return do


def _write_text(dst: Path, text: str, mode: int = 0o644) -> Callable[[], None]:
    def do() -> None:
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(text, encoding="utf-8")
        os.chmod(dst, mode)
    return do


def _dir_ok(path: Path, mode: int) -> bool:
    return path.is_dir() and (path.stat().st_mode & 0o777) == mode


def steps(plan: Plan) -> list[Step]:
    """Everything an install does, in order, each knowing whether it is still needed."""
    system = plan.root is None
    out: list[Step] = []
    if system:
        exists = user_exists(USER)
        out.append(Step(f"create system user {USER} (home /var/lib/kiosk, no login)", not exists,
                        lambda: _run(["useradd", "--system", "--user-group", "--home-dir", "/var/lib/kiosk",
                                      "--no-create-home", "--shell", "/usr/sbin/nologin", USER]),
                        note="exists"))
    else:
        out.append(Step(f"create system user {USER}", False, note="skipped with --root"))

    for group in unit_groups(plan.source / "systemd" / plan.unit):
        # a unit whose SupplementaryGroups= names a missing group fails with 216/GROUP at every start, and
        # the screen units then reboot the machine; images without udev lack input and render
        if system:
            out.append(Step(f"create system group {group} (the unit's SupplementaryGroups=)", not group_exists(group),
                            lambda group=group: _run(["groupadd", "--system", group]), note="exists"))
        else:
            out.append(Step(f"create system group {group}", False, note="skipped with --root"))

    etc = plan.path("/etc/kiosk")
    out.append(Step(f"directory {etc} (0755)", not _dir_ok(etc, 0o755), _mkdir(etc, 0o755, False), note="exists"))
    cfg_src = plan.source / "config"
    for src, name in ((cfg_src / "huangtan.toml", "site.toml"), (cfg_src / "calendar.toml", "calendar.toml")):
        dst = etc / name
        out.append(Step(f"copy {src} → {dst} (first install only)", not dst.exists(), _copy_file(src, dst),
                        note="exists, kept as it is"))
    dst = etc / "catalog"
    out.append(Step(f"copy {cfg_src / 'catalog'}/ → {dst}/ (first install only)", not dst.exists(),
                    _copy_tree(cfg_src / "catalog", dst), note="exists, kept as it is"))

    state = plan.path("/var/lib/kiosk")
    owner_ok = True
    if system and state.is_dir() and user_exists(USER):
        owner_ok = state.stat().st_uid == pwd.getpwnam(USER).pw_uid
    out.append(Step(f"directory {state} (0700, owner {USER})", not (_dir_ok(state, 0o700) and owner_ok),
                    _mkdir(state, 0o700, system), note="exists"))

    if plan.role == "bridge":
        env = etc / f"bridge-{plan.instance}.env"
        body = (f"KIOSK_WINDOW={plan.window}\nKIOSK_BRIDGE_ARGS=--device-id btn-{plan.window}\n" if plan.window else
                "# Set the window this keypad calls for, e.g.:\n# KIOSK_WINDOW=w3\n"
                "# KIOSK_BRIDGE_ARGS=--device-id btn-w3\n")
        out.append(Step(f"write {env} (first install only)", not env.exists(), _write_text(env, body),
                        note="exists, kept as it is"))

    if plan.role == "pad":
        env = etc / "pad.env"
        body = (f"KIOSK_WINDOW={plan.window}\nKIOSK_DEVICE_ID=pad-{plan.window}\n" if plan.window else
                "# Set the window this pad stands at, e.g.:\nKIOSK_WINDOW=w3\nKIOSK_DEVICE_ID=pad-w3\n")
        out.append(Step(f"write {env} (first install only)", not env.exists(), _write_text(env, body),
                        note="exists, kept as it is"))

    if plan.role == "hub":
        backups = plan.path("/var/backups/kiosk")
        out.append(Step(f"directory {backups} (0700, owner {USER}; mount the backup stick or share here)",
                        not _dir_ok(backups, 0o700), _mkdir(backups, 0o700, system), note="exists"))

    changed = False
    for name in (plan.unit, *EXTRA_UNITS.get(plan.role, ())):
        unit_src = plan.source / "systemd" / name
        unit_dst = plan.path("/etc/systemd/system") / name
        same = unit_dst.exists() and unit_dst.read_bytes() == unit_src.read_bytes()
        changed = changed or not same
        out.append(Step(f"install unit {unit_dst}", not same, _copy_file(unit_src, unit_dst), note="up to date"))
    journald_src = plan.source / "systemd" / JOURNALD_DROPIN
    journald_dst = plan.path("/etc/systemd") / JOURNALD_DROPIN
    journald_same = journald_dst.exists() and journald_dst.read_bytes() == journald_src.read_bytes()
    out.append(Step(f"install journald settings {journald_dst} (persistent, capped at 64 MiB)", not journald_same,
                    _copy_file(journald_src, journald_dst), note="up to date"))
    enable = (plan.enabled_unit, *ENABLE_EXTRA.get(plan.role, ()))
    if system:
        out.append(Step("systemctl daemon-reload", changed, lambda: _run(["systemctl", "daemon-reload"]),
                        note="units unchanged"))
        out.append(Step("systemctl restart systemd-journald", not journald_same,
                        lambda: _run(["systemctl", "restart", "systemd-journald"]), note="settings unchanged"))
        for unit in enable:
            out.append(Step(f"systemctl enable {unit}", not _is_enabled(unit),
                            lambda unit=unit: _run(["systemctl", "enable", unit]), note="enabled"))
    else:
        for unit in enable:
            out.append(Step(f"systemctl enable {unit}", False, note="skipped with --root"))
    return out


def _is_enabled(unit: str) -> bool:
    if shutil.which("systemctl") is None:
        return False
    r = subprocess.run(["systemctl", "is-enabled", unit], capture_output=True, text=True, timeout=30)
    return r.stdout.strip() == "enabled"


def install(plan: Plan, *, dry_run: bool, say: Callable[[str], None] = print) -> int:
    """Run (or with dry_run only print) the steps; returns how many changed something."""
    changed = 0
    for st in steps(plan):
        if not st.needed:
            say(f"  ok     {st.what}" + (f" ({st.note})" if st.note else ""))
            continue
        say(f"  {'would' if dry_run else 'do   '}  {st.what}")
        if not dry_run:
            st.run()
        changed += 1
    return changed


def cmd_install(args: argparse.Namespace) -> int:
    if args.role == "bridge" and not args.instance:
        raise KioskError("--role bridge needs --instance NAME (the keypad's name under /dev/input/by-id/)")
    if args.instance and ("/" in args.instance or args.instance.startswith(".")):
        raise KioskError(f"--instance {args.instance!r}: a name under /dev/input/by-id/, without slashes")
    source = Path(args.source) if args.source else SOURCE
    if not (source / "systemd" / UNITS[args.role]).exists():
        raise KioskError(f"{source} is not a kiosk checkout (no systemd/{UNITS[args.role]}); use --source")
    root = Path(args.root) if args.root else None
    if root is None and not args.dry_run and os.geteuid() != 0:
        raise KioskError("installing into the system needs root (sudo), or use --root DIR / --dry-run")
    plan = Plan(role=args.role, root=root, source=source, instance=args.instance, window=args.window)
    print(f"kiosk install --role {args.role}" + (f" into {root}" if root else "") + (" (dry run)" if args.dry_run else ""))
    n = install(plan, dry_run=args.dry_run)
    print(f"{n} step(s) {'would change' if args.dry_run else 'changed'} something" if n else "nothing to do")
    return 0


def register(sub: argparse._SubParsersAction, add_common) -> None:
    p = sub.add_parser("install", help="install one role on this machine: user, /etc/kiosk, state dir, systemd unit")
    p.add_argument("--role", required=True, choices=tuple(UNITS))
    p.add_argument("--root", help="write below this folder only (no useradd, no systemctl)")
    p.add_argument("--dry-run", action="store_true", help="print every step, change nothing")
    p.add_argument("--instance", help="bridge: the keypad's name under /dev/input/by-id/")
    p.add_argument("--window", help="bridge, pad: the window the keypad calls for / the pad stands at (written to "
                                    "its .env on first install)")
    p.add_argument("--source", help="the kiosk checkout to install from (default: this one)")
    p.set_defaults(func=cmd_install)
