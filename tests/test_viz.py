"""Figure builders: what a user sees is what the engine computed."""

import json

import numpy as np
import pytest

from engine import SimConfig, simulate
from engine.diagnose import diagnose
from engine.stats import MAX_HISTOGRAM_LAYERS
from viz.activations import histogram_grid, moments_figure, view_token


@pytest.fixture(scope="module")
def lecture():
    return simulate(SimConfig())


def test_histogram_grid_has_one_bar_trace_per_layer_with_the_counts(lecture):
    fig = histogram_grid(lecture, "act")
    assert len(fig.data) == 6
    assert all(trace.type == "bar" for trace in fig.data)
    for trace, layer in zip(fig.data, lecture.layers):
        assert list(trace.y) == layer.act.display_counts().tolist()
        assert sum(trace.y) == 16 * 4096
    assert [a.text.split("<br>")[0] for a in fig.layout.annotations] == [f"<b>Layer {i}</b>" for i in range(1, 7)]


def test_titles_carry_the_view_token(lecture):
    token = view_token(lecture)
    assert token == "tanh · gaussian σ=0.01 · 6×4096 · N=16 · seed 0"
    for fig in (histogram_grid(lecture, "act"), histogram_grid(lecture, "grad"), moments_figure(lecture)):
        assert fig.layout.title.subtitle.text == token


def test_activation_axis_is_fixed_per_activation(lecture):
    fig = histogram_grid(lecture, "act")
    assert tuple(fig.layout.xaxis.range) == (-1.0, 1.0)
    relu = histogram_grid(simulate(SimConfig(activation="relu", init="kaiming_normal")), "act")
    assert tuple(relu.layout.xaxis.range) == (0.0, 4.0)


def test_deep_nets_show_at_most_max_panels_including_first_and_last():
    deep = simulate(SimConfig(sizes=SimConfig.sizes_from(40, 64), batch=8))
    fig = histogram_grid(deep, "act")
    assert len(fig.data) == MAX_HISTOGRAM_LAYERS
    titles = [a.text.split("<br>")[0] for a in fig.layout.annotations]
    assert titles[0] == "<b>Layer 1</b>" and titles[-1] == "<b>Layer 40</b>"


def test_moments_figure_plots_std_per_layer(lecture):
    fig = moments_figure(lecture)
    act_std = next(t for t in fig.data if t.name == "activations std")
    np.testing.assert_allclose(act_std.y, [layer.act.std for layer in lecture.layers])
    assert fig.layout.yaxis.type == "linear"
    log_fig = moments_figure(lecture, log_y=True)
    assert log_fig.layout.yaxis.type == "log"
    assert all(y >= 0 for t in log_fig.data for y in t.y)


def test_one_view_serializes_small(lecture):
    figures = [histogram_grid(lecture, k) for k in ("act", "pre", "grad")] + [moments_figure(lecture)]
    total = sum(len(json.dumps(f.to_plotly_json(), default=str)) for f in figures)
    assert total < 150_000


def test_diagnosis_tells_the_lecture_story():
    def first(**kw) -> str:
        return diagnose(simulate(SimConfig(**kw)))[0].text

    assert "collapse" in first(scale=0.01)
    assert "saturated" in first(scale=0.05)
    assert "holds" in first(init="xavier")
    assert "fades" in first(activation="relu", init="xavier")
    assert "holds" in first(activation="relu", init="kaiming_normal")
    assert "symmetry" in first(init="zeros").lower()


def test_relu_zero_spike_is_clipped_and_labelled():
    relu = simulate(SimConfig(activation="relu", init="kaiming_normal"))
    fig = histogram_grid(relu, "act")
    rest_max = max(fig.data[0].y[1:])
    assert fig.layout.yaxis.range[1] == pytest.approx(1.15 * rest_max)
    assert fig.data[0].y[0] > fig.layout.yaxis.range[1]  # the spike is drawn past the top
    assert "zeros, bar clipped" in fig.layout.annotations[0].text
    tanh = histogram_grid(simulate(SimConfig()), "act")
    assert tanh.layout.yaxis.range is None


@pytest.mark.parametrize(
    "kw,expected",
    [
        ({"in_std": 0.0}, "input is all zeros"),
        ({"prep": "whiten", "batch": 1}, "input is all zeros"),
        ({"bn": "before", "batch": 1}, "batch of one"),
        ({"bn": "before", "gamma": 0.0}, "γ = 0"),
    ],
)
def test_diagnosis_names_the_real_cause_when_no_signal_passes(kw, expected):
    findings = diagnose(simulate(SimConfig(sizes=SimConfig.sizes_from(4, 256), **kw)))
    assert expected in findings[-1].text
    assert not any("initialization is too small" in f.text for f in findings)


def test_huge_inputs_saturate_rather_than_collapse():
    findings = diagnose(simulate(SimConfig(in_mean=1000.0, in_std=1000.0, init="xavier")))
    texts = " ".join(f.text for f in findings)
    assert "saturated" in texts and "collapse toward 0" not in texts
