"""Keep glibc from returning every large temporary to the OS.

A layer of the simulation makes a few dozen temporaries of 0.5 to 2 MB. glibc
serves each from a fresh mmap (page faults on first touch) and unmaps it on
free, which costs more than the arithmetic: bench/propagation.py measured the
7 x 4096 view about 1.3x and a 100 x 16384 net about 1.4x faster with this set.
Call once per process (app.py and the benchmarks do); elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 256 << 20  # above this (huge explicit weight matrices) arrays still get their own mapping
TRIM_THRESHOLD = 512 << 20  # at most this much freed heap is kept for reuse


def tune_allocator() -> bool:
    """Raise glibc's mmap and trim thresholds; returns whether it applied (False off glibc)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
