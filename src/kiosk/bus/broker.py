"""A private Mosquitto broker on a free loopback port, for the demo, the tests and the benchmarks.

Rule: never the system service and never the machine's real interfaces: it listens on 127.0.0.1 only,
with its own config and (optional) persistence in a directory it is given.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

from ..errors import BusError

CANDIDATES = ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/opt/homebrew/sbin/mosquitto")


def find_mosquitto() -> str:
    for c in (shutil.which("mosquitto"), *CANDIDATES):
        if c and os.access(c, os.X_OK):
            return c
    raise BusError("mosquitto is not installed (Debian: apt-get install mosquitto)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateBroker:
    def __init__(self, workdir: str | Path, *, port: int | None = None, persistence: bool = False,
                 extra_config: str = "") -> None:
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.persistence = persistence
        self.extra_config = extra_config
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def write_config(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = self.workdir / "mosquitto.conf"
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous true",
            f"persistence {'true' if self.persistence else 'false'}",
            f"persistence_location {self.workdir}/",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "max_queued_messages 100000",
            "max_inflight_messages 0",
            "set_tcp_nodelay true",
            # run as whoever started us: as root, mosquitto would otherwise switch to the `mosquitto`
            # user, which cannot write the persistence file into a private work directory
            f"user {pwd.getpwuid(os.geteuid()).pw_name}",
        ]
        conf.write_text("\n".join(lines) + "\n" + self.extra_config + "\n")
        return conf

    def start(self, timeout: float = 10.0) -> "PrivateBroker":
        conf = self.write_config()
        log = open(self.workdir / "mosquitto.log", "ab")
        self.proc = subprocess.Popen([find_mosquitto(), "-c", str(conf)], stdout=log, stderr=log,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BusError(f"mosquitto exited at start (code {self.proc.returncode}); "
                               f"see {self.workdir / 'mosquitto.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise BusError(f"mosquitto did not listen on 127.0.0.1:{self.port} within {timeout} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def __enter__(self) -> "PrivateBroker":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
