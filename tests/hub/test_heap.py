"""Large blocks are given back when freed (``kiosk.system.heap``), as the hub's process sets it up: measured
on this machine's C library in a child process, with and without the setting."""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import os, sys
from kiosk.system.heap import map_large_blocks
took = map_large_blocks() if sys.argv[1] == "on" else None
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
big = b"x" * (4 << 20)  # one large block, freed: glibc's own rule would now keep blocks up to 4 MiB in the heap
del big
blocks, pins = [], []
for i in range(64):
    blocks.append(b"b" * (512 << 10))  # large and written to, as a dictionary's table is
    pins.append(b"p" * 1000)  # small and long-lived, between them
before = rss()
del blocks
print(took, before - rss())
"""


def given_back(setting: str) -> tuple[str, int]:
    out = subprocess.run([sys.executable, "-c", CHILD, setting], capture_output=True, text=True, timeout=60,
                         check=True).stdout.split()
    return out[0], int(out[1])


def test_with_the_setting_freed_large_blocks_leave_the_process():
    took, freed = given_back("on")
    assert took == "True"
    assert freed >= 28 << 20, f"only {freed >> 20} MiB of 32 given back"


def test_without_it_they_stay_so_the_test_can_tell():
    took, freed = given_back("off")
    assert took == "None"
    assert freed < 8 << 20, f"{freed >> 20} MiB given back without the setting: the test measures nothing"

