"""The linear classifier behind the preprocessing lab's 'why normalize' section."""

import numpy as np
import pytest

from engine.linear import fit_logistic, logistic_grad, logistic_loss, loss_surface


def _problem(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(60, 3)) * [1.0, 10.0, 0.1] + [3.0, 0.0, 1.0]
    y = (rng.random(60) > 0.5).astype(float)
    return x, y, rng.normal(size=3)


@pytest.mark.parametrize("dims", [(0, 1), (2, 0), (1, 1)])
def test_loss_surface_is_the_loss_at_every_scaled_pair_of_weights(dims):
    x, y, w = _problem()
    t, grid = loss_surface(x, y, w, 0.3, dims, span=0.2, points=9)
    for i, t2 in enumerate(t):
        for j, t1 in enumerate(t):
            changed = w.copy()
            changed[dims[0]] *= 1 + t1
            changed[dims[1]] *= 1 + t2
            assert grid[i, j] == pytest.approx(logistic_loss(changed, 0.3, x, y), rel=1e-12)


def test_fit_logistic_takes_plain_gradient_descent_steps():
    x, y, _ = _problem(1)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    w, b = np.zeros(3), 0.0
    for _ in range(200):
        dw, db = logistic_grad(w, b, x, y)
        w, b = w - 0.5 * dw, b - 0.5 * db
    fitted_w, fitted_b = fit_logistic(x, y, steps=200, lr=0.5)
    np.testing.assert_allclose(fitted_w, w, rtol=1e-10)
    assert fitted_b == pytest.approx(b, rel=1e-10)
    dw, db = logistic_grad(*fit_logistic(x, y), x, y)
    assert np.linalg.norm(dw) < 1e-3 and abs(db) < 1e-3  # the default run reaches the optimum
