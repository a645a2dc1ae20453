"""A simulated wide net at initialization: its input-output Jacobian's singular values, and how
the correlation of two inputs evolves layer by layer (to set beside the mean-field c-map).

The net: h^l = W^l x^{l-1} + b^l, x^l = phi(h^l), l = 1..depth, all layers `width` wide, with
W^l Gaussian of entry variance sigma_w2 / width or sqrt(sigma_w2) times a Haar-orthogonal
matrix (the same variance), and b^l ~ N(0, sigma_b2). J = D_L W_L ... D_1 W_1 with
D_l = diag(phi'(h^l)) (Pennington, Schoenholz and Ganguli 2017, "Resurrecting the sigmoid").
Its mean squared singular value is chi_1^depth in the mean-field limit for both kinds of
weights; the spread differs: orthogonal weights keep the spectrum near 1 for tanh at
criticality, Gaussian ones do not, and for ReLU no weights do.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from engine.init import orthogonal
from engine.theory.meanfield import activation, q_fixed_point

WEIGHTS = ("gaussian", "orthogonal")


def _weights(kind: str, width: int, sigma_w2: float, rng: np.random.Generator, dtype) -> np.ndarray:
    """One layer's weights in dtype: drawn in float64 (the same numbers whatever the dtype),
    then scaled and, for orthogonal ones, factored in dtype."""
    base = rng.standard_normal((width, width)).astype(dtype, copy=False)
    if kind == "orthogonal":
        return orthogonal(width, width, rng, base=base) * dtype(math.sqrt(sigma_w2))
    base *= dtype(math.sqrt(sigma_w2 / width))
    return base


@dataclass(frozen=True)
class RandomNet:
    """A random net at initialization, `width` units in every layer: activation `act` (a registry
    name, `slope` for leaky_relu), weights `weights` ("gaussian" or "orthogonal") of entry variance
    sigma_w2 / width, biases of variance sigma_b2, every draw from `seed`. Its first d layers are
    the same net whatever the depth asked for."""

    act: str
    sigma_w2: float
    sigma_b2: float
    width: int
    weights: str = "gaussian"
    seed: int = 0
    slope: float = 0.01

    def __post_init__(self) -> None:
        if self.weights not in WEIGHTS:
            raise ValueError(f"weights must be one of {WEIGHTS}, got {self.weights!r}")
        if self.width < 1:
            raise ValueError(f"width must be at least 1 (got {self.width})")
        activation(self.act)  # an unknown name fails here, not deep inside a run

    def start_variance(self, q0: float | None) -> float:
        """q0 if given, else q* (1.0 where q* is 0 or infinite: there is no fixed point to start at)."""
        if q0 is not None:
            return float(q0)
        q = float(q_fixed_point(self.act, self.sigma_w2, self.sigma_b2, slope=self.slope))
        return q if 0 < q < math.inf else 1.0


def _check_depth(depth: int) -> None:
    if depth < 1:
        raise ValueError(f"depth must be at least 1 (got {depth})")


def jacobian(net: RandomNet, depth: int, q0: float | None = None, dtype=np.float64) -> np.ndarray:
    """The input-output Jacobian (width, width) of the net's first `depth` layers, for an input
    whose pre-activations have variance q0 (default q*, so every layer sits at the fixed point).

    Accumulated left to right, J <- D_l W_l J: depth matrix products of width^3. dtype float32
    halves the work of the products (and of the orthogonal weights' QR); the forward pass
    itself stays in float64. Same seed, same net, whatever the dtype (up to rounding).
    """
    _check_depth(depth)
    *_, jac = _layer_jacobians(net, depth, q0, dtype)
    return jac


def _layer_jacobians(net: RandomNet, depth: int, q0: float | None, dtype) -> Iterator[np.ndarray]:
    """The Jacobian of the first l layers, for l = 1..depth (see jacobian)."""
    spec = activation(net.act)
    rng = np.random.default_rng(net.seed)
    q = net.start_variance(q0)
    x = spec.fn(math.sqrt(q) * rng.standard_normal(net.width), net.slope)
    jac = None
    with np.errstate(all="ignore"):
        for _ in range(depth):
            w = _weights(net.weights, net.width, net.sigma_w2, rng, np.dtype(dtype).type)
            h = w.astype(np.float64) @ x + math.sqrt(net.sigma_b2) * rng.standard_normal(net.width)
            d = spec.grad(h, net.slope).astype(dtype)
            jac = d[:, None] * w if jac is None else d[:, None] * (w @ jac)
            x = spec.fn(h, net.slope)
            yield jac


def singular_values_by_depth(
    net: RandomNet, depths: Sequence[int], q0: float | None = None, dtype=np.float64
) -> list[np.ndarray]:
    """Singular values (width,) of the Jacobian of the net's first d layers, for each d of
    `depths` (increasing): one pass through max(depths) layers, an SVD at each depth asked.
    The last entry equals singular_values(net, max(depths))."""
    depths = sorted(set(int(d) for d in depths))
    _check_depth(depths[0])
    wanted = set(depths)
    layers = _layer_jacobians(net, depths[-1], q0, dtype)
    return [_svd_values(jac) for depth, jac in enumerate(layers, start=1) if depth in wanted]


def _svd_values(jac: np.ndarray) -> np.ndarray:
    """Singular values, largest first, in float64; all NaN if the product overflowed."""
    if not np.all(np.isfinite(jac)):
        return np.full(jac.shape[0], np.nan)
    return np.linalg.svd(jac, compute_uv=False).astype(np.float64)


def singular_values(net: RandomNet, depth: int, q0: float | None = None, dtype=np.float64) -> np.ndarray:
    """Singular values (width,), largest first, of jacobian(net, depth, q0, dtype)."""
    return _svd_values(jacobian(net, depth, q0, dtype))


@dataclass(frozen=True)
class SpectrumSummary:
    """Summary of singular values s: mean_sq = mean(s^2) (chi_1^depth in theory), std and
    extremes of s, and the fraction of s within `band` (lo, hi)."""

    mean_sq: float
    std: float
    max: float
    min: float
    frac_in_band: float
    band: tuple[float, float]

    @property
    def condition(self) -> float:
        """max / min (inf when the smallest is 0)."""
        return self.max / self.min if self.min > 0 else math.inf


def spectrum_summary(s: np.ndarray, band: tuple[float, float] = (0.5, 2.0)) -> SpectrumSummary:
    """SpectrumSummary of the singular values s (n,)."""
    s = np.asarray(s, dtype=float)
    lo, hi = band
    return SpectrumSummary(
        mean_sq=float(np.mean(s * s)),
        std=float(np.std(s)),
        max=float(np.max(s)),
        min=float(np.min(s)),
        frac_in_band=float(np.mean((s >= lo) & (s <= hi))),
        band=(float(lo), float(hi)),
    )


def measured_correlation(net: RandomNet, c0: float, depth: int, q0: float = 1.0) -> np.ndarray:
    """Correlation per layer (depth + 1,) of two inputs' pre-activations in one simulated net.

    Layer 0 holds two width-vectors of variance q0 and correlation c0 (measured: the draw's own
    value); layer l the uncentred correlation h_a . h_b / (|h_a| |h_b|) of layer l's
    pre-activations, Eq. 3's c^l, to compare with meanfield.correlation_trajectory.
    Each layer's weights act on the two inputs only, so W x is sampled exactly in
    O(width) (see _times_random_weights): widths of 10^5 take milliseconds per layer.
    """
    _check_depth(depth)
    if not -1.0 <= c0 <= 1.0:
        raise ValueError(f"c0 must be in [-1, 1], got {c0}")
    spec = activation(net.act)
    rng = np.random.default_rng(net.seed)
    z1, z2 = rng.standard_normal((2, net.width))
    h = math.sqrt(q0) * np.stack([z1, c0 * z1 + math.sqrt(1.0 - c0 * c0) * z2], axis=1)  # (width, 2)
    out = np.empty(depth + 1)
    with np.errstate(all="ignore"):
        for layer in range(depth + 1):
            norms = np.sqrt(np.sum(h * h, axis=0))
            out[layer] = (h[:, 0] @ h[:, 1]) / (norms[0] * norms[1])
            if layer < depth:
                x = spec.fn(h, net.slope)
                product = _times_random_weights(net.weights, x, net.sigma_w2, rng)
                h = product + math.sqrt(net.sigma_b2) * rng.standard_normal((net.width, 1))
    return out


def _times_random_weights(kind: str, x: np.ndarray, sigma_w2: float, rng: np.random.Generator) -> np.ndarray:
    """W @ x for a fresh random W (n, n) and x (n, k), sampled exactly without forming W.

    Gaussian: the rows of W x are i.i.d. N(0, (sigma_w2 / n) x^T x), so W x = G A with
    A^T A = x^T x and G (n, k) standard normal. Orthogonal: with x = Q R, Q_haar Q is a
    uniformly random orthonormal frame, so W x = sqrt(sigma_w2) F R with F from engine.init.orthogonal.
    """
    n, k = x.shape
    if not np.all(np.isfinite(x)):
        return np.full_like(x, np.nan)
    if kind == "orthogonal":
        _, r = np.linalg.qr(x)
        return math.sqrt(sigma_w2) * orthogonal(n, k, rng) @ r
    vals, vecs = np.linalg.eigh(x.T @ x)
    root = np.sqrt(np.maximum(vals, 0.0))[:, None] * vecs.T  # A with A^T A = x^T x
    return math.sqrt(sigma_w2 / n) * rng.standard_normal((n, k)) @ root
