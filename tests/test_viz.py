"""Figure builders: what a user sees is what the engine computed."""

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from engine import SimConfig, simulate
from engine.diagnose import diagnose
from engine.stats import MAX_HISTOGRAM_LAYERS
from viz.activations import layer_figure, layer_spec, view_token
from viz.common import spec_json


@pytest.fixture(scope="module")
def lecture():
    return simulate(SimConfig())


def _block(fig, name: str):
    """The filled histogram trace of one block and its panel-label trace."""
    i = next(i for i, t in enumerate(fig.data) if t.name == name and t.fill == "toself")
    return fig.data[i], fig.data[i + 1]


def _panels(trace) -> list[np.ndarray]:
    """Bar heights of each panel, read back from the step outline (two top corners per bar)."""
    ys = np.array([np.nan if y is None else y for y in trace.y], dtype=float)
    pieces = np.split(ys, np.flatnonzero(np.isnan(ys)))
    return [(p[~np.isnan(p)][1:-1][::2] - p[~np.isnan(p)][0]) for p in pieces if np.isfinite(p).sum() > 2]


def test_each_layer_gets_a_panel_whose_bars_are_its_counts(lecture):
    fig = layer_figure(lecture)
    hist, labels = _block(fig, "Activations")
    panels = _panels(hist)
    assert len(panels) == 6
    for heights, layer in zip(panels, lecture.layers):
        counts = layer.act.display_counts()
        np.testing.assert_allclose(heights, counts / counts.max(), atol=1e-4)
    hover = np.asarray(hist.customdata, dtype=float)
    hover = hover[~np.isnan(hover[:, 0])]
    for layer in lecture.layers:
        rows = hover[hover[:, 0] == layer.index]
        np.testing.assert_array_equal(rows[1:-1:2, 2], layer.act.display_counts())  # each bar's count
    assert [t.split("<br>")[0] for t in labels.text] == [f"<b>Layer {i}</b>" for i in range(1, 7)]


def test_blocks_follow_the_toggles_and_an_overflow(lecture):
    names = {t.name for t in layer_figure(lecture).data if t.fill == "toself"}
    assert names == {"Activations", "Gradients wrt activations"}
    with_pre = {t.name for t in layer_figure(lecture, show_pre=True).data if t.fill == "toself"}
    assert "Pre-activations" in with_pre
    blown = simulate(SimConfig(activation="relu", init="gaussian", scale=100.0, sizes=SimConfig.sizes_from(200, 64)))
    assert blown.overflow_layer is not None
    assert {t.name for t in layer_figure(blown).data if t.fill == "toself"} == {"Activations"}


def test_local_gradient_toggle_adds_a_block_of_phi_prime_per_layer():
    saturated = simulate(SimConfig(scale=0.05))
    assert "Local gradients φ′(z)" not in {t.name for t in layer_figure(saturated).data if t.fill == "toself"}
    fig = layer_figure(saturated, show_dphi=True)
    hist, labels = _block(fig, "Local gradients φ′(z)")
    lo, hi = _axis_range(fig, hist)
    assert lo == 0.0 and 1.0 <= hi < 1.1  # tanh' lies in (0, 1]
    hover = np.asarray(hist.customdata, dtype=float)
    hover = hover[~np.isnan(hover[:, 0])]
    for layer in saturated.layers:
        bars = hover[hover[:, 0] == layer.index][1:-1:2]
        assert bars[:, 2].sum() == layer.dphi.n_finite
        # A third of the units or more are saturated: the lowest bar, φ′ near 0, is the tallest.
        assert bars[0, 2] == bars[:, 2].max()
    assert labels.text[0].startswith("<b>Layer 1</b><br>mean")


def test_weight_gradient_std_gets_its_own_panel_with_a_log_axis_when_it_spans_decades():
    exploding = simulate(SimConfig(scale=1.0, sizes=SimConfig.sizes_from(6, 512)))
    steady = simulate(SimConfig(activation="relu", init="kaiming_normal"))
    for result, axis_type in ((exploding, "log"), (steady, "linear")):
        fig = layer_figure(result)
        trace = next(t for t in fig.data if t.name == "weight gradient std")
        np.testing.assert_allclose(trace.y, [layer.weight_grad_std for layer in result.layers])
        y_axis = fig.layout[trace.yaxis.replace("y", "yaxis")]
        assert y_axis.type == axis_type and y_axis.title.text == "weight gradients"
        assert (y_axis.rangemode == "tozero") == (axis_type == "linear")  # a steady scale looks flat


def test_title_carries_the_view_token(lecture):
    token = view_token(lecture)
    assert token == "tanh · gaussian σ=0.01 · 6×4096 · N=16 · seed 0"
    assert layer_figure(lecture).layout.title.subtitle.text == token


def _axis_range(fig, trace) -> tuple[float, float]:
    """The [lo, hi] the first panel of a block spans, read off its tick labels and positions."""
    axis = fig.layout[trace.xaxis.replace("x", "xaxis")]
    marks = [(p, float(t)) for p, t in zip(axis.tickvals, axis.ticktext) if p <= 1.0]
    (p1, v1), (p2, v2) = marks[0], marks[-1]
    width = (v2 - v1) / (p2 - p1)
    return v1 - p1 * width, v1 - p1 * width + width


def test_activation_axis_ticks_name_the_activation_range(lecture):
    fig = layer_figure(lecture)
    assert list(fig.layout.xaxis.ticktext[:3]) == ["-1", "0", "1"]  # tanh keeps its natural range
    hist, _ = _block(fig, "Activations")
    assert _axis_range(fig, hist) == pytest.approx((-1.0, 1.0))


KINDS = {"Activations": "act", "Pre-activations": "pre", "Gradients wrt activations": "grad"}


@pytest.mark.parametrize(
    "kw",
    [
        {"scale": 0.05},  # the tanh-0.05 preset: gradients reach far beyond ±4
        {"scale": 1.0, "sizes": SimConfig.sizes_from(6, 512)},  # gradients grow 1000-fold towards layer 1
        {"activation": "relu", "init": "kaiming_normal"},  # ReLU activations beyond 4
        {"activation": "linear", "init": "gaussian", "scale": 0.1, "sizes": SimConfig.sizes_from(4, 256)},
        {"activation": "relu", "init": "kaiming_normal", "bias": -5.0},
    ],
)
def test_histograms_hold_every_value_and_their_ticks_name_the_real_range(kw):
    result = simulate(SimConfig(**kw))
    fig = layer_figure(result, show_pre=True)
    for name, kind in KINDS.items():
        hist, _ = _block(fig, name)
        lo, hi = _axis_range(fig, hist)
        hover = np.asarray(hist.customdata, dtype=float)
        hover = hover[~np.isnan(hover[:, 0])]
        centres = np.unique(hover[:, 1])
        # The bars sit where the ticks say: the first bar's centre is half a bar from lo.
        width = (hi - lo) / hover[hover[:, 0] == 1][1:-1:2].shape[0]
        assert centres.min() == pytest.approx(lo + width / 2, rel=1e-3, abs=1e-3 * width)
        for layer in result.layers:
            s = {"act": layer.act, "pre": layer.pre, "grad": layer.grad}[kind]
            assert lo <= s.min and s.max <= hi, (name, layer.index, s.min, s.max, lo, hi)
            bars = hover[hover[:, 0] == layer.index][1:-1:2, 2]
            assert bars.sum() == s.n_finite  # every value is in a bar, none in a pile at the edge
            assert len(bars) <= 40


def test_deep_nets_show_at_most_max_panels_including_first_and_last():
    deep = simulate(SimConfig(sizes=SimConfig.sizes_from(40, 64), batch=8))
    _, labels = _block(layer_figure(deep), "Activations")
    titles = [t.split("<br>")[0] for t in labels.text]
    assert len(titles) == MAX_HISTOGRAM_LAYERS
    assert titles[0] == "<b>Layer 1</b>" and titles[-1] == "<b>Layer 40</b>"


def test_moments_plot_std_per_layer(lecture):
    fig = layer_figure(lecture)
    act_std = next(t for t in fig.data if t.name == "activations std")
    np.testing.assert_allclose(act_std.y, [layer.act.std for layer in lecture.layers])
    assert fig.layout[act_std.yaxis.replace("y", "yaxis")].type == "linear"
    log_fig = layer_figure(lecture, log_y=True)
    log_std = next(t for t in log_fig.data if t.name == "activations std")
    assert log_fig.layout[log_std.yaxis.replace("y", "yaxis")].type == "log"
    assert all(y >= 0 for t in log_fig.data if t.mode == "lines+markers" for y in t.y)


def test_a_log_axis_is_used_only_where_there_is_something_positive_to_draw():
    # W = 0: activations and weight gradients are all 0, which a log axis cannot show.
    fig = layer_figure(simulate(SimConfig(init="zeros", sizes=SimConfig.sizes_from(3, 64))), log_y=True)
    for name in ("activations std", "gradients std", "weight gradient std"):
        trace = next(t for t in fig.data if t.name == name)
        axis = fig.layout[trace.yaxis.replace("y", "yaxis")]
        assert axis.type == ("log" if any(y > 0 for y in trace.y) else "linear"), name


def test_one_view_serializes_small(lecture):
    fig = layer_figure(lecture, show_pre=True)
    assert len(json.dumps(fig.to_plotly_json(), default=str)) < 150_000


def test_diagnosis_tells_the_lecture_story():
    def first(**kw) -> str:
        return diagnose(simulate(SimConfig(**kw)))[0].text

    assert "collapse" in first(scale=0.01)
    assert "saturated" in first(scale=0.05)
    assert "changes slowly with depth" in first(init="xavier")  # halves over 6 layers: not "holds"
    assert "fades" in first(activation="relu", init="xavier")
    assert "holds" in first(activation="relu", init="kaiming_normal")
    assert "symmetry" in first(init="zeros").lower()


def test_a_drift_is_reported_only_where_it_exceeds_sampling_noise():
    def first(**kw) -> str:
        return diagnose(simulate(SimConfig(activation="relu", init="kaiming_normal", **kw)))[0].text

    # A real drift (0.9 of Kaiming's gain on 32 units) is named; a 10-unit output layer's noisy std is not.
    assert "by a factor of 0.9" in first(gain=0.9 * 2**0.5, sizes=SimConfig.sizes_from(10, 32))
    practitioner = first(sizes=(784, 512, 256, 10))
    assert "holds" in practitioner and "drift" not in practitioner


@pytest.mark.parametrize(
    "kw,cause",
    [
        ({"sizes": SimConfig.sizes_from(10, 4)}, "In a net this narrow"),
        ({"bias": -10.0}, "the bias b = -10 holds the pre-activations below 0"),
    ],
)
def test_a_layer_of_silent_relus_is_not_blamed_on_a_small_init(kw, cause):
    # Off for every example of this batch, which is what was measured: not "dead" for every input.
    finding, off = diagnose(simulate(SimConfig(activation="relu", init="kaiming_normal", **kw)))[:2]
    assert finding.level == "error" and finding.text.startswith("Every unit of layer")
    assert "outputs 0 for all 16 examples of this batch" in finding.text
    assert cause in finding.text and "too small" not in finding.text
    assert "ReLUs output 0 for all 16 examples of this batch" in off.text
    assert ("the bias b = -10" in off.text) == ("bias" in kw)


def test_relu_zero_spike_is_clipped_and_labelled():
    relu = simulate(SimConfig(activation="relu", init="kaiming_normal"))
    hist, labels = _block(layer_figure(relu), "Activations")
    heights = _panels(hist)[0]
    assert heights[0] == pytest.approx(1.15)  # the spike is drawn just past the tallest other bar
    assert heights[1:].max() == pytest.approx(1.0)
    assert "zeros<br>bar clipped" in labels.text[0]
    tanh_hist, tanh_labels = _block(layer_figure(simulate(SimConfig())), "Activations")
    assert max(_panels(tanh_hist)[0]) == pytest.approx(1.0)
    assert "clipped" not in tanh_labels.text[0]


def test_a_panel_never_rounds_almost_all_zeros_to_all():
    silenced = simulate(SimConfig(activation="relu", init="kaiming_normal", bias=-5.0))
    first = silenced.layers[0].act
    assert 0.9995 < first.n_zero / first.n_finite < 1  # a handful of units still fire
    _, labels = _block(layer_figure(silenced), "Activations")
    assert ">99.9% zeros" in labels.text[0] and "100%" not in labels.text[0]


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


@pytest.mark.parametrize(
    ("cfg", "flags"),
    [
        (SimConfig(), {}),
        (SimConfig(activation="relu", init="kaiming_normal"), {"show_pre": True, "log_y": True, "show_dphi": True}),
        (SimConfig(activation="relu", init="gaussian", scale=100.0, sizes=SimConfig.sizes_from(60, 64)), {}),
        (SimConfig(bn="before", sizes=SimConfig.sizes_from(30, 256), batch=64), {"show_dphi": True}),
    ],
)
def test_the_page_sends_the_json_plotly_would_send_for_the_validated_figure(cfg, flags):
    # The page skips Plotly's validation (it cost more than building the figure): the browser
    # must still get exactly what the validated figure would give it.
    result = simulate(cfg)
    sent = json.loads(spec_json(layer_spec(result, **flags)))
    assert sent == json.loads(go.Figure(layer_spec(result, **flags)).to_json())
    assert any(isinstance(trace["x"], dict) and "bdata" in trace["x"] for trace in sent["data"])  # typed arrays
