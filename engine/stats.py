"""Per-layer summaries: histogram counts on fixed edges, moments and fractions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_BINS = 40
GRAD_RANGE = (-4.0, 4.0)
PRE_RANGE = (-4.0, 4.0)


def bin_edges(lo: float, hi: float, n_bins: int = N_BINS) -> np.ndarray:
    """Evenly spaced edges from lo to hi: (n_bins + 1,)."""
    return np.linspace(lo, hi, n_bins + 1)


@dataclass(frozen=True)
class Summary:
    """Summary of one array: counts on fixed bins plus moments of its finite part.

    Values outside the plotted range are counted in the end bins (so counts
    sum to the number of finite values) and reported in `frac_outside`.
    """

    counts: np.ndarray
    mean: float
    std: float
    min: float
    max: float
    n_finite: int
    n_total: int
    frac_outside: float

    @property
    def rms(self) -> float:
        return float(np.sqrt(self.mean**2 + self.std**2))


def summarize(x: np.ndarray, lo: float, hi: float, n_bins: int = N_BINS) -> Summary:
    """Histogram counts of x's finite entries on n_bins equal bins over [lo, hi], plus moments."""
    flat = x.ravel()
    finite = flat[np.isfinite(flat)]
    n = finite.size
    if n == 0:
        nan = float("nan")
        return Summary(np.zeros(n_bins, dtype=np.int64), nan, nan, nan, nan, 0, flat.size, 0.0)
    # bincount on precomputed indices is several times faster than np.histogram.
    pos = (finite - lo) * (n_bins / (hi - lo))
    outside = int(np.count_nonzero((pos < 0) | (pos > n_bins)))
    idx = np.clip(pos, 0, n_bins - 1).astype(np.int64)
    counts = np.bincount(idx, minlength=n_bins)
    return Summary(
        counts=counts,
        mean=float(finite.mean()),
        std=float(finite.std()),
        min=float(finite.min()),
        max=float(finite.max()),
        n_finite=n,
        n_total=flat.size,
        frac_outside=outside / n,
    )
