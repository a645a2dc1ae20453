"""Histogram summaries: counts exact at both edges of every range, ranges fitted to the data and merged
exactly onto a figure's shared range.

Property tests over many arrays drawn from a seeded NumPy generator (no extra test
dependency): values spread over and around the range, the edges themselves, their
neighbouring floats (np.nextafter) and non-finite values.
"""

import numpy as np
import pytest

from engine.activations import ACTIVATIONS
from engine.stats import DISPLAY_BINS, FINE_BINS, shared_display, summarize, summarize_aligned

RANGES = {f"{name} activations": act.hist_range for name, act in ACTIVATIONS.items() if act.hist_range}
RANGES |= {"symmetric ±4": (-4.0, 4.0), "power-of-two grid": (-0.5, 0.25)}
CASES = 300


def edge_values(lo: float, hi: float) -> dict[str, float]:
    return {
        "lo": lo,
        "just above lo": np.nextafter(lo, np.inf),
        "just below lo": np.nextafter(lo, -np.inf),
        "hi": hi,
        "just below hi": np.nextafter(hi, -np.inf),
        "just above hi": np.nextafter(hi, np.inf),
    }


def random_array(rng: np.random.Generator, lo: float, hi: float, inside_only: bool) -> np.ndarray:
    """Values over the range (or a little beyond it), some edge values, and sometimes inf/NaN."""
    width = hi - lo
    spread = (lo, hi) if inside_only else (lo - 0.2 * width, hi + 0.2 * width)
    values = [rng.uniform(*spread, size=rng.integers(0, 50))]
    edges = list(edge_values(lo, hi).values())
    if inside_only:
        edges = [v for v in edges if lo <= v <= hi]
    values.append(rng.choice(edges, size=rng.integers(1, 6)))
    if not inside_only and rng.random() < 0.5:
        values.append(rng.choice([np.inf, -np.inf, np.nan, 1e300, -1e300], size=rng.integers(1, 4)))
    x = np.concatenate(values)
    rng.shuffle(x)
    return x


@pytest.mark.parametrize("n_bins", [FINE_BINS, DISPLAY_BINS, 7])
@pytest.mark.parametrize("name", sorted(RANGES))
def test_counts_match_numpy_histogram_with_outside_values_in_the_end_bins(name, n_bins):
    lo, hi = RANGES[name]
    rng = np.random.default_rng([n_bins, *map(ord, name)])
    for case in range(CASES):
        x = random_array(rng, lo, hi, inside_only=case % 2 == 0)
        finite = x[np.isfinite(x)]
        s = summarize(x, lo, hi, n_bins=n_bins)
        expected, _ = np.histogram(np.clip(finite, lo, hi), bins=n_bins, range=(lo, hi))
        assert s.counts.shape == (n_bins,), x
        np.testing.assert_array_equal(s.counts, expected, err_msg=repr(x))
        assert s.n_finite == finite.size and s.n_total == x.size
        outside = np.count_nonzero((finite < lo) | (finite > hi))
        assert s.frac_outside == pytest.approx(outside / max(finite.size, 1))


@pytest.mark.parametrize("name", sorted(RANGES))
def test_each_edge_value_lands_in_its_end_bin_and_only_beyond_the_range_counts_as_outside(name):
    lo, hi = RANGES[name]
    middle = np.array([(lo + hi) / 2])
    for label, v in edge_values(lo, hi).items():
        # Alone (every value inside or every value outside) and beside an ordinary value.
        for x in (np.array([v]), np.append(middle, v)):
            s = summarize(x, lo, hi)
            assert s.counts.shape == (FINE_BINS,), label
            assert s.display_counts().shape == (DISPLAY_BINS,), label
            end = 0 if label.endswith("lo") else FINE_BINS - 1
            assert s.counts[end] == 1, label
            assert s.counts.sum() == x.size, label
            beyond = label in ("just below lo", "just above hi")
            assert s.frac_outside == (1 / x.size if beyond else 0.0), label


def test_a_tanh_layer_whose_largest_value_is_just_below_1_can_be_drawn():
    # The activation lab's crash: max 0.9999999999999999 gave 201 counts and display_counts raised.
    a = np.tanh(np.random.default_rng(0).standard_normal((16, 64)))
    a[3, 5] = np.nextafter(1.0, 0.0)
    s = summarize(a, *ACTIVATIONS["tanh"].hist_range)
    assert s.display_counts().sum() == a.size
    assert s.counts[-1] >= 1


def test_non_finite_values_are_left_out_of_the_counts_and_reported():
    lo, hi = -4.0, 4.0
    x = np.array([np.inf, -np.inf, np.nan, 0.5, hi, lo])
    s = summarize(x, lo, hi)
    assert s.counts.sum() == s.n_finite == 3 and s.n_total == 6
    assert s.frac_outside == 0.0


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


@pytest.mark.parametrize("value", [0.7615941559557649, 0.1, -3.3e-5])
def test_values_all_equal_have_exactly_that_mean_and_no_spread(value):
    # A zero-init layer's activations are one value, act(b): the per-layer table must say std 0.
    x = np.full((16, 4096), value)
    for summary in (summarize(x, -1.0, 1.0), summarize_aligned(x)):
        assert summary.mean == value and summary.std == 0.0
