"""The experiments of the batch-norm lab: the transform step by step, robustness to the
weight scale, and train versus test behaviour under both running-statistics conventions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from engine.batchnorm import (
    CONVENTIONS,
    batchnorm_forward_eval,
    batchnorm_forward_train,
    initial_running_stats,
    update_running_stats,
)
from engine.config import BN_EPS, SimConfig
from engine.propagate import raw_run

SPREAD_BATCH_SIZES = (2, 4, 8, 32, 128)


@dataclass(frozen=True)
class Steps:
    """Every intermediate of y = gamma * (x - mu) / sqrt(var + eps) + beta on one batch."""

    x: np.ndarray
    mu: np.ndarray
    var: np.ndarray
    x_hat: np.ndarray
    y: np.ndarray
    constant_features: np.ndarray  # features whose batch variance + eps is 0


def feature_means(features: int, mean: float) -> np.ndarray:
    """Per-feature means spread around `mean`, so the features visibly differ."""
    return mean + np.linspace(-1.0, 1.0, features) * abs(mean) * 0.5


def batch_steps(
    rows: int, features: int, seed: int, mean: float, std: float, gamma: float, beta: float, eps: float
) -> Steps:
    """A (rows, features) batch with per-feature offsets and scales, normalized step by step."""
    rng = np.random.default_rng(seed)
    scales = std * np.linspace(0.5, 1.5, features)
    x = feature_means(features, mean) + scales * rng.standard_normal((rows, features))
    mu, var = x.mean(axis=0), x.var(axis=0)
    y, (x_hat, _, _) = batchnorm_forward_train(x, gamma, beta, eps)
    return Steps(x, mu, var, x_hat, y, (var + eps) == 0)


@dataclass(frozen=True)
class Robustness:
    """Last-layer activation std and input-gradient std against the weight scale."""

    scales: np.ndarray
    act_std: dict[str, np.ndarray]  # keyed "none" / "before"
    grad_std: dict[str, np.ndarray]


def _finite_std(values: np.ndarray) -> float:
    """The std, or inf when the values overflowed."""
    with np.errstate(all="ignore"):
        std = float(values.std())
    return std if np.isfinite(std) else np.inf


def init_robustness(
    activation: str,
    depth: int,
    width: int,
    batch: int,
    seed: int,
    points: int = 21,
    progress: Callable[[int, int], None] | None = None,
) -> Robustness:
    """Sweep W = scale * randn over 1e-4..10 with and without BN before the activation.

    progress(done, total) is called after each of the 2 * points nets (a caller can stop the
    sweep there by raising)."""
    scales = np.logspace(-4, 1, points)
    act_std: dict[str, list[float]] = {"none": [], "before": []}
    grad_std: dict[str, list[float]] = {"none": [], "before": []}
    base = SimConfig(activation=activation, sizes=SimConfig.sizes_from(depth, width), batch=batch, seed=seed)
    for bn in act_std:
        for scale in scales:
            run = raw_run(replace(base, scale=float(scale), bn=bn))
            act_std[bn].append(_finite_std(run.activations[-1]))
            grad_std[bn].append(_finite_std(run.input_grad))
            if progress is not None:
                progress(len(act_std["none"]) + len(act_std["before"]), 2 * points)
    return Robustness(
        scales, {k: np.array(v) for k, v in act_std.items()}, {k: np.array(v) for k, v in grad_std.items()}
    )


@dataclass(frozen=True)
class Spread:
    """Train-mode output of one fixed example across random batch-mates, per batch size."""

    batch_sizes: tuple[int, ...]
    train_outputs: np.ndarray  # (len(batch_sizes), repeats)
    eval_output: float
    example: float


def train_test_spread(seed: int, mean: float, std: float, repeats: int = 200) -> Spread:
    """One feature ~ N(mean, std^2): the example x* with fresh batch-mates, train vs eval mode.

    Eval mode uses the population statistics (what long warm-up converges to).
    """
    rng = np.random.default_rng(seed)
    example = mean + std * 0.8
    outputs = np.empty((len(SPREAD_BATCH_SIZES), repeats))
    for i, n in enumerate(SPREAD_BATCH_SIZES):
        mates = mean + std * rng.standard_normal((repeats, n - 1))
        batch = np.concatenate([np.full((repeats, 1), example), mates], axis=1)
        mu, var = batch.mean(axis=1), batch.var(axis=1)
        outputs[i] = (example - mu) / np.sqrt(var + BN_EPS)
    eval_output = (example - mean) / np.sqrt(std**2 + BN_EPS)
    return Spread(SPREAD_BATCH_SIZES, outputs, float(eval_output), float(example))


@dataclass(frozen=True)
class RunningTrace:
    """Running mean and variance after each warm-up step, per convention, and the truth."""

    steps: np.ndarray
    mean: dict[str, np.ndarray]
    var: dict[str, np.ndarray]
    true_mean: float
    true_var: float
    eval_error: dict[str, np.ndarray]  # |eval output - population-normalized output| of a fixed example


def running_statistics(steps: int, batch: int, seed: int, mean: float, std: float) -> RunningTrace:
    """Feed `steps` training batches of one feature ~ N(mean, std^2) to both conventions."""
    rng = np.random.default_rng(seed)
    batches = mean + std * rng.standard_normal((steps, batch, 1))
    example = np.array([[mean + 0.8 * std]])
    truth = (example - mean) / np.sqrt(std**2 + BN_EPS)
    means, variances, errors = {}, {}, {}
    for name, convention in CONVENTIONS.items():
        running = initial_running_stats(1, convention)
        m, v, e = [running.mean[0]], [running.var[0]], []
        e.append(abs(batchnorm_forward_eval(example, 1.0, 0.0, running)[0][0, 0] - truth[0, 0]))
        for x in batches:
            running = update_running_stats(running, x, convention)
            m.append(running.mean[0])
            v.append(running.var[0])
            e.append(abs(batchnorm_forward_eval(example, 1.0, 0.0, running)[0][0, 0] - truth[0, 0]))
        means[name], variances[name], errors[name] = np.array(m), np.array(v), np.array(e)
    return RunningTrace(np.arange(steps + 1), means, variances, mean, std**2, errors)
