"""Training a ConvArch net, or its top layers on frozen features, with Adam (engine.train.optim).

The trained layers may be split in two groups with their own learning rates (fine-tuning:
a smaller rate for the reused layers); layers below `start` are frozen and never computed
again: the caller hands in their output.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from threadpoolctl import ThreadpoolController

from engine.propagate import stream
from engine.train.optim import OPTIMIZERS, initial_moments, working_moments
from engine.transfer.convnet import ConvArch, loss_and_grad, scores

_BATCHES = 30  # stream key of the minibatch draws
PROGRESS_CALLS = 10


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    return ThreadpoolController().select(user_api="blas")


def one_blas_thread() -> AbstractContextManager:
    """BLAS on one thread while the block runs: for these small products a second thread only waits
    (engine.train.trainer.advance measured a run 50x slower with two spinning threads on a busy machine)."""
    return _blas().limit(limits=1)


@dataclass(frozen=True)
class FitResult:
    """The trained flat parameters and the minibatch loss before each step (steps,)."""

    theta: np.ndarray
    losses: np.ndarray


def _groups(
    arch: ConvArch, start: int, split: int | None, lr: float, lower_lr: float | None
) -> list[tuple[slice, float]]:
    """(span of the flat vector, learning rate) of each group of trained layers."""
    top = arch.layer_span(start)
    if split is None or lower_lr is None or split <= start:
        return [(top, lr)]
    lower = slice(top.start, arch.layer_span(split).start)
    return [(lower, lower_lr), (arch.layer_span(split), lr)]


def _fresh_moments(size: int, dtype: np.dtype) -> tuple[np.ndarray, ...]:
    return working_moments("adam", initial_moments("adam", size, dtype), size, dtype)


def fit(
    arch: ConvArch,
    theta: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    *,
    start: int,
    lr: float,
    steps: int,
    batch: int,
    seed: int,
    lower_lr: float | None = None,
    split: int | None = None,
    l2: float = 0.0,
    progress: Callable[[float], None] | None = None,
) -> FitResult:
    """Adam on layers start..L-1 of theta (a copy is trained) from depth-`start` features x (N, D), labels y (N,).

    Minibatches of `batch` examples drawn with replacement from the seed's stream (the whole
    set when N <= batch). With lower_lr and split, layers start..split-1 learn at lower_lr.
    progress(fraction of the steps done) is called after every tenth of them.
    """
    theta = theta.copy()
    rng = stream(seed, _BATCHES)
    groups = _groups(arch, start, split, lr, lower_lr)
    adam = OPTIMIZERS["adam"]
    moments = [_fresh_moments(span.stop - span.start, theta.dtype) for span, _ in groups]
    losses = np.empty(steps)
    n = len(y)
    for t in range(steps):
        if n > batch:
            idx = rng.integers(0, n, batch)
            xb, yb = x[idx], y[idx]
        else:
            xb, yb = x, y
        losses[t], grad = loss_and_grad(arch, theta, xb, yb, start, l2)
        for (span, rate), m in zip(groups, moments):
            adam.update(theta[span], grad[span], m, t + 1, rate)
        if progress is not None and (t + 1) % max(1, steps // PROGRESS_CALLS) == 0:
            progress((t + 1) / steps)
    return FitResult(theta, losses)


def accuracy(arch: ConvArch, theta: np.ndarray, x: np.ndarray, y: np.ndarray, start: int = 0) -> float:
    """Fraction of depth-`start` features x classified as y."""
    return float(np.mean(scores(arch, theta, x, start).argmax(axis=1) == y))
