"""Why normalize: logistic regression on raw and on standardized 2-D data."""

from __future__ import annotations

import numpy as np


def logistic_loss(w: np.ndarray, b: float, x: np.ndarray, y: np.ndarray) -> float:
    """Mean binary cross-entropy of sigmoid(x @ w + b) against y in {0, 1}; stable for large scores."""
    scores = x @ w + b
    return float(np.mean(np.logaddexp(0.0, scores) - y * scores))


def logistic_grad(w: np.ndarray, b: float, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Gradient of logistic_loss with respect to (w, b)."""
    scores = x @ w + b
    residual = 0.5 * (1.0 + np.tanh(0.5 * scores)) - y  # sigmoid without overflow
    return x.T @ residual / len(y), float(residual.mean())


def gradient_descent(x: np.ndarray, y: np.ndarray, lr: float, steps: int) -> np.ndarray:
    """Plain gradient descent from w = 0, b = 0; the loss before each step and after the last: (steps + 1,)."""
    w, b = np.zeros(x.shape[1]), 0.0
    losses = [logistic_loss(w, b, x, y)]
    for _ in range(steps):
        dw, db = logistic_grad(w, b, x, y)
        w, b = w - lr * dw, b - lr * db
        losses.append(logistic_loss(w, b, x, y))
    return np.array(losses)


def steps_to_reach(losses: np.ndarray, threshold: float) -> int | None:
    """The first step whose loss is at or below threshold, or None."""
    hits = np.flatnonzero(losses <= threshold)
    return int(hits[0]) if hits.size else None


def fit_logistic(x: np.ndarray, y: np.ndarray, steps: int = 3000, lr: float = 1.0) -> tuple[np.ndarray, float]:
    """A good (w, b) for standardized-scale data, by long gradient descent."""
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        dw, db = logistic_grad(w, b, x, y)
        w, b = w - lr * dw, b - lr * db
    return w, b


def loss_surface(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, dims: tuple[int, int], span: float, points: int = 41
) -> tuple[np.ndarray, np.ndarray]:
    """Loss when weights dims[0] and dims[1] are scaled by (1 + t1) and (1 + t2), |t| <= span, b fixed:
    the loss's sensitivity to small relative changes of the weights. Returns (t (points,), loss (points, points))."""
    t = np.linspace(-span, span, points)
    grid = np.empty((points, points))
    for i, t2 in enumerate(t):
        for j, t1 in enumerate(t):
            changed = w.copy()
            changed[dims[0]] *= 1 + t1
            changed[dims[1]] *= 1 + t2
            grid[i, j] = logistic_loss(changed, b, x, y)
    return t, grid
