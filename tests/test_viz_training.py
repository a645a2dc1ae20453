"""The training lab's figures: what a user reads off them is what the run recorded."""

import math
from dataclasses import replace

import numpy as np
import pytest

from engine.stats import histogram_layers
from engine.train import TrainConfig, train
from engine.train.record import LayerWeights, Record, RecordPoint, gradient_range, hidden_activity, layer_activity
from engine.train.sweeps import SweepRun
from viz.training import (
    CLASS_COLORS,
    MAX_RIDGES,
    MAX_RUNS,
    RunCurves,
    curves_figure,
    decision_figure,
    layer_time_figure,
    layers_with_histograms,
    ridge_figure,
    sweep_figure,
    update_ratio_figure,
)

CHANCE = math.log(10)  # ln C of the digits' ten classes


@pytest.fixture(scope="module")
def run():
    return train(TrainConfig(hidden=(32, 32, 32), steps=200, record_every=20))


@pytest.fixture(scope="module")
def diverged():
    state = train(TrainConfig(hidden=(32, 32), optimizer="sgd", lr=10.0, steps=200, record_every=5))
    assert state.diverged_at is not None and state.record.points
    return state


def _traces(fig, name: str, axis: str = "y") -> list:
    return [t for t in fig.data if t.name == name and (t.yaxis or "y") == axis]


def _line(fig, name: str, axis: str, dash: str):
    (trace,) = [t for t in _traces(fig, name, axis) if t.mode == "lines" and t.line.dash == dash]
    return trace


def _shape_at(fig, yref: str) -> list[float]:
    return [s.y0 for s in fig.layout.shapes if s.yref == yref and s.type == "line" and s.y0 == s.y1]


def _point(step: int, acts: list[np.ndarray], activation: str = "relu", grads=None, ratios=None) -> RecordPoint:
    """A record point of hidden activations acts (N, H) per layer, summarized as the trainer does."""
    grads = grads or [np.full_like(a, 1e-3) for a in acts]
    grad_range = gradient_range(tuple(grads))
    hidden = tuple(layer_activity(a, g, activation, grad_range, True) for a, g in zip(acts, grads))
    weights = tuple(LayerWeights(1.0, r, 1.0) for r in (ratios or [1e-3] * (len(acts) + 1)))
    return RecordPoint(step, 1, 1.0, 0.5, 1.0, 0.5, hidden, weights)


# Loss and accuracy


def test_curves_end_at_the_records_last_step_on_an_axis_of_the_planned_steps(run):
    fig = curves_figure([RunCurves("this run", run.record, None)], 1000, CHANCE, "token 1")
    assert fig.layout.xaxis.range == (0, 1000) and fig.layout.xaxis2.range == (0, 1000)
    steps, train_loss = run.record.series("train_loss")
    _, val_acc = run.record.series("val_acc")
    loss = _line(fig, "this run", "y", "solid")
    np.testing.assert_array_equal(loss.x, steps)
    np.testing.assert_allclose(loss.y, train_loss)
    assert loss.x[-1] == run.step
    np.testing.assert_allclose(_line(fig, "this run", "y2", "dash").y, val_acc)
    assert "step %{x}" in loss.hovertemplate and "train loss" in loss.hovertemplate
    assert fig.layout.yaxis.type == "log"
    assert "token 1" in fig.layout.title.subtitle.text


def test_a_diverged_run_ends_at_its_divergence_step_with_an_x(run, diverged):
    n = diverged.diverged_at
    runs = [RunCurves("this run", run.record, None), RunCurves("lr 10", diverged.record, n)]
    fig = curves_figure(runs, 200, CHANCE, "token")
    marks = [t for t in fig.data if t.name == "lr 10" and t.mode == "markers"]
    assert {t.yaxis or "y" for t in marks} == {"y", "y2"}
    for mark in marks:
        assert list(mark.x) == [n] and "x" in mark.marker.symbol
        assert f"diverged at step {n}" in mark.hovertemplate
    # Every trace of the run ends there, none goes beyond it.
    assert max(max(t.x) for t in fig.data if t.name == "lr 10") == n
    # The loss mark sits at the top edge of the loss axis (the blown-up losses before it run off the top).
    (loss_mark,) = [t for t in marks if (t.yaxis or "y") == "y"]
    lo, hi = fig.layout.yaxis.range
    assert hi - 0.05 * (hi - lo) < math.log10(loss_mark.y[0]) < hi
    # The run that did not diverge has no mark.
    assert not [t for t in fig.data if t.name == "this run" and t.mode == "markers"]


def test_the_chance_line_sits_at_ln_C_and_is_labelled_with_its_value(run):
    fig = curves_figure([RunCurves("this run", run.record, None)], 200, CHANCE, "token")
    assert _shape_at(fig, "y") == [CHANCE]
    assert _shape_at(fig, "y2") == [pytest.approx(0.1)]
    texts = [a.text for a in fig.layout.annotations]
    assert f"ln C = {CHANCE:.3f}" in texts and "ln C = 2.303" in texts
    lo, hi = fig.layout.yaxis.range
    assert lo < math.log10(CHANCE) < hi


def test_up_to_six_runs_each_in_one_colour_named_once_in_the_legend(run):
    labels = [f"run {i}" for i in range(MAX_RUNS + 1)]
    fig = curves_figure([RunCurves(label, run.record, None) for label in labels], 200, CHANCE, "token")
    shown = labels[:MAX_RUNS]
    colours = []
    for label in shown:
        traces = [t for t in fig.data if t.name == label]
        assert len(traces) == 4  # train and validation, loss and accuracy
        assert len({t.line.color for t in traces}) == 1 and {t.legendgroup for t in traces} == {label}
        assert sum(bool(t.showlegend) for t in traces) == 1
        colours.append(traces[0].line.color)
    assert len(set(colours)) == MAX_RUNS
    assert not [t for t in fig.data if t.name == labels[-1]]
    # The legend lists this run first, then the kept ones, then the two line styles.
    entries = sorted((t for t in fig.data if t.showlegend is not False), key=lambda t: t.legendrank)
    assert [t.name for t in entries] == [*shown, "train", "validation"]


def test_a_huge_first_loss_does_not_stretch_the_loss_axis_past_its_ceiling(run):
    first = replace(run.record.points[0], train_loss=1e30, val_loss=1e30)
    record = Record(run.record.every, (first, *run.record.points[1:]))
    fig = curves_figure([RunCurves("this run", record, None)], 200, CHANCE, "token")
    lo, hi = fig.layout.yaxis.range
    assert hi < math.log10(1e4 * CHANCE)
    assert lo < math.log10(np.nanmin(run.record.series("train_loss")[1]))


# Layer x step heatmaps


def test_layer_heatmaps_are_layers_by_points_and_a_zero_gradient_is_a_gap():
    rng = np.random.default_rng(0)
    acts = [[np.abs(rng.standard_normal((32, 8))) * (k + 1) for k in range(3)] for _ in range(4)]
    grads = [[rng.standard_normal((32, 8)) * 10.0**-k for k in range(3)] for _ in range(4)]
    grads[2][1] = np.zeros((32, 8))  # layer 2 receives no gradient at the third point
    record = Record(10, tuple(_point(10 * j, acts[j], grads=grads[j]) for j in range(4)))
    fig = layer_time_figure(record, "token")
    act_map, grad_map = fig.data
    assert act_map.z.shape == grad_map.z.shape == (3, 4)
    assert list(act_map.y) == [1, 2, 3] and fig.layout.yaxis.autorange == "reversed"
    assert list(act_map.x) == [0, 10, 20, 30]
    expected = [[p.hidden[i].act.std for p in record.points] for i in range(3)]
    np.testing.assert_allclose(act_map.z, np.log10(expected))  # decades: a tenfold shrink per layer shows
    z = np.asarray(grad_map.z, dtype=float)
    assert np.isnan(z[1, 2]) and not np.isinf(z).any()
    assert np.isfinite(np.delete(z.ravel(), 1 * 4 + 2)).all()
    np.testing.assert_allclose(z[0], np.log10([p.hidden[0].grad.std for p in record.points]))
    assert grad_map.colorbar.title.text and act_map.colorbar.title.text
    assert grad_map.hoverongaps is False


# Ridges


def test_ridge_draws_at_most_25_curves_at_an_even_stride_with_the_first_and_last_step():
    rng = np.random.default_rng(1)
    points = tuple(_point(5 * j, [np.tanh(rng.standard_normal((16, 8)))], "tanh") for j in range(61))
    fig = ridge_figure(Record(5, points), 1, "tanh", "token")
    steps = [int(t.name.removeprefix("step ")) for t in fig.data]
    assert len(steps) <= MAX_RIDGES
    assert steps[0] == 0 and steps[-1] == points[-1].step
    assert len(set(np.diff(steps[:-1]))) == 1  # evenly spaced, the last one may come sooner
    # Each curve is normalised to its own maximum, earliest at the back (highest), latest in front.
    bases = [t.y[0] for t in fig.data]
    assert bases == sorted(bases, reverse=True) and bases[-1] == 0
    for t in fig.data:
        assert max(t.y) - t.y[0] == pytest.approx(1.0)
    assert fig.layout.xaxis.range == (-1.0, 1.0)


def test_relu_ridges_on_grids_with_different_starts_put_each_points_mass_where_it_is():
    rng = np.random.default_rng(2)
    intervals = [(1.0, 1.5), (4.0, 4.5), (0.25, 0.3)]
    points = tuple(_point(10 * j, [rng.uniform(a, b, (64, 16))]) for j, (a, b) in enumerate(intervals))
    summaries = [p.hidden[0].act for p in points]
    assert len({s.lo for s in summaries}) == 3 and len({s.bin_exp for s in summaries}) > 1
    fig = ridge_figure(Record(10, points), 1, "relu", "token")
    for trace, (a, b) in zip(fig.data, intervals):
        x, h = np.asarray(trace.x[1:-1]), np.asarray(trace.y[1:-1]) - trace.y[0]
        width = x[1] - x[0]
        filled = x[h > 0]
        assert a - width <= filled.min() and filled.max() <= b + width
        assert a <= np.average(x, weights=h) <= b


def test_a_relu_spike_of_exact_zeros_is_clipped_so_that_the_rest_shows():
    rng = np.random.default_rng(3)
    a = np.maximum(rng.standard_normal((64, 16)) - 0.5, 0.0)  # about 70% exact zeros
    fig = ridge_figure(Record(10, (_point(0, [a]),)), 1, "relu", "token")
    (trace,) = fig.data
    h = np.asarray(trace.y[1:-1]) - trace.y[0]
    assert h[0] > 1.0 and h[1:].max() == pytest.approx(1.0)
    assert "zero spike clipped" in fig.layout.xaxis.title.text


def test_a_layer_without_histograms_is_named_and_the_layers_with_them_listed():
    rng = np.random.default_rng(4)
    depth = 14
    outputs = tuple(np.maximum(rng.standard_normal((8, 4)), 0) for _ in range(depth))
    grads = tuple(rng.standard_normal((8, 4)) for _ in range(depth))
    weights = tuple(LayerWeights(1.0, 1e-3, 1.0) for _ in range(depth + 1))
    point = RecordPoint(0, 1, 1.0, 0.5, 1.0, 0.5, hidden_activity(outputs, grads, "relu"), weights)
    record = Record(10, (point,))
    kept = layers_with_histograms(record)
    assert kept == tuple(sorted(histogram_layers(depth)))
    missing = next(i for i in range(1, depth + 1) if i not in kept)
    fig = ridge_figure(record, missing, "relu", "token")
    assert len(fig.data) == 0
    (note,) = fig.layout.annotations
    assert f"Layer {missing} keeps no histograms" in note.text and ", ".join(map(str, kept)) in note.text
    assert len(ridge_figure(record, kept[1], "relu", "token").data) == 1


# Update ratios


def test_update_ratios_per_layer_on_a_log_axis_with_the_rule_of_thumb(run):
    fig = update_ratio_figure(run.record, "token")
    depth = len(run.config.hidden) + 1
    assert [t.name for t in fig.data] == [*(f"W{i}" for i in range(1, depth)), f"W{depth} (output)"]
    for i, trace in enumerate(fig.data):
        steps, ratios = run.record.layer_series(i, "update_ratio")
        np.testing.assert_array_equal(trace.x, steps)
        np.testing.assert_allclose(trace.y, ratios)
    assert fig.layout.yaxis.type == "log"
    assert _shape_at(fig, "y") == [1e-3]
    (band,) = [s for s in fig.layout.shapes if s.type == "rect"]
    assert (band.y0, band.y1) == (1e-4, 1e-2)
    assert "1e-3 (CS231n's rule of thumb)" in [a.text for a in fig.layout.annotations]


def test_zero_and_infinite_update_ratios_are_left_out(run):
    # A layer whose weights are 0 has an infinite ratio (an update over a zero norm); a frozen one 0.
    points = list(run.record.points)
    hit = {1: (0, math.inf), 3: (1, 0.0)}
    for j, (layer, value) in hit.items():
        weights = list(points[j].weights)
        weights[layer] = replace(weights[layer], update_ratio=value)
        points[j] = replace(points[j], weights=tuple(weights))
    fig = update_ratio_figure(Record(run.record.every, tuple(points)), "token")
    for j, (layer, _) in hit.items():
        assert points[j].step not in list(fig.data[layer].x)
        assert len(fig.data[layer].x) == len(points) - 1
    assert all(np.isfinite(t.y).all() and (np.asarray(t.y) > 0).all() for t in fig.data)


# Decision regions


def test_decision_regions_are_the_class_grid_with_the_points_on_top():
    xs, ys = np.linspace(-2, 2, 30), np.linspace(-1, 1, 20)
    gx, gy = np.meshgrid(xs, ys)
    classes = (gx > 0).astype(int) + (gy > 0).astype(int)
    rng = np.random.default_rng(5)
    points = rng.uniform(-1, 1, (50, 2))
    labels = rng.integers(0, 3, 50)
    fig = decision_figure(xs, ys, classes, points, labels, 3, "token")
    heatmap, *markers = fig.data
    np.testing.assert_array_equal(heatmap.z, classes)
    assert heatmap.z.shape == (len(ys), len(xs))
    assert heatmap.zsmooth is False and heatmap.showscale is False
    assert (heatmap.zmin, heatmap.zmax) == (-0.5, 2.5)
    assert [t.name for t in markers] == ["class 0", "class 1", "class 2"]
    assert not heatmap.showlegend
    for c, trace in enumerate(markers):
        np.testing.assert_array_equal(np.column_stack([trace.x, trace.y]), points[labels == c])
        assert trace.marker.color == CLASS_COLORS[c] and trace.marker.line.color == "white"
        # The region of class c is a lighter shade of the same colour: every channel nearer white.
        region = heatmap.colorscale[2 * c][1]
        strong = [int(CLASS_COLORS[c][i : i + 2], 16) for i in (1, 3, 5)]
        light = [int(region[i : i + 2], 16) for i in (1, 3, 5)]
        assert all(s <= v for s, v in zip(strong, light)) and light != strong
    assert fig.layout.yaxis.scaleanchor == "x"


# Sweeps


def _sweep() -> list[SweepRun]:
    scales = [1e-3, 1e-2, 1e-1, 1.0]
    none = [
        SweepRun(s, "none", loss, acc, None) for s, loss, acc in zip(scales[:3], [2.3, 0.2, 0.05], [0.1, 0.8, 0.95])
    ]
    blown = SweepRun(1.0, "none", math.inf, 0.3, 17)
    before = [SweepRun(s, "before", 0.05, 0.95, None) for s in scales]
    return [*none, blown, *before]


def test_sweep_marks_diverged_runs_at_the_top_of_the_loss_panel():
    runs = _sweep()
    fig = sweep_figure(runs, "scale", CHANCE, "token")
    names = {t.name for t in fig.data}
    assert names == {"no batch norm", "batch norm before the activation"}
    marks = [t for t in fig.data if t.mode == "markers"]
    (mark,) = marks
    assert list(mark.x) == [1.0] and mark.name == "no batch norm" and "x" in mark.marker.symbol
    assert "diverged at step 17" in mark.customdata[0]
    lo, hi = fig.layout.yaxis.range
    finite = [r.final_loss for r in runs if r.diverged_at is None]
    assert max(finite) < mark.y[0] < 10**hi and lo < math.log10(min(finite))
    # The loss line leaves a gap there; the accuracy panel draws the run's best accuracy as an x.
    loss_line = next(t for t in fig.data if t.name == "no batch norm" and t.mode == "lines+markers" and not t.yaxis)
    assert np.isnan(loss_line.y[-1]) and list(loss_line.x) == [1e-3, 1e-2, 1e-1, 1.0]
    acc_line = next(t for t in fig.data if t.name == "no batch norm" and t.yaxis == "y2")
    assert acc_line.y[-1] == 0.3 and "x" in acc_line.marker.symbol[-1] and acc_line.marker.symbol[0] == "circle"
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis.title.text == "weight scale (W = scale · randn)"
    assert _shape_at(fig, "y") == [CHANCE] and _shape_at(fig, "y2") == [pytest.approx(0.1)]


def test_a_learning_rate_sweep_names_its_axis():
    fig = sweep_figure(_sweep(), "lr", CHANCE, "token")
    assert fig.layout.xaxis.title.text == "learning rate" and fig.layout.xaxis2.type == "log"
