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


def steps_to_stay_below(losses: np.ndarray, threshold: float) -> int | None:
    """The first step from which every loss is at or below threshold, or None if the last is above.

    An oscillating curve dips under the line long before it stays there: the first dip would
    call a descent that never settles a success. NaN (a diverged run) counts as above.
    """
    above = np.flatnonzero(~(losses <= threshold))
    if above.size == 0:
        return 0
    settled = int(above[-1]) + 1
    return settled if settled < losses.size else None


def fit_logistic(x: np.ndarray, y: np.ndarray, steps: int = 3000, lr: float = 1.0) -> tuple[np.ndarray, float]:
    """A good (w, b) for standardized-scale data, by long gradient descent.

    The same steps as logistic_grad, with the bias as a last weight on a column of ones:
    one product each way per step, since thousands of steps run on every page change.
    """
    xa = np.hstack([x, np.ones((len(y), 1))])
    xa_t = np.ascontiguousarray(xa.T) * (lr / len(y))
    wb = np.zeros(xa.shape[1])
    for _ in range(steps):
        residual = xa @ wb
        residual *= 0.5
        np.tanh(residual, out=residual)
        residual += 1.0
        residual *= 0.5
        residual -= y  # sigmoid(scores) - y
        wb -= xa_t @ residual
    return wb[:-1], float(wb[-1])


def loss_surface(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, dims: tuple[int, int], span: float, points: int = 41
) -> tuple[np.ndarray, np.ndarray]:
    """Loss when weights dims[0] and dims[1] are scaled by (1 + t1) and (1 + t2), |t| <= span, b fixed:
    the loss's sensitivity to small relative changes of the weights. Returns (t (points,), loss (points, points)).

    Scaling a weight only adds a multiple of its feature's term to the scores, so one row of
    the grid (fixed t2) is a single (points, N) array instead of `points` separate losses.
    """
    t = np.linspace(-span, span, points)
    base = x @ w + b
    first, second = w[dims[0]] * x[:, dims[0]], w[dims[1]] * x[:, dims[1]]
    grid = np.empty((points, points))
    for i, t2 in enumerate(t):
        if dims[0] == dims[1]:  # one weight, scaled twice: by (1 + t1)(1 + t2)
            scores = base + ((1 + t)[:, None] * (1 + t2) - 1) * first
        else:
            scores = base + t[:, None] * first + t2 * second
        grid[i] = np.mean(np.logaddexp(0.0, scores) - y * scores, axis=1)
    return t, grid
