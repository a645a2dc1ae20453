"""Mean-field maps against closed forms and against independent computations (adaptive quad, Monte Carlo)."""

import itertools
import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.stats import norm

from engine.activations import ACTIVATIONS
from engine.theory import meanfield as mf

QS = np.array([1e-6, 0.3, 1.0, 50.0, 1e6])


def gauss_quad(f, q: float) -> float:
    """E[f(sqrt(q) z)] by adaptive quadrature, split where the integrand changes fastest."""
    s = math.sqrt(q)
    breaks = sorted({0.0, min(1.0 / s, 12.0), min(5.0 / s, 12.0), 1.0, 12.0})

    def integrand(z: float) -> float:
        return f(s * z) * math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)

    pieces = [(a, b) for a, b in itertools.pairwise(breaks) if b > a]
    right = sum(quad(integrand, a, b, epsabs=1e-15, epsrel=1e-10, limit=200)[0] for a, b in pieces)
    left = sum(quad(integrand, -b, -a, epsabs=1e-15, epsrel=1e-10, limit=200)[0] for a, b in pieces)
    return left + right


def test_relu_and_linear_q_maps_equal_their_closed_forms():
    np.testing.assert_allclose(mf.q_map("relu", QS, 1.7, 0.2), 1.7 * QS / 2 + 0.2, rtol=1e-9)
    np.testing.assert_allclose(mf.q_map("linear", QS, 0.6, 0.1), 0.6 * QS + 0.1, rtol=1e-9)
    m = mf.moments("relu", QS)
    np.testing.assert_allclose(m.mean, np.sqrt(QS / (2 * math.pi)), rtol=1e-8)
    np.testing.assert_allclose(m.grad_sq, 0.5, rtol=1e-12)


def test_relu_moments_with_a_mean_shift_equal_the_closed_form():
    # The lab's constant bias moves ReLU's kink away from the Gaussian's centre.
    mean, var = np.array([-3.0, -0.2, 0.0, 0.7, 4.0]), np.array([0.5, 2.0, 1.0, 0.01, 9.0])
    s = np.sqrt(var)
    a = mean / s
    m = mf.moments("relu", var, mean)
    np.testing.assert_allclose(m.mean, mean * norm.cdf(a) + s * norm.pdf(a), rtol=1e-8)
    np.testing.assert_allclose(m.mean_sq, (mean**2 + var) * norm.cdf(a) + mean * s * norm.pdf(a), rtol=1e-8)
    np.testing.assert_allclose(m.grad_sq, norm.cdf(a), rtol=1e-8)


@pytest.mark.parametrize("q", [1e-4, 0.5, 3.0, 100.0, 1e5])
def test_tanh_moments_match_adaptive_quadrature_to_1e6(q):
    m = mf.moments("tanh", q)
    assert m.mean_sq == pytest.approx(gauss_quad(lambda u: math.tanh(u) ** 2, q), rel=1e-6)
    assert m.grad_sq == pytest.approx(gauss_quad(lambda u: (1 - math.tanh(u) ** 2) ** 2, q), rel=1e-6)


@pytest.mark.parametrize("act", list(ACTIVATIONS))
def test_every_registry_activation_has_a_finite_increasing_q_map(act):
    q = np.logspace(-6, 6, 25)
    out = mf.q_map(act, q, 1.0, 0.0)
    assert np.all(np.isfinite(out)) and np.all(out > 0)
    assert np.all(np.diff(out) > 0), "a longer input must give a longer output"
    assert np.all(np.isfinite(mf.chi_1(act, q, 1.0)))


def independent_critical_point(sigma_b2: float) -> float:
    """At criticality q = sigma_w2 V(q) + sigma_b2 and sigma_w2 D(q) = 1, so q solves
    V(q) / D(q) + sigma_b2 = q: one root in q (adaptive quad, brentq), then sigma_w2 = 1 / D(q)."""

    def v(q):
        return gauss_quad(lambda u: math.tanh(u) ** 2, q)

    def d(q):
        return gauss_quad(lambda u: (1 - math.tanh(u) ** 2) ** 2, q)

    q = brentq(lambda q: v(q) / d(q) + sigma_b2 - q, 1e-6, 50.0, xtol=1e-13, rtol=1e-13)
    return 1.0 / d(q)


def test_tanh_critical_line_starts_at_one_and_rises_through_independent_values():
    sigma_b2 = np.array([0.05, 0.5, 2.0])
    line = mf.critical_sigma_w2("tanh", sigma_b2)
    expected = [independent_critical_point(b) for b in sigma_b2]
    np.testing.assert_allclose(line, expected, rtol=1e-6)
    assert float(mf.critical_sigma_w2("tanh", 0.0)) == pytest.approx(1.0, abs=1e-6)
    dense = mf.critical_sigma_w2("tanh", np.linspace(0, 2, 21))
    assert np.all(np.diff(dense) > 0)


def test_relu_critical_line_is_two_for_every_bias():
    np.testing.assert_allclose(mf.critical_sigma_w2("relu", [0.0, 0.1, 1.0]), 2.0, rtol=1e-9)


def test_fixed_point_edge_cases_have_their_documented_values():
    # tanh without bias and sigma_w2 <= 1: the signal dies; ReLU above 2: it grows without bound;
    # ReLU at exactly 2 without bias: every q is a fixed point, so the input's q0 stays.
    assert float(mf.q_fixed_point("tanh", 0.8, 0.0)) == 0.0
    assert float(mf.q_fixed_point("tanh", 1.0, 0.0)) == 0.0
    assert float(mf.q_fixed_point("relu", 3.0, 0.0)) == math.inf
    assert float(mf.q_fixed_point("relu", 2.0, 0.1)) == math.inf
    assert float(mf.q_fixed_point("relu", 2.0, 0.0, q0=0.7)) == pytest.approx(0.7)
    fp = mf.fixed_point("relu", 3.0, 0.0)
    assert math.isnan(float(fp.xi_c)) and float(fp.xi_grad) < 0  # gradients explode
    assert float(mf.fixed_point("relu", 2.0, 0.0).xi_grad) == math.inf


def test_q_fixed_point_is_a_fixed_point_of_an_independent_q_map():
    for sw2, sb2 in [(0.7, 0.3), (1.5, 0.05), (3.0, 1.0)]:
        q = float(mf.q_fixed_point("tanh", sw2, sb2))
        assert sw2 * gauss_quad(lambda u: math.tanh(u) ** 2, q) + sb2 == pytest.approx(q, rel=1e-8)


def test_relu_c_map_equals_the_arc_cosine_kernel():
    c = np.linspace(-0.95, 1.0, 14)
    expected = (np.sqrt(1 - c * c) + (math.pi - np.arccos(c)) * c) / math.pi
    np.testing.assert_allclose(mf.c_map("relu", c, 1.3, 2.0, 0.0), expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(mf.chi_c("relu", c, 1.3, 2.0), (math.pi - np.arccos(c)) / math.pi, rtol=1e-6)


def test_chaotic_tanh_settles_at_a_correlation_monte_carlo_confirms():
    sw2, sb2 = 2.5, 0.1
    fp = mf.fixed_point("tanh", sw2, sb2)
    q, c = float(fp.q_star), float(fp.c_star)
    assert float(fp.chi1) > 1 and 0.2 < c < 0.95
    z1, z2 = np.random.default_rng(0).standard_normal((2, 2_000_000))
    u1, u2 = math.sqrt(q) * z1, math.sqrt(q) * (c * z1 + math.sqrt(1 - c * c) * z2)
    mapped = (sw2 * np.mean(np.tanh(u1) * np.tanh(u2)) + sb2) / q
    assert mapped == pytest.approx(c, abs=3e-3)
    # chi_c is the c-map's slope there: a finite difference of the map itself.
    step = 1e-4
    slope = (mf.c_map("tanh", c + step, q, sw2, sb2) - mf.c_map("tanh", c - step, q, sw2, sb2)) / (2 * step)
    assert float(fp.chi_c) == pytest.approx(float(slope), rel=1e-5)
    assert float(fp.xi_c) == pytest.approx(-1 / math.log(float(fp.chi_c)))


def test_phase_diagram_matches_pointwise_fixed_points_and_splits_at_the_critical_line():
    w_axis, b_axis = np.linspace(0.5, 4.0, 36), np.linspace(0.0, 0.5, 11)
    pd = mf.phase_diagram("tanh", w_axis, b_axis)
    assert pd.xi_c.shape == (11, 36)
    for i, j in [(0, 35), (3, 20), (10, 30), (7, 5)]:
        fp = mf.fixed_point("tanh", w_axis[j], b_axis[i])
        assert pd.q_star[i, j] == pytest.approx(float(fp.q_star), rel=1e-6)
        assert pd.c_star[i, j] == pytest.approx(float(fp.c_star), abs=1e-6)
        assert pd.xi_c[i, j] == pytest.approx(float(fp.xi_c), rel=1e-5)
    left = w_axis[None, :] < pd.critical_sigma_w2[:, None]
    assert np.all((pd.chi1 < 1) == left)
    dies = pd.q_star == 0.0  # tanh without bias, left of the line: no length, so no c* either
    assert np.array_equal(dies, (b_axis[:, None] == 0.0) & left)
    assert np.all(np.isnan(pd.c_star[dies]) & np.isnan(pd.xi_c[dies]))
    assert np.all(pd.c_star[left & ~dies] == 1.0) and np.all(pd.c_star[~left] < 1.0)
    # Without bias, odd tanh in the chaotic phase decorrelates any two inputs completely.
    assert np.all(np.abs(pd.c_star[0, ~left[0]]) < 1e-12)  # 0 up to rounding (1.6e-15 seen)
    # Correlations travel furthest next to the line: each row's deepest xi_c is its grid point nearest to it.
    nearest = np.abs(w_axis[None, :] - pd.critical_sigma_w2[:, None]).argmin(axis=1)
    deepest = np.nanargmax(pd.xi_c[1:], axis=1)  # the row without bias has no xi_c left of its line
    assert np.all(np.abs(deepest - nearest[1:]) <= 1)


def test_layer_moments_of_a_linear_net_follow_the_products():
    # Linear: q_l = sigma_w2_l * m2_{l-1}, m2_l = q_l; the gradient's variance multiplies by
    # sigma_w2 * Dout/Din of each layer above.
    sw2, ratio = np.array([2.0, 0.5, 3.0]), np.array([1.0, 2.0, 0.25])
    t = mf.layer_moments("linear", sw2, np.array([1.0, 4.0]), fan_ratio=ratio)
    q = np.outer(np.cumprod(sw2), [1.0, 4.0]).mean(axis=1)
    np.testing.assert_allclose(t.pre_std, np.sqrt(q), rtol=1e-9)
    np.testing.assert_allclose(t.act_std, np.sqrt(q), rtol=1e-9)
    np.testing.assert_allclose(t.grad_std**2, [0.5 * 2.0 * 3.0 * 0.25, 3.0 * 0.25, 1.0], rtol=1e-9)


def test_several_starting_correlations_iterate_as_each_alone():
    """The page iterates its three starting correlations at once: each row is that start's own curve."""
    starts = np.array([0.1, 0.5, 0.9])
    q_all, c_all = mf.correlation_trajectory("tanh", 2.5, 0.1, starts, 12, q0=0.7)
    assert c_all.shape == (3, 13)
    for row, start in zip(c_all, starts):
        q_one, c_one = mf.correlation_trajectory("tanh", 2.5, 0.1, float(start), 12, q0=0.7)
        np.testing.assert_allclose(row, c_one, rtol=1e-12)
        np.testing.assert_allclose(q_all, q_one, rtol=1e-12)


def test_gelus_chi_jumps_over_1_and_no_critical_point_is_claimed():
    """GELU at σ_b² = 0.1: the fixed point reached from q = 1 switches branch near σ_w² = 2.12 and
    χ₁ leaps from below 0.9 to above 1.03 without equalling 1 (a user trial found 2.117 claimed)."""
    sw2 = np.geomspace(1.5, 3.0, 300)
    chi = mf.fixed_point("gelu", sw2, 0.1).chi1
    assert not np.any((chi > 0.9) & (chi < 1.03))
    assert chi.min() < 0.9 and chi.max() > 1.03
    assert math.isnan(float(mf.critical_sigma_w2("gelu", 0.1)))
    assert float(mf.critical_sigma_w2("tanh", 0.1)) == pytest.approx(1.98607, rel=1e-4)  # a true crossing stays
