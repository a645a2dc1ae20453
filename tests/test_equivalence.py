"""The exact-sampling path against explicit weights: same distributions, seed for seed.

For each setting, both paths run over the same 300 seeds; per-run scalars (a single
activation entry, the last layer's norm, the input-gradient norm, and <x0, dx0>,
which ties the backward pass to the forward one) are compared with two-sample KS
tests. Seeds are fixed, so the tests are deterministic. A deliberately wrong
backward pass (no projection off x's row space) must fail the same comparison.
"""

from dataclasses import replace

import numpy as np
import pytest
from scipy.stats import ks_2samp

import engine.propagate as propagate
from engine import SimConfig
from engine.layers import mlp_backward, mlp_forward
from engine.propagate import _layer_weights, raw_run

SEEDS = range(300)
# 4 statistics x 6 settings: a per-test level of 1e-3 keeps the family-wise error small.
ALPHA = 1e-3

SETTINGS = {
    "tanh gaussian depth 3": SimConfig(activation="tanh", init="gaussian", scale=0.25, sizes=(16, 16, 16, 16)),
    "relu kaiming depth 3": SimConfig(activation="relu", init="kaiming_normal", sizes=(20, 24, 16, 12)),
    "linear glorot depth 2 with bias": SimConfig(
        activation="linear", init="glorot_normal", sizes=(12, 18, 10), bias=0.3
    ),
    "tanh orthogonal wide then tall": SimConfig(activation="tanh", init="orthogonal", gain=1.3, sizes=(10, 16, 12, 14)),
    "relu orthogonal square": SimConfig(activation="relu", init="orthogonal", gain=1.4, sizes=(14, 14, 14)),
    "sigmoid xavier batch > width": SimConfig(activation="sigmoid", init="xavier", sizes=(6, 9, 5), batch=8),
}


def run_statistics(cfg: SimConfig) -> dict[str, np.ndarray]:
    rows = []
    for seed in SEEDS:
        run = raw_run(replace(cfg, seed=seed))
        top = run.activations[-1]
        rows.append(
            (
                top[0, 0],
                np.linalg.norm(top),
                np.linalg.norm(run.input_grad),
                float(np.sum(run.input * run.input_grad)),
            )
        )
    values = np.array(rows)
    return dict(zip(("single entry", "last-layer norm", "input-gradient norm", "<x0, dx0>"), values.T))


def ks_pvalues(cfg: SimConfig) -> dict[str, float]:
    base = replace(cfg, batch=cfg.batch if cfg.batch != SimConfig().batch else 6)
    exact = run_statistics(replace(base, path="exact"))
    explicit = run_statistics(replace(base, path="explicit"))
    return {name: ks_2samp(exact[name], explicit[name]).pvalue for name in exact}


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_exact_path_matches_explicit_weights_in_distribution(name):
    pvalues = ks_pvalues(SETTINGS[name])
    assert min(pvalues.values()) > ALPHA, pvalues


# Batches where the Gram matrix of a layer's input is ill-conditioned or singular: a huge mean
# and a tiny spread (what tells the examples apart is then a (spread / mean)^2 part of it),
# repeated rows, more rows than columns; with batch norm before and after the activation.
# Each entry: the config and, where make_input cannot produce the batch, a map of its rows.
HUGE_MEAN = {"in_mean": 1000.0, "in_std": 0.001}
ILL_CONDITIONED = {
    "tanh huge mean BN before": (
        SimConfig(activation="tanh", init="gaussian", scale=1.0, sizes=(16, 16, 16), batch=6, bn="before", **HUGE_MEAN),
        None,
    ),
    "linear huge mean BN after, shifted back to it at every layer": (
        SimConfig(
            activation="linear",
            init="glorot_normal",
            sizes=(12, 18, 10),
            batch=6,
            bn="after",
            gamma=1e-3,
            beta=1e3,
            **HUGE_MEAN,
        ),
        None,
    ),
    "tanh orthogonal huge mean BN before": (
        SimConfig(
            activation="tanh", init="orthogonal", gain=1.3, sizes=(10, 16, 12, 14), batch=6, bn="before", **HUGE_MEAN
        ),
        None,
    ),
    "relu repeated rows around a huge mean BN before": (
        SimConfig(activation="relu", init="kaiming_normal", sizes=(12, 16, 10), batch=8, bn="before"),
        lambda x: 1e3 + 1e-3 * x[[0, 0, 1, 1, 2, 3, 3, 3]],
    ),
    "relu repeated rows around a huge mean BN after": (
        SimConfig(activation="relu", init="kaiming_normal", sizes=(12, 16, 10), batch=8, bn="after"),
        lambda x: 1e3 + 1e-3 * x[[0, 0, 1, 1, 2, 3, 3, 3]],
    ),
    "sigmoid repeated rows, batch > width, BN after": (
        SimConfig(activation="sigmoid", init="xavier", sizes=(5, 6, 4), batch=12, bn="after"),
        lambda x: x[[0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4]],  # 7 distinct rows of width 5
    ),
}


@pytest.mark.parametrize("name", sorted(ILL_CONDITIONED))
def test_exact_path_matches_explicit_weights_on_ill_conditioned_and_rank_deficient_batches(name, monkeypatch):
    cfg, rows = ILL_CONDITIONED[name]
    if rows is not None:
        make_input = propagate.make_input
        monkeypatch.setattr(propagate, "make_input", lambda c: rows(make_input(c)))
    pvalues = ks_pvalues(cfg)
    assert min(pvalues.values()) > ALPHA, pvalues


def _backward_without_projection(dz, x, cache, s, rng, dz_factor=None):
    """The exact backward pass with the projection term dropped: dx = seen + M."""
    from engine.layers import gram_factor

    qt = cache.factor.qt(x)
    seen = s * (dz @ cache.draw.T.astype(np.float64)) @ qt
    dz_factor = dz_factor or gram_factor(dz)
    h = rng.standard_normal((dz_factor.rank, x.shape[1]))
    return seen + (s * dz_factor.scale) * (dz_factor.f @ h)


def test_negative_control_a_wrong_backward_pass_fails(monkeypatch):
    monkeypatch.setattr(propagate, "exact_dense_backward", _backward_without_projection)
    pvalues = ks_pvalues(SETTINGS["tanh gaussian depth 3"])
    assert min(pvalues.values()) < 1e-6, pvalues


def test_explicit_path_is_the_gradient_checked_network():
    # raw_run on explicit weights equals mlp_forward/mlp_backward (numerically checked in
    # test_layers) with the same weights: the reference the exact path is compared with.
    cfg = SimConfig(sizes=(10, 8, 6), batch=4, init="xavier", path="explicit", bias=0.1)
    run = raw_run(cfg)
    weights = [_layer_weights(cfg, i, din, dout, {}).copy() for i, (din, dout) in enumerate(zip((10, 8), (8, 6)), 1)]
    out, caches = mlp_forward(run.input, weights, 0.1, "tanh")
    dx, _ = mlp_backward(run.upstream, caches)
    np.testing.assert_allclose(out, run.activations[-1], rtol=1e-12)
    np.testing.assert_allclose(dx, run.input_grad, rtol=1e-12)


def _orthogonal_backward_without_complement(dz, x, cache, gain, rng, dz_factor=None):
    """The exact orthogonal backward pass keeping only the part inside x's row space."""
    a = cache.draw.astype(np.float64)
    return gain * (dz @ a.T) @ cache.factor.qt(x)


def test_negative_control_orthogonal_backward_without_its_complement_fails(monkeypatch):
    monkeypatch.setattr(propagate, "exact_orthogonal_backward", _orthogonal_backward_without_complement)
    pvalues = ks_pvalues(SETTINGS["tanh orthogonal wide then tall"])
    assert min(pvalues.values()) < 1e-6, pvalues
