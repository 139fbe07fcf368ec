"""Run a unit file's ExecStart the way systemd would, with a notify socket the test owns.

* :func:`parse_unit` reads the INI dialect of unit files (repeated keys, comments, ``\\`` continuations).
* :func:`service_environment` builds the environment systemd gives the process: ``Environment=`` in order,
  then ``EnvironmentFile=`` (whose values win, ``-`` = optional), plus ``STATE_DIRECTORY`` and friends.
* :func:`exec_argv` expands ExecStart as systemd does: ``${VAR}`` is replaced inside its word and stays one
  argument; ``$VAR`` standing alone is split at whitespace into zero or more arguments; ``%i``/``%%``.
* :class:`NotifySocket` is the AF_UNIX datagram socket systemd would listen on; it records each datagram
  with the sender's pid (SCM_CREDENTIALS), because ``NotifyAccess=main`` drops messages from any other pid.
* :class:`UnitProcess` starts the argv through ``sh -c 'WATCHDOG_PID=$$ exec …'`` so the program sees
  ``WATCHDOG_PID`` equal to its own pid, as under systemd.

Paths of the production layout are swapped for the test's: the venv's ``kiosk`` for
``/opt/kiosk/.venv/bin/kiosk`` and test folders for ``/etc/kiosk``, ``/var/lib/kiosk``, ``/var/cache``.
The one setting a test replaces is the SDL drivers (``kmsdrm``/``alsa`` → ``dummy``): there is no screen.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

VENV_KIOSK = str(Path(sys.executable).with_name("kiosk"))
PROD_KIOSK = "/opt/kiosk/.venv/bin/kiosk"
SDL_FOR_TESTS = {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip() if pending else raw.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        if current is None or "=" not in line:
            raise ValueError(f"{path}: not a unit line: {line!r}")
        key, value = line.split("=", 1)
        current.append((key.strip(), value.strip()))
    return sections


def values(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [v for k, v in unit.get(section, []) if k == key]


def one(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> str:
    found = values(unit, section, key)
    assert len(found) == 1, f"{section}.{key}: {found}"
    return found[0]


def _assignments(text: str) -> dict[str, str]:
    """``Environment=A=1 "B=two words"`` → {A: 1, B: two words} (systemd's quoting)."""
    out = {}
    for word in shlex.split(text):
        name, _, value = word.partition("=")
        out[name] = value
    return out


def _env_file(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[name.strip()] = value
    return out


def specifiers(text: str, instance: str = "") -> str:
    return re.sub(r"%(.)", lambda m: {"i": instance, "I": instance, "%": "%"}[m.group(1)], text)


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the production paths live in this test."""

    etc: Path        # /etc/kiosk
    state: Path      # /var/lib/kiosk
    cache: Path      # /var/cache

    def map(self, text: str) -> str:
        return (text.replace(PROD_KIOSK, VENV_KIOSK).replace("/etc/kiosk", str(self.etc))
                .replace("/var/lib/kiosk", str(self.state)).replace("/var/cache", str(self.cache)))


def service_environment(unit: dict[str, list[tuple[str, str]]], layout: Layout, instance: str = "") -> dict[str, str]:
    env: dict[str, str] = {}
    for key, value in unit.get("Service", []):
        if key == "Environment":
            env.update({k: layout.map(v) for k, v in _assignments(specifiers(value, instance)).items()})
    for key, value in unit.get("Service", []):
        if key == "EnvironmentFile":
            optional = value.startswith("-")
            path = Path(layout.map(specifiers(value.lstrip("-"), instance)))
            if not path.exists():
                assert optional, f"EnvironmentFile {path} is required and missing"
                continue
            env.update(_env_file(path.read_text(encoding="utf-8")))
    for key, var, base in (("StateDirectory", "STATE_DIRECTORY", "/var/lib"),
                           ("CacheDirectory", "CACHE_DIRECTORY", "/var/cache"),
                           ("ConfigurationDirectory", "CONFIGURATION_DIRECTORY", "/etc")):
        for v in values(unit, "Service", key):
            env[var] = layout.map(f"{base}/{v}")
    return env


_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_BARE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")


def exec_argv(line: str, env: Mapping[str, str], *, instance: str = "", layout: Layout | None = None) -> list[str]:
    line = line.lstrip("@-:+!")
    argv: list[str] = []
    for word in shlex.split(specifiers(line, instance)):
        bare = _BARE.match(word)
        if bare:
            argv.extend(env.get(bare.group(1), "").split())
            continue
        argv.append(_VAR.sub(lambda m: env.get(m.group(1), ""), word))
    return [layout.map(a) for a in argv] if layout else argv


# ---- the notify socket ------------------------------------------------------------------------------
@dataclass(slots=True)
class Datagram:
    at: float          # time.monotonic() on arrival
    pid: int           # sender, from SCM_CREDENTIALS
    fields: dict[str, str]


@dataclass
class NotifySocket:
    path: str = field(default_factory=lambda: os.path.join(tempfile.mkdtemp(prefix="ntf", dir="/tmp"), "s"))
    received: list[Datagram] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self._sock.bind(self.path)
        self._sock.settimeout(0.2)
        self._cond = threading.Condition()
        self._open = True
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        size = socket.CMSG_SPACE(struct.calcsize("3i"))
        while self._open:
            try:
                data, anc, _, _ = self._sock.recvmsg(4096, size)
            except socket.timeout:
                continue
            except OSError:
                return
            pid = -1
            for level, kind, blob in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("3i", blob[:12])[0]
            text = data.decode("utf-8")
            fields = dict(ln.split("=", 1) for ln in text.split("\n") if "=" in ln)
            with self._cond:
                self.received.append(Datagram(time.monotonic(), pid, fields))
                self._cond.notify_all()

    def wait_for(self, pred: Callable[[Datagram], bool], timeout: float, what: str) -> Datagram:
        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for d in self.received[seen:]:
                    if pred(d):
                        return d
                seen = len(self.received)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {what} within {timeout:.0f} s; got {[d.fields for d in self.received]}")
                self._cond.wait(left)

    def after(self, t: float, key: str) -> list[Datagram]:
        with self._cond:
            return [d for d in self.received if d.at >= t and key in d.fields]

    def mark(self) -> int:
        """Put a marker datagram in the queue and wait for it: whatever is read after it was sent after now."""
        self._marks = getattr(self, "_marks", 0) + 1
        tag = f"{os.getpid()}-{self._marks}"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(f"X_TEST_MARK={tag}".encode(), self.path)
        self.wait_for(lambda d: d.fields.get("X_TEST_MARK") == tag, timeout=30, what="the marker")
        with self._cond:
            return next(i for i, d in enumerate(self.received) if d.fields.get("X_TEST_MARK") == tag)

    def quiet_for(self, seconds: float, key: str) -> bool:
        """True when no datagram carrying ``key`` is sent for ``seconds`` from now (the test of a frozen loop)."""
        start_index, start = self.mark(), time.monotonic()
        with self._cond:
            while True:
                if any(key in d.fields for d in self.received[start_index:]):
                    return False
                left = seconds - (time.monotonic() - start)
                if left <= 0:
                    return True
                self._cond.wait(left)

    def messages(self) -> list[dict[str, str]]:
        """What the program sent, in order (the test's own markers left out)."""
        with self._cond:
            return [d.fields for d in self.received if "X_TEST_MARK" not in d.fields]

    def statuses(self) -> list[str]:
        with self._cond:
            return [d.fields["STATUS"] for d in self.received if "STATUS" in d.fields]

    def close(self) -> None:
        self._open = False
        self._sock.close()
        self._thread.join(2)
        try:
            os.unlink(self.path)
            os.rmdir(os.path.dirname(self.path))
        except OSError:
            pass


# ---- the process ------------------------------------------------------------------------------------
class UnitProcess:
    """One unit's ExecStart, started with systemd's environment plus the notify variables."""

    def __init__(self, unit_file: Path, layout: Layout, notify: NotifySocket, *, watchdog_usec: int,
                 log: Path, instance: str = "", extra_env: Mapping[str, str] | None = None) -> None:
        self.unit = parse_unit(unit_file)
        self.layout = layout
        env = service_environment(self.unit, layout, instance)
        self.unit_env = dict(env)
        env.update(SDL_FOR_TESTS)
        env.update(extra_env or {})
        self.argv = exec_argv(one(self.unit, "Service", "ExecStart"), env, instance=instance, layout=layout)
        base = {k: os.environ[k] for k in ("PATH", "LANG", "HOME") if k in os.environ}
        self.env = {**base, "TZ": "UTC", **env, "NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": str(watchdog_usec),
                    "PYGAME_HIDE_SUPPORT_PROMPT": "1",
                    "PYTHONFAULTHANDLER": "1"}  # diagnostics only: a stop that hangs leaves its stacks in the log
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> "UnitProcess":
        wrapper = ["/bin/sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$@"', "sh", *self.argv]
        self.proc = subprocess.Popen(wrapper, env=self.env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
                                     cwd="/")
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def stop(self, timeout: float = 20) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                # hung on SIGTERM: SIGABRT makes faulthandler write every thread's stack into the log
                self.proc.send_signal(signal.SIGABRT)
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(10)
        return self.proc.returncode

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")
