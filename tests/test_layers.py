"""Forward/backward pairs: numerical gradient checks in float64."""

import numpy as np
import pytest

from engine.activations import ACTIVATIONS
from engine.layers import gram_factor, mlp_backward, mlp_forward
from tests.gradcheck import numerical_gradient


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_activation_derivative(activation):
    # Keep z away from ReLU-type kinks, where the derivative is not defined.
    z = np.linspace(-3, 3, 41) + 0.013
    act = ACTIVATIONS[activation]
    h = 1e-6
    numeric = (act.fn(z + h, 0.1) - act.fn(z - h, 0.1)) / (2 * h)
    np.testing.assert_allclose(act.grad(z, 0.1), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_activation_derivative_stays_finite_for_huge_finite_inputs(activation):
    # A huge init drives z far out before the forward pass overflows; f'(z) is a number
    # there (0, 1 or a slope), never 0 * inf = NaN.
    z = np.array([-1e300, -1e200, -1e160, 1e160, 1e200, 1e300])
    act = ACTIVATIONS[activation]
    with np.errstate(all="ignore"):
        assert np.all(np.isfinite(act.grad(z, 0.1)))
        if act.grad_from_output is not None:
            a = act.fn(z, 0.1)
            assert np.all(np.isfinite(act.grad_from_output(a, 0.1)[np.isfinite(a)]))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "gelu", "elu", "selu", "linear"])
def test_mlp_backward_matches_numerical_gradient(activation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5))
    weights = [rng.standard_normal((5, 6)) * 0.5, rng.standard_normal((6, 3)) * 0.5]
    upstream = rng.standard_normal((4, 3))

    def loss() -> float:
        out, _ = mlp_forward(x, weights, 0.1, activation)
        return float(np.sum(out * upstream))

    _, caches = mlp_forward(x, weights, 0.1, activation)
    dx, dws = mlp_backward(upstream, caches)
    assert rel_error(dx, numerical_gradient(loss, x)) < 1e-7
    for w, dw in zip(weights, dws):
        assert rel_error(dw, numerical_gradient(loss, w)) < 1e-7


def test_relu_mlp_backward_away_from_kinks():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4))
    weights = [rng.standard_normal((4, 4)), rng.standard_normal((4, 2))]
    upstream = rng.standard_normal((3, 2))

    def loss() -> float:
        out, _ = mlp_forward(x, weights, 0.0, "leaky_relu", 0.1)
        return float(np.sum(out * upstream))

    _, caches = mlp_forward(x, weights, 0.0, "leaky_relu", 0.1)
    dx, dws = mlp_backward(upstream, caches)
    assert rel_error(dx, numerical_gradient(loss, x)) < 1e-7
    assert rel_error(dws[0], numerical_gradient(loss, weights[0])) < 1e-7


@pytest.mark.parametrize("shape", [(8, 50), (50, 8), (8, 8)])
def test_gram_factor_reconstructs_and_is_orthonormal(shape):
    x = np.random.default_rng(0).standard_normal(shape)
    factor = gram_factor(x)
    qt = factor.qt(x)
    assert factor.rank == min(shape)
    np.testing.assert_allclose(qt @ qt.T, np.eye(factor.rank), atol=1e-10)
    np.testing.assert_allclose(factor.scale * factor.f @ qt, x, atol=1e-10)


def test_gram_factor_of_zeros_and_tiny_values():
    assert gram_factor(np.zeros((4, 10))).rank == 0
    x = np.random.default_rng(0).standard_normal((4, 10)) * 1e-200  # the Gram matrix would underflow
    factor = gram_factor(x)
    assert factor.rank == 4
    np.testing.assert_allclose(factor.scale * factor.f @ factor.qt(x), x, rtol=1e-8, atol=0)


def _assert_exact_factor(x: np.ndarray, rank: int) -> None:
    """x = scale F Qt with orthonormal Qt of the given rank, accurate to the spread's own scale."""
    factor = gram_factor(x)
    qt = factor.qt(x)
    assert factor.rank == rank
    np.testing.assert_allclose(qt @ qt.T, np.eye(rank), atol=1e-8)
    rebuilt = factor.scale * factor.f @ qt
    mean = x.mean(axis=0)
    spread = x - mean
    # What tells the examples apart must survive, however large the common mean: up to the
    # rounding with which x itself holds it (a few ulps of the mean).
    atol = 1e-6 * np.abs(spread).max() + 64 * np.finfo(float).eps * np.abs(mean).max()
    np.testing.assert_allclose(rebuilt - rebuilt.mean(axis=0), spread, atol=atol)
    np.testing.assert_allclose(factor.gram, (x / factor.scale) @ (x / factor.scale).T, rtol=1e-9)


@pytest.mark.parametrize("mean,spread", [(1e3, 1e-3), (1e6, 1e-6), (-5.0, 1e-9), (1e-150, 1e-160)])
def test_gram_factor_keeps_a_tiny_spread_around_a_huge_mean(mean, spread):
    x = mean + spread * np.random.default_rng(1).standard_normal((16, 256))
    _assert_exact_factor(x, 16)


def test_gram_factor_of_rank_deficient_batches_with_a_huge_mean():
    rng = np.random.default_rng(2)
    rows = rng.standard_normal((4, 64))
    repeated = 1e3 + 1e-3 * rows[[0, 1, 1, 2, 3, 3, 3, 0]]  # 8 rows, 4 distinct
    _assert_exact_factor(repeated, 4)
    more_rows_than_columns = 1e3 + 1e-3 * rng.standard_normal((32, 8))
    _assert_exact_factor(more_rows_than_columns, 8)
    identical = np.full((6, 10), 7.0) + 1e-3 * rows[0, :10]
    _assert_exact_factor(identical, 1)
