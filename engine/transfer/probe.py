"""Linear probes: a softmax classifier on frozen features, a convex problem solved by L-BFGS."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

PROBE_ITERATIONS = 200


def _standardizer(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std (floored: dead ReLU units are constant) of the training features."""
    return x.mean(axis=0), np.maximum(x.std(axis=0), 1e-3)


def _loss(params: np.ndarray, x: np.ndarray, onehot: np.ndarray, l2: float) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy + 0.5 l2 ||W||^2 and its gradient, params = [W (D, C) flat, b (C,)]."""
    d, c = x.shape[1], onehot.shape[1]
    w, b = params[: d * c].reshape(d, c), params[d * c :]
    z = x @ w + b
    z -= z.max(axis=1, keepdims=True)
    exp = np.exp(z)
    sums = exp.sum(axis=1, keepdims=True)
    n = len(x)
    loss = float(np.log(sums).sum() - (z * onehot).sum()) / n + 0.5 * l2 * float((w * w).sum())
    dz = (exp / sums - onehot) / n
    return loss, np.concatenate([(x.T @ dz + l2 * w).ravel(), dz.sum(axis=0)])


def probe_accuracy(
    x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, classes: int, l2: float
) -> float:
    """Accuracy on (x_test, y_test) of the L2-regularized softmax classifier fitted to (x_train (N, D), y_train).

    Features are standardized with the training examples' statistics; float64 throughout.
    """
    mean, std = _standardizer(x_train.astype(np.float64))
    xs = (x_train - mean) / std
    onehot = np.eye(classes)[y_train]
    d = xs.shape[1]
    start = np.zeros(d * classes + classes)
    result = minimize(
        _loss, start, args=(xs, onehot, l2), jac=True, method="L-BFGS-B", options={"maxiter": PROBE_ITERATIONS}
    )
    w, b = result.x[: d * classes].reshape(d, classes), result.x[d * classes :]
    predicted = (((x_test - mean) / std) @ w + b).argmax(axis=1)
    return float(np.mean(predicted == y_test))
