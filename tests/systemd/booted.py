"""A real systemd as PID 1 in its own namespaces, on a throw-away overlay of this machine's root.

``unshare`` gives systemd new pid, mount, uts, ipc, cgroup and network namespaces (only loopback); the
root it boots is an overlayfs whose upper layer is a tmpfs, so nothing it does (useradd, units in /etc,
journal, state) reaches the real file system, and it starts only ``kiosk-test.target`` (empty) until the
test starts units itself; the system users and groups are created as a real boot's systemd-sysusers does. Commands run inside with ``nsenter``. Needs root and namespaces; the test that
uses it is skipped only when this machine cannot create them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

BOOT = r"""
set -e
B="$1"
mount -t tmpfs -o size=512m tmpfs "$B"
mkdir -p "$B/upper" "$B/work" "$B/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$B/upper,workdir=$B/work" "$B/root"
R="$B/root"
mount --rbind /dev "$R/dev"
mount -t proc proc "$R/proc"
mount -t sysfs sysfs "$R/sys"
mount -t tmpfs tmpfs "$R/run"
mount -t tmpfs tmpfs "$R/tmp"
mount -t cgroup2 cgroup2 "$R/sys/fs/cgroup"
# the checkout under test, at its own path, writable but private like the rest (it may live under /tmp,
# which the boot covers with a fresh tmpfs, or on another file system than /)
C="$2"
mkdir -p "$B/cupper" "$B/cwork" "$R$C"
mount -t overlay overlay -o "lowerdir=$C,upperdir=$B/cupper,workdir=$B/cwork" "$R$C"
ip link set lo up
mkdir -p "$R/etc/systemd/system"
printf '[Unit]\nDescription=kiosk test boot\n' > "$R/etc/systemd/system/kiosk-test.target"
cd "$R"
mkdir -p oldroot
pivot_root . oldroot
exec env container=kiosk-test /lib/systemd/systemd --system --unit=kiosk-test.target
"""


def can_boot() -> str | None:
    """None when this machine can run the booted tests, else why not."""
    if os.geteuid() != 0:
        return "needs root (namespaces, overlayfs, pivot_root)"
    for tool in ("unshare", "nsenter", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not Path("/lib/systemd/systemd").exists():
        return "systemd is not installed"
    r = subprocess.run(["unshare", "--fork", "--pid", "--mount", "--net", "--cgroup", "true"], capture_output=True,
                       timeout=30)
    return None if r.returncode == 0 else f"cannot create namespaces: {r.stderr.decode().strip()}"


class Booted:
    def __init__(self, checkout: Path) -> None:
        self.checkout = Path(checkout).resolve()
        self.base = Path(tempfile.mkdtemp(prefix="kiosk-boot-", dir="/var/tmp"))
        self.proc: subprocess.Popen | None = None
        self.pid = 0

    def start(self, timeout: float = 60) -> "Booted":
        self.proc = subprocess.Popen(["unshare", "--fork", "--pid", "--mount", "--uts", "--ipc", "--net", "--cgroup",
                                      "--propagation", "private", "--kill-child", "/bin/sh", "-c", BOOT, "sh",
                                      str(self.base), str(self.checkout)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not self.pid:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
            kids = children.read_text().split() if children.exists() else []
            if kids and Path(f"/proc/{kids[0]}/comm").read_text().strip() == "systemd":
                self.pid = int(kids[0])
            elif self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("systemd did not start in the namespace")
            else:
                time.sleep(0.1)  # polling for the process, not timing
        while self.run("systemctl", "is-system-running").stdout.strip() not in ("running", "degraded"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"systemd did not finish booting: {self.run('systemctl', '--failed').stdout}")
            time.sleep(0.2)
        # what sysinit.target's systemd-sysusers.service does at every real boot: the system groups
        # (render, input, …) the screen units ask for
        r = self.run("systemd-sysusers")
        if r.returncode != 0:
            raise RuntimeError(f"systemd-sysusers: {r.stderr}")
        return self

    def run(self, *cmd: str, input: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(["nsenter", "-t", str(self.pid), "-a", *cmd], input=input, capture_output=True,
                              text=True, timeout=timeout)

    def write(self, path: str, text: str) -> None:
        r = self.run("sh", "-c", f'mkdir -p "$(dirname "{path}")" && cat > "{path}"', input=text)
        assert r.returncode == 0, r.stderr

    def show(self, unit: str, *props: str) -> dict[str, str]:
        r = self.run("systemctl", "show", unit, *(f"--property={p}" for p in props))
        return dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)

    def journal(self, unit: str) -> str:
        return self.run("journalctl", "-u", unit, "--no-pager", "-o", "cat").stdout

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # --kill-child takes systemd and everything under it along
            self.proc.wait(30)
        if self.pid:
            deadline = time.monotonic() + 30
            while Path(f"/proc/{self.pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        shutil.rmtree(self.base, ignore_errors=True)
