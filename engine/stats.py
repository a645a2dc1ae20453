"""Per-layer summaries: moments and fractions for every layer, histogram counts on fixed
edges for the layers a figure shows."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

FINE_BINS = 200  # what the engine counts
DISPLAY_BINS = 40  # what the figures draw: groups of FINE_BINS // DISPLAY_BINS fine bins
MAX_HISTOGRAM_LAYERS = 12  # small multiples stay readable; deeper nets show a spread of layers
_SAFE_MAGNITUDE = 1e100
GRAD_RANGE = (-4.0, 4.0)
PRE_RANGE = (-4.0, 4.0)


def histogram_layers(depth: int, most: int = MAX_HISTOGRAM_LAYERS) -> frozenset[int]:
    """The 1-based layers that get histograms: all, or `most` evenly spaced incl. first and last."""
    if depth <= most:
        return frozenset(range(1, depth + 1))
    return frozenset(int(i) + 1 for i in np.round(np.linspace(0, depth - 1, most)))


@dataclass(frozen=True)
class Summary:
    """Summary of one array's finite part: moments, fractions, and optionally histogram counts.

    Values outside the histogram range are counted in the end bins (so counts sum
    to the number of finite values) and reported in `frac_outside`. `frac_tail` is
    the fraction within the requested margin of either end of the range.
    """

    counts: np.ndarray | None
    mean: float
    std: float
    min: float
    max: float
    n_finite: int
    n_total: int
    frac_outside: float
    n_zero: int = 0
    frac_tail: float = math.nan

    def display_counts(self, bins: int = DISPLAY_BINS) -> np.ndarray:
        """Counts merged into `bins` equal bins over the same range (bins must divide the count)."""
        return self.counts.reshape(bins, -1).sum(axis=1)

    @property
    def rms(self) -> float:
        """Root mean square, sqrt(mean^2 + std^2), without overflow for huge values."""
        return math.hypot(self.mean, self.std)


def _finite_part(x: np.ndarray) -> tuple[np.ndarray, float, float]:
    flat = x.reshape(-1)
    lo_val, hi_val = (float(flat.min()), float(flat.max())) if flat.size else (math.nan, math.nan)
    if not (math.isfinite(lo_val) and math.isfinite(hi_val)):
        flat = flat[np.isfinite(flat)]  # only pay for the mask when something is non-finite
        lo_val, hi_val = (float(flat.min()), float(flat.max())) if flat.size else (math.nan, math.nan)
    return flat, lo_val, hi_val


def _counts(flat: np.ndarray, lo: float, hi: float, n_bins: int, inside: bool) -> np.ndarray:
    """Counts (n_bins,) of flat on n_bins equal bins over [lo, hi]; outside values in the end bins."""
    # bincount on computed bin indices is several times faster than np.histogram.
    per_unit = n_bins / (hi - lo)
    pos = flat * per_unit
    pos -= lo * per_unit
    if not inside:
        np.clip(pos, 0, n_bins - 1, out=pos)  # out-of-range values go to the end bins
    counts = np.bincount(pos.astype(np.int32), minlength=n_bins)
    if counts.size > n_bins:
        # Rounding can put a value just below hi at index n_bins: it belongs to the last bin.
        # (Rounding is monotone, so a value at or above lo never lands below index 0.)
        counts[n_bins - 1] += counts[n_bins:].sum()
        counts = counts[:n_bins]
    return counts


def _moments(flat: np.ndarray, lo_val: float, hi_val: float) -> tuple[float, float]:
    n = flat.size
    peak = max(abs(lo_val), abs(hi_val))
    # Scale huge values down first so that their squares cannot overflow.
    scale = peak if peak > _SAFE_MAGNITUDE else 1.0
    scaled = flat / scale if scale != 1.0 else flat
    mean = float(scaled.sum()) / n
    var = float(scaled @ scaled) / n - mean * mean
    if var < 1e-6 * mean * mean:
        # E[x^2] - mean^2 cancels when the spread is tiny next to the mean: two passes instead.
        dev = scaled - mean
        var = float(dev @ dev) / n
    return mean * scale, math.sqrt(max(var, 0.0)) * scale


def _tail(flat: np.ndarray, lo: float, hi: float, margin: float, counts: np.ndarray | None) -> float:
    """Fraction within margin of lo or hi; read off the bins when the margin is a whole number of them."""
    if counts is not None:
        bins = margin * counts.size / (hi - lo)
        if abs(bins - round(bins)) < 1e-9 and round(bins) >= 1:
            k = round(bins)
            return float(counts[:k].sum() + counts[-k:].sum()) / flat.size
    return (np.count_nonzero(flat <= lo + margin) + np.count_nonzero(flat >= hi - margin)) / flat.size


def summarize(
    x: np.ndarray,
    lo: float,
    hi: float,
    histogram: bool = True,
    count_zeros: bool = False,
    tail_margin: float | None = None,
    n_bins: int = FINE_BINS,
) -> Summary:
    """Moments of x's finite entries, plus counts on n_bins equal bins over [lo, hi] if histogram.

    count_zeros also counts exact zeros (ReLU's dead outputs); tail_margin measures the
    fraction within that distance of lo or hi (saturation). Each costs one more pass.
    """
    flat, lo_val, hi_val = _finite_part(x)
    n = flat.size
    if n == 0:
        nan = math.nan
        counts = np.zeros(n_bins, dtype=np.int64) if histogram else None
        return Summary(counts, nan, nan, nan, nan, 0, x.size, 0.0)
    outside = 0
    if lo_val < lo or hi_val > hi:
        outside = int(np.count_nonzero(flat < lo) + np.count_nonzero(flat > hi))
    counts = _counts(flat, lo, hi, n_bins, inside=lo <= lo_val and hi_val < hi) if histogram else None
    tail = math.nan if tail_margin is None else _tail(flat, lo, hi, tail_margin, counts)
    mean, std = _moments(flat, lo_val, hi_val)
    return Summary(
        counts=counts,
        mean=mean,
        std=std,
        min=lo_val,
        max=hi_val,
        n_finite=n,
        n_total=x.size,
        frac_outside=outside / n,
        n_zero=int(n - np.count_nonzero(flat)) if count_zeros else 0,
        frac_tail=float(tail),
    )
