"""The trainer's contract with the page: determinism, immutable states, a bounded record, divergence, validation."""

import math
from dataclasses import replace

import numpy as np
import pytest

from engine.train.data import load
from engine.train.record import MAX_POINTS
from engine.train.sweeps import learning_rate_sweep, weight_scale_sweep
from engine.train.trainer import (
    TrainConfig,
    advance,
    config_problems,
    estimate_cost,
    evaluate,
    init_state,
    train,
)

SMALL = TrainConfig(dataset="spiral", prep="none", hidden=(16, 16), batch=32, record_every=1, steps=450)


def arrays_of(state) -> list[bytes]:
    """Every array a state carries, as bytes: parameters, moments, running statistics."""
    running = [a for r in state.running if r is not None for a in (r.mean, r.var)]
    return [a.tobytes() for a in (state.params, *state.moments, *running)]


def same_state(a, b) -> bool:
    """Bit-identical arrays, step, loss window and record."""
    same_arrays = arrays_of(a) == arrays_of(b)
    return same_arrays and (a.step, a.window, repr(a.record)) == (b.step, b.window, repr(b.record))


@pytest.mark.parametrize(
    "cfg",
    [
        replace(SMALL, bn="before", optimizer="adam"),
        replace(SMALL, bn="after", bn_conv="cs231n", optimizer="momentum", l2=1e-3),
        replace(SMALL, activation="tanh", init="xavier", optimizer="sgd", lr=0.1, dtype="float64"),
    ],
)
def test_chunked_advance_equals_one_straight_run_bit_for_bit(cfg):
    """Live play advances a few steps per tick; a shared link rebuilds the run in one go."""
    straight = train(cfg)
    state = init_state(cfg)
    for k in (1, 2, 50, 7, 90, 1, 299):
        state = advance(state, k)
    assert same_state(state, straight)
    assert straight.record.every > 1  # the record thinned on the way, in both runs alike


def test_same_config_same_run_different_seed_different_run():
    cfg = replace(SMALL, steps=60)
    assert same_state(train(cfg), train(cfg))
    assert train(cfg).params.tobytes() != train(replace(cfg, seed=1)).params.tobytes()


def test_advance_leaves_the_old_state_unchanged():
    state = advance(init_state(SMALL), 5)
    before = state.params.copy()
    later = advance(state, 5)
    assert state.step == 5 and later.step == 10
    np.testing.assert_array_equal(state.params, before)
    with pytest.raises(ValueError):
        state.params[0] = 1.0  # read-only: a page cannot change a state by accident


def test_record_stays_bounded_and_its_windows_cover_every_step():
    state = train(replace(SMALL, steps=1000))
    points = state.record.points
    assert len(points) <= MAX_POINTS + 1
    assert state.record.every == 8  # 1 doubled three times
    steps = [p.step for p in points]
    assert steps[0] == 0 and all(s % state.record.every == 0 for s in steps)
    assert sum(p.window for p in points[1:]) + state.window[2] == 1000  # every minibatch counted once


def test_update_ratio_is_the_step_norm_over_the_weight_norm():
    """SGD's step is lr * dW: the recorded ratio is CS231n's ||lr * dW|| / ||W|| of the update made."""
    cfg = replace(SMALL, optimizer="sgd", lr=0.05, dtype="float64")
    state = init_state(cfg)
    stepped = advance(state, 1)
    net = state.net
    for layer, (w, w_next) in enumerate(zip(net.views(state.params).w, net.views(stepped.params).w)):
        expected = np.linalg.norm(w - w_next) / np.linalg.norm(w)
        assert stepped.record.points[0].weights[layer].update_ratio == pytest.approx(expected, rel=1e-9)


def test_zero_init_never_breaks_symmetry_and_random_init_does():
    zero = train(replace(SMALL, init="zeros", steps=100))
    for point in zero.record.points:
        assert all(w.unit_spread == 0.0 for w in point.weights[:-1])  # hidden units stay identical
    constant = train(replace(SMALL, init="constant", scale=0.1, steps=100))
    assert all(w.unit_spread < 1e-6 for w in constant.record.points[-1].weights[:-1])
    random = train(replace(SMALL, init="gaussian", scale=0.01, steps=100))
    assert all(w.unit_spread > 0.5 for w in random.record.points[-1].weights)


def test_divergence_stops_the_run_and_leaves_only_finite_statistics():
    cfg = replace(SMALL, init="gaussian", scale=1.0, optimizer="sgd", lr=10.0, hidden=(64, 64, 64), steps=200)
    state = train(cfg)
    assert state.diverged_at is not None and state.step == state.diverged_at < 200
    assert advance(state, 10) is state  # a diverged run stays where it stopped
    for point in state.record.points:
        assert math.isfinite(point.train_loss) and point.step <= state.diverged_at
        for layer in point.hidden:
            assert layer.act.n_finite == layer.act.n_total and layer.grad.n_finite == layer.grad.n_total


def test_splits_are_disjoint_and_preprocessing_uses_training_statistics_only():
    data = load("digits", "standardize", 0.2, 0)
    raw = load("digits", "none", 0.2, 0)
    assert len(data.y_train) + len(data.y_val) == 1797 and len(data.y_val) == 359
    rows = {r.tobytes() for r in raw.x_train}
    assert sum(r.tobytes() in rows for r in raw.x_val) < 5  # a few digits images are exact duplicates
    mean, std = raw.x_train.mean(axis=0), np.sqrt(raw.x_train.var(axis=0) + 1e-5)
    np.testing.assert_allclose(data.x_val, (raw.x_val - mean) / std)
    assert np.abs(data.x_train.mean(axis=0)).max() < 1e-9  # centred on the training split...
    assert np.abs(data.x_val.mean(axis=0)).max() > 1e-3  # ...so validation is not exactly
    few = load("digits", "standardize", 0.2, 0, train_examples=20)
    np.testing.assert_array_equal(few.x_train, data.x_train[:20])
    np.testing.assert_array_equal(few.x_val, data.x_val)


@pytest.mark.parametrize("name", ["spiral", "moons", "circles"])
def test_two_d_data_sets_are_seeded(name):
    a, b = load(name, "none", 0.2, 3), load(name, "none", 0.2, 4)
    assert a.x_train.shape[1] == 2 and set(np.unique(a.y_train)) == set(range(a.classes))
    np.testing.assert_array_equal(a.x_train, load(name, "none", 0.2, 3).x_train)
    assert not np.array_equal(a.x_train, b.x_train)


def test_whitened_digits_train_with_fewer_inputs():
    state = train(TrainConfig(prep="whiten", steps=20))
    assert state.net.arch.sizes[0] == state.data.x_train.shape[1] < 64  # constant pixels carry no component


def test_bad_configs_are_refused_with_readable_problems():
    assert config_problems(TrainConfig()) == []
    bad = TrainConfig(dataset="mnist", lr=float("nan"))
    problems = config_problems(bad)
    assert any("dataset" in p for p in problems) and any("lr" in p for p in problems)
    assert any("batch" in p for p in config_problems(TrainConfig(train_examples=20, batch=64)))
    assert any("batch norm" in p for p in config_problems(TrainConfig(bn="before", batch=1)))
    with pytest.raises(ValueError, match="hidden layers"):
        init_state(TrainConfig(hidden=(128,) * 100))


def test_work_budget_grows_with_the_run_and_refuses_what_would_feel_stuck():
    default = estimate_cost(TrainConfig())
    assert default.within_budget
    assert estimate_cost(TrainConfig(steps=2000)).seconds == pytest.approx(2 * default.seconds)
    assert estimate_cost(TrainConfig(hidden=(512,) * 10)).seconds > 10 * default.seconds
    assert not estimate_cost(TrainConfig(hidden=(1024,) * 40, batch=1024, steps=100_000)).within_budget


def test_evaluate_reports_loss_and_accuracy_of_the_current_weights():
    state = train(TrainConfig(steps=200))
    loss, acc = evaluate(state, "val")
    assert acc > 0.9 and loss < 0.5
    point = state.record.points[-1]
    assert point.step == 200 and point.val_acc == acc


def test_sweeps_report_progress_and_repeat_exactly():
    calls = []
    base = replace(SMALL, steps=20, record_every=10)
    runs = weight_scale_sweep(base, scales=(0.01, 1.0), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [(r.value, r.bn) for r in runs] == [(0.01, "none"), (1.0, "none"), (0.01, "before"), (1.0, "before")]
    assert runs == weight_scale_sweep(base, scales=(0.01, 1.0))
    lrs = learning_rate_sweep(base, lrs=(1e-3, 10.0), bns=("none",))
    assert [r.value for r in lrs] == [1e-3, 10.0]
