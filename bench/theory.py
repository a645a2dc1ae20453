"""The theory engine's cost: phase diagram, Jacobian spectrum, and the default theory view.

    python bench/theory.py

Prints, measured side by side in one run (median of 3, the app's single BLAS thread):
1. the phase diagram's grid points per second, vectorized (meanfield.phase_diagram) against a
   per-point Python loop on the same 10 x 10 subset: the accurate scalar fixed_point() per
   point, and a plain iteration of the maps per point (what a first implementation does);
2. the Jacobian spectrum at depth 32 x width 400: product-then-SVD in float64 against the same
   in float32 (with the float32 spectrum's error), for Gaussian and orthogonal weights;
3. the page's whole script (AppTest, no browser) for its default view with every cache cleared
   and for a change of σ_w², beside the activation lab's default view and a change of its seed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.common import median_seconds  # noqa: E402
from engine.runtime import tune_runtime  # noqa: E402
from engine.theory import jacobian as jb  # noqa: E402
from engine.theory import meanfield as mf  # noqa: E402
from tests.app_support import page_path  # noqa: E402

ACT = "tanh"
W_AXIS, B_AXIS = np.linspace(0.5, 4.0, 100), np.linspace(0.0, 0.5, 100)
SUBSET = (W_AXIS[::10], B_AXIS[::10])


def naive_point(act: str, sw2: float, sb2: float) -> tuple[float, float]:
    """q* and c* by iterating the maps one point at a time until they settle (<= 500 steps each)."""
    q = 1.0
    for _ in range(500):
        q_next = float(mf.q_map(act, q, sw2, sb2))
        if abs(q_next - q) <= 1e-10 * max(q, 1e-300):
            break
        q = q_next
    c = 0.5
    if float(mf.chi_1(act, q, sw2)) > 1 and q > 0:
        for _ in range(500):
            c_next = float(mf.c_map(act, c, q, sw2, sb2))
            if abs(c_next - c) <= 1e-10:
                break
            c = c_next
    return q, c


def phase_costs() -> None:
    w, b = SUBSET
    n = w.size * b.size
    vectorized = median_seconds(lambda: mf.phase_diagram(ACT, w, b))
    scalar = median_seconds(lambda: [mf.fixed_point(ACT, x, y) for y in b for x in w], repeats=1)
    naive = median_seconds(lambda: [naive_point(ACT, x, y) for y in b for x in w], repeats=1)
    full = median_seconds(lambda: mf.phase_diagram(ACT, W_AXIS, B_AXIS))
    print(f"1. phase diagram ({ACT}), the same {w.size} x {b.size} subset:")
    print(f"   vectorized phase_diagram      {vectorized * 1e3:8.1f} ms   {n / vectorized:10.0f} points/s")
    print(
        f"   loop of scalar fixed_point()  {scalar * 1e3:8.1f} ms   {n / scalar:10.0f} points/s"
        f"   ({scalar / vectorized:.0f}x slower)"
    )
    print(
        f"   loop iterating the maps       {naive * 1e3:8.1f} ms   {n / naive:10.0f} points/s"
        f"   ({naive / vectorized:.0f}x slower)"
    )
    points = W_AXIS.size * B_AXIS.size
    print(f"   full {W_AXIS.size} x {B_AXIS.size} grid, vectorized: {full * 1e3:.1f} ms ({points / full:.0f} points/s)")


def spectrum_costs() -> None:
    print("2. Jacobian spectrum, depth 32 x width 400, tanh at (1.05, 2e-5):")
    for weights in jb.WEIGHTS:
        net = jb.RandomNet("tanh", 1.05, 2e-5, 400, weights)
        t64 = median_seconds(lambda n=net: jb.singular_values(n, 32))
        t32 = median_seconds(lambda n=net: jb.singular_values(n, 32, dtype=np.float32))
        s64, s32 = jb.singular_values(net, 32), jb.singular_values(net, 32, dtype=np.float32)
        top = s64 > 1e-3 * s64[0]
        err = float(np.max(np.abs(s32[top] / s64[top] - 1)))
        print(
            f"   {weights:10s} float64 {t64 * 1e3:7.1f} ms   float32 {t32 * 1e3:7.1f} ms ({t64 / t32:.2f}x),"
            f" float32's largest relative error over the singular values above 1e-3 of the top: {err:.1e}"
        )


def _page_seconds(page: str, **query: str) -> float:
    """One run of a page's script through AppTest (no browser), in seconds."""
    at = AppTest.from_file(page_path(page), default_timeout=300)
    at.query_params.update(query)
    start = time.perf_counter()
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].message}")
    return time.perf_counter() - start


def view_costs(rounds: int = 3) -> None:
    """The page's default view as a first visitor of a process gets it (every cache cleared), and a
    change of σ_w² (process-wide caches warm, the setting's own work done anew), beside the
    activation lab's default view and a change of its seed, measured the same way in turn."""
    _page_seconds("theory")  # imports, once
    _page_seconds("activations")
    rows: dict[str, list[float]] = {}
    for n in range(rounds):
        for page, query in (("theory", {}), ("activations", {})):
            st.cache_data.clear()
            st.cache_resource.clear()
            rows.setdefault(f"{page}: default view, caches cleared", []).append(_page_seconds(page, **query))
        rows.setdefault("theory: sw2 changed", []).append(_page_seconds("theory", sw2=f"{1.1 + 0.1 * n:.1f}"))
        rows.setdefault("activations: seed changed", []).append(_page_seconds("activations", seed=str(n + 1)))
    print(f"3. the pages' scripts through AppTest (median of {rounds}, s; the browser's share is not included):")
    medians = {name: float(np.median(times)) for name, times in rows.items()}
    for name, seconds in medians.items():
        print(f"   {name:45s} {seconds:7.3f}")
    ratio = medians["theory: default view, caches cleared"] / medians["activations: default view, caches cleared"]
    change = medians["theory: sw2 changed"] / medians["activations: seed changed"]
    print(f"   theory / activation lab: default view {ratio:.2f}x, a change {change:.2f}x")


def main() -> None:
    tune_runtime()
    phase_costs()
    spectrum_costs()
    view_costs()


if __name__ == "__main__":
    main()
