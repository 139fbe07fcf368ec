"""The hub's cost per message in instructions, not seconds: steady where this shared machine's timings are not.

``valgrind --tool=callgrind`` runs the whole hub process (worker and paho's thread) under the traffic of
``bench_hub.py``: ``ticket.issue`` requests from ``mosquitto_pub -l``, and 100 windows pressing ``next`` at
once. Each is run at two lengths; the difference in instructions divided by the difference in messages is the
cost of one message, start-up and shutdown cancelling out. Repeated runs agree within 1 % for the requests and
3 % for the bursts (whose presses split into batches differently), where the timings of ``bench_hub.py`` move
by ±15 % from run to run here.

Slow (a few minutes: the hub runs about fifty times slower under callgrind), so not part of ``./run bench``::

    python bench/bench_hub_instructions.py [TREE ...]

Each TREE is a checkout whose ``src`` the hub is started from (default: this one), to compare two side by side.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_hub as B

SHORT, LONG = 1000, 5000  # ticket.issue requests
ROUNDS_SHORT, ROUNDS_LONG = 3, 13  # bursts of 100 presses
WINDOWS = 100


def instructions(tree: Path, kind: str, n: int) -> int:
    """Instructions the hub process executed from start to stop, serving ``n`` requests or ``n`` bursts."""
    B.clear_of_midnight(20)  # a run under callgrind takes minutes
    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-ir-", dir="/var/tmp"))
    try:
        with B.PrivateBroker(work / "broker") as broker:
            port = broker.port
            cfg = B.bench_config(work / "hall.toml", 9 if kind == "issue" else WINDOWS)
            env = dict(os.environ, PYTHONPATH=str(tree / "src"), PYTHONHASHSEED="0")
            with open(work / "valgrind.txt", "w") as err:
                hub = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={work}/callgrind.out",
                                        *B.hub_argv(cfg, work / "state", port)],
                                       cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=err)
                try:
                    deadline = time.monotonic() + 600
                    while True:
                        try:
                            B.wait_hub(port)
                            break
                        except Exception:
                            if time.monotonic() > deadline or hub.poll() is not None:
                                raise
                    issue = (f"{B.ROOT}request/ticket.issue", f"{B.ROOT}device/bench-kiosk/reply")
                    if kind == "issue":
                        B.c_rate(port, *issue, B.request_lines(work / "r.txt", n, "bench-kiosk", "b"), work, "issue")
                    else:
                        B.c_rate(port, *issue, B.request_lines(work / "s.txt", 3000, "bench-kiosk", "s"), work, "stock")
                        B.press_at_once(port, WINDOWS, n, work, "burst")
                    time.sleep(2.5)  # the snapshot of the first quiet second, alike in both lengths
                finally:
                    hub.terminate()
                    hub.wait(600)
            found = re.search(r"Collected : (\d+)", (work / "valgrind.txt").read_text())
            if found is None:
                raise RuntimeError(f"callgrind gave no total: {(work / 'valgrind.txt').read_text()[-300:]}")
            return int(found.group(1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(trees: list[Path]) -> dict:
    out: dict = {}
    for tree in trees:
        per_ticket = (instructions(tree, "issue", LONG) - instructions(tree, "issue", SHORT)) / (LONG - SHORT)
        per_press = (instructions(tree, "burst", ROUNDS_LONG) - instructions(tree, "burst", ROUNDS_SHORT)) \
            / ((ROUNDS_LONG - ROUNDS_SHORT) * WINDOWS)
        out[str(tree)] = {"instructions_per_ticket_issue": round(per_ticket),
                          "instructions_per_press_in_100_window_burst": round(per_press)}
        print(json.dumps({str(tree): out[str(tree)]}), flush=True)
    return out


if __name__ == "__main__":
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    run([Path(t).resolve() for t in sys.argv[1:]] or [B.REPO])
