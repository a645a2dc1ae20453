"""Shared benchmark helpers: timing and the lecture's own loop as the reference."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import numpy as np
from threadpoolctl import ThreadpoolController


def run_times(fn: Callable[[], object], repeats: int) -> list[float]:
    """Wall times of `repeats` calls of fn()."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def median_seconds(fn: Callable[[], object], repeats: int = 3) -> float:
    """Median wall time of fn() over repeats (the machine is shared and noisy)."""
    return statistics.median(run_times(fn, repeats))


def with_default_blas_threads(fn: Callable[[], object]) -> Callable[[], object]:
    """fn run with OpenBLAS's default thread count (one per core), as the lecture's code
    runs in a user's own Python, while the engine keeps the app's single BLAS thread."""

    def run() -> object:
        with ThreadpoolController().limit(limits=os.cpu_count() or 1, user_api="blas"):
            return fn()

    return run


def lecture_loop(forward_only: bool = True) -> list[np.ndarray]:
    """The lecture's code as printed: dims = [4096] * 7, batch 16, W = 0.01 * randn.

    The global RNG is the lecture's own; this reference is the only place it is used.
    """
    dims = [4096] * 7
    hs = []
    x = np.random.randn(16, dims[0])
    for din, dout in zip(dims[:-1], dims[1:]):  # noqa: RUF007 (as printed in the lecture)
        w = 0.01 * np.random.randn(din, dout)
        x = np.tanh(x.dot(w))
        hs.append(x)
    return hs


def lecture_loop_with_backward() -> list[np.ndarray]:
    """The lecture's loop, plus what the lab adds: a backward pass and per-layer histograms.

    Weights are kept for the backward pass (0.8 GB); histograms use np.histogram.
    """
    dims = [4096] * 7
    hs, ws = [], []
    x = np.random.randn(16, dims[0])
    for din, dout in zip(dims[:-1], dims[1:]):  # noqa: RUF007 (as printed in the lecture)
        w = 0.01 * np.random.randn(din, dout)
        x = np.tanh(x.dot(w))
        hs.append(x)
        ws.append(w)
    dx = np.random.randn(*x.shape)
    grads = []
    for w, h in zip(reversed(ws), reversed(hs)):
        grads.append(dx)
        dx = (dx * (1 - h**2)).dot(w.T)
    hists = [np.histogram(h, bins=40, range=(-1, 1))[0] for h in hs]
    hists += [np.histogram(g, bins=40, range=(-4, 4))[0] for g in grads]
    return hists
