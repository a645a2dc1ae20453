"""What a training run records every few steps, bounded in size.

A record point at step s describes the net after s updates: validation loss and accuracy
of those weights, the mean minibatch loss and accuracy over the steps since the previous
point, and per layer the statistics of the last of those minibatches (activations, the
gradient arriving at each hidden layer's output, saturated and dead units) and of the
update it made (||step|| / ||W||, the spread of incoming weights across units). Point 0
describes the initial weights on the first minibatch. When the record reaches
`MAX_POINTS`, every other point is dropped (their loss windows merge into the next kept
point) and the interval doubles, so the record stays small however long a run goes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.activations import ACTIVATIONS
from engine.stats import DISPLAY_BINS, Summary, histogram_layers, summarize, summarize_aligned

MAX_POINTS = 200  # even, so thinning keeps the first and the last point
PERCENTILES = (1.0, 10.0, 50.0, 90.0, 99.0)


@dataclass(frozen=True)
class LayerActivity:
    """One hidden layer on one minibatch: activations f(.) and the gradient dL/d(layer output).

    Histograms (DISPLAY_BINS bins) of the activations span the activation's fixed range;
    those of the gradients span [-grad_range, grad_range], one power of ten shared by all
    layers of the point (gradients shrink by decades while training; layers stay comparable).
    Histograms are kept for at most stats.MAX_HISTOGRAM_LAYERS layers, else None.
    """

    act: Summary
    act_percentiles: tuple[float, ...]
    grad: Summary
    grad_percentiles: tuple[float, ...]
    grad_range: float
    frac_saturated: float  # within the activation's saturation margin of an asymptote (nan: cannot saturate)
    frac_dead: float  # units at <= 0 for every example of the minibatch (nan: cannot die)


@dataclass(frozen=True)
class LayerWeights:
    """One weight layer W (D_in, D_out) and its update at a record point.

    unit_spread: sqrt(mean over inputs of the variance across units of the incoming weight)
    / rms(W); 0 when every unit has the same incoming weights (symmetry not broken), about 1
    for a random init.
    """

    rms: float
    update_ratio: float  # ||step|| / ||W||: CS231n's rule of thumb is about 1e-3
    unit_spread: float


@dataclass(frozen=True)
class RecordPoint:
    """The run at `step` updates (see the module docstring); window: minibatches averaged."""

    step: int
    window: int
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    hidden: tuple[LayerActivity, ...]
    weights: tuple[LayerWeights, ...]


@dataclass(frozen=True)
class Record:
    """Points at steps 0, every, 2 * every, ... (at most MAX_POINTS + 1 of them)."""

    every: int
    points: tuple[RecordPoint, ...] = ()

    def append(self, point: RecordPoint) -> Record:
        """A new record with point added, thinned to half with a doubled interval when full."""
        points = (*self.points, point)
        if len(points) <= MAX_POINTS:
            return Record(self.every, points)
        kept = [points[0]]
        for i in range(2, len(points), 2):
            kept.append(_merge_window(points[i - 1], points[i]))
        return Record(self.every * 2, tuple(kept))

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) of a scalar field of the points, e.g. "val_acc"."""
        return np.array([p.step for p in self.points]), np.array([getattr(p, name) for p in self.points])

    def layer_series(self, layer: int, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) of a weight-layer field ("update_ratio", "unit_spread", "rms") for layer (0-based)."""
        return self.series_of(lambda p: getattr(p.weights[layer], name))

    def series_of(self, read) -> tuple[np.ndarray, np.ndarray]:
        """(steps, read(point) for each point)."""
        return np.array([p.step for p in self.points]), np.array([read(p) for p in self.points])


def _merge_window(dropped: RecordPoint, kept: RecordPoint) -> RecordPoint:
    """kept with dropped's minibatches folded into its mean train loss and accuracy."""
    n = dropped.window + kept.window
    return RecordPoint(
        kept.step,
        n,
        (dropped.train_loss * dropped.window + kept.train_loss * kept.window) / n,
        (dropped.train_acc * dropped.window + kept.train_acc * kept.window) / n,
        kept.val_loss,
        kept.val_acc,
        kept.hidden,
        kept.weights,
    )


@lru_cache(maxsize=64)
def _ranks(n: int, qs: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For n values: the ranks below and above each percentile, their weights, and every rank to partition at."""
    pos = np.asarray(qs) / 100.0 * (n - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    return lo, hi, pos - lo, np.union1d(lo, hi)


def percentiles(x: np.ndarray, qs: tuple[float, ...] = PERCENTILES) -> tuple[float, ...]:
    """np.percentile(x, qs) (linear interpolation) of x's finite entries, from one partial sort."""
    flat = x.reshape(-1)
    if not np.isfinite(flat).all():
        flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        return (math.nan,) * len(qs)
    lo, hi, frac, ranks = _ranks(flat.size, qs)
    part = np.partition(flat, ranks)
    below, above = part[lo].astype(np.float64), part[hi].astype(np.float64)
    return tuple(float(v) for v in below + frac * (above - below))


def gradient_range(grads: tuple[np.ndarray, ...]) -> float:
    """The power of ten that holds about 4 rms of every layer's gradient (1 when all are 0)."""
    spread = max((_norm(g) / math.sqrt(g.size) for g in grads), default=0.0)
    if not math.isfinite(spread) or spread == 0.0:
        return 1.0
    return 10.0 ** math.ceil(math.log10(4.0 * spread))


def layer_activity(
    a: np.ndarray, grad: np.ndarray, activation: str, grad_range: float, histogram: bool
) -> LayerActivity:
    """Summaries of one hidden layer's activations a (N, H) and output gradient grad (N, H)."""
    act = ACTIVATIONS[activation]
    # Summaries in float64: squares of large float32 values would overflow.
    a64 = a.astype(np.float64)
    if act.hist_range is None:  # unbounded: a grid fitted to the layer's values, as in the activation lab
        a_sum = summarize_aligned(a64, histogram=histogram, count_zeros=act.can_die)
    else:
        lo, hi = act.hist_range
        a_sum = summarize(
            a64,
            lo,
            hi,
            histogram=histogram,
            tail_margin=act.saturation_margin,
            n_bins=DISPLAY_BINS,
            count_zeros=act.can_die,
        )
    g_sum = summarize(grad.astype(np.float64), -grad_range, grad_range, histogram=histogram, n_bins=DISPLAY_BINS)
    # A unit is dead when its largest output over the minibatch is <= 0 (NaN counts as alive, as in a <= 0).
    dead = float(np.count_nonzero(np.maximum.reduce(a, axis=0) <= 0)) / a.shape[1] if act.can_die else math.nan
    return LayerActivity(a_sum, percentiles(a), g_sum, percentiles(grad), grad_range, a_sum.frac_tail, dead)


def hidden_activity(
    outputs: tuple[np.ndarray, ...], grads: tuple[np.ndarray, ...], activation: str
) -> tuple[LayerActivity, ...]:
    """LayerActivity of every hidden layer (histograms for a spread of at most 12 of them)."""
    shown = histogram_layers(len(outputs))
    grad_range = gradient_range(grads)
    return tuple(
        layer_activity(a, g, activation, grad_range, i + 1 in shown) for i, (a, g) in enumerate(zip(outputs, grads))
    )


def _norm(v: np.ndarray) -> float:
    flat = v.reshape(-1).astype(np.float64, copy=False)
    return math.sqrt(float(flat @ flat))


def unit_spread(w: np.ndarray) -> float:
    """Spread of incoming weights across the units (columns) of w (D_in, D_out), relative to rms(w)."""
    w64 = w.astype(np.float64)
    return _spread(w64, _norm(w64))


def _spread(w64: np.ndarray, norm: float) -> float:
    """unit_spread of w64 (float64, a copy: it is centred in place), whose norm is known."""
    rms = norm / math.sqrt(w64.size)
    if rms == 0.0 or not math.isfinite(rms):
        return 0.0 if rms == 0.0 else math.nan
    w64 -= w64.mean(axis=1, keepdims=True)  # two passes: a tiny spread next to a large mean stays exact
    return _norm(w64) / math.sqrt(w64.size) / rms


@dataclass(frozen=True)
class WeightsBefore:
    """A weight layer before an update: its norm, entry count and unit spread."""

    norm: float
    size: int
    spread: float

    def after(self, step: np.ndarray) -> LayerWeights:
        """LayerWeights once the update `step` (the layer's slice of the optimizer's step) is known."""
        ratio = _norm(step) / self.norm if self.norm > 0 else math.inf
        return LayerWeights(self.norm / math.sqrt(self.size), ratio, self.spread)


def weight_summary(w: np.ndarray) -> WeightsBefore:
    """What a record needs of w (D_in, D_out) before it is updated (one float64 copy for both)."""
    w64 = w.astype(np.float64)
    norm = _norm(w64)
    return WeightsBefore(norm, w.size, _spread(w64, norm))
