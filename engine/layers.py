"""Forward/backward pairs for one dense layer and one activation (CS231n layers.py style).

`dense_*` use explicit weights. `exact_dense_*` sample the pre-activations
x @ W for W = s * N(0, 1)^(Din x Dout) exactly in distribution without forming
W, from the Gram structure of the batch (see DESIGN.md, "Exact-distribution
sampling"): z = s * F G with F F^T = x x^T and G ~ N(0, 1)^(r x Dout).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.activations import ACTIVATIONS

_RANK_TOL = 1e-12
# A Cholesky factor whose diagonal spans less than this (squared) is checked for a dominant mean.
_TRUSTED_RATIO = 1e-8
# Within these magnitudes squares stay normal floats, so x @ x.T needs no rescaled copy.
_SAFE_LOW, _SAFE_HIGH = 1e-100, 1e100


def dense_forward(x: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, tuple]:
    """z = x @ w + b: x (N, Din), w (Din, Dout) -> z (N, Dout)."""
    return x @ w + b, (x, w)


def dense_backward(dz: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, float]:
    """Gradients of dense_forward: dz (N, Dout) -> dx (N, Din), dw (Din, Dout), db (scalar bias)."""
    x, w = cache
    return dz @ w.T, x.T @ dz, float(dz.sum())


def activation_forward(z: np.ndarray, name: str, slope: float = 0.01) -> tuple[np.ndarray, tuple]:
    """a = f(z) elementwise; the cache keeps z for the derivative."""
    return ACTIVATIONS[name].fn(z, slope), (z, name, slope)


def activation_backward(da: np.ndarray, cache: tuple) -> np.ndarray:
    """dz = da * f'(z)."""
    z, name, slope = cache
    return da * ACTIVATIONS[name].grad(z, slope)


@dataclass(frozen=True)
class GramFactor:
    """x = scale * F @ Qt with Qt (r, Din) having orthonormal rows; Qt = P @ (x / scale).

    F (N, r), P and the scaled Gram matrix (x / scale) @ (x / scale).T (N, N) are small;
    Qt is formed only when the backward pass needs it. A factor built from the centred
    batch (`centring` = (mean scale, spread scale), see _centred_factor) has P (r, N + 1)
    acting on the rows [mean / sm; (x - mean) / sc], computed elementwise for accuracy.
    """

    scale: float
    f: np.ndarray
    p: np.ndarray
    gram: np.ndarray
    centring: tuple[float, float] | None = None

    @property
    def rank(self) -> int:
        return self.f.shape[1]

    def qt(self, x: np.ndarray) -> np.ndarray:
        """The orthonormal row basis Qt (r, Din) of x's row space."""
        if not self.rank:
            return np.zeros((0, x.shape[1]))
        if self.centring is None:
            return (self.p / self.scale) @ x
        return self.p @ _centred_rows(x, *self.centring)


def _split_mean(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean (Din,), x - mean (N, Din)), centred twice so that the rows sum to 0 at the spread's own precision."""
    mean = x.mean(axis=0)
    centred = x - mean
    residual = centred.mean(axis=0)  # the rounding of a huge mean, left in every row
    centred -= residual
    return mean + residual, centred


def _centred_rows(x: np.ndarray, sm: float, sc: float) -> np.ndarray:
    """Y = [mean / sm; (x - mean) / sc] (N + 1, Din), or only the mean row when sc = 0."""
    mean, centred = _split_mean(x)
    if sc == 0.0:
        return (mean / sm)[None, :]
    return np.vstack([mean / sm, centred / sc])


def _scaled_gram(x: np.ndarray, scale: float) -> np.ndarray:
    """(x / scale) @ (x / scale).T, copying x only when its squares could over- or underflow."""
    if _SAFE_LOW < scale < _SAFE_HIGH:
        return (x @ x.T) / (scale * scale)
    xs = x / scale
    return xs @ xs.T


def _eigh_factor(gram: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(L, L+) with L L^T = gram (m, m) on its numerical range: L (m, r), L+ (r, m) its pseudo-inverse."""
    vals, vecs = np.linalg.eigh(gram)
    keep = vals > _RANK_TOL * gram.shape[0] * max(vals.max(initial=0.0), 0.0)
    root = np.sqrt(vals[keep])
    return vecs[:, keep] * root, (vecs[:, keep] / root).T


def _nan_factor(n: int) -> GramFactor:
    """No factor exists (inf/NaN in x): a NaN scale makes every product with it NaN, so the overflow
    is reported downstream (as with explicit weights) instead of vanishing into a rank-0 factor."""
    return GramFactor(np.nan, np.zeros((n, 0)), np.zeros((0, n)), np.full((n, n), np.nan))


def _centred_factor(x: np.ndarray, scale: float, mean: np.ndarray, centred: np.ndarray) -> GramFactor:
    """gram_factor for a batch whose mean outweighs its spread: x = 1 mean^T + centred, each part at unit scale.

    The Gram matrix of x holds the spread's directions at (spread / mean)^2 of its largest
    eigenvalue, where a huge mean and a tiny spread lose them to rounding. Here they are
    factored from Y = [mean / sm; centred / sc] (N + 1, Din), so their relative scale does
    not matter: x = T Y with T = [sm 1, sc I] (N, N + 1).
    """
    n = x.shape[0]
    sm, sc = float(np.max(np.abs(mean))), float(np.max(np.abs(centred)))
    if not (np.isfinite(sm) and np.isfinite(sc)):
        return _nan_factor(n)  # the mean of values near the float limit overflows: no factor exists
    ones = np.ones((n, 1))
    if sc <= n * np.finfo(np.float64).eps * sm:
        sc = 0.0  # differences at the rounding level of the mean: identical examples, not a signal
    y = (mean / sm)[None, :] if sc == 0.0 else np.vstack([mean / sm, centred / sc])
    t = sm * ones if sc == 0.0 else np.hstack([sm * ones, sc * np.eye(n)])
    root, root_inv = _eigh_factor(y @ y.T)  # the centred rows sum to 0, a null direction: eigh, not Cholesky
    f = (t @ root) / scale
    return GramFactor(scale, f, root_inv, f @ f.T, (sm, sc))


def gram_factor(x: np.ndarray) -> GramFactor:
    """Factor x (N, Din) as scale * F @ Qt: Cholesky of the Gram matrix, else a centred or eigh factor.

    The Cholesky factor serves while the Gram matrix is well conditioned. When it is not, a
    mean that outweighs the spread is split off first (_centred_factor), so the directions
    that tell the examples apart survive; otherwise eigh keeps the numerical range (a batch
    with repeated rows, or more rows than columns, has a Gram matrix of lower rank).
    """
    n = x.shape[0]
    scale = max(float(x.max()), -float(x.min())) if x.size else 0.0
    if not np.isfinite(scale):
        return _nan_factor(n)
    if scale == 0.0:
        return GramFactor(1.0, np.zeros((n, 0)), np.zeros((0, n)), np.zeros((n, n)))
    gram = _scaled_gram(x, scale)
    chol, ratio = None, 0.0
    try:
        chol = np.linalg.cholesky(gram)
        diag = np.diag(chol)
        ratio = float(diag.min() / diag.max()) ** 2
    except np.linalg.LinAlgError:
        pass
    # Rounding perturbs a direction of relative size ratio by about eps / ratio: below
    # _TRUSTED_RATIO the smallest directions are suspect, so check where they come from.
    if ratio > max(_TRUSTED_RATIO, _RANK_TOL * n):
        return GramFactor(scale, chol, np.linalg.inv(chol), gram)
    # The mean's share of the energy, read off the Gram matrix: n |mean|^2 = 1^T gram 1 / n.
    if gram.sum() / n > 0.5 * np.trace(gram):
        return _centred_factor(x, scale, *_split_mean(x))
    if ratio > _RANK_TOL * n:
        return GramFactor(scale, chol, np.linalg.inv(chol), gram)
    root, root_inv = _eigh_factor(gram)
    return GramFactor(scale, root, root_inv, gram)


@dataclass(frozen=True)
class ExactCache:
    """What an exact backward pass needs from its forward pass: x's Gram factor and the
    draw that fixed Qt W / scale (G for Gaussian weights, A for orthogonal ones).

    The draw is kept in float32 (half the memory of the pre-activations it made): the
    forward pass uses the very same rounded values, so the pair stays consistent.
    """

    factor: GramFactor
    draw: np.ndarray


def exact_dense_forward(
    x: np.ndarray, dout: int, s: float, b: float, rng: np.random.Generator
) -> tuple[np.ndarray, ExactCache]:
    """Sample z = x @ W + b for W = s * N(0,1)^(Din x dout) exactly, without forming W.

    x (N, Din) -> z (N, dout). G (r, dout) comes from rng, so the same rng state
    gives the same G and a changed s rescales the picture rather than resampling it.
    """
    factor = gram_factor(x)
    g = rng.standard_normal((factor.rank, dout), dtype=np.float32)
    z = factor.f @ g.astype(np.float64)
    z *= s * factor.scale
    z += b
    return z, ExactCache(factor, g)


def exact_dense_backward(
    dz: np.ndarray,
    x: np.ndarray,
    cache: ExactCache,
    s: float,
    rng: np.random.Generator,
    dz_factor: GramFactor | None = None,
) -> np.ndarray:
    """dx = dz @ W.T for the W the forward pass sampled implicitly: dz (N, Dout) -> dx (N, Din).

    W = Q (Q^T W) + (I - Q Q^T) W. The forward pass fixed Q^T W = s G; the
    second part is independent of it and replaced by a fresh draw from rng:
    dx = s (dz G^T) Qt + M - (M Qt^T) Qt with M ~ dz W'^T, sampled from dz's Gram factor
    (pass it as dz_factor when the caller has it already).
    """
    qt = cache.factor.qt(x)
    dz_factor = dz_factor or gram_factor(dz)
    h = rng.standard_normal((dz_factor.rank, x.shape[1]))
    # With fresh = c F H (c F the factor of dz): dx = fresh + (s dz G^T - fresh Qt^T) Qt,
    # grouped so that only two (N x N) @ (N x Din) products touch full-width arrays.
    c_f = (s * dz_factor.scale) * dz_factor.f
    coef = s * (dz @ cache.draw.T.astype(np.float64)) - c_f @ (h @ qt.T)
    out = c_f @ h
    out += coef @ qt
    return out


def mlp_forward(
    x: np.ndarray, weights: list[np.ndarray], b: float, activation: str, slope: float = 0.01
) -> tuple[np.ndarray, list[tuple]]:
    """A stack of dense + activation layers with explicit weights: x (N, D0) -> a (N, D_L)."""
    caches = []
    for w in weights:
        z, dense_cache = dense_forward(x, w, b)
        x, act_cache = activation_forward(z, activation, slope)
        caches.append((dense_cache, act_cache))
    return x, caches


def mlp_backward(da: np.ndarray, caches: list[tuple]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Backward of mlp_forward: da (N, D_L) -> dx (N, D0) and dW per layer."""
    dws = []
    for dense_cache, act_cache in reversed(caches):
        dz = activation_backward(da, act_cache)
        da, dw, _ = dense_backward(dz, dense_cache)
        dws.append(dw)
    return da, dws[::-1]


def _random_frame(rows: int, cols: int, rng: np.random.Generator, avoid: np.ndarray | None = None) -> np.ndarray:
    """A uniformly random (rows, cols) matrix with orthonormal columns, orthogonal to avoid's rows.

    `avoid` (r, rows) has orthonormal rows; a Gaussian projected off them is
    rotation invariant within their complement, so its QR is uniform there.
    """
    g = rng.standard_normal((rows, cols))
    if avoid is not None and avoid.shape[0]:
        g -= avoid.T @ (avoid @ g)
    q, r = np.linalg.qr(g)
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def exact_orthogonal_forward(
    x: np.ndarray, dout: int, gain: float, b: float, rng: np.random.Generator
) -> tuple[np.ndarray, ExactCache]:
    """Sample z = x @ (gain * O) + b for a Haar-random orthogonal O (Din, dout), without O.

    With x = c F Qt, only A = Qt O (r, dout) matters. For Din <= dout, O has
    orthonormal rows and A is a uniformly random r x dout matrix with
    orthonormal rows; for Din > dout it is the first dout columns of a
    uniformly random r x Din one. Cost O(max(Din, dout) r^2) instead of a QR of O.
    """
    factor = gram_factor(x)
    din, r = x.shape[1], factor.rank
    if din <= dout:
        a = _random_frame(dout, r, rng).T
    else:
        a = _random_frame(din, r, rng).T[:, :dout]
    a = a.astype(np.float32)
    z = (gain * factor.scale) * (factor.f @ a.astype(np.float64)) + b
    return z, ExactCache(factor, a)


def psd_factor(gram: np.ndarray) -> np.ndarray:
    """C (N, k) with C C^T = gram for a symmetric PSD gram (N, N); k is its numerical rank."""
    return _eigh_factor(gram)[0]


def _wide_complement_coefficients(dz: np.ndarray, a: np.ndarray, m: int, rng: np.random.Generator) -> np.ndarray:
    """For Din <= dout: C with dz B^T = C P^T, P a random frame, B O's rows orthogonal to A's."""
    rest = dz - (dz @ a.T) @ a  # dz (I - A^T A); A has orthonormal rows here
    rest_factor = gram_factor(rest)
    if rest_factor.rank == 0:
        return np.zeros((dz.shape[0], 0))
    # B V, V the row basis of rest, is distributed as the top m rows of a random frame.
    top = _random_frame(a.shape[1] - a.shape[0], rest_factor.rank, rng)[:m]
    _, s = np.linalg.qr(top)
    return (rest_factor.scale * rest_factor.f) @ s.T


def _tall_complement_coefficients(dz: np.ndarray, a: np.ndarray) -> np.ndarray:
    """For Din > dout: C with C C^T = dz (I - A^T A) dz^T, the Gram matrix of dz B^T."""
    peak = float(np.max(np.abs(dz))) or 1.0
    if not np.isfinite(peak):
        return np.full((dz.shape[0], 1), np.nan)  # eigh cannot factor inf/NaN: pass them on as NaN
    scaled = dz / peak
    seen = scaled @ a.T
    return peak * psd_factor(scaled @ scaled.T - seen @ seen.T)


def exact_orthogonal_backward(
    dz: np.ndarray,
    x: np.ndarray,
    cache: ExactCache,
    gain: float,
    rng: np.random.Generator,
    dz_factor: GramFactor | None = None,
) -> np.ndarray:
    """dx = dz @ (gain * O).T for the O the forward pass sampled implicitly: dz (N, dout) -> dx (N, Din).

    With Q the row basis of x and A = Qt O from the forward pass,
    dz O^T = (dz A^T) Qt + dz B^T Q_perp^T, where B = Q_perp^T O is O's part
    outside x's row space. That second term has rows uniformly oriented in the
    complement of Q, so only its Gram matrix needs sampling; for Din > dout it is
    fixed by A, for Din <= dout B is a random frame orthogonal to A's rows.
    """
    din, dout = x.shape[1], dz.shape[1]
    qt = cache.factor.qt(x)
    a = cache.draw.astype(np.float64)
    seen = (dz @ a.T) @ qt
    m = din - qt.shape[0]
    if m == 0:
        return gain * seen
    del dz_factor  # the orthogonal case factors dz (I - A^T A) instead
    if din <= dout:
        coeff = _wide_complement_coefficients(dz, a, m, rng)
    else:
        coeff = _tall_complement_coefficients(dz, a)
    if coeff.shape[1] == 0:
        return gain * seen
    frame = _random_frame(din, coeff.shape[1], rng, avoid=qt)
    return gain * (seen + coeff @ frame.T)
