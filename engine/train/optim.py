"""Optimizers on one flat parameter vector: SGD, SGD with momentum and Adam (CS231n optim.py).

Each update works in place on the trainer's working copies (the trainer copies a state's
arrays before it advances, so states stay immutable) and returns an array whose slices
have the norm of the step each parameter took: ||lr * dW|| for SGD, the velocity for
momentum, Adam's step. The update-to-weight ratio ||step|| / ||W|| is read from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MOMENTUM = 0.9
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8


def _sgd(theta: np.ndarray, grad: np.ndarray, moments: tuple[np.ndarray, ...], t: int, lr: float) -> np.ndarray:
    """w -= lr * dw."""
    (step,) = moments[-1:]
    np.multiply(grad, theta.dtype.type(lr), out=step)
    theta -= step
    return step


def _momentum(theta: np.ndarray, grad: np.ndarray, moments: tuple[np.ndarray, ...], t: int, lr: float) -> np.ndarray:
    """v = 0.9 v - lr * dw; w += v (CS231n's sgd_momentum)."""
    v, scratch = moments
    v *= theta.dtype.type(MOMENTUM)
    np.multiply(grad, theta.dtype.type(lr), out=scratch)
    v -= scratch
    theta += v
    return v


def _adam(theta: np.ndarray, grad: np.ndarray, moments: tuple[np.ndarray, ...], t: int, lr: float) -> np.ndarray:
    """Adam with bias correction, t the 1-based step: the update of PyTorch's torch.optim.Adam.

    lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), with both corrections folded
    into two scalars so the vector work is one pass fewer.
    """
    m, v, step = moments
    cast = theta.dtype.type
    root_c2 = math.sqrt(1.0 - ADAM_BETA2**t)
    m *= cast(ADAM_BETA1)
    np.multiply(grad, cast(1.0 - ADAM_BETA1), out=step)
    m += step
    v *= cast(ADAM_BETA2)
    np.multiply(grad, grad, out=step)
    step *= cast(1.0 - ADAM_BETA2)
    v += step
    np.sqrt(v, out=step)
    step += cast(ADAM_EPS * root_c2)
    np.divide(m, step, out=step)
    step *= cast(lr * root_c2 / (1.0 - ADAM_BETA1**t))
    theta -= step
    return step


@dataclass(frozen=True)
class Optimizer:
    """An update rule: `moments` is how many state vectors it keeps (the last may be scratch)."""

    name: str
    label: str
    update: Callable[[np.ndarray, np.ndarray, tuple[np.ndarray, ...], int, float], np.ndarray]
    moments: int
    kept: int  # how many of the moments carry over between steps (the rest is scratch)


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer("sgd", "SGD", _sgd, 1, 0),
        Optimizer("momentum", f"SGD + momentum {MOMENTUM}", _momentum, 2, 1),
        Optimizer("adam", "Adam", _adam, 3, 2),
    )
}


def initial_moments(name: str, size: int, dtype: np.dtype) -> tuple[np.ndarray, ...]:
    """The optimizer's kept state at step 0: zeros (size,) each."""
    return tuple(np.zeros(size, dtype) for _ in range(OPTIMIZERS[name].kept))


def working_moments(name: str, kept: tuple[np.ndarray, ...], size: int, dtype: np.dtype) -> tuple[np.ndarray, ...]:
    """Copies of the kept moments plus scratch vectors (size,), for an optimizer's update to work in."""
    spec = OPTIMIZERS[name]
    return tuple(m.copy() for m in kept) + tuple(np.empty(size, dtype) for _ in range(spec.moments - spec.kept))
