"""Large blocks of memory in a long-running process: mapped on their own, so that freeing one gives it back.

glibc's malloc maps a block of 128 KiB or more on its own, until such a block is freed: then it raises that
threshold to the block's size (up to 32 MiB) and serves later large blocks from the heap, between the small
long-lived ones. In the hub such blocks are the JSON writer's buffer, which doubles as it writes the day's
snapshot (megabytes by the evening), the tables of the day's growing dictionaries and the odd large
payload; freed, they leave holes in the heap that it cannot give back, and the process keeps them: about
7 MB more after 20,000 tickets. ``map_large_blocks`` fixes the threshold at 128 KiB (setting it turns the
raising off): a large block is mapped when asked for and unmapped when freed, a system call for the few
allocations that large. It acts on the whole process, so only a program that owns its process calls it
(``kiosk hub``). Where the C library is not glibc it does nothing.
"""

from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD = -3  # glibc's malloc.h
LARGE_BLOCK = 128 * 1024


def map_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """True when the C library took the setting."""
    try:  # the C library the process already runs on; looking it up by name would run ldconfig
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, threshold) == 1
