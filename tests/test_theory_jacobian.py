"""Jacobian spectra and measured correlations of simulated nets against the mean-field theory."""

import numpy as np
import pytest
from threadpoolctl import ThreadpoolController

from engine.theory import jacobian as jb
from engine.theory import meanfield as mf

# Pennington et al. 2017: tanh just off criticality, orthogonal against Gaussian weights.
CRITICAL_TANH = {"act": "tanh", "sigma_w2": 1.05, "sigma_b2": 2e-5}


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    with ThreadpoolController().limit(limits=1, user_api="blas"):
        yield


def test_orthogonal_weights_keep_critical_tanh_spectrum_tighter_than_gaussian():
    gauss = jb.spectrum_summary(jb.singular_values(jb.RandomNet(**CRITICAL_TANH, width=200, weights="gaussian"), 32))
    orth = jb.spectrum_summary(jb.singular_values(jb.RandomNet(**CRITICAL_TANH, width=200, weights="orthogonal"), 32))
    # Both keep the mean squared singular value near chi_1^32 ~ 1; only orthogonal keeps them together.
    assert 0.5 < orth.mean_sq < 2 and 0.5 < gauss.mean_sq < 2
    assert orth.std < 0.4 * gauss.std
    assert orth.frac_in_band > 0.9 > 0.3 > gauss.frac_in_band
    assert orth.max < gauss.max


def test_relu_spectrum_spreads_with_depth():
    shallow = jb.singular_values(jb.RandomNet("relu", 2.0, 0.0, width=200, seed=1), 4)
    deep = jb.singular_values(jb.RandomNet("relu", 2.0, 0.0, width=200, seed=1), 32)
    assert deep.max() > shallow.max()
    assert jb.spectrum_summary(deep).frac_in_band < 0.5 * jb.spectrum_summary(shallow).frac_in_band

    def log_spread(s: np.ndarray) -> float:
        return float(np.std(np.log(s[s > 1e-8])))

    assert log_spread(deep) > 2 * log_spread(shallow)


def test_mean_squared_singular_value_follows_chi_1_to_the_depth():
    # Ordered tanh: the Jacobian shrinks by chi_1 per layer in mean square.
    sw2, sb2, depth = 0.8, 0.2, 10
    chi1 = float(mf.fixed_point("tanh", sw2, sb2).chi1)
    values = [
        jb.spectrum_summary(jb.singular_values(jb.RandomNet("tanh", sw2, sb2, 300, seed=s), depth)).mean_sq
        for s in range(3)
    ]
    assert np.mean(values) == pytest.approx(chi1**depth, rel=0.1)
    assert chi1**depth < 0.1  # so the comparison is not with 1


def test_measured_correlation_follows_the_c_map():
    sw2, sb2, c0, depth = 2.0, 0.1, 0.3, 12
    _, theory = mf.correlation_trajectory("tanh", sw2, sb2, c0, depth, q0=1.0)
    for weights in jb.WEIGHTS:
        runs = [
            jb.measured_correlation(jb.RandomNet("tanh", sw2, sb2, 20000, weights, seed=s), c0, depth) for s in range(4)
        ]
        np.testing.assert_allclose(np.mean(runs, axis=0), theory, atol=0.01)
    assert theory[-1] - theory[0] > 0.3  # the correlation moves, so following it means something


def test_spectrum_summary_counts_the_band():
    s = jb.spectrum_summary(np.array([0.1, 0.5, 1.0, 2.0, 3.0]))
    assert s.frac_in_band == pytest.approx(0.6)
    assert s.mean_sq == pytest.approx(np.mean(np.array([0.1, 0.5, 1.0, 2.0, 3.0]) ** 2))
    assert s.condition == pytest.approx(30.0)


def test_bad_arguments_are_refused_with_a_message():
    with pytest.raises(ValueError, match="weights must be one of"):
        jb.RandomNet("tanh", 1.0, 0.0, 10, weights="uniform")
    with pytest.raises(ValueError, match="unknown activation"):
        jb.RandomNet("swish", 1.0, 0.0, 10)
    with pytest.raises(ValueError, match="c0 must be"):
        jb.measured_correlation(jb.RandomNet("tanh", 1.0, 0.0, 10), 1.5, 3)


def test_spectra_by_depth_are_the_prefix_nets_of_one_pass():
    """The by-depth panel's spectra are those of the same net cut at each depth, so the
    full-depth histogram and the last point of the by-depth curve describe one net."""
    depths = [1, 3, 8]
    net = jb.RandomNet("tanh", 1.5, 0.05, 40, weights="orthogonal", seed=3)
    by_depth = jb.singular_values_by_depth(net, depths)
    for depth, values in zip(depths, by_depth):
        alone = jb.singular_values(net, depth)
        np.testing.assert_allclose(values, alone, rtol=1e-12)
    assert not np.allclose(by_depth[0], by_depth[-1])
