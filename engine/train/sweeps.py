"""The training lab's sweeps: experiment 3 (weight scale, with and without batch norm) and
experiment 4 (learning rate, with and without batch norm). Each run is an ordinary
trainer run, so a sweep is as deterministic as its configs."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine.train.trainer import TrainConfig, evaluate, train

# Experiment 3: an 8-layer net (7 hidden layers of 64 and the output layer) trained with
# W = scale * randn at every layer, SGD with momentum; batch norm before the activation or none.
SCALES = tuple(float(s) for s in np.logspace(-4, 0, 12))
SCALE_BASE = TrainConfig(
    hidden=(64,) * 7,
    activation="tanh",
    init="gaussian",
    optimizer="momentum",
    lr=0.01,
    steps=400,
    record_every=50,
)
# Experiment 4: the default net with Kaiming init and plain SGD at learning rates 1e-3..10.
LEARNING_RATES = tuple(float(s) for s in np.logspace(-3, 1, 9))
LR_BASE = TrainConfig(hidden=(64,) * 7, optimizer="sgd", steps=300, record_every=50)
BN_CHOICES = ("none", "before")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: the swept value, batch norm placement and the outcome.

    final_loss: softmax loss on the whole training split with the final weights (batch
    norm in eval mode); inf when the run diverged. best_val_acc: the best validation
    accuracy over the record points.
    """

    value: float
    bn: str
    final_loss: float
    best_val_acc: float
    diverged_at: int | None

    def trained(self, chance_loss: float) -> bool:
        """Whether the run learned: its final training loss is below half of chance's ln(C)."""
        return self.diverged_at is None and self.final_loss < 0.5 * chance_loss


def run_outcome(cfg: TrainConfig, value: float) -> SweepRun:
    """Train cfg for cfg.steps and summarize it as a SweepRun."""
    state = train(cfg)
    _, acc = state.record.series("val_acc")
    best = float(np.nanmax(acc)) if acc.size and np.isfinite(acc).any() else math.nan
    if state.diverged_at is not None:
        return SweepRun(value, cfg.bn, math.inf, best, state.diverged_at)
    loss, _ = evaluate(state, "train")
    return SweepRun(value, cfg.bn, loss if math.isfinite(loss) else math.inf, best, None)


def sweep(configs: Sequence[tuple[TrainConfig, float]], progress: Progress | None = None) -> tuple[SweepRun, ...]:
    """Run each (config, swept value) in order, calling progress(done, total) after each."""
    runs = []
    for i, (cfg, value) in enumerate(configs):
        runs.append(run_outcome(cfg, value))
        if progress is not None:
            progress(i + 1, len(configs))
    return tuple(runs)


def scale_configs(
    base: TrainConfig = SCALE_BASE, scales: Sequence[float] = SCALES, bns: Sequence[str] = BN_CHOICES
) -> list[tuple[TrainConfig, float]]:
    """Experiment 3's runs: base at every W = scale * randn, for each batch norm choice (in that order)."""
    return [(replace(base, init="gaussian", scale=s, bn=bn), s) for bn in bns for s in scales]


def learning_rate_configs(
    base: TrainConfig = LR_BASE, lrs: Sequence[float] = LEARNING_RATES, bns: Sequence[str] = BN_CHOICES
) -> list[tuple[TrainConfig, float]]:
    """Experiment 4's runs: base at every learning rate, for each batch norm choice (in that order)."""
    return [(replace(base, lr=lr, bn=bn), lr) for bn in bns for lr in lrs]


def weight_scale_sweep(
    base: TrainConfig = SCALE_BASE,
    scales: Sequence[float] = SCALES,
    bns: Sequence[str] = BN_CHOICES,
    progress: Progress | None = None,
) -> tuple[SweepRun, ...]:
    """Experiment 3: base trained at every W = scale * randn, for each batch norm choice (in that order)."""
    return sweep(scale_configs(base, scales, bns), progress)


def learning_rate_sweep(
    base: TrainConfig = LR_BASE,
    lrs: Sequence[float] = LEARNING_RATES,
    bns: Sequence[str] = BN_CHOICES,
    progress: Progress | None = None,
) -> tuple[SweepRun, ...]:
    """Experiment 4: base trained at every learning rate, for each batch norm choice (in that order)."""
    return sweep(learning_rate_configs(base, lrs, bns), progress)
