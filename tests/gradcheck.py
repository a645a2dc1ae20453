"""Numerical gradients for the backward passes' tests (CS231n's eval_numerical_gradient)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

STEP = 1e-5


def numerical_gradient(f: Callable[[], float], x: np.ndarray, step: float = STEP) -> np.ndarray:
    """Central differences of the scalar f() in every entry of x (changed in place and restored)."""
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + step
        plus = f()
        x[i] = old - step
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * step)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 0.0) -> float:
    """||a - b|| / max(||a|| + ||b||, floor)."""
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), floor, 1e-300))
