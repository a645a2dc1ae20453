"""Per-layer summaries: moments and fractions for every layer, histogram counts for the
layers a figure shows: on fixed edges, or on a grid fitted to the data (see summarize_aligned)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

FINE_BINS = 200  # what the engine counts
DISPLAY_BINS = 40  # what the figures draw: groups of FINE_BINS // DISPLAY_BINS fine bins
MAX_HISTOGRAM_LAYERS = 12  # small multiples stay readable; deeper nets show a spread of layers
_SAFE_MAGNITUDE = 1e100
# An aligned grid's bins are at least 2**-40 of the largest |value| wide, so every bin
# index is an exact integer below 2**41; and at least 2**MIN_BIN_EXP wide, so that
# 2**-bin_exp stays a finite float.
_GRID_RESOLUTION = 40
MIN_BIN_EXP = -1000


def histogram_layers(depth: int, most: int = MAX_HISTOGRAM_LAYERS) -> frozenset[int]:
    """The 1-based layers that get histograms: all, or `most` evenly spaced incl. first and last."""
    if depth <= most:
        return frozenset(range(1, depth + 1))
    return frozenset(int(i) + 1 for i in np.round(np.linspace(0, depth - 1, most)))


@dataclass(frozen=True)
class Summary:
    """Summary of one array's finite part: moments, fractions, and optionally histogram counts.

    `counts` are len(counts) equal bins over [lo, hi]. On an aligned grid (bin_exp set)
    the bins are 2**bin_exp wide and lo is a multiple of that, so figures can merge the
    bins of several summaries exactly; such a grid covers every finite value. On fixed
    edges, values outside the range are counted in the end bins (so counts sum to the
    number of finite values) and reported in `frac_outside`. `frac_tail` is the fraction
    within the requested margin of either end of the range.
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
    lo: float = math.nan
    hi: float = math.nan
    bin_exp: int | None = None

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
    if lo_val == hi_val:
        # Every value the same (zero or constant weights): exactly that value and no spread,
        # where the sums would leave a rounding residue such as 1e-16.
        return float(lo_val), 0.0
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
        lo=lo,
        hi=hi,
    )


def _pow2(k: float, e: int) -> float:
    """k * 2**e as a float, +-inf where that overflows (math.ldexp raises there; np.ldexp under
    np.errstate gives the same values at 20x the cost, which a training record pays per layer)."""
    try:
        return math.ldexp(k, e)
    except OverflowError:
        return math.copysign(math.inf, k)


def aligned_grid(lo_val: float, hi_val: float, n_bins: int = FINE_BINS) -> tuple[int, int, int]:
    """(bin_exp, first, count): the finest grid of bins 2**bin_exp wide, with edges at the
    multiples of that width, on which [lo_val, hi_val] fits in count <= n_bins bins; bin
    first (a multiple index) starts at first * 2**bin_exp."""
    peak = max(abs(lo_val), abs(hi_val))
    if peak == 0.0:
        return MIN_BIN_EXP, 0, 1
    e = max(math.frexp(peak)[1] - _GRID_RESOLUTION, MIN_BIN_EXP)
    if hi_val > lo_val:
        # Start where the bins are surely too narrow (the span is halved so that it cannot
        # overflow); the count only falls as e grows, so the first e that fits is the finest.
        e = max(e, math.frexp(hi_val / 2 - lo_val / 2)[1] - math.frexp(n_bins)[1])
    while True:
        first = math.floor(math.ldexp(lo_val, -e))
        count = math.floor(math.ldexp(hi_val, -e)) - first + 1
        if count <= n_bins:
            return e, first, count
        e += 1


def summarize_aligned(
    x: np.ndarray, histogram: bool = True, count_zeros: bool = False, n_bins: int = FINE_BINS
) -> Summary:
    """Moments of x's finite entries, plus counts on the aligned grid fitted to them (aligned_grid).

    The grid covers every finite value, so nothing is clipped; its bin width is a power of two.
    """
    flat, lo_val, hi_val = _finite_part(x)
    n = flat.size
    if n == 0:
        nan = math.nan
        counts = np.zeros(1, dtype=np.int64) if histogram else None
        return Summary(counts, nan, nan, nan, nan, 0, x.size, 0.0)
    counts, lo, hi, exp = None, math.nan, math.nan, None
    if histogram:
        exp, first, count = aligned_grid(lo_val, hi_val, n_bins)
        # Scaling by a power of two is exact, and so is the shift by an integer below 2**41:
        # each value lands in the bin floor(x / 2**exp) - first.
        pos = flat * math.ldexp(1.0, -exp)
        pos -= first
        counts = np.bincount(pos.astype(np.int64), minlength=count)
        lo, hi = _pow2(first, exp), _pow2(first + count, exp)
    mean, std = _moments(flat, lo_val, hi_val)
    return Summary(
        counts=counts,
        mean=mean,
        std=std,
        min=lo_val,
        max=hi_val,
        n_finite=n,
        n_total=x.size,
        frac_outside=0.0,
        n_zero=int(n - np.count_nonzero(flat)) if count_zeros else 0,
        lo=lo,
        hi=hi,
        bin_exp=exp,
    )


def _nice_extent(lo: float, hi: float, symmetric: bool) -> tuple[float, float]:
    """[lo, hi] widened to hold 0 (and mirrored if symmetric); [0, 1] or [-1, 1] when empty."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if symmetric:
        lo, hi = min(lo, -hi), max(hi, -lo)
    if lo == hi:
        lo, hi = (-1.0 if symmetric else 0.0), 1.0
    return lo, hi


def _display_grid(lo: float, hi: float, symmetric: bool, finest: int, most: int) -> tuple[int, int, int]:
    """(exp, first, count) of the finest display grid, bins at least 2**finest wide, holding [lo, hi]."""
    exp = max(aligned_grid(lo, hi, most)[0], finest)
    while True:
        first = math.floor(math.ldexp(lo, -exp))
        last = math.floor(math.ldexp(hi, -exp))
        if symmetric:
            half = max(-first, last + 1)
            first, last = -half, half - 1
        if last - first + 1 <= most:
            return exp, first, last - first + 1
        exp += 1


def shared_display(
    summaries: list[Summary], symmetric: bool = False, most: int = DISPLAY_BINS
) -> tuple[float, float, list[np.ndarray]]:
    """(lo, hi, counts per summary): every summary's bins merged onto one display grid of at
    most `most` equal bins that holds them all and 0 (symmetric about 0 if asked).

    Summaries on fixed edges share their range and are merged bin group by bin group. Aligned
    ones are merged exactly: display bins are a power of two wide, at least as wide as any
    summary's, so each fine bin falls in exactly one display bin.
    """
    with_counts = [s for s in summaries if s.counts is not None]
    if with_counts and all(s.bin_exp is None for s in with_counts):
        return with_counts[0].lo, with_counts[0].hi, [s.display_counts(most) for s in summaries]
    filled = [s for s in with_counts if s.n_finite > 0]
    lo = min((s.min for s in filled), default=0.0)
    hi = max((s.max for s in filled), default=0.0)
    lo, hi = _nice_extent(lo, hi, symmetric)
    finest = max((s.bin_exp for s in filled), default=MIN_BIN_EXP)
    exp, first, count = _display_grid(lo, hi, symmetric, finest, most)
    merged = []
    for s in summaries:
        if s.counts is None or s.n_finite == 0:
            merged.append(np.zeros(count, dtype=np.int64))
            continue
        fine_first = round(math.ldexp(s.lo, -s.bin_exp))
        # A right shift floors, negative indices included; beyond 62 bits every index here shifts to 0 or -1.
        shift = min(exp - s.bin_exp, 62)
        index = ((fine_first + np.arange(s.counts.size, dtype=np.int64)) >> shift) - first
        merged.append(np.bincount(index, weights=s.counts, minlength=count).astype(np.int64))
    return _pow2(first, exp), _pow2(first + count, exp), merged
