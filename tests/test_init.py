"""Initializers: fan rules, gains, and every scheme's empirical std against its formula."""

import math

import numpy as np
import pytest

from engine.init import INITIALIZERS, calculate_gain, fan_in_fan_out, init_weights, orthogonal


def test_fan_in_fan_out_dense_and_conv():
    assert fan_in_fan_out((784, 512)) == (784, 512)
    # conv (out, in, kh, kw): fan_in = in*kh*kw, fan_out = out*kh*kw
    assert fan_in_fan_out((64, 3, 5, 5)) == (75, 1600)
    with pytest.raises(ValueError):
        fan_in_fan_out((10,))


def test_pytorch_gains():
    assert calculate_gain("tanh") == pytest.approx(5 / 3)
    assert calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert calculate_gain("selu") == pytest.approx(0.75)
    assert calculate_gain("sigmoid") == calculate_gain("linear") == 1.0


EXPECTED_STD = {
    "gaussian": lambda fi, fo: 0.05,
    "xavier": lambda fi, fo: 1 / math.sqrt(fi),
    "kaiming_normal": lambda fi, fo: math.sqrt(2 / fi),
    "kaiming_uniform": lambda fi, fo: math.sqrt(6 / fi) / math.sqrt(3),
    "glorot_normal": lambda fi, fo: math.sqrt(2 / (fi + fo)),
    "glorot_uniform": lambda fi, fo: math.sqrt(6 / (fi + fo)) / math.sqrt(3),
    "lecun_normal": lambda fi, fo: 1 / math.sqrt(fi),
    "orthogonal": lambda fi, fo: 1 / math.sqrt(max(fi, fo)),
    "uniform": lambda fi, fo: 0.05 / math.sqrt(3),
    "pytorch_default": lambda fi, fo: 1 / math.sqrt(3 * fi),
    "constant": lambda fi, fo: 0.0,
    "zeros": lambda fi, fo: 0.0,
}


def test_every_initializer_has_an_expected_std():
    assert set(EXPECTED_STD) == set(INITIALIZERS)


@pytest.mark.parametrize("name", sorted(EXPECTED_STD))
@pytest.mark.parametrize("shape", [(300, 500), (500, 300), (64, 32, 3, 3)])
def test_empirical_std_matches_formula(name, shape):
    w = init_weights(name, shape, np.random.default_rng(1), scale=0.05)
    fan_in, fan_out = fan_in_fan_out(shape)
    if name == "orthogonal" and len(shape) > 2:
        # PyTorch flattens conv weights to (out, in*kh*kw) before orthogonalizing.
        expected = 1 / math.sqrt(max(shape[0], fan_in))
    else:
        expected = EXPECTED_STD[name](fan_in, fan_out)
        assert INITIALIZERS[name].effective_std(fan_in, fan_out, 0.05, None, "fan_in") == pytest.approx(expected)
    assert w.shape == shape
    assert w.std() == pytest.approx(expected, rel=0.02, abs=1e-12)


def test_gain_and_fan_out_mode():
    w = init_weights("kaiming_normal", (400, 100), np.random.default_rng(0), gain=0.5, mode="fan_out")
    assert w.std() == pytest.approx(0.5 / math.sqrt(100), rel=0.02)


# torch.nn.init's std for a given gain (fan_in mode), from its documentation.
TORCH_STD = {
    "kaiming_normal": lambda g, fi, fo: g / math.sqrt(fi),
    "kaiming_uniform": lambda g, fi, fo: g * math.sqrt(3 / fi) / math.sqrt(3),
    "glorot_normal": lambda g, fi, fo: g * math.sqrt(2 / (fi + fo)),
    "glorot_uniform": lambda g, fi, fo: g * math.sqrt(6 / (fi + fo)) / math.sqrt(3),
    "orthogonal": lambda g, fi, fo: g / math.sqrt(max(fi, fo)),
}


@pytest.mark.parametrize("name", sorted(TORCH_STD))
@pytest.mark.parametrize("activation", ["tanh", "relu", "selu"])
def test_pytorchs_gain_gives_pytorchs_std(name, activation):
    # One meaning of `gain` for every initializer: the value PyTorch uses gives PyTorch's std.
    gain = calculate_gain(activation)
    w = init_weights(name, (400, 300), np.random.default_rng(3), gain=gain)
    assert w.std() == pytest.approx(TORCH_STD[name](gain, 400, 300), rel=0.02)


def test_without_a_gain_each_scheme_uses_its_own():
    # Kaiming's own gain is ReLU's sqrt(2) (He et al., and PyTorch's default); the others' is 1.
    assert init_weights("kaiming_normal", (500, 200), np.random.default_rng(0)).std() == pytest.approx(
        math.sqrt(2 / 500), rel=0.02
    )
    assert init_weights("glorot_normal", (500, 200), np.random.default_rng(0)).std() == pytest.approx(
        math.sqrt(2 / 700), rel=0.02
    )


def test_uniform_bound_is_respected():
    w = init_weights("glorot_uniform", (200, 300), np.random.default_rng(0))
    bound = math.sqrt(6 / 500)
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.99 * bound


@pytest.mark.parametrize("shape", [(50, 20), (20, 50), (30, 30)])
def test_orthogonal_has_orthonormal_columns_or_rows(shape):
    q = orthogonal(*shape, np.random.default_rng(0))
    small = min(shape)
    gram = q.T @ q if shape[0] >= shape[1] else q @ q.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_orthogonal_is_sign_corrected():
    # Without the sign fix, QR's R has a positive diagonal by convention and Q is not
    # Haar: the diagonal of Q is then biased positive. With it, E[Q_11] = 0.
    firsts = [orthogonal(8, 8, np.random.default_rng(s))[0, 0] for s in range(400)]
    assert abs(np.mean(firsts)) < 0.05


def test_same_seed_same_weights_and_scale_only_rescales():
    a = init_weights("gaussian", (100, 80), np.random.default_rng(7), scale=0.01)
    b = init_weights("gaussian", (100, 80), np.random.default_rng(7), scale=0.05)
    np.testing.assert_allclose(b, 5 * a)
