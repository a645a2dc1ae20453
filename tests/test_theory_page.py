"""The signal-propagation page through AppTest: its URL contract, numbers, figures and links."""

from __future__ import annotations

import math
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

from engine.theory.meanfield import critical_sigma_w2, fixed_point
from tests.app_support import array, chart_figures, offered_views, page_path, run_page
from ui import theory_params
from ui.activation_params import build_config, preset_values
from ui.theory_params import SPECTRUM_BUDGET, spectrum_work


def open_theory(**query):
    return run_page(page_path("theory"), **query)


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def links(at, text: str) -> list[str]:
    """Every markdown link target on the page whose label contains `text`."""
    found = []
    for block in [*at.markdown, *at.caption, *at.error]:
        for label, target in _markdown_links(block.value):
            if text in label:
                found.append(target)
    return found


def _markdown_links(text: str) -> list[tuple[str, str]]:
    import re

    return re.findall(r"\[([^\]]+)\]\(([^)\s]+)\)", text)


def figure(at, title_start: str) -> dict:
    return next(f for f in chart_figures(at) if f["layout"]["title"]["text"].startswith(title_start))


def test_the_default_view_is_xavier_tanh_on_the_critical_line_with_every_figure():
    at = open_theory()
    assert not at.exception
    assert metric(at, "critical σ_w²") == "1"
    assert metric(at, "χ₁") == "1"
    assert metric(at, "ξ_∇ (layers)") == "∞"
    titles = [f["layout"]["title"]["text"] for f in chart_figures(at)]
    assert [t.split(":")[0].split(" (")[0] for t in titles] == [
        "Phase diagram",
        "Correlation of two inputs",
        "Singular values of the input-output Jacobian",
        "Activations and gradients per layer",
    ]
    assert "At the critical line" in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize(
    ("query", "act", "sb2"),
    [({"act": "relu"}, "relu", 0.0), ({"sb2": "0.5"}, "tanh", 0.5), ({"act": "elu", "sb2": "0.2"}, "elu", 0.2)],
)
def test_the_critical_line_metric_is_the_engines_for_the_linked_setting(query, act, sb2):
    at = open_theory(**query)
    expected = float(critical_sigma_w2(act, sb2))
    assert float(metric(at, "critical σ_w²")) == pytest.approx(expected, rel=1e-3)
    phase = figure(at, "Phase diagram")
    assert f"{act} ·" in phase["layout"]["title"]["subtitle"]["text"]


def test_the_phase_diagram_marks_this_setting_and_the_lectures_inits():
    at = open_theory(sw2="2.5", sb2="0.3")
    phase = figure(at, "Phase diagram")
    marks = {
        trace["text"][0]: (10 ** array(trace["x"])[0], array(trace["y"])[0])
        for trace in phase["data"]
        if trace.get("mode", "").startswith("markers") and "text" in trace
    }
    assert marks["this setting"] == pytest.approx((2.5, 0.3))
    # Its label on a line above the star, clear of the lecture's labels on their dots.
    (label,) = phase["layout"]["annotations"]
    assert (label["text"], 10 ** label["x"], label["y"], label["ay"]) == pytest.approx(("this setting", 2.5, 0.3, -38))
    assert marks["0.01·randn"] == pytest.approx((0.01**2 * 4096, 0.0))
    assert marks["0.05·randn"] == pytest.approx((0.05**2 * 4096, 0.0))
    assert marks["Xavier"] == pytest.approx((1.0, 0.0))


def test_ordered_and_chaotic_settings_are_named_with_their_numbers():
    ordered = open_theory(sw2="1", sb2="0.3")
    chaotic = open_theory(sw2="6", sb2="0.3")
    fp_ordered, fp_chaotic = fixed_point("tanh", 1.0, 0.3), fixed_point("tanh", 6.0, 0.3)
    assert float(metric(ordered, "χ₁")) == pytest.approx(float(fp_ordered.chi1), rel=1e-3) and fp_ordered.chi1 < 1
    assert float(metric(chaotic, "χ₁")) == pytest.approx(float(fp_chaotic.chi1), rel=1e-3) and fp_chaotic.chi1 > 1
    assert "Ordered phase" in " ".join(m.value for m in ordered.markdown)
    assert "Chaotic phase" in " ".join(m.value for m in chaotic.markdown)
    cmap = figure(chaotic, "Correlation")
    star = next(t for t in cmap["data"] if t["name"].startswith("fixed point"))
    c_star = array(star["x"])[0]
    assert c_star == pytest.approx(float(fp_chaotic.c_star), abs=1e-9) and c_star < 0.99


def test_where_the_signal_dies_the_cmap_is_the_identity_and_no_fixed_point_is_claimed():
    at = open_theory(sw2="0.5")  # tanh, no bias: q* = 0
    cmap = figure(at, "Correlation")
    drawn = next(t for t in cmap["data"] if t["name"] == "c-map of this setting")
    np.testing.assert_allclose(array(drawn["y"]), array(drawn["x"]), atol=1e-3)
    assert not any(t["name"].startswith("fixed point") for t in cmap["data"])
    assert "correlations are kept" in " ".join(c.value for c in at.caption)


def test_measured_correlations_sit_beside_the_theory_in_a_wide_net():
    at = open_theory(sw2="2", sb2="0.1", width="1000", depth="10")
    cmap = figure(at, "Correlation")
    theory = [t for t in cmap["data"] if t["name"].endswith(": theory")]
    measured = [t for t in cmap["data"] if t["name"].endswith(": measured")]
    assert len(theory) == len(measured) == 3
    for line, dots in zip(theory, measured):
        assert np.max(np.abs(array(line["y"]) - array(dots["y"]))) < 0.15


def test_spectra_show_both_kinds_of_weights_and_orthogonal_tanh_at_criticality_is_tighter():
    at = open_theory(sw2="1.05", sb2="0.00002", depth="32", width="200")
    spectra = figure(at, "Singular values")
    medians = {t["legendgroup"]: t for t in spectra["data"] if t.get("mode") == "lines+markers"}
    assert set(medians) == {"gaussian", "orthogonal"}
    # customdata per depth: (median, 5 %, 95 %); the spread at full depth in decades
    last = {init: array(t["customdata"])[-1] for init, t in medians.items()}
    spread = {init: np.log10(q[2] / q[1]) for init, q in last.items()}
    assert spread["orthogonal"] < spread["gaussian"]
    bars = [t for t in spectra["data"] if t["type"] == "bar"]
    for bar in bars:
        assert array(bar["y"]).sum() == pytest.approx(1.0)


def test_a_net_over_the_spectrum_budget_is_refused_with_links_that_fit():
    at = open_theory(depth="128", width="1000")
    assert not at.exception
    assert at.error and "too long" in at.error[0].value
    targets = [target for _, target in offered_views(at)]
    assert targets
    for target in targets:
        query = dict(parse_qsl(urlsplit(target).query))
        depth, width = int(query.get("depth", 32)), int(query.get("width", 200))
        assert spectrum_work(depth, width) <= SPECTRUM_BUDGET
        assert depth == 128 or width == 1000  # each keeps one of the two
    assert not any(f["layout"]["title"]["text"].startswith("Singular") for f in chart_figures(at))


def test_the_activation_lab_link_opens_the_same_weight_variance():
    at = open_theory(act="relu", sw2="2", depth="20", width="300")
    (target,) = links(at, "Open this setting in the activation lab")
    query = dict(parse_qsl(urlsplit(target).query))
    lab = run_page(page_path("activations"), **query)
    assert not lab.exception and not lab.warning
    values = {key: lab.session_state[key] for key in ("act", "init", "std", "depth", "width")}
    cfg = build_config({**preset_values("custom"), **values})
    assert cfg.activation == "relu" and cfg.depth == 20 and cfg.sizes[1] == 300
    assert cfg.scale**2 * 300 == pytest.approx(2.0, rel=1e-5)


def test_the_glorot_section_quotes_what_its_nets_measure():
    at = open_theory()
    text = next(m.value for m in at.markdown if "Glorot and Bengio's setting" in m.value)
    from engine.propagate import simulate

    standard = simulate(build_config(preset_values("glorot-standard")))
    assert f"{standard.layers[-1].act.std:.2g} at layer 5" in text
    assert "activations?preset=glorot-standard" in text and "activations?preset=glorot-normalized" in text


@pytest.mark.parametrize(
    ("query", "key"),
    [({"sw2": "abc"}, "sw2"), ({"sb2": "-1"}, "sb2"), ({"act": "swish"}, "act"), ({"depth": "inf"}, "depth")],
)
def test_bad_values_get_a_notice_and_the_default(query, key):
    at = open_theory(**query)
    assert not at.exception
    assert any(f"`{key}=" in w.value for w in at.warning)
    assert at.session_state[key] == theory_params.PARAM_BY_KEY[key].default


def test_every_setting_link_opens_a_valid_view():
    at = open_theory()
    targets = [t for _, t in _markdown_links(" ".join(m.value for m in at.sidebar.markdown)) if t.startswith("theory?")]
    assert len(targets) >= 5
    for target in targets:
        view = run_page(page_path("theory"), **dict(parse_qsl(urlsplit(target).query)))
        assert not view.exception and not view.warning and not view.error
        assert math.isfinite(float(metric(view, "χ₁")))


# The activation lab's overlay -------------------------------------------------------------------


def theory_traces(at) -> list[dict]:
    layers = figure(at, "Activations and gradients per layer")
    return [t for t in layers["data"] if str(t.get("name", "")).endswith("(theory)")]


def test_the_activation_lab_draws_the_prediction_over_the_measured_std():
    from engine.theory.predict import predict

    at = run_page(page_path("activations"), preset="tanh-0.01")
    drawn = {t["name"]: array(t["y"]) for t in theory_traces(at)}
    assert set(drawn) == {"activations std (theory)", "gradients std (theory)"}
    expected = predict(build_config(preset_values("tanh-0.01")))
    np.testing.assert_allclose(drawn["activations std (theory)"], expected.act_std, rtol=1e-9)
    np.testing.assert_allclose(drawn["gradients std (theory)"], expected.grad_std, rtol=1e-9)
    measured = next(t for t in figure(at, "Activations and gradients")["data"] if t.get("name") == "activations std")
    np.testing.assert_allclose(array(measured["y"]), expected.act_std, rtol=0.05)  # the lecture's net is wide
    caption = " ".join(c.value for c in at.caption)
    assert "σ_w² = std²·Din = 0.4096" in caption
    (target,) = [t for _, t in _markdown_links(caption) if t.startswith("theory?")]
    theory = run_page(page_path("theory"), **dict(parse_qsl(urlsplit(target).query)))
    assert not theory.warning and theory.session_state["sw2"] == pytest.approx(0.4096)


@pytest.mark.parametrize(
    ("query", "reason"),
    [({"preset": "tanh-0.05", "bn": "before"}, "Batch norm"), ({"preset": "tanh-xavier", "width": "16"}, "units")],
)
def test_where_the_theory_does_not_apply_the_lab_says_why_and_draws_no_line(query, reason):
    at = run_page(page_path("activations"), **query)
    assert not theory_traces(at)
    caption = " ".join(c.value for c in at.caption)
    assert "No mean-field prediction is drawn" in caption and reason in caption


def test_the_overlay_can_be_switched_off_and_the_preset_stays():
    at = run_page(page_path("activations"), preset="relu-kaiming", theory="false")
    assert not theory_traces(at)
    preset_box = next(box for box in at.selectbox if box.label == "Preset")
    assert preset_box.value == "relu-kaiming"  # a view toggle is not a setting: the preset still matches


def test_with_pre_activations_shown_their_measured_and_predicted_std_are_drawn_too():
    from engine.theory.predict import predict

    at = run_page(page_path("activations"), preset="tanh-0.05", pre="true")
    traces = {t.get("name"): t for t in figure(at, "Activations and gradients")["data"]}
    expected = predict(build_config(preset_values("tanh-0.05")))
    np.testing.assert_allclose(array(traces["pre-activations std (theory)"]["y"]), expected.pre_std, rtol=1e-9)
    np.testing.assert_allclose(array(traces["pre-activations std"]["y"]), expected.pre_std, rtol=0.05)


def test_where_relu_has_no_fixed_point_the_phase_diagram_shows_no_depth_scale():
    """ReLU above σ_w² = 2 grows without bound: no ξ_c exists there, and none may be drawn as 'deep'."""
    at = open_theory(act="relu", sw2="2", sb2="0.2")
    phase = figure(at, "Phase diagram")
    heat = next(t for t in phase["data"] if t["type"] == "heatmap")
    z, w2 = array(heat["z"]), 10 ** array(heat["x"])
    b2 = array(heat["y"])
    assert np.isnan(z[:, w2 > 2.05]).all() and np.isfinite(z[b2 > 0][:, w2 < 1.95]).all()
    assert np.isnan(z[b2 == 0]).all()  # without a bias the ordered signal dies (q* = 0): no ξ_c either
    assert any("grows without bound" in str(t.get("name")) for t in phase["data"])


# From the user trial: sentences that must be true for the setting they describe -----------------


def page_words(at) -> str:
    return " ".join(e.value for e in [*at.markdown, *at.caption])


def test_relu_like_activations_in_the_chaotic_phase_are_not_said_to_decorrelate():
    # Leaky ReLU's c-map does not depend on σ_w²: correlations still go to 1; only gradients grow.
    at = open_theory(act="leaky_relu", slope="0.2", sw2="2")
    words = page_words(at)
    assert "Chaotic phase" in words and "gradients grow" in words
    assert "decorrelate" not in words


def test_where_the_signal_dies_relu_is_not_said_to_keep_correlations():
    at = open_theory(act="relu")  # σ_w² = 1: q* = 0, but ReLU has no linear regime at 0
    words = page_words(at)
    assert "correlations are kept" not in words and "identity" not in words
    cmap = figure(at, "Correlation")
    drawn = next(t for t in cmap["data"] if t["name"] == "c-map of this setting")
    assert np.max(np.abs(array(drawn["y"]) - array(drawn["x"]))) > 0.1


def test_no_correlation_depth_scale_is_claimed_where_the_signal_dies():
    at = open_theory(sw2="0.41")  # the lecture's 0.01·randn: q* = 0
    assert metric(at, "ξ_c (layers)") == "—"
    assert metric(at, "ξ_∇ (layers)") == "1.12"  # gradients do shrink by χ₁ = 0.41 per layer
    sentence = next(m.value for m in at.markdown if m.value.startswith("**Ordered phase**"))
    assert "become alike" not in sentence and "dies out" in sentence


def test_gelu_has_no_critical_point_where_its_fixed_point_only_jumps():
    at = open_theory(act="gelu", sw2="2", sb2="0.1")
    assert metric(at, "critical σ_w²") == "none"
    assert "no σ_w² gives χ₁ = 1" in page_words(at)


def test_selus_zero_correlation_fixed_point_is_explained_by_its_mean_not_by_oddness():
    words = page_words(open_theory(act="selu"))
    assert "averages to 0" in words and "odd" not in words


def test_labels_say_where_a_net_starts_when_there_is_no_fixed_point():
    at = open_theory()  # tanh at σ_w² = 1, σ_b² = 0: q* = 0
    spectra = figure(at, "Singular values")["layout"]["title"]["subtitle"]["text"]
    assert "no fixed point" in spectra and "at q*" not in spectra
    clipped = figure(open_theory(sw2="0.41"), "Correlation")["layout"]["title"]["subtitle"]["text"]
    assert "is below 1e-06" in clipped


def test_links_keep_the_rest_of_the_setting():
    at = open_theory(act="relu", sw2="1.5", depth="20")
    caption = next(c.value for c in at.caption if "try σ_b² = 0.05" in c.value)
    (target,) = [t for label, t in _markdown_links(caption) if "σ_b²" in label]
    assert dict(parse_qsl(urlsplit(target).query)) == {"act": "relu", "sw2": "1.5", "depth": "20", "sb2": "0.05"}
    tries = [t for _, t in _markdown_links(" ".join(m.value for m in at.sidebar.markdown)) if "theory?" in t]
    assert all("depth=20" in t for t in tries)


@pytest.mark.parametrize("preset", ["tanh-0.01", "relu-kaiming"])
def test_the_activation_labs_link_opens_a_view_within_the_spectrum_budget(preset):
    lab = run_page(page_path("activations"), preset=preset)
    caption = " ".join(c.value for c in lab.caption)
    (target,) = [t for _, t in _markdown_links(caption) if t.startswith("theory?")]
    theory = run_page(page_path("theory"), **dict(parse_qsl(urlsplit(target).query)))
    assert not theory.error and any(f["layout"]["title"]["text"].startswith("Singular") for f in chart_figures(theory))


@pytest.mark.parametrize("query", [{"act": "relu", "sw2": "10"}, {"act": "relu", "sw2": "50", "width": "100"}])
def test_a_strongly_chaotic_deep_net_draws_its_spectra_past_float32s_range(query):
    """From a second trial: ReLU at σ_w² = 10 over 128 layers overflowed float32 (5^64) and crashed the
    section; the page's products are float64, whose range holds every setting the page accepts."""
    at = open_theory(depth="128", **query)
    assert not at.exception and not at.warning
    (spectra,) = [f for f in chart_figures(at) if f["layout"]["title"]["text"].startswith("Singular")]
    assert "128 layers" in spectra["layout"]["title"]["subtitle"]["text"]
    assert all(np.isfinite(array(t["y"])).all() for t in spectra["data"] if t["type"] == "bar")


def test_a_chaotic_fixed_point_near_1_is_not_called_decorrelation():
    words = page_words(open_theory(act="gelu", sw2="1.99", sb2="0.5"))
    assert "nearly alike" in words and "different one" not in words
