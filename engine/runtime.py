"""Process-wide settings the engine's speed depends on. Call `tune_runtime()` at start
(app.py and the benchmarks do); it does its work once per process, so a script that
Streamlit reruns on every change may call it on every run (the work took about 2 ms).

glibc: a layer of the simulation makes a few dozen temporaries of 0.5 to 2 MB. glibc
serves each from a fresh mmap (page faults on first touch) and unmaps it on free, which
costs more than the arithmetic: bench/propagation.py measured the 7 x 4096 view about
1.3x and a 100 x 16384 net about 1.4x faster with higher thresholds.

BLAS: OpenBLAS splits each matrix product over both cores and its threads then spin,
waiting for the next one. That took the core the exact path's normals are drawn on
(engine/prefetch.py): with one BLAS thread the 7 x 4096 view ran 27.7 -> 16.4 ms, the
100 x 16384 net 1.43 -> 0.80 s and explicit weights 1.85 -> 1.59 s (median, side by
side). A server shares its cores between sessions anyway.

Garbage collector: the server's heap holds a few hundred thousand objects (Streamlit, pandas,
the caches), and every full collection walked all of them: about 115 ms, once in about 24
changes of the activation lab, on top of whichever change it fell in. `freeze_heap_once`
moves what is alive after a page's first complete run into the permanent generation, which
collections skip (measured with gc.callbacks: no full collection in 24 changes afterwards).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc

from threadpoolctl import ThreadpoolController

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


def single_threaded_blas() -> bool:
    """Limit the BLAS libraries loaded so far (NumPy's) to one thread; returns whether there were any."""
    blas = ThreadpoolController().select(user_api="blas")
    blas.limit(limits=1)
    return bool(blas.lib_controllers)


@functools.cache
def tune_runtime() -> dict[str, bool]:
    """Both settings, once per process; returns which applied."""
    return {"glibc allocator": tune_allocator(), "single-threaded BLAS": single_threaded_blas()}


_FROZEN_FOR: set[str] = set()


def freeze_heap_once(name: str) -> bool:
    """The first time `name` (a page) asks in this process: collect the garbage there is, then
    freeze what is alive (gc.freeze) so that later collections skip it. Returns whether it did.

    Collecting first keeps garbage (a traceback holding a run's arrays) from being frozen,
    which would keep it for good; it costs one full collection per page and process."""
    if name in _FROZEN_FOR:
        return False
    _FROZEN_FOR.add(name)
    gc.collect()
    gc.freeze()
    return True
