"""Mean-field theory of signal propagation in wide random nets (Poole et al. 2016; Schoenholz et al. 2017).

A layer computes z^l = W^l y^l + b^l, y^{l+1} = phi(z^l), with W_ij ~ N(0, sigma_w2 / D_in) and
b_i ~ N(0, sigma_b2). Equation numbers below refer to Schoenholz, Gilmer, Ganguli and
Sohl-Dickstein, "Deep Information Propagation", ICLR 2017 (arXiv:1611.01232; see the caveat below):

- (Eq. 2) the q-map, the length of one input:  q^l = sigma_w2 E[phi(sqrt(q^{l-1}) z)^2] + sigma_b2
- (Eq. 3) the correlation of two inputs:  q^l_ab = sigma_w2 E[phi(u1) phi(u2)] + sigma_b2,
  u1 = sqrt(q) z1, u2 = sqrt(q) (c z1 + sqrt(1 - c^2) z2), c^l = q^l_ab / q^l
- (Eq. 4) chi_1 = dc^l / dc^{l-1} at c = 1  = sigma_w2 E[phi'(sqrt(q*) z)^2]
- (Eq. 9) the correlation depth scale xi_c = -1 / ln(sigma_w2 E[phi'(u1) phi'(u2)]) at (q*, c*);
  in the ordered phase c* = 1 and that is -1 / ln chi_1 (Eq. 10)
- (Sec. 5) gradients: the squared gradient of layer l is (D_{l+1} / D_{l+2}) chi_1 times that of
  layer l + 1, so it changes by e per xi_grad = -1 / ln chi_1 layers (Eq. 14-15).

The formulas are the paper's; the equation numbers were not re-checked against its PDF here,
so quote the formulas, not the numbers, on a page. Everything takes the activation by its
registry name (engine.activations.ACTIVATIONS) and uses the registry's own phi and phi'.
All functions broadcast over array arguments and return arrays (0-d for scalar arguments).

Conventions for the edge cases (never a hang): a fixed point q* above Q_MAX = 1e12 is reported
as inf (the length grows without bound: ReLU with sigma_w2 > 2, or = 2 with sigma_b2 > 0);
one below Q_MIN = 1e-12 as 0 (tanh with sigma_b2 = 0 and sigma_w2 <= 1: the signal dies).
Where every q is a fixed point (ReLU at sigma_w2 = 2, sigma_b2 = 0; linear at 1, 0), q* is the
starting q0. Where q* is 0 or infinite, c*, chi_c and xi_c are NaN (the correlation map assumes 0 < q* < inf).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.polynomial import polynomial as poly
from scipy.interpolate import CubicSpline

from engine.activations import ACTIVATIONS, Activation
from engine.theory.quadrature import ACCURATE, COARSE, HERMITE, centred_rule, gaussian_nodes, hermite_functions

Q_MIN = 1e-12
Q_MAX = 1e12
_TABLE_PER_DECADE = 24
_MARGINAL_TOL = 1e-9  # |q_map(q0) - q0| below this (relative) means q0 is itself a fixed point
_ROOT_STEPS = 48  # Illinois steps on a table bracket: far below the spline's own accuracy
_SERIES_DEGREE = 120  # Hermite terms of the correlation map (Mehler series)
_CHUNK = 2048  # grid points per block of the table search (bounds its memory)
_CRITICAL_TOL = 1e-9
_CROSSING_STEP = 1e-3  # in ln sigma_w2: chi_1 either side of a root, to tell a crossing from a jump
_CROSSING_JUMP = 0.05  # |ln chi| below this counts as critical: the quadrature cannot tell closer
_MAX_TAIL_POWER = 1e6  # the lumped tail term's largest power: finite, so tail * power stays a number


def activation(act: str) -> Activation:
    """The registry entry, or a ValueError naming the known ones."""
    if act not in ACTIVATIONS:
        raise ValueError(f"unknown activation {act!r}; known: {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[act]


@dataclass(frozen=True)
class Moments:
    """Gaussian moments of one activation, u ~ N(mean, var): E[phi], E[phi^2], E[phi'^2]."""

    mean: np.ndarray
    mean_sq: np.ndarray
    grad_sq: np.ndarray

    @property
    def std(self) -> np.ndarray:
        """sqrt(E[phi^2] - E[phi]^2): the spread of the activations."""
        return np.sqrt(np.maximum(self.mean_sq - self.mean**2, 0.0))


def moments(act: str, var, mean=0.0, slope: float = 0.01) -> Moments:
    """E[phi(u)], E[phi(u)^2], E[phi'(u)^2] for u ~ N(mean, var), each of the broadcast shape."""
    spec = activation(act)
    # Overflowing variances (a huge init) give inf or NaN moments: data, as in the simulation.
    with np.errstate(all="ignore"):
        u, w = gaussian_nodes(mean, np.sqrt(np.maximum(var, 0.0)), ACCURATE)
        f, g = spec.fn(u, slope), spec.grad(u, slope)
        return Moments(np.sum(w * f, -1), np.sum(w * f * f, -1), np.sum(w * g * g, -1))


def q_map(act: str, q, sigma_w2, sigma_b2, slope: float = 0.01) -> np.ndarray:
    """Eq. 2: the next layer's pre-activation variance from this layer's q (any shape)."""
    return sigma_w2 * moments(act, q, slope=slope).mean_sq + sigma_b2


def chi_1(act: str, q, sigma_w2, slope: float = 0.01) -> np.ndarray:
    """Eq. 4: sigma_w2 E[phi'(sqrt(q) z)^2], the slope of the c-map at c = 1 (and the gradient's
    factor per layer). At q = 0 or inf, its limit (q clipped to [Q_MIN, Q_MAX])."""
    return sigma_w2 * moments(act, np.clip(q, Q_MIN, Q_MAX), slope=slope).grad_sq


@dataclass(frozen=True)
class _Table:
    """E[phi^2] and E[phi'^2] at u ~ N(0, q) on a log grid of q, with cubic splines in log q."""

    log_q: np.ndarray
    q: np.ndarray
    v: np.ndarray
    log_v: CubicSpline
    log_d: CubicSpline

    def mean_sq(self, q: np.ndarray) -> np.ndarray:
        return np.exp(self.log_v(np.log(np.clip(q, Q_MIN, Q_MAX))))

    def grad_sq(self, q: np.ndarray) -> np.ndarray:
        return np.exp(self.log_d(np.log(np.clip(q, Q_MIN, Q_MAX))))


@lru_cache(maxsize=16)
def _table(act: str, slope: float) -> _Table:
    decades = round(math.log10(Q_MAX / Q_MIN))
    log_q = np.linspace(math.log(Q_MIN), math.log(Q_MAX), decades * _TABLE_PER_DECADE + 1)
    m = moments(act, np.exp(log_q), slope=slope)
    tiny = np.finfo(float).tiny
    log_v = np.log(np.maximum(m.mean_sq, tiny))
    return _Table(log_q, np.exp(log_q), m.mean_sq, CubicSpline(log_q, log_v), CubicSpline(log_q, np.log(m.grad_sq)))


def _illinois(f, lo, hi, f_lo, f_hi, steps: int = _ROOT_STEPS, tol: float = 1e-13) -> np.ndarray:
    """Vectorized Illinois (regula falsi) on brackets [lo, hi] with f_lo, f_hi of opposite signs.

    Stops when every bracket is narrower than tol (relative) or after `steps` evaluations of f.
    """
    lo, hi, f_lo, f_hi = (np.array(a, dtype=float) for a in (lo, hi, f_lo, f_hi))
    x = lo
    for _ in range(steps):
        denom = f_hi - f_lo
        x = np.where(denom != 0, hi - f_hi * (hi - lo) / np.where(denom != 0, denom, 1.0), (lo + hi) / 2)
        fx = f(x)
        same = np.sign(fx) == np.sign(f_hi)
        # Halve the stale end's value so that the bracket shrinks from both sides.
        f_lo = np.where(same, f_lo / 2, f_hi)
        lo = np.where(same, lo, hi)
        hi, f_hi = x, fx
        if np.all((np.abs(hi - lo) <= tol * (1.0 + np.abs(x))) | (fx == 0)):
            break
    return x


def _solve_block(tab: _Table, sw2: np.ndarray, sb2: np.ndarray, q0: np.ndarray) -> np.ndarray:
    """q* for 1-D arrays of points (see _solve_q)."""
    gap = sw2 * tab.mean_sq(q0) + sb2 - q0  # q_map(q0) - q0: which way the iteration moves
    f = sw2[:, None] * tab.v + sb2[:, None] - tab.q  # (P, J): the same on the table
    up = gap > 0
    idx = np.arange(tab.q.size)
    above, below = tab.q > q0[:, None], tab.q < q0[:, None]
    # Moving up: the first table q above q0 where the map stops rising; down: the last below.
    j_up = np.where(above & (f <= 0), idx, tab.q.size).min(axis=1)
    j_down = np.where(below & (f >= 0), idx, -1).max(axis=1)
    j = np.where(up, j_up, j_down)
    found = (j < tab.q.size) & (j >= 0)
    jc = np.clip(j, 0, tab.q.size - 1)
    near = np.clip(jc - np.where(up, 1, -1), 0, tab.q.size - 1)
    # The bracket runs from the table point to its neighbour towards q0 (or q0 itself, if nearer).
    x_far = tab.log_q[jc]
    x_near = np.where(up, np.maximum(tab.log_q[near], np.log(q0)), np.minimum(tab.log_q[near], np.log(q0)))
    x_near = np.where(near == jc, np.log(q0), x_near)
    # Points without a crossing get a dummy bracket: their result is replaced below.
    x_far, x_near = np.where(found, x_far, 0.0), np.where(found, x_near, 0.0)

    def g(x: np.ndarray) -> np.ndarray:
        q = np.exp(x)
        return sw2 * tab.mean_sq(q) + sb2 - q

    root = np.exp(_illinois(g, x_near, x_far, g(x_near), g(x_far), _ROOT_STEPS))
    q_star = np.where(found, root, np.where(up, np.inf, 0.0))
    marginal = np.abs(gap) <= _MARGINAL_TOL * np.maximum(q0, sb2)
    return np.where(marginal, q0, q_star)


def _solve_q(tab: _Table, sw2, sb2, q0) -> np.ndarray:
    """The fixed point q* that iterating q_map from q0 reaches, from the table (spline accuracy)."""
    sw2, sb2, q0 = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (sw2, sb2, q0)))
    flat = [a.reshape(-1) for a in (sw2, sb2, np.clip(q0, Q_MIN, Q_MAX))]
    out = np.empty(flat[0].size)
    for start in range(0, out.size, _CHUNK):
        block = slice(start, start + _CHUNK)
        out[block] = _solve_block(tab, *(a[block] for a in flat))
    return out.reshape(sw2.shape)


def _polish_q(act: str, q: np.ndarray, sw2, sb2, slope: float) -> np.ndarray:
    """Two Newton steps on q_map(q) - q with exact quadrature (where q* is finite and positive)."""
    spec = activation(act)
    ok = np.isfinite(q) & (q > 0)
    for _ in range(2):
        safe = np.where(ok, q, 1.0)
        s = np.sqrt(safe)
        z, w = centred_rule(ACCURATE)
        u = s[..., None] * z
        f, g = spec.fn(u, slope), spec.grad(u, slope)
        v = np.sum(w * f * f, -1)
        dv = np.sum(w * f * g * z, -1) / s  # d/dq E[phi(sqrt(q) z)^2]
        resid = sw2 * v + sb2 - safe
        slope_f = sw2 * dv - 1.0
        step = np.where(np.abs(slope_f) > 1e-6, resid / np.where(slope_f != 0, slope_f, 1.0), 0.0)
        new = safe - step
        good = ok & (new > 0) & (np.abs(step) < 0.5 * safe)
        q = np.where(good, new, q)
    return q


def q_fixed_point(act: str, sigma_w2, sigma_b2, q0=1.0, slope: float = 0.01) -> np.ndarray:
    """q*: the fixed point of Eq. 2 that the layers reach from input variance q0 (broadcast shape).

    0 where the signal dies (q* < 1e-12), inf where it grows without bound (q* > 1e12), q0
    where every q is a fixed point. Relative accuracy ~1e-10 (table, then Newton on exact quadrature).
    """
    q = _solve_q(_table(act, float(slope)), sigma_w2, sigma_b2, q0)
    return _polish_q(act, q, np.asarray(sigma_w2, float), np.asarray(sigma_b2, float), slope)


def _pair_expectations(act: str, c, q, slope: float, grads: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """E[phi(u1) phi(u2)] and (if grads) E[phi'(u1) phi'(u2)] for Eq. 3's pair at variance q, correlation c.

    Nested quadrature: z1 on the rule graded at 0, and given z1, u2 ~ N(sqrt(q) c z1, q (1 - c^2))
    on a rule split where u2 = 0. Against ReLU's arc-cosine closed forms: 1e-8 relative
    (1e-7 for the derivatives); tanh at q = 3 agrees with a 3x finer rule to 4e-7.
    """
    spec = activation(act)
    c, q = np.broadcast_arrays(np.clip(np.asarray(c, float), -1.0, 1.0), np.asarray(q, float))
    s = np.sqrt(q)[..., None]
    z1, w1 = centred_rule(COARSE)
    u1 = s * z1  # (..., K1)
    u2, w2 = gaussian_nodes(u1 * c[..., None], (s * np.sqrt(1.0 - c * c)[..., None]), COARSE)
    with np.errstate(all="ignore"):
        ff = np.sum(w1 * spec.fn(u1, slope) * np.sum(w2 * spec.fn(u2, slope), -1), -1)
        if not grads:
            return ff, None
        gg = np.sum(w1 * spec.grad(u1, slope) * np.sum(w2 * spec.grad(u2, slope), -1), -1)
    return ff, gg


def c_map(act: str, c, q, sigma_w2, sigma_b2, slope: float = 0.01) -> np.ndarray:
    """Eq. 3: the next layer's correlation of two inputs of variance q with correlation c.

    Divided by the next layer's variance q_map(q), so c = 1 maps to 1; at q = q* it is Eq. 3.
    """
    ff, _ = _pair_expectations(act, c, q, slope, grads=False)
    return (sigma_w2 * ff + sigma_b2) / q_map(act, q, sigma_w2, sigma_b2, slope)


def chi_c(act: str, c, q, sigma_w2, slope: float = 0.01) -> np.ndarray:
    """sigma_w2 E[phi'(u1) phi'(u2)] at (q, c): the slope of the c-map (Eq. 9's argument)."""
    _, gg = _pair_expectations(act, c, q, slope)
    return sigma_w2 * gg


def _series_c_star(act: str, slope: float, q, sw2, sb2, v, d) -> tuple[np.ndarray, np.ndarray]:
    """(c*, chi_c) for chaotic points (chi_1 > 1, finite q*), 1-D arrays, from Mehler's series.

    c-map(c) = (sigma_w2 sum_k a_k c^k + sigma_b2) / q* with a_k = E[phi(sqrt(q*) z) h_k(z)]^2
    (v = E[phi^2] and d = E[phi'^2] at q*). The terms past degree K are replaced by one term
    R c^m whose R and m make the map's value and slope at c = 1 exact (sum a_k = v and
    sum k a_k = q* d): a kinked activation's slowly decaying terms would otherwise misplace c*
    near the critical line. The map is convex and increasing on [0, 1] and crosses the
    diagonal once below 1.
    """
    spec = activation(act)
    z, w = centred_rule(HERMITE)
    h = hermite_functions(HERMITE, _SERIES_DEGREE)
    with np.errstate(all="ignore"):
        alpha = (spec.fn(np.sqrt(q)[:, None] * z, slope) * w) @ h
    a = alpha * alpha
    k = np.arange(a.shape[1])
    rest = np.maximum(v - a.sum(axis=1), 0.0)
    missing_slope = q * d - a @ k
    # A remainder at the rounding level of v carries no slope worth placing: the plain next power.
    lumped = rest > 1e-12 * v
    power = np.where(lumped, missing_slope / np.where(lumped, rest, 1.0), 0.0)
    power = np.clip(power, k[-1] + 1.0, _MAX_TAIL_POWER)
    tail = sw2 * rest / q  # the lumped term's coefficient in the c-map
    coef = a.T * (sw2 / q)  # (K + 1, P): the polynomial part P(c) of c-map(c) - c
    coef[0] += sb2 / q
    coef[1] -= 1.0
    coef[0] -= coef.sum(axis=0)  # P(c) - P(1), with P(1) = -tail at the fixed point
    # G(c) = (c-map(c) - c) / (c - 1): the polynomial's quotient (coefficients sum_{j > k} p_j) plus
    # tail (c^m - 1) / (c - 1). G(0) <= 0 and G(1) = chi_1 - 1 > 0 bracket the root below 1.
    quotient = np.cumsum(coef[::-1], axis=0)[::-1][1:]

    def tail_ratio(c: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.expm1(power * np.log(c)) / (c - 1.0)
        return np.where(c < 1.0, ratio, power)

    def g(c: np.ndarray) -> np.ndarray:
        return poly.polyval(c, quotient, tensor=False) + tail * tail_ratio(c)

    zeros, ones = np.zeros(q.size), np.ones(q.size)
    g0, g1 = g(zeros), g(ones)
    # G(0) >= 0 (within rounding) means c-map(0) <= 0: c* = 0 (an odd phi without bias); G(1) <= 0 that
    # the slope at 1 is not above 1 after all: c* = 1. Elsewhere a root lies strictly inside.
    inside = (g0 < 0) & (g1 > 0)
    root = _illinois(g, zeros, ones, np.where(inside, g0, -1.0), np.where(inside, g1, 1.0))
    c_star = np.where(inside, np.clip(root, 0.0, 1.0), np.where(g0 >= 0, 0.0, 1.0))
    slope_c = poly.polyval(c_star, poly.polyder(coef, axis=0), tensor=False) + 1.0
    slope_c += tail * power * np.power(c_star, power - 1.0)
    return c_star, slope_c


@dataclass(frozen=True)
class FixedPoint:
    """Fixed points and depth scales at each (sigma_w2, sigma_b2), all of the broadcast shape.

    q_star: the pre-activation variance the layers settle at (0: dies, inf: grows without bound).
    chi1: Eq. 4 at q*. c_star: the correlation two inputs settle at (1 in the ordered phase).
    chi_c: the c-map's slope at c*. xi_c: Eq. 9, layers over which correlations approach c*
    (inf at criticality). xi_grad: -1 / ln chi1, layers per factor e of gradient change:
    positive where gradients vanish, negative where they explode (|xi_grad| layers per e),
    inf at criticality.
    """

    q_star: np.ndarray
    chi1: np.ndarray
    c_star: np.ndarray
    chi_c: np.ndarray
    xi_c: np.ndarray
    xi_grad: np.ndarray


def depth_scale(chi) -> np.ndarray:
    """-1 / ln chi; inf where chi is within _CRITICAL_TOL of 1 (quadrature cannot tell closer); NaN stays NaN."""
    chi = np.asarray(chi, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log = np.log(chi)
        critical = np.abs(log) <= _CRITICAL_TOL
        return np.where(critical, np.inf, -1.0 / np.where(critical, 1.0, log))


def _fixed_points(act: str, sw2, sb2, q0, slope: float, accurate: bool) -> FixedPoint:
    tab = _table(act, float(slope))
    sw2, sb2, q0 = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (sw2, sb2, q0)))
    q = _solve_q(tab, sw2, sb2, q0)
    if accurate:
        q = _polish_q(act, q, sw2, sb2, slope)
        chi1 = chi_1(act, q, sw2, slope)
    else:
        chi1 = sw2 * tab.grad_sq(q)
    # The correlation map needs a fixed length q* > 0: where the signal dies (q* = 0) or grows
    # without bound there is no c*, and no correlation depth scale.
    alive = np.isfinite(q) & (q > 0)
    c_star = np.where(alive, 1.0, np.nan)
    chic = np.where(alive, chi1, np.nan)
    chaotic = alive & (chi1 > 1)
    if chaotic.any():
        qc, wc, bc = q[chaotic], sw2[chaotic], sb2[chaotic]
        if accurate:
            m = moments(act, qc, slope=slope)
            v, d = m.mean_sq, m.grad_sq
        else:
            v, d = tab.mean_sq(qc), tab.grad_sq(qc)
        cs, slope_c = _series_c_star(act, slope, qc, wc, bc, v, d)
        if accurate:
            cs, slope_c = _polish_c(act, cs, qc, wc, bc, slope)
        c_star[chaotic], chic[chaotic] = cs, slope_c
    return FixedPoint(q, chi1, c_star, chic, depth_scale(chic), depth_scale(chi1))


def _polish_c(act: str, c, q, sw2, sb2, slope: float) -> tuple[np.ndarray, np.ndarray]:
    """Newton steps on c_map(c) - c with the nested quadrature; returns (c*, chi_c)."""
    for _ in range(2):
        ff, gg = _pair_expectations(act, c, q, slope)
        resid = (sw2 * ff + sb2) / q - c
        d = sw2 * gg - 1.0  # d c_map / dc = sigma_w2 E[phi' phi'] at the fixed point (Price's theorem)
        c = np.clip(c - np.where(d < -1e-9, resid / np.where(d < -1e-9, d, -1.0), 0.0), 0.0, 1.0)
    return c, chi_c(act, c, q, sw2, slope)


def fixed_point(act: str, sigma_w2, sigma_b2, q0=1.0, slope: float = 0.01) -> FixedPoint:
    """q*, chi_1, c*, chi_c and the depth scales xi_c (Eq. 9) and xi_grad at each point (accurate)."""
    return _fixed_points(act, sigma_w2, sigma_b2, q0, slope, accurate=True)


def c_fixed_point(act: str, sigma_w2, sigma_b2, q0=1.0, slope: float = 0.01) -> np.ndarray:
    """c*: 1 in the ordered phase (chi_1 <= 1), below 1 in the chaotic phase, NaN if q* is infinite."""
    return fixed_point(act, sigma_w2, sigma_b2, q0, slope).c_star


def _chi1_at(tab: _Table, sw2: np.ndarray, sb2: np.ndarray, q0: float) -> np.ndarray:
    return sw2 * tab.grad_sq(_solve_q(tab, sw2, sb2, q0))


def critical_sigma_w2(act: str, sigma_b2, slope: float = 0.01, q0: float = 1.0) -> np.ndarray:
    """The sigma_w2 where chi_1(q*) = 1, the order-to-chaos line, for each sigma_b2 (broadcast).

    tanh: 1 at sigma_b2 = 0 (found to ~1e-7: chi_1 - 1 vanishes to second order there), rising
    with sigma_b2; ReLU: 2 for every sigma_b2. NaN where chi_1
    does not cross 1 for sigma_w2 in [1e-3, 1e4], or only jumps over it (the fixed point reached
    from q0 switching branch, as for GELU). Regula falsi in log sigma_w2 (chi_1 rises with it).
    """
    tab = _table(act, float(slope))
    sb2 = np.asarray(sigma_b2, dtype=float)
    flat = sb2.reshape(-1)
    lo, hi = np.full(flat.size, math.log(1e-3)), np.full(flat.size, math.log(1e4))

    def excess(x: np.ndarray) -> np.ndarray:
        return _chi1_at(tab, np.exp(x), flat, q0) - 1.0

    f_lo, f_hi = excess(lo), excess(hi)
    valid = (f_lo < 0) & (f_hi > 0)
    root = _illinois(excess, lo, hi, np.where(valid, f_lo, -1.0), np.where(valid, f_hi, 1.0))
    # A crossing, not a jump: where the layers' fixed point switches branch (GELU: the stable q*
    # vanishes and the map runs off to another one) chi_1 leaps over 1 without ever equalling it.
    jump = np.abs(excess(root + _CROSSING_STEP) - excess(root - _CROSSING_STEP)) > _CROSSING_JUMP
    return np.where(valid & ~jump, np.exp(root), np.nan).reshape(sb2.shape)


@dataclass(frozen=True)
class PhaseDiagram:
    """The (sigma_w2, sigma_b2) plane: arrays (len(sigma_b2), len(sigma_w2)), rows sigma_b2, columns sigma_w2
    (a Plotly heatmap's z[y][x]); the fields are FixedPoint's. The critical line is
    (critical_sigma_w2[i], sigma_b2[i]), NaN where it leaves [1e-3, 1e4]."""

    sigma_w2: np.ndarray
    sigma_b2: np.ndarray
    q_star: np.ndarray
    chi1: np.ndarray
    c_star: np.ndarray
    chi_c: np.ndarray
    xi_c: np.ndarray
    xi_grad: np.ndarray
    critical_sigma_w2: np.ndarray


def phase_diagram(act: str, sigma_w2, sigma_b2, slope: float = 0.01, q0: float = 1.0) -> PhaseDiagram:
    """Fixed points and depth scales on the grid of the 1-D axes sigma_w2 (nw,) and sigma_b2 (nb,).

    Vectorized over the grid: q* from a cached table of E[phi^2] in q (cubic spline), chi_1
    likewise, c* in the chaotic phase from Mehler's series. Against fixed_point(), which
    polishes each point with exact quadrature: q* and chi_1 within ~1e-8 relative; c* and
    chi_c within ~1e-5 (tanh, ELU, GELU, sigmoid), so xi_c within 0.1% up to xi_c ~ 100; right
    next to the critical line xi_c diverges and so does its relative error (SELU at xi_c ~ 5000: 30%).
    """
    w_axis = np.asarray(sigma_w2, dtype=float).reshape(-1)
    b_axis = np.asarray(sigma_b2, dtype=float).reshape(-1)
    sw2, sb2 = np.meshgrid(w_axis, b_axis)
    fp = _fixed_points(act, sw2, sb2, q0, slope, accurate=False)
    return PhaseDiagram(
        w_axis,
        b_axis,
        fp.q_star,
        fp.chi1,
        fp.c_star,
        fp.chi_c,
        fp.xi_c,
        fp.xi_grad,
        critical_sigma_w2(act, b_axis, slope, q0),
    )


def correlation_trajectory(
    act: str, sigma_w2: float, sigma_b2: float, c0, depth: int, q0: float = 1.0, slope: float = 0.01
) -> tuple[np.ndarray, np.ndarray]:
    """(q, c): the variance (depth + 1,) and correlation of two inputs' pre-activations per layer,
    starting from (q0, c0) and iterating Eq. 2 and Eq. 3 (q need not start at q*).

    c0 may be an array of starting correlations (k,): c is then (k, depth + 1), all iterated at once.
    """
    c = np.asarray(c0, dtype=float)
    qs, cs = [float(q0)], [c]
    for _ in range(depth):
        ff, _ = _pair_expectations(act, c, qs[-1], slope, grads=False)
        q_next = float(q_map(act, qs[-1], sigma_w2, sigma_b2, slope))
        c = (sigma_w2 * ff + sigma_b2) / q_next if q_next > 0 else np.ones_like(c)
        qs.append(q_next)
        cs.append(c)
    return np.array(qs), np.stack(cs, axis=-1)


@dataclass(frozen=True)
class LayerTheory:
    """Predicted per-layer statistics of a finite-depth net, each (depth,), layer 1 first.

    Pooled over examples and units, the way engine.stats summarizes a layer: pre_std is the
    std of all pre-activations, act_mean/act_std those of all activations, grad_std that of
    the gradient with respect to each layer's output when the top layer's gradient has unit
    variance (the activation lab's standard-normal seed). q is the mean over examples of the
    pre-activation variance; chi the backward factor of each layer,
    sigma_w2 (D_out / D_in) E[phi'(z)^2] (a product of these carries the gradient down).
    """

    q: np.ndarray
    pre_mean: np.ndarray
    pre_std: np.ndarray
    act_mean: np.ndarray
    act_std: np.ndarray
    grad_std: np.ndarray
    chi: np.ndarray


def layer_moments(
    act: str,
    sigma_w2,
    input_mean_sq,
    fan_ratio=1.0,
    bias: float = 0.0,
    sigma_b2: float = 0.0,
    slope: float = 0.01,
) -> LayerTheory:
    """Per-layer predictions for weights of variance sigma_w2[l] / D_in (sigma_w2: (depth,)).

    input_mean_sq: (N,) each input example's mean square (1/D0) |x|^2, or a scalar; every example
    is propagated on its own (its pre-activations are N(bias, q) with q = sigma_w2 m2 + sigma_b2,
    m2 the previous layer's mean square for that example) and the statistics pooled.
    fan_ratio: D_out / D_in per layer (broadcast). bias: a constant added to every unit (the
    lab's), a mean shift; sigma_b2: the variance of random biases (the theory's).
    """
    sw2 = np.atleast_1d(np.asarray(sigma_w2, dtype=float))
    ratio = np.broadcast_to(np.asarray(fan_ratio, dtype=float), sw2.shape)
    m2 = np.atleast_1d(np.asarray(input_mean_sq, dtype=float))
    depth = sw2.size
    q_pooled, act_mean, act_std = (np.empty(depth) for _ in range(3))
    grad_sq = np.empty((depth, m2.size))  # E[phi'(z)^2] per layer and example
    with np.errstate(all="ignore"):
        for layer in range(depth):
            q = sw2[layer] * m2 + sigma_b2
            m = moments(act, q, bias, slope)
            q_pooled[layer] = q.mean()
            act_mean[layer] = m.mean.mean()
            act_std[layer] = np.sqrt(max(m.mean_sq.mean() - act_mean[layer] ** 2, 0.0))
            grad_sq[layer] = m.grad_sq
            m2 = m.mean_sq
        chi_per_example = sw2[:, None] * ratio[:, None] * grad_sq
        # The top layer's gradient has unit variance; each layer below multiplies it by the chi of
        # the layer above, example by example (each example's chain has its own factors).
        back = np.ones((depth, m2.size))
        for layer in range(depth - 2, -1, -1):
            back[layer] = back[layer + 1] * chi_per_example[layer + 1]
        grad_std = np.sqrt(back.mean(axis=1))
    return LayerTheory(
        q=q_pooled,
        pre_mean=np.full(depth, float(bias)),
        pre_std=np.sqrt(q_pooled),
        act_mean=act_mean,
        act_std=act_std,
        grad_std=grad_std,
        chi=chi_per_example.mean(axis=1),
    )
