"""Decision regions of a run on 2-D data: the class the net predicts at every cell of a grid.

The grid lies in the preprocessed input coordinates, the ones the net sees, and spans the
training points' range padded on every side; predictions use batch norm in eval mode
(running statistics), as engine.train.trainer.evaluate does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.train.net import predict
from engine.train.trainer import TrainState, _blas

NO_CLASS = -1  # a grid cell whose scores are not all finite (a diverged or overflowing net)


@dataclass(frozen=True)
class DecisionGrid:
    """xs (R,) and ys (R,): cell centres along each input axis; classes (R, R): the predicted class at
    (xs[j], ys[i]) in classes[i, j] (rows follow y, as a heatmap's z), NO_CLASS where a score is inf or NaN;
    x (N, 2) and y (N,): the training points and their labels, in the same coordinates."""

    xs: np.ndarray
    ys: np.ndarray
    classes: np.ndarray
    x: np.ndarray
    y: np.ndarray


def _axis(values: np.ndarray, resolution: int, margin: float) -> np.ndarray:
    """resolution points over values' range padded by margin x that range on each side (1 wide if flat)."""
    lo, hi = float(values.min()), float(values.max())
    pad = margin * (hi - lo) if hi > lo else 0.5
    return np.linspace(lo - pad, hi + pad, resolution)


def decision_grid(state: TrainState, resolution: int = 80, margin: float = 0.1) -> DecisionGrid:
    """The argmax class of state's net on a resolution x resolution grid over its 2-D training data.

    Raises ValueError when the data does not have exactly 2 features, or resolution < 2.
    """
    data = state.data
    if data.x_train.shape[1] != 2:
        raise ValueError(f"decision regions need 2-D inputs; {data.name} has {data.x_train.shape[1]} features")
    if resolution < 2:
        raise ValueError("resolution must be at least 2")
    xs = _axis(data.x_train[:, 0], resolution, margin)
    ys = _axis(data.x_train[:, 1], resolution, margin)
    gx, gy = np.meshgrid(xs, ys)  # (R, R) each, rows along y
    points = np.column_stack([gx.ravel(), gy.ravel()]).astype(state.params.dtype)
    with np.errstate(all="ignore"), _blas().limit(limits=1):
        scores = predict(state.net, state.params, points, state.running)
    classes = np.where(np.isfinite(scores).all(axis=1), scores.argmax(axis=1), NO_CLASS)
    return DecisionGrid(xs, ys, classes.reshape(resolution, resolution), data.x_train, data.y_train)
