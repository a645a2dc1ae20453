"""The deep-net simulation against the analytic facts the lecture teaches."""

import math

import numpy as np
import pytest

from engine import SimConfig, forward_activations, raw_run, simulate
from engine.config import BUDGET_BYTES, BUDGET_SECONDS, config_problems, estimate_cost, layer_path
from engine.diagnose import diagnose
from engine.preprocess import pca_whiten, standardize, zero_center
from engine.propagate import make_input


def cfg(**kw) -> SimConfig:
    base = {"sizes": SimConfig.sizes_from(6, 512), "batch": 64}
    base.update(kw)
    return SimConfig(**base)


def act_stds(result) -> np.ndarray:
    return np.array([layer.act.std for layer in result.layers])


def mean_squares(result) -> np.ndarray:
    return np.array([layer.act.rms**2 for layer in result.layers])


def test_tanh_small_init_follows_the_linear_recursion():
    # In tanh's linear regime std_{l+1} = sqrt(Din) * 0.01 * std_l.
    result = simulate(cfg(init="gaussian", scale=0.01, sizes=SimConfig.sizes_from(8, 500), batch=1000))
    ratios = act_stds(result)[1:] / act_stds(result)[:-1]
    np.testing.assert_allclose(ratios[1:], math.sqrt(500) * 0.01, rtol=0.03)


def test_lecture_2016_published_numbers_are_reproduced():
    # CS231n 2016, lecture 5: tanh, W = 0.01*randn, 10 layers of 500, batch 1000, inputs randn.
    # Published per-layer stds (six decimals, so later layers only to rounding).
    published = [0.213081, 0.047551, 0.010630, 0.002378, 0.000532, 0.000119, 0.000026, 0.000006, 0.000001, 0.0]
    result = simulate(SimConfig(sizes=SimConfig.sizes_from(10, 500), batch=1000, scale=0.01, seed=0))
    stds = act_stds(result)
    np.testing.assert_allclose(stds[:6], published[:6], rtol=0.05)
    np.testing.assert_allclose(stds[6:], published[6:], atol=1.5e-6)
    assert all(abs(layer.act.mean) < 1e-3 for layer in result.layers)


def seed_averaged_mean_squares(seeds: int = 12, **kw) -> np.ndarray:
    """E[a^2] per layer, averaged over seeds: a single draw wanders like a random walk."""
    return np.mean([mean_squares(simulate(cfg(seed=s, batch=32, **kw))) for s in range(seeds)], axis=0)


def test_relu_kaiming_keeps_mean_square_over_20_layers():
    ms = seed_averaged_mean_squares(activation="relu", init="kaiming_normal", sizes=SimConfig.sizes_from(20, 1000))
    assert np.all((ms / ms[0] > 0.85) & (ms / ms[0] < 1.18)), ms


def test_relu_lecture_xavier_halves_mean_square_per_layer():
    ms = seed_averaged_mean_squares(activation="relu", init="xavier", sizes=SimConfig.sizes_from(10, 1000))
    np.testing.assert_allclose(ms[1:] / ms[:-1], 0.5, rtol=0.06)


def test_tanh_large_init_saturates_and_xavier_does_not():
    big = simulate(cfg(init="gaussian", scale=0.05, sizes=SimConfig.sizes_from(6, 4096), batch=16))
    xavier = simulate(cfg(init="xavier", sizes=SimConfig.sizes_from(6, 4096), batch=16))
    assert min(layer.frac_saturated for layer in big.layers) > 0.25
    assert max(layer.frac_saturated for layer in xavier.layers) < 0.05
    assert act_stds(xavier)[-1] > 0.25


@pytest.mark.parametrize("init,scale", [("zeros", 0.0), ("constant", 0.02)])
def test_symmetric_init_gives_identical_units_and_no_weight_gradient_below_top(init, scale):
    config = cfg(init=init, scale=scale, bias=0.1, sizes=SimConfig.sizes_from(4, 32), batch=8)
    for acts in forward_activations(config):
        assert np.all(acts == acts[:, :1]), "every unit of a layer must compute the same value"
    result = simulate(config)
    grads = [layer.weight_grad_std for layer in result.layers]
    if init == "zeros":
        assert grads[:-1] == [0.0] * 3
    assert grads[-1] > 0


def test_overflow_is_reported_and_the_finite_part_histogrammed():
    result = simulate(cfg(activation="relu", init="gaussian", scale=1e4, sizes=SimConfig.sizes_from(200, 64), batch=8))
    assert result.overflow_layer is not None and result.overflow_layer < 200
    last = result.layers[-1]
    assert last.index == result.overflow_layer
    assert last.act.counts.sum() == last.act.n_finite < last.act.n_total
    assert all(layer.grad is None for layer in result.layers)


@pytest.mark.parametrize("path", ["exact", "explicit"])
def test_an_input_that_overflowed_is_reported_on_both_paths(path):
    # 1e308 + 1e308 * N(0, 1) is inf for about half the entries: no path may turn that into finite values.
    result = simulate(cfg(in_mean=1e308, in_std=1e308, sizes=(64, 64, 64), batch=8, path=path))
    assert result.input.n_finite < result.input.n_total
    assert result.overflow_layer == 1


def test_gradients_stay_finite_while_the_forward_pass_does():
    # GELU with std 100 grows about 500x per layer: z passes 1e154 (z^2 overflows) long before 1e308.
    result = simulate(cfg(activation="gelu", init="gaussian", scale=100.0, sizes=SimConfig.sizes_from(70, 64), batch=8))
    assert result.overflow_layer is None and result.layers[-1].pre.max > 1e160
    assert all(layer.grad.n_finite == layer.grad.n_total for layer in result.layers)


def test_histogram_counts_sum_to_batch_times_width():
    result = simulate(cfg(sizes=(300, 200, 100, 50), batch=20, activation="relu", init="kaiming_normal"))
    for layer in result.layers:
        for summary in (layer.act, layer.pre, layer.grad):
            assert summary.counts.sum() == 20 * layer.fan_out


def test_deep_nets_histogram_an_even_spread_and_summarize_every_layer():
    result = simulate(cfg(sizes=SimConfig.sizes_from(40, 32), batch=8))
    with_counts = [layer.index for layer in result.layers if layer.act.counts is not None]
    assert len(with_counts) == 12 and with_counts[0] == 1 and with_counts[-1] == 40
    assert all(layer.grad.counts is not None for layer in result.layers if layer.index in with_counts)
    assert all(np.isfinite(layer.act.std) and np.isfinite(layer.grad.std) for layer in result.layers)


@pytest.mark.parametrize(
    "activation,derivative",
    [
        ("tanh", lambda a: 1.0 - a**2),
        ("relu", lambda a: (a > 0).astype(float)),
        ("elu", lambda a: np.minimum(a + 1.0, 1.0)),
    ],
)
def test_local_gradients_are_the_derivative_at_every_unit(activation, derivative):
    config = cfg(activation=activation, init="gaussian", scale=0.15, sizes=SimConfig.sizes_from(3, 128), batch=16)
    result = simulate(config)
    for layer, a in zip(result.layers, forward_activations(config)):
        local = derivative(a)
        assert layer.dphi.mean == pytest.approx(local.mean(), rel=1e-9)
        assert (layer.dphi.min, layer.dphi.max) == (local.min(), local.max())
        assert layer.dphi.n_zero == np.count_nonzero(local == 0)
        assert layer.dphi.counts.sum() == local.size


def test_saturation_counts_values_within_the_margin_of_the_asymptotes():
    result = simulate(cfg(init="gaussian", scale=0.05, sizes=(1000, 1000), batch=50))
    acts = forward_activations(cfg(init="gaussian", scale=0.05, sizes=(1000, 1000), batch=50))[0]
    assert result.layers[0].frac_saturated == pytest.approx(np.mean(np.abs(acts) >= 0.99))


@pytest.mark.parametrize("path", ["exact", "explicit"])
def test_changing_only_the_scale_rescales_the_same_draws(path):
    # Linear net, no bias: every layer is linear in the scale, so the same seed must
    # give exactly (s2/s1)^l times the activations: the picture morphs, never resamples.
    small = forward_activations(cfg(activation="linear", scale=0.01, path=path, sizes=SimConfig.sizes_from(3, 64)))
    large = forward_activations(cfg(activation="linear", scale=0.03, path=path, sizes=SimConfig.sizes_from(3, 64)))
    for depth, (a, b) in enumerate(zip(small, large), start=1):
        np.testing.assert_allclose(b, 3.0**depth * a, rtol=1e-7)  # a resample would differ by O(1)


@pytest.mark.parametrize("path", ["exact", "explicit"])
@pytest.mark.parametrize(
    "bn",
    [{"bn": "none"}, {"bn": "before"}, {"bn": "after"}, {"bn": "before", "bn_mode": "eval", "bn_warmup": 3}],
    ids=["no BN", "BN before", "BN after", "BN before, eval"],
)
def test_forward_activations_are_the_simulated_networks_activations(path, bn):
    # One forward pass for simulate, raw_run and forward_activations: batch norm included.
    config = cfg(path=path, init="xavier", sizes=(24, 32, 16, 20), batch=6, gamma=1.5, beta=0.2, **bn)
    acts = forward_activations(config)
    run = raw_run(config)
    assert len(acts) == len(run.activations) == config.depth
    for a, b in zip(acts, run.activations):
        np.testing.assert_array_equal(a, b)
    if bn["bn"] == "after":
        # BN is the layer's last step: each unit has mean beta over the batch.
        np.testing.assert_allclose(acts[-1].mean(axis=0), 0.2, atol=1e-9)
    summary = simulate(config).layers[-1].act
    if bn["bn"] != "after":
        assert summary.std == pytest.approx(float(acts[-1].std()), rel=1e-9)


def test_same_seed_same_result_other_seed_other_result():
    a, b, c = (simulate(cfg(seed=s)) for s in (5, 5, 6))
    assert [layer.act.std for layer in a.layers] == [layer.act.std for layer in b.layers]
    assert [layer.act.std for layer in a.layers] != [layer.act.std for layer in c.layers]


def test_exact_and_explicit_paths_agree_on_layer_statistics():
    def mean_last_std(path: str) -> float:
        runs = [simulate(cfg(init="xavier", path=path, seed=s, batch=8)) for s in range(30)]
        return float(np.mean([r.layers[-1].act.std for r in runs]))

    assert mean_last_std("exact") == pytest.approx(mean_last_std("explicit"), rel=0.03)


def test_auto_path_picks_exact_for_wide_nets_and_explicit_for_large_batches():
    assert layer_path(SimConfig(), 4096, 4096) == "exact"
    assert layer_path(SimConfig(batch=1000), 500, 500) == "explicit"
    assert layer_path(SimConfig(init="glorot_uniform"), 4096, 4096) == "explicit"


def test_non_centred_input_saturates_tanh_and_zero_centering_fixes_it():
    raw = simulate(cfg(init="xavier", in_mean=3.0))
    centred = simulate(cfg(init="xavier", in_mean=3.0, prep="center"))
    assert raw.layers[0].frac_saturated > 0.3
    assert centred.layers[0].frac_saturated < 0.05


def test_preprocessing_transforms():
    x = np.random.default_rng(0).normal(5.0, 3.0, size=(200, 6)) @ np.triu(np.ones((6, 6)))
    np.testing.assert_allclose(zero_center(x).mean(axis=0), 0, atol=1e-10)
    np.testing.assert_allclose(standardize(x).std(axis=0), 1, atol=1e-4)
    white = pca_whiten(x)
    np.testing.assert_allclose(np.cov(white.T, bias=True), np.eye(6), atol=1e-4)


def test_default_config_is_the_lecture_view_and_within_budget():
    default = SimConfig()
    assert default.sizes == (4096,) * 7 and default.batch == 16 and default.scale == 0.01
    assert config_problems(default) == []
    assert estimate_cost(default).within_budget


def test_budget_refuses_what_would_take_too_long_or_too_much_memory():
    huge_uniform = SimConfig(init="glorot_uniform", sizes=SimConfig.sizes_from(200, 16384), batch=1024)
    cost = estimate_cost(huge_uniform)
    assert cost.seconds > BUDGET_SECONDS and cost.bytes > BUDGET_BYTES
    assert not cost.within_budget


def test_config_problems_name_the_bad_field():
    assert "depth" in " ".join(config_problems(SimConfig(sizes=(5,))))
    assert any("activation" in p for p in config_problems(SimConfig(activation="foo")))
    assert any("finite" in p for p in config_problems(SimConfig(scale=float("nan"))))


def test_whitening_with_batch_statistics_is_refused_unless_the_batch_outnumbers_the_features():
    # A batch of N <= D whitened on itself keeps N - 1 directions and about N/D of the input energy.
    for batch, width in ((16, 4096), (64, 64), (1, 8)):
        problems = config_problems(cfg(prep="whiten", batch=batch, sizes=SimConfig.sizes_from(3, width)))
        assert any("whitening" in p and "standardize" in p for p in problems), (batch, width)
    wide_batch = cfg(prep="whiten", batch=65, sizes=SimConfig.sizes_from(3, 64))
    assert config_problems(wide_batch) == []
    x = make_input(wide_batch)
    # Every one of the 64 input directions carries unit variance (a little less where eps regularizes).
    eigenvalues = np.linalg.eigvalsh(np.cov(x.T, bias=True))
    assert eigenvalues.min() > 0.9 and eigenvalues.max() < 1.0 + 1e-9
    assert config_problems(cfg(prep="standardize", batch=16, sizes=SimConfig.sizes_from(3, 4096))) == []


def test_exact_path_keeps_the_spread_of_a_batch_with_a_huge_mean():
    # Issue 12: with x = 1000 + 0.001 * N(0, 1) the differences between examples are a 1e-12 part
    # of the Gram matrix; batch norm scales exactly those up, so losing them flattened layer 1.
    stds = {
        path: simulate(cfg(in_mean=1000.0, in_std=0.001, bn="before", sizes=(4096, 4096), batch=16, path=path))
        .layers[0]
        .act.std
        for path in ("exact", "explicit")
    }
    assert stds["exact"] == pytest.approx(stds["explicit"], rel=0.1)


@pytest.mark.parametrize("prep", ["center", "standardize"])
def test_a_constant_batch_preprocessed_with_its_own_statistics_is_exactly_zero(prep):
    # The rounding error of the mean (0.1 is not a binary fraction) is not a signal: the input
    # is all zeros, and the diagnosis must say so rather than blame the init for a collapse.
    result = simulate(cfg(in_mean=0.1, in_std=0.0, prep=prep, sizes=SimConfig.sizes_from(3, 256), batch=10))
    assert result.input.rms == 0.0
    assert "input is all zeros" in diagnose(result)[-1].text
