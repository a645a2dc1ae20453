"""Per-layer summaries: histogram counts on fixed edges, moments and fractions."""

from __future__ import annotations

import math
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
    n_zero: int = 0

    @property
    def rms(self) -> float:
        """Root mean square, sqrt(mean^2 + std^2), without overflow for huge values."""
        return math.hypot(self.mean, self.std)


def summarize(x: np.ndarray, lo: float, hi: float, n_bins: int = N_BINS) -> Summary:
    """Histogram counts of x's finite entries on n_bins equal bins over [lo, hi], plus moments."""
    flat = x.reshape(-1)
    lo_val, hi_val = (float(flat.min()), float(flat.max())) if flat.size else (math.nan, math.nan)
    if not (math.isfinite(lo_val) and math.isfinite(hi_val)):
        flat = flat[np.isfinite(flat)]  # only pay for the mask when something is non-finite
        if flat.size == 0:
            nan = math.nan
            return Summary(np.zeros(n_bins, dtype=np.int64), nan, nan, nan, nan, 0, x.size, 0.0)
        lo_val, hi_val = float(flat.min()), float(flat.max())
    n = flat.size
    outside = 0
    if lo_val < lo or hi_val > hi:
        outside = int(np.count_nonzero(flat < lo) + np.count_nonzero(flat > hi))
    # bincount on clipped indices is several times faster than np.histogram.
    pos = (flat - lo) * (n_bins / (hi - lo))
    np.clip(pos, 0, n_bins - 1, out=pos)
    counts = np.bincount(pos.astype(np.intp), minlength=n_bins)
    # Moments of flat/peak, so that squares of huge values cannot overflow.
    peak = max(abs(lo_val), abs(hi_val)) or 1.0
    mean = float(flat.sum() / n / peak)
    dev = flat / peak - mean
    return Summary(
        counts=counts,
        mean=mean * peak,
        std=math.sqrt(float(dev @ dev) / n) * peak,
        min=lo_val,
        max=hi_val,
        n_finite=n,
        n_total=x.size,
        frac_outside=outside / n,
        n_zero=int(n - np.count_nonzero(flat)),
    )
