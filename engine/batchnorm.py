"""Batch norm and layer norm: forward/backward pairs and running statistics.

Two running-statistics conventions are in use and both are taught:

- PyTorch BatchNorm1d: running = (1 - m) * running + m * batch with m = 0.1,
  running_var stores the unbiased batch variance and starts at 1.
- CS231n assignment: running = m * running + (1 - m) * batch with m = 0.9,
  running_var stores the biased variance and starts at 0.

Train mode always normalizes with the biased batch variance:
x_hat = (x - mean) / sqrt(var + eps), y = gamma * x_hat + beta.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Convention:
    """How running statistics are updated (see the module docstring)."""

    name: str
    momentum: float
    momentum_weights_new: bool
    unbiased_running_var: bool
    initial_var: float

    def blend(self, running: np.ndarray, batch: np.ndarray) -> np.ndarray:
        m = self.momentum
        return (1 - m) * running + m * batch if self.momentum_weights_new else m * running + (1 - m) * batch


CONVENTIONS = {
    "pytorch": Convention("pytorch", 0.1, True, True, 1.0),
    "cs231n": Convention("cs231n", 0.9, False, False, 0.0),
}


@dataclass(frozen=True)
class RunningStats:
    """Per-feature running mean and variance after `steps` training batches."""

    mean: np.ndarray
    var: np.ndarray
    steps: int = 0


def initial_running_stats(features: int, convention: Convention) -> RunningStats:
    """Running statistics before any batch: mean 0, var as the convention starts it."""
    return RunningStats(np.zeros(features), np.full(features, convention.initial_var))


def update_running_stats(running: RunningStats, x: np.ndarray, convention: Convention) -> RunningStats:
    """New running statistics after one training batch x (N, D); the old ones are unchanged.

    The unbiased variance (PyTorch) needs N >= 2; like PyTorch, a batch of one is refused.
    """
    return blend_running_stats(running, x.mean(axis=0), x.var(axis=0), x.shape[0], convention)


def blend_running_stats(
    running: RunningStats, mean: np.ndarray, var: np.ndarray, n: int, convention: Convention
) -> RunningStats:
    """update_running_stats from a batch's mean and biased variance (D,) already computed, n rows."""
    if convention.unbiased_running_var:
        if n < 2:
            raise ValueError("Expected more than 1 value per channel when training (unbiased running variance)")
        var = var * n / (n - 1)
    return RunningStats(convention.blend(running.mean, mean), convention.blend(running.var, var), running.steps + 1)


def _normalize(x: np.ndarray, mean: np.ndarray, var: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """(x_hat, 1 / sqrt(var + eps)); a feature with var + eps == 0 normalizes to 0, not NaN.

    Only that exact zero is guarded: a NaN variance, or one that overflowed to inf, gives
    NaN, so the caller reports it instead of showing a silent constant beta.
    """
    denom = np.sqrt(var + eps)
    inv_std = np.divide(1.0, denom, out=np.zeros_like(denom), where=denom != 0)
    inv_std = np.where(np.isinf(denom), np.nan, inv_std)
    return (x - mean) * inv_std, inv_std


def batchnorm_forward_train(
    x: np.ndarray, gamma: np.ndarray | float, beta: np.ndarray | float, eps: float = 1e-5
) -> tuple[np.ndarray, tuple]:
    """Train mode: normalize each feature over the batch. x (N, D) -> y (N, D)."""
    x_hat, inv_std = _normalize(x, x.mean(axis=0), x.var(axis=0), eps)
    gamma = np.broadcast_to(np.asarray(gamma, dtype=float), x.shape[1:])
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


def batchnorm_backward(dy: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Closed-form backward of train mode: dy (N, D) -> dx (N, D), dgamma (D,), dbeta (D,)."""
    x_hat, inv_std, gamma = cache
    n = dy.shape[0]
    dbeta = dy.sum(axis=0)
    dgamma = (dy * x_hat).sum(axis=0)
    dx = (gamma * inv_std / n) * (n * dy - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def batchnorm_forward_eval(
    x: np.ndarray, gamma: np.ndarray | float, beta: np.ndarray | float, running: RunningStats, eps: float = 1e-5
) -> tuple[np.ndarray, tuple]:
    """Eval mode: normalize with running statistics, an affine map per feature. x (N, D) -> y (N, D)."""
    x_hat, inv_std = _normalize(x, running.mean, running.var, eps)
    gamma = np.broadcast_to(np.asarray(gamma, dtype=float), x.shape[1:])
    return gamma * x_hat + beta, (gamma * inv_std,)


def batchnorm_eval_backward(dy: np.ndarray, cache: tuple) -> np.ndarray:
    """Backward of eval mode (fixed statistics): dx = dy * gamma / sqrt(running_var + eps)."""
    (scale,) = cache
    return dy * scale


def layernorm_forward(
    x: np.ndarray, gamma: np.ndarray | float, beta: np.ndarray | float, eps: float = 1e-5
) -> tuple[np.ndarray, tuple]:
    """Layer norm: normalize each example over its features (same in train and test). (N, D) -> (N, D)."""
    y_t, cache = batchnorm_forward_train(x.T, 1.0, 0.0, eps)
    gamma = np.broadcast_to(np.asarray(gamma, dtype=float), x.shape[1:])
    return gamma * y_t.T + beta, (cache, gamma, y_t.T)


def layernorm_backward(dy: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward of layernorm_forward: dy (N, D) -> dx (N, D), dgamma (D,), dbeta (D,)."""
    bn_cache, gamma, x_hat = cache
    dx_t, _, _ = batchnorm_backward((dy * gamma).T, bn_cache)
    return dx_t.T, (dy * x_hat).sum(axis=0), dy.sum(axis=0)
