"""The trainer's net: whole-net gradients against finite differences, and its pieces against the engine's."""

import itertools

import numpy as np
import pytest

from engine.activations import ACTIVATIONS
from engine.batchnorm import batchnorm_backward, batchnorm_forward_train
from engine.train.net import (
    _FAST_BACKWARD,
    _FAST_FORWARD,
    Architecture,
    Workspace,
    activation_backward,
    activation_forward,
    batchnorm_train_backward,
    batchnorm_train_forward,
    build_net,
    loss_and_grad,
    softmax_loss,
)
from tests.gradcheck import numerical_gradient, relative_error


def worst_gradient_error(activation: str, bn: str, l2: float, seed: int = 0) -> float:
    """The larger of the whole gradient's relative error and the worst parameter array's.

    An array whose gradient is below 1/1000 of the whole net's (a bias that batch norm
    cancels has none at all) is judged against that 1/1000, not against its own
    finite-difference noise.
    """
    rng = np.random.default_rng(seed)
    net = build_net(Architecture((5, 7, 6, 3), activation, 0.1, bn))
    theta = 0.5 * rng.standard_normal(net.size)
    x, y = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    grad = np.empty_like(theta)
    loss_and_grad(net, theta, grad, x, y, l2, Workspace())
    scratch = np.empty_like(theta)
    numeric = numerical_gradient(lambda: loss_and_grad(net, theta, scratch, x, y, l2, Workspace()).loss, theta)
    floor = 1e-3 * (np.linalg.norm(grad) + np.linalg.norm(numeric))
    analytic, expected = net.views(grad), net.views(numeric)
    errors = [
        relative_error(a, n, floor)
        for name in ("w", "b", "gamma", "beta")
        for a, n in zip(getattr(analytic, name), getattr(expected, name))
        if a is not None
    ]
    return max(relative_error(grad, numeric), *errors)


@pytest.mark.parametrize("bn", ["none", "before", "after"])
def test_whole_net_gradient_matches_finite_differences_for_every_activation(bn):
    """Every parameter of a 3-layer net (dense, activation, batch norm, softmax, L2) to 1e-6 in float64."""
    for activation, l2 in itertools.product(ACTIVATIONS, (0.0, 0.1)):
        assert worst_gradient_error(activation, bn, l2) <= 1e-6, (activation, bn, l2)


def test_gradient_check_catches_a_wrong_backward(monkeypatch):
    """The check is not vacuous: a derivative off by 1% in one activation fails it."""
    original = _FAST_BACKWARD["tanh"]
    monkeypatch.setitem(_FAST_BACKWARD, "tanh", lambda da, a, z, s, out: original(da, a, z, s, out) * 1.01)
    assert worst_gradient_error("tanh", "none", 0.0) > 1e-4


def test_batchnorm_pair_equals_the_engine_pair():
    rng = np.random.default_rng(1)
    x, dy = rng.normal(2.0, 3.0, (8, 5)), rng.standard_normal((8, 5))
    gamma, beta = rng.standard_normal(5), rng.standard_normal(5)
    y, cache = batchnorm_train_forward(x, gamma, beta, np.empty_like(x), np.empty_like(x))
    expected_y, expected_cache = batchnorm_forward_train(x, gamma, beta)
    dx, dgamma, dbeta = batchnorm_train_backward(dy, cache, np.empty(5), np.empty(5), np.empty_like(x))
    expected = batchnorm_backward(dy, expected_cache)
    np.testing.assert_allclose(y, expected_y, rtol=1e-12, atol=1e-12)
    for got, want in zip((dx, dgamma, dbeta), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(set(_FAST_BACKWARD) | set(_FAST_FORWARD)))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_activations_equal_the_registry_and_keep_the_dtype(name, dtype):
    rng = np.random.default_rng(2)
    z = 3 * rng.standard_normal((16, 9)).astype(dtype)
    z[0, :3] = 0.0  # ReLU's kink: the registry takes f'(0) = 0 (or the slope)
    act, arch = ACTIVATIONS[name], Architecture((9, 9, 2), name, 0.1)
    a, da = activation_forward(z, arch), rng.standard_normal((16, 9)).astype(dtype)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert a.dtype == dtype
    np.testing.assert_allclose(a, act.fn(z, 0.1), rtol=rtol, atol=rtol)
    buffered = activation_forward(z.copy(), arch, Workspace(), 0)  # the trainer's call (ReLU: in place)
    assert buffered.dtype == dtype and buffered.tobytes() == a.tobytes()
    got = activation_backward(da, a, z, arch, np.empty_like(da))
    assert got.dtype == dtype
    np.testing.assert_allclose(got, da * act.grad(z, 0.1), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gelus_gradient_stays_finite_where_z_squared_overflows(dtype):
    # A diverging float32 run reaches |z| = 1e20: its z^2 overflows, and GELU's slope is 1 or 0 there, not NaN.
    z = np.array([1e20, -1e20, 0.5], dtype)
    with np.errstate(over="ignore"):
        grad = ACTIVATIONS["gelu"].grad(z, 0.0)
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, [1.0, 0.0, 0.8673699], rtol=1e-6)
    arch = Architecture((3, 3, 2), "gelu", 0.0)
    with np.errstate(over="ignore"):
        fast = activation_backward(np.ones_like(z), activation_forward(z, arch), z, arch, np.empty_like(z))
    np.testing.assert_allclose(fast, grad, rtol=1e-6)  # the trainer's own kernel


def test_float32_pass_stays_float32_and_agrees_with_float64():
    """The app's float32 pass is the same computation as the checked float64 one."""
    rng = np.random.default_rng(3)
    for activation, bn in itertools.product(("relu", "gelu", "sigmoid", "leaky_relu"), ("none", "before", "after")):
        net = build_net(Architecture((8, 16, 16, 4), activation, 0.1, bn))
        theta = 0.3 * rng.standard_normal(net.size)
        x, y = rng.standard_normal((10, 8)), rng.integers(0, 4, 10)
        grads = {}
        for dtype in (np.float32, np.float64):
            g = np.empty(net.size, dtype)
            ps = loss_and_grad(net, theta.astype(dtype), g, x.astype(dtype), y, 0.01, Workspace())
            assert all(o.dtype == dtype for o in ps.outputs + ps.grads)
            grads[dtype] = (ps.loss, g)
        assert grads[np.float32][0] == pytest.approx(grads[np.float64][0], rel=1e-5)
        assert relative_error(grads[np.float32][1].astype(float), grads[np.float64][1]) < 1e-4


def test_softmax_loss_of_equal_scores_is_ln_c():
    loss, _, dscores = softmax_loss(np.zeros((4, 10)), np.array([0, 3, 5, 9]))
    assert loss == pytest.approx(np.log(10))
    np.testing.assert_allclose(dscores.sum(axis=1), 0.0, atol=1e-15)  # probabilities minus one-hot
