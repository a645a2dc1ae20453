"""Histogram summaries: ranges fitted to the data, merged exactly onto a figure's shared range."""

import numpy as np
import pytest

from engine.stats import FINE_BINS, shared_display, summarize_aligned

rng = np.random.default_rng(7)
ARRAYS = {
    "unit gaussian": rng.normal(0.0, 1.0, (16, 512)),
    "wide": rng.normal(0.0, 37.0, (16, 512)),
    "narrow": rng.normal(0.0, 3e-4, (16, 512)),
    "offset": rng.normal(-5.0, 0.2, (16, 512)),
    "relu-like": np.maximum(rng.normal(0.0, 2.0, (16, 512)), 0.0),
    "all zero": np.zeros((16, 512)),
    "huge": rng.normal(0.0, 1e300, (4, 64)),
}


@pytest.mark.parametrize("name", list(ARRAYS))
def test_aligned_counts_are_a_histogram_of_every_value(name):
    x = ARRAYS[name]
    s = summarize_aligned(x)
    assert s.counts.size <= FINE_BINS and s.lo <= x.min() and x.max() < s.hi
    edges = np.linspace(s.lo, s.hi, s.counts.size + 1)
    np.testing.assert_array_equal(s.counts, np.histogram(x, bins=edges)[0])
    assert s.counts.sum() == x.size and s.frac_outside == 0.0


def test_non_finite_values_are_left_out_and_the_rest_counted():
    x = np.array([1.0, -2.0, np.inf, np.nan, 3.5])
    s = summarize_aligned(x)
    assert (s.n_finite, s.n_total, s.counts.sum()) == (3, 5, 3)
    assert s.lo <= -2.0 and s.hi > 3.5


@pytest.mark.parametrize("symmetric", [False, True])
@pytest.mark.parametrize(
    "names",
    [
        ("unit gaussian", "wide", "narrow"),
        ("offset", "unit gaussian"),
        ("relu-like", "all zero"),
        ("all zero",),
        ("huge", "narrow"),
    ],
)
def test_merged_display_counts_equal_a_histogram_on_the_shared_range(names, symmetric):
    arrays = [ARRAYS[n] for n in names]
    lo, hi, merged = shared_display([summarize_aligned(x) for x in arrays], symmetric=symmetric)
    assert all(lo <= x.min() and x.max() < hi for x in arrays)
    assert lo <= 0.0 <= hi and (not symmetric or lo == -hi)
    for x, counts in zip(arrays, merged):
        assert counts.size <= 40
        # Exact, not approximately: every fine bin falls inside one display bin.
        np.testing.assert_array_equal(counts, np.histogram(x, bins=np.linspace(lo, hi, counts.size + 1))[0])


@pytest.mark.parametrize("name", ["unit gaussian", "offset", "relu-like", "narrow"])
def test_the_shared_range_is_fitted_to_the_data(name):
    x = ARRAYS[name]
    lo, hi, _ = shared_display([summarize_aligned(x), summarize_aligned(ARRAYS["narrow"] * 1e-3)])
    # As fine as 40 bins allow: half as wide bins would need more than 40, so the values
    # (with 0, which every range shows) fill about half the range or more.
    assert max(x.max(), 0.0) - min(x.min(), 0.0) > 0.45 * (hi - lo)
