"""Propagation speed: the lecture's loop, explicit weights and exact sampling, side by side.

    python bench/propagation.py

Prints, measured in one run (median of 3): the lecture-size net (7 x 4096, batch 16)
forward only and forward + backward + histograms on each path, with ratios to the
lecture's loop (run with OpenBLAS's default threads, as in a user's own Python; the
engine with the app's single BLAS thread, see engine/runtime.py); the cost of each piece
of the per-layer hot path; and a 100 x 16384 net, batch 16, on the exact path with its
peak memory (measured in a fresh process).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    lecture_loop,
    lecture_loop_with_backward,
    median_seconds,
    run_times,
    with_default_blas_threads,
)
from engine import SimConfig, forward_activations, simulate  # noqa: E402
from engine.activations import ACTIVATIONS  # noqa: E402
from engine.layers import gram_factor  # noqa: E402
from engine.runtime import tune_runtime  # noqa: E402
from engine.stats import summarize, summarize_aligned  # noqa: E402

LECTURE = SimConfig()
BIG = SimConfig(init="xavier", sizes=SimConfig.sizes_from(100, 16384), batch=16)

# Measured in a fresh process: its high-water mark (VmHWM) starts at the interpreter's.
PEAK_SCRIPT = """
import json, sys, time
sys.path.insert(0, {root!r})
from engine import SimConfig, simulate
from engine.runtime import tune_runtime
tune_runtime()

def high_water_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

base = high_water_mb()
cfg = SimConfig(init="xavier", sizes=SimConfig.sizes_from(100, 16384), batch=16)
start = time.perf_counter()
simulate(cfg)
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "peak_mb": high_water_mb(), "baseline_mb": base}}))
"""


def block(title: str, rows: list[tuple[str, Callable[[], object], int]]) -> None:
    """Time each row; print median and minimum with their ratios to the first row.

    Other processes on a shared machine only ever add time, so the minimum is the
    steadier figure for short runs; both are printed.
    """
    times = [run_times(fn, repeats) for _, fn, repeats in rows]
    ref_median, ref_min = statistics.median(times[0]), min(times[0])
    print(f"\n{title}")
    print(f"  {'':<44} {'median s':>9} {'x faster':>9} {'min s':>9} {'x faster':>9}")
    for (name, _, _), t in zip(rows, times):
        median, low = statistics.median(t), min(t)
        print(f"  {name:<44} {median:9.3f} {ref_median / median:9.1f} {low:9.3f} {ref_min / low:9.1f}")


def lecture_size() -> None:
    explicit, exact = replace(LECTURE, path="explicit"), replace(LECTURE, path="exact")
    block(
        "Lecture size, 7 x 4096, batch 16, tanh, W = 0.01 randn: forward only",
        [
            ("lecture loop, as printed", with_default_blas_threads(lecture_loop), 5),
            ("explicit weights (engine)", lambda: forward_activations(explicit), 3),
            ("exact sampling (engine)", lambda: forward_activations(exact), 15),
        ],
    )
    block(
        "Same net: forward + backward + per-layer histograms",
        [
            ("lecture loop + backward + np.histogram", with_default_blas_threads(lecture_loop_with_backward), 5),
            ("explicit weights (engine simulate)", lambda: simulate(explicit), 3),
            ("exact sampling (engine simulate)", lambda: simulate(exact), 15),
        ],
    )


def hot_path() -> None:
    rng = np.random.default_rng(0)
    n, d = 16, 4096
    x = np.tanh(rng.standard_normal((n, d)))
    tanh_grad = ACTIVATIONS["tanh"].grad_from_output
    print(f"\nPer-layer pieces at N = {n}, D = {d} (milliseconds, median of 5)")
    pieces = [
        ("QR of the D x N batch (np.linalg.qr)", lambda: np.linalg.qr(x.T)),
        ("Cholesky of the N x N Gram matrix (+ inverse)", lambda: gram_factor(x)),
        ("N x D standard normals", lambda: rng.standard_normal((n, d))),
        ("tanh of N x D", lambda: np.tanh(x)),
        ("np.histogram, 40 bins", lambda: np.histogram(x, bins=40, range=(-1, 1))),
        ("summarize: bincount on fixed edges + moments", lambda: summarize(x, -1.0, 1.0)),
        ("summarize_aligned: grid fitted to the data + moments", lambda: summarize_aligned(x)),
        ("local gradients: tanh' from the output + their summary", lambda: summarize_aligned(tanh_grad(x, 0.0))),
        ("explicit: D x D standard normals (one weight matrix)", lambda: rng.standard_normal((d, d))),
    ]
    for name, fn in pieces:
        print(f"  {name:<54} {1000 * median_seconds(fn, repeats=5):9.2f}")


def big_net() -> None:
    seconds = median_seconds(lambda: simulate(BIG))
    out = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT.format(root=str(ROOT))], capture_output=True, text=True, check=True
    )
    peak = json.loads(out.stdout)
    print("\n100 x 16384, batch 16, tanh, Xavier, exact sampling: forward + backward + histograms")
    print(f"  seconds (median of 3 in this process): {seconds:.2f}")
    print(f"  seconds (one run in a fresh process):  {peak['seconds']:.2f}")
    grown = peak["peak_mb"] - peak["baseline_mb"]
    print(
        f"  peak RSS of that process: {peak['peak_mb']:.0f} MB ({grown:.0f} MB above the {peak['baseline_mb']:.0f} MB"
    )
    print("  of the interpreter with NumPy imported)")


if __name__ == "__main__":
    print("process settings as in the app:", tune_runtime())
    lecture_size()
    hot_path()
    big_net()
