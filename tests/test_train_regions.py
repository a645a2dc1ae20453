"""Decision regions on 2-D data: the grid's classes are the net's eval-mode predictions."""

from dataclasses import replace

import numpy as np
import pytest

from engine.train.net import predict
from engine.train.regions import NO_CLASS, decision_grid
from engine.train.trainer import TrainConfig, evaluate, init_state, train

MOONS = TrainConfig(dataset="moons", steps=500)  # the default net: 98% training accuracy at seed 0


def nearest_cells(grid) -> np.ndarray:
    """The grid's class at each training point's nearest cell."""
    ix = np.abs(grid.x[:, :1] - grid.xs[None, :]).argmin(axis=1)
    iy = np.abs(grid.x[:, 1:] - grid.ys[None, :]).argmin(axis=1)
    return grid.classes[iy, ix]


def test_shapes_bounds_and_training_points():
    state = init_state(MOONS)
    grid = decision_grid(state, resolution=30, margin=0.2)
    assert grid.xs.shape == grid.ys.shape == (30,) and grid.classes.shape == (30, 30)
    assert grid.classes.dtype.kind == "i" and set(np.unique(grid.classes)) <= {0, 1}
    x = state.data.x_train
    assert grid.x.shape == (len(x), 2) and grid.y.shape == (len(x),)
    span = x[:, 0].max() - x[:, 0].min()
    assert grid.xs[0] == pytest.approx(x[:, 0].min() - 0.2 * span) and grid.xs[-1] == pytest.approx(
        x[:, 0].max() + 0.2 * span
    )


@pytest.mark.parametrize("cfg", [MOONS, replace(MOONS, hidden=(32, 32), bn="before", steps=300)], ids=["plain", "bn"])
def test_a_trained_net_regions_agree_with_the_training_labels(cfg):
    state = train(cfg)
    assert evaluate(state, "train")[1] > 0.95
    grid = decision_grid(state)
    assert np.mean(nearest_cells(grid) == grid.y) >= 0.9


def test_rows_follow_y_and_columns_x_with_batch_norm_in_eval_mode():
    """classes[i, j] is the prediction at (xs[j], ys[i]), each cell predicted on its own with the running
    statistics (batch statistics of the grid would give other classes)."""
    state = train(replace(MOONS, hidden=(32, 32), bn="before", steps=200))
    grid = decision_grid(state, resolution=11)
    cells = [(i, j) for i in range(11) for j in range(11)]
    points = np.array([[grid.xs[j], grid.ys[i]] for i, j in cells], dtype=state.params.dtype)
    alone = [int(predict(state.net, state.params, p[None], state.running).argmax()) for p in points]
    assert [grid.classes[i, j] for i, j in cells] == alone
    assert len(set(alone)) == 2


def test_non_finite_scores_give_the_sentinel_not_a_crash():
    diverged = train(replace(MOONS, init="gaussian", scale=1e12))
    assert diverged.diverged_at == 0
    assert (decision_grid(diverged).classes == NO_CLASS).all()
    state = train(replace(MOONS, steps=10))
    nan = replace(state, params=np.full_like(state.params, np.nan))
    assert (decision_grid(nan, resolution=5).classes == NO_CLASS).all()


def test_only_two_feature_data():
    with pytest.raises(ValueError, match="2-D"):
        decision_grid(init_state(TrainConfig(steps=1)))
