"""Batch norm and layer norm against their definitions, both running-statistics conventions."""

import numpy as np
import pytest

from engine.batchnorm import (
    CONVENTIONS,
    RunningStats,
    batchnorm_backward,
    batchnorm_eval_backward,
    batchnorm_forward_eval,
    batchnorm_forward_train,
    initial_running_stats,
    layernorm_backward,
    layernorm_forward,
    update_running_stats,
)
from tests.test_layers import numerical_gradient, rel_error


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    return rng.normal(3.0, 2.0, size=(6, 5)), rng.normal(size=5) + 1.5, rng.normal(size=5), rng.normal(size=(6, 5))


def test_train_output_has_mean_beta_and_std_gamma(batch):
    x, gamma, beta, _ = batch
    y, _ = batchnorm_forward_train(x, gamma, beta, eps=1e-5)
    np.testing.assert_allclose(y.mean(axis=0), beta, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), np.abs(gamma), rtol=1e-5)


def test_square_root_is_in_the_denominator(batch):
    x = batch[0]
    y, _ = batchnorm_forward_train(x, 1.0, 0.0, eps=0.0)
    expected = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0))
    np.testing.assert_allclose(y, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "forward,backward",
    [(batchnorm_forward_train, batchnorm_backward), (layernorm_forward, layernorm_backward)],
    ids=["batchnorm", "layernorm"],
)
@pytest.mark.parametrize("wrt", ["x", "gamma", "beta"])
def test_backward_matches_numerical_gradient(batch, forward, backward, wrt):
    x, gamma, beta, dy = batch
    x, gamma, beta = x.copy(), gamma.copy(), beta.copy()
    target = {"x": x, "gamma": gamma, "beta": beta}[wrt]

    def loss() -> float:
        return float(np.sum(forward(x, gamma, beta)[0] * dy))

    _, cache = forward(x, gamma, beta)
    analytic = dict(zip(("x", "gamma", "beta"), backward(dy, cache)))[wrt]
    assert rel_error(analytic, numerical_gradient(loss, target)) < 1e-7


def test_layernorm_normalizes_each_example_over_its_features(batch):
    y, _ = layernorm_forward(batch[0], 1.0, 0.0)
    np.testing.assert_allclose(y.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=1), 1, rtol=1e-4)


def test_pytorch_running_statistics_follow_the_recurrence():
    rng = np.random.default_rng(1)
    batches = [rng.normal(2.0, 3.0, size=(8, 4)) for _ in range(5)]
    mean, var = np.zeros(4), np.ones(4)  # PyTorch starts running_var at 1
    running = initial_running_stats(4, CONVENTIONS["pytorch"])
    for x in batches:
        mean = 0.9 * mean + 0.1 * x.mean(axis=0)
        var = 0.9 * var + 0.1 * x.var(axis=0, ddof=1)  # stores the unbiased variance
        running = update_running_stats(running, x, CONVENTIONS["pytorch"])
    np.testing.assert_allclose(running.mean, mean, rtol=1e-12)
    np.testing.assert_allclose(running.var, var, rtol=1e-12)
    assert running.steps == 5


def test_cs231n_running_statistics_follow_the_recurrence():
    rng = np.random.default_rng(2)
    batches = [rng.normal(-1.0, 0.5, size=(8, 4)) for _ in range(5)]
    mean, var = np.zeros(4), np.zeros(4)  # the assignment starts running_var at 0
    running = initial_running_stats(4, CONVENTIONS["cs231n"])
    for x in batches:
        mean = 0.9 * mean + 0.1 * x.mean(axis=0)
        var = 0.9 * var + 0.1 * x.var(axis=0)  # stores the biased variance
        running = update_running_stats(running, x, CONVENTIONS["cs231n"])
    np.testing.assert_allclose(running.mean, mean, rtol=1e-12)
    np.testing.assert_allclose(running.var, var, rtol=1e-12)


def test_eval_mode_uses_the_running_statistics_and_its_backward_is_affine():
    rng = np.random.default_rng(3)
    running = initial_running_stats(3, CONVENTIONS["pytorch"])
    for _ in range(4):
        running = update_running_stats(running, rng.normal(size=(10, 3)), CONVENTIONS["pytorch"])
    x, gamma, beta = rng.normal(size=(5, 3)), np.array([1.0, 2.0, 0.5]), np.array([0.0, 1.0, -1.0])
    y, cache = batchnorm_forward_eval(x, gamma, beta, running, eps=1e-5)
    np.testing.assert_allclose(y, gamma * (x - running.mean) / np.sqrt(running.var + 1e-5) + beta)
    dy = rng.normal(size=(5, 3))
    np.testing.assert_allclose(batchnorm_eval_backward(dy, cache), dy * gamma / np.sqrt(running.var + 1e-5))


def test_batch_of_one_and_constant_features_give_beta_not_nan():
    y, _ = batchnorm_forward_train(np.array([[1.0, 2.0, 3.0]]), 2.0, 0.5, eps=0.0)
    np.testing.assert_array_equal(y, [[0.5, 0.5, 0.5]])
    x = np.column_stack([np.full(4, 7.0), np.arange(4.0)])
    y, _ = batchnorm_forward_train(x, 1.0, 0.0, eps=0.0)
    assert np.all(np.isfinite(y)) and np.all(y[:, 0] == 0)


def _reference_net(cfg, x0):
    """The simulation's net written out with explicit weights: dense, then BN and activation."""
    from engine.activations import ACTIVATIONS
    from engine.propagate import _layer_weights

    act = ACTIVATIONS[cfg.activation]
    x = x0
    for i, (din, dout) in enumerate(zip(cfg.sizes[:-1], cfg.sizes[1:]), start=1):
        z = x @ _layer_weights(cfg, i, din, dout, {}) + cfg.bias
        if cfg.bn == "before":
            x = act.fn(batchnorm_forward_train(z, cfg.gamma, cfg.beta)[0], cfg.slope)
        else:
            x = batchnorm_forward_train(act.fn(z, cfg.slope), cfg.gamma, cfg.beta)[0]
    return x


@pytest.mark.parametrize("placement", ["before", "after"])
def test_batchnorm_inside_the_simulation_matches_a_numerical_gradient(placement):
    from engine import SimConfig
    from engine.propagate import raw_run

    cfg = SimConfig(sizes=(5, 6, 4), batch=4, init="xavier", path="explicit", bn=placement, gamma=1.3, beta=0.2)
    run = raw_run(cfg)
    x0 = run.input.copy()
    np.testing.assert_allclose(_reference_net(cfg, x0), run.activations[-1], rtol=1e-10)

    def loss() -> float:
        return float(np.sum(_reference_net(cfg, x0) * run.upstream))

    assert rel_error(run.input_grad, numerical_gradient(loss, x0)) < 1e-7


def test_batchnorm_before_the_activation_makes_the_lecture_inits_healthy():
    from engine import SimConfig, simulate

    for scale in (0.01, 0.05):
        plain = simulate(SimConfig(scale=scale))
        normed = simulate(SimConfig(scale=scale, bn="before"))
        stds = [layer.act.std for layer in normed.layers]
        assert max(stds) / min(stds) < 1.05, stds
        assert max(layer.frac_saturated for layer in normed.layers) < 0.05
        assert plain.layers[-1].act.std < 0.1 or plain.layers[0].frac_saturated > 0.3


def _reference_eval_net(cfg, warmup_inputs, x_eval):
    """Eval-mode net with explicit weights: warm-up batches set running stats layer by layer."""
    from engine.activations import ACTIVATIONS
    from engine.propagate import _layer_weights

    act = ACTIVATIONS[cfg.activation]
    convention = CONVENTIONS[cfg.bn_conv]
    warm, x = list(warmup_inputs), x_eval
    for i, (din, dout) in enumerate(zip(cfg.sizes[:-1], cfg.sizes[1:]), start=1):
        w = _layer_weights(cfg, i, din, dout, {})
        running = initial_running_stats(dout, convention)
        next_warm = []
        for xb in warm:
            zb = xb @ w
            running = update_running_stats(running, zb, convention)
            next_warm.append(act.fn(batchnorm_forward_train(zb, cfg.gamma, cfg.beta)[0], cfg.slope))
        x = act.fn(batchnorm_forward_eval(x @ w, cfg.gamma, cfg.beta, running)[0], cfg.slope)
        warm = next_warm
    return x


@pytest.mark.parametrize("convention", ["pytorch", "cs231n"])
def test_eval_mode_simulation_matches_running_statistics_and_a_numerical_gradient(convention):
    from engine import SimConfig
    from engine.propagate import make_input, raw_run

    cfg = SimConfig(
        sizes=(5, 6, 4),
        batch=4,
        init="xavier",
        path="explicit",
        bn="before",
        bn_mode="eval",
        bn_warmup=3,
        bn_conv=convention,
        gamma=1.2,
        beta=0.1,
    )
    stacked = make_input(cfg)
    warmup = [stacked[k * 4 : (k + 1) * 4] for k in range(3)]
    run = raw_run(cfg)
    x_eval = run.input.copy()
    np.testing.assert_allclose(_reference_eval_net(cfg, warmup, x_eval), run.activations[-1], rtol=1e-10)

    def loss() -> float:
        return float(np.sum(_reference_eval_net(cfg, warmup, x_eval) * run.upstream))

    assert rel_error(run.input_grad, numerical_gradient(loss, x_eval)) < 1e-7


def test_eval_mode_needs_warm_up_and_converges_to_train_mode():
    from engine import SimConfig, simulate

    sizes = SimConfig.sizes_from(6, 1024)
    train = simulate(SimConfig(bn="before", sizes=sizes))
    short = simulate(SimConfig(bn="before", bn_mode="eval", bn_warmup=1, sizes=sizes))
    long = simulate(SimConfig(bn="before", bn_mode="eval", bn_warmup=60, sizes=sizes))
    assert short.layers[-1].act.std < 0.2 * short.layers[0].act.std  # the 0.01 init's collapse is back
    for a, b in zip(train.layers, long.layers):
        assert b.act.std == pytest.approx(a.act.std, rel=0.1)


def test_pytorch_running_variance_refuses_a_batch_of_one_as_pytorch_does():
    one = np.array([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        update_running_stats(initial_running_stats(3, CONVENTIONS["pytorch"]), one, CONVENTIONS["pytorch"])
    # The CS231n convention stores the biased variance, defined (0) for one example.
    running = update_running_stats(initial_running_stats(3, CONVENTIONS["cs231n"]), one, CONVENTIONS["cs231n"])
    assert np.all(np.isfinite(running.var))


def test_batch_norm_eval_with_a_batch_of_one_is_refused_in_the_pytorch_convention_only():
    from engine import SimConfig, config_problems

    base = SimConfig(bn="before", bn_mode="eval", batch=1, sizes=(8, 8))
    assert any("at least 2" in p and "cs231n" in p for p in config_problems(base))
    assert not config_problems(SimConfig(bn="before", bn_mode="eval", batch=1, bn_conv="cs231n", sizes=(8, 8)))
    assert not config_problems(SimConfig(bn="before", bn_mode="eval", batch=2, sizes=(8, 8)))
    assert not config_problems(SimConfig(bn="before", bn_mode="train", batch=1, sizes=(8, 8)))


def test_a_nan_or_overflowed_variance_gives_nan_not_a_silent_beta():
    x = np.array([[1.0, 2.0], [3.0, 5.0]])
    running = RunningStats(np.zeros(2), np.array([np.nan, 1.0]))
    y, _ = batchnorm_forward_eval(x, 1.0, 0.25, running)
    assert np.all(np.isnan(y[:, 0])) and np.all(np.isfinite(y[:, 1]))
    huge = np.array([[1e200, 1.0], [-1e200, 2.0]])  # variance 1e400 overflows float64
    with np.errstate(over="ignore"):
        y, _ = batchnorm_forward_train(huge, 1.0, 0.25)
    assert np.all(np.isnan(y[:, 0])) and np.all(np.isfinite(y[:, 1]))


@pytest.mark.parametrize("path", ["exact", "explicit"])
def test_a_huge_init_under_batch_norm_is_reported_as_overflow_never_a_silent_constant(path):
    from engine import SimConfig, simulate

    # z ~ 1e200: its batch variance overflows. Normalizing that to 0 (output beta) would read as a collapse.
    result = simulate(SimConfig(bn="before", init="gaussian", scale=1e200, sizes=(32, 32, 32), batch=8, path=path))
    assert result.overflow_layer == 1
    assert result.layers[0].act.n_finite < result.layers[0].act.n_total
