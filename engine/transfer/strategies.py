"""What to do with the pretrained net on a small target task: the lecture's strategies.

Every strategy trains the same architecture as the source net (its output layer sized for
the target's classes); they differ in which layers start from the source's weights, which
are re-initialized, and which are trained.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from engine.propagate import stream
from engine.transfer.convnet import ConvArch, features, init_layers, init_params
from engine.transfer.data import Task
from engine.transfer.fit import FitResult, accuracy, fit
from engine.transfer.probe import probe_accuracy

_INIT = 50  # stream key of the re-initialized layers
FINE_TUNE_FACTOR = 0.1  # the reused layers' learning rate, relative to the new top's


@dataclass(frozen=True)
class Strategy:
    """reinit: how many top layers are re-initialized (0: all of them, from scratch); trains_all: whether
    the reused layers are trained too (at FINE_TUNE_FACTOR times the rate) or frozen."""

    name: str
    label: str
    reinit: int
    trains_all: bool

    def start(self, arch: ConvArch) -> int:
        """The first trained layer."""
        return 0 if self.trains_all or self.reinit == 0 else arch.depth - self.reinit

    def first_new(self, arch: ConvArch) -> int:
        """The first re-initialized layer."""
        return 0 if self.reinit == 0 else arch.depth - self.reinit


STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy("scratch", "train from scratch", 0, True),
        Strategy("last", "freeze, retrain the last layer", 1, False),
        Strategy("top2", "retrain the last two layers", 2, False),
        Strategy("top3", "retrain the last three layers", 3, False),
        Strategy("finetune", "fine-tune everything", 1, True),
    )
}


@dataclass(frozen=True)
class Hyper:
    """A strategy's training: Adam's learning rate (of the new layers), steps, minibatch size."""

    lr: float
    steps: int = 150
    batch: int = 32  # half of 64's cost with many examples, the same outcomes (docs/transfer.md)


class FeatureBank:
    """The source net's features of a task's train, val and test images at every depth, computed once."""

    def __init__(self, arch: ConvArch, theta: np.ndarray, task: Task):
        self.arch, self.theta, self.task = arch, theta, task

    @cached_property
    def _splits(self) -> dict[str, list[np.ndarray]]:
        out = {}
        for name, x in (("train", self.task.x_train), ("val", self.task.x_val), ("test", self.task.x_test)):
            depths, h = [x], x
            for layer in range(self.arch.depth - 1):
                h = features(self.arch, self.theta, h, layer + 1, start=layer)
                depths.append(h)
            out[name] = depths
        return out

    def at(self, split: str, depth: int) -> np.ndarray:
        """Depth-`depth` features (N, D) of split "train", "val" or "test"."""
        return self._splits[split][depth]


@dataclass(frozen=True)
class StrategyRun:
    """One strategy on k examples per class with one seed: accuracy on the val and test splits, the losses."""

    val_accuracy: float
    test_accuracy: float
    losses: np.ndarray


def target_arch(source: ConvArch, classes: int) -> ConvArch:
    """The source architecture with an output layer for the target's classes."""
    return ConvArch(source.side, source.channels, source.hidden, classes)


def _initial(arch: ConvArch, source_theta: np.ndarray, strategy: Strategy, seed: int) -> np.ndarray:
    """The starting weights: the source's with the top `reinit` layers drawn afresh (all of them from scratch)."""
    rng = stream(seed, _INIT)
    if strategy.reinit == 0:
        return init_params(arch, rng, source_theta.dtype.name)
    theta = np.zeros(arch.size, source_theta.dtype)
    keep = arch.layer_span(arch.depth - strategy.reinit).start
    theta[:keep] = source_theta[:keep]  # layer sizes below the output layer are the source's
    return init_layers(arch, theta, arch.depth - strategy.reinit, rng)


def run_strategy(bank: FeatureBank, strategy: Strategy, hyper: Hyper, picked: np.ndarray, seed: int) -> StrategyRun:
    """Train `strategy` on the task's training examples `picked` (indices) from the bank's source net."""
    task = bank.task
    arch = target_arch(bank.arch, task.classes)
    theta = _initial(arch, bank.theta, strategy, seed)
    start = strategy.start(arch)
    lower = hyper.lr * FINE_TUNE_FACTOR if strategy.trains_all and strategy.reinit else None
    result: FitResult = fit(
        arch,
        theta,
        bank.at("train", start)[picked],
        task.y_train[picked],
        start=start,
        lr=hyper.lr,
        steps=hyper.steps,
        batch=hyper.batch,
        seed=seed,
        lower_lr=lower,
        split=strategy.first_new(arch),
    )
    return StrategyRun(
        accuracy(arch, result.theta, bank.at("val", start), task.y_val, start),
        accuracy(arch, result.theta, bank.at("test", start), task.y_test, start),
        result.losses,
    )


def run_probe(bank: FeatureBank, depth: int, l2: float, picked: np.ndarray) -> tuple[float, float]:
    """(val, test) accuracy of a linear classifier on the source net's depth-`depth` features of `picked`."""
    task = bank.task
    x, y = bank.at("train", depth)[picked], task.y_train[picked]
    return tuple(
        probe_accuracy(x, y, bank.at(split, depth), getattr(task, f"y_{split}"), task.classes, l2)
        for split in ("val", "test")
    )
