"""Per-layer summaries: histogram counts on fixed edges, moments and fractions."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

FINE_BINS = 200  # what the engine counts; saturation tails are read off these
DISPLAY_BINS = 40  # what the figures draw: groups of FINE_BINS // DISPLAY_BINS fine bins
_SAFE_MAGNITUDE = 1e100
GRAD_RANGE = (-4.0, 4.0)
PRE_RANGE = (-4.0, 4.0)


def bin_edges(lo: float, hi: float, n_bins: int = DISPLAY_BINS) -> np.ndarray:
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

    def display_counts(self, bins: int = DISPLAY_BINS) -> np.ndarray:
        """Counts merged into `bins` equal bins over the same range (bins must divide the count)."""
        return self.counts.reshape(bins, -1).sum(axis=1)

    def tail_fraction(self, bins: int) -> float:
        """Fraction of finite values in the first and last `bins` fine bins."""
        if self.n_finite == 0:
            return math.nan
        return float(self.counts[:bins].sum() + self.counts[-bins:].sum()) / self.n_finite

    @property
    def rms(self) -> float:
        """Root mean square, sqrt(mean^2 + std^2), without overflow for huge values."""
        return math.hypot(self.mean, self.std)


def summarize(x: np.ndarray, lo: float, hi: float, n_bins: int = FINE_BINS, count_zeros: bool = False) -> Summary:
    """Histogram counts of x's finite entries on n_bins equal bins over [lo, hi], plus moments.

    count_zeros also counts exact zeros (ReLU's dead outputs), at the price of one more pass.
    """
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
    pos = flat * (n_bins / (hi - lo))
    pos -= lo * (n_bins / (hi - lo))
    np.clip(pos, 0, n_bins - 1, out=pos)
    counts = np.bincount(pos.astype(np.int32), minlength=n_bins)
    peak = max(abs(lo_val), abs(hi_val))
    # Scale huge values down first so that their squares cannot overflow.
    scale = peak if peak > _SAFE_MAGNITUDE else 1.0
    mean = float(flat.sum()) / n / scale
    dev = flat / scale - mean if scale != 1.0 else flat - mean
    return Summary(
        counts=counts,
        mean=mean * scale,
        std=math.sqrt(float(dev @ dev) / n) * scale,
        min=lo_val,
        max=hi_val,
        n_finite=n,
        n_total=x.size,
        frac_outside=outside / n,
        n_zero=int(n - np.count_nonzero(flat)) if count_zeros else 0,
    )
