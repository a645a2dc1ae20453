"""AppTest: the activation lab's compare mode — its URL contract (the `b_` prefix, validation,
B starting as and following A, only what differs in the address), its view of both settings,
and the lecture's comparisons."""

from __future__ import annotations

import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import SimConfig, simulate
from engine.diagnose import diagnose
from tests import app_support
from tests.app_support import array, chart_figures
from ui.activation_compare import LAB
from ui.activation_params import COMPARISONS, CONTROL_KEYS, build_config
from viz.activations import view_token

PAGE = app_support.page_path("activations")


def run_page(**query) -> AppTest:
    return app_support.run_page(PAGE, 90, **query)


def subtitle(at: AppTest) -> str:
    return chart_figures(at)[0]["layout"]["title"]["subtitle"]["text"]


def tokens(at: AppTest) -> tuple[str, str]:
    """The views the chart names for A and B."""
    a, b = subtitle(at).split("<br>")
    assert a.startswith("A: ") and b.startswith("B: ")
    return a[3:], b[3:]


def b_widget(at: AppTest, kind: str, name: str):
    """Setting B's widget for control `name` (keyed `b_name`, or `b_name@A's value` while it follows A)."""
    widgets = [w for w in getattr(at, kind) if w.key and (w.key == f"b_{name}" or w.key.startswith(f"b_{name}@"))]
    assert len(widgets) == 1, [w.key for w in getattr(at, kind)]
    return widgets[0]


def b_keys(at: AppTest) -> dict[str, str]:
    return {key: value for key, value in at.query_params.items() if key.startswith("b_")}


def token_of(**changes) -> str:
    return view_token(simulate(SimConfig(**changes)))


def test_b_starts_as_a_copy_of_a_and_the_address_holds_no_b_value():
    at = run_page(compare="true", act="relu", init="kaiming_normal", depth="10", seed="3")
    assert not at.exception
    a, b = tokens(at)
    assert a == b == token_of(activation="relu", init="kaiming_normal", sizes=SimConfig.sizes_from(10, 4096), seed=3)
    assert b_keys(at) == {}
    assert "nothing yet" in at.caption[1].value


def test_a_b_value_in_the_address_changes_only_b():
    at = run_page(compare="true", b_std="0.05")
    assert tokens(at) == (token_of(), token_of(scale=0.05))
    assert b_keys(at) == {"b_std": "0.05"}
    assert "std 0.01 → 0.05" in at.caption[1].value


def test_b_follows_a_where_it_was_not_changed_and_keeps_its_own_values():
    at = run_page(compare="true", b_std="0.05")
    at.slider(key="depth").set_value(8).run()
    sizes = SimConfig.sizes_from(8, 4096)
    assert tokens(at) == (token_of(sizes=sizes), token_of(scale=0.05, sizes=sizes))
    at.number_input(key="std").set_value(0.02).run()
    assert tokens(at) == (token_of(scale=0.02, sizes=sizes), token_of(scale=0.05, sizes=sizes))
    assert b_keys(at) == {"b_std": "0.05"}


def test_changing_a_b_control_writes_only_it_and_setting_it_back_to_a_removes_it():
    at = run_page(compare="true")
    b_widget(at, "selectbox", "act").set_value("relu").run()
    assert b_keys(at) == {"b_act": "relu"}
    assert tokens(at)[1] == token_of(activation="relu")
    b_widget(at, "number_input", "seed").set_value(4).run()
    assert b_keys(at) == {"b_act": "relu", "b_seed": "4"}
    b_widget(at, "selectbox", "act").set_value("tanh").run()
    assert b_keys(at) == {"b_seed": "4"}
    a, b = tokens(at)
    assert a == token_of() and b == token_of(seed=4)


def test_b_values_are_validated_like_a_values_and_b_falls_back_to_a():
    at = run_page(compare="true", b_act="zzz", b_depth="1e9", b_std="nan", seed="2")
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    for key in ("b_act", "b_depth", "b_std"):
        assert f"`{key}=" in notices
    a, b = tokens(at)
    assert a == b == token_of(seed=2)
    assert b_keys(at) == {}


def test_a_negative_b_std_is_refused_for_bs_gaussian_init():
    at = run_page(compare="true", b_std="-0.5")
    assert "`b_std=-0.5` must be at least 0 for `gaussian`" in " ".join(w.value for w in at.warning)
    assert tokens(at)[1] == token_of()


def test_b_values_without_compare_mode_leave_the_address_with_a_notice():
    at = run_page(b_std="0.05", depth="4")
    notices = " ".join(w.value for w in at.warning)
    assert "`b_std=0.05` is a value of setting B, which shows only with `compare=true`" in notices
    assert subtitle(at) == token_of(sizes=SimConfig.sizes_from(4, 4096))
    assert "b_std" not in at.query_params


def test_switching_compare_off_takes_b_out_of_the_address():
    at = run_page(compare="true", b_std="0.05")
    at.toggle(key="compare").set_value(False).run()
    assert b_keys(at) == {}
    assert "<br>" not in subtitle(at) and subtitle(at) == token_of()


def test_make_b_a_copy_of_a_again_forgets_bs_values():
    at = run_page(compare="true", b_std="0.05", b_act="relu")
    at.button(key="b_reset").click().run()
    assert b_keys(at) == {}
    a, b = tokens(at)
    assert a == b == token_of()
    assert b_widget(at, "selectbox", "act").value == "tanh"


@pytest.mark.parametrize("name", list(COMPARISONS))
def test_each_lecture_comparison_shows_its_a_and_b(name):
    at = run_page(depth="9", seed="5")
    at.button(key=f"comparison_{name}").click().run()
    comparison = COMPARISONS[name]
    a_values = LAB.comparison_values(name)
    a_cfg = build_config({**a_values, "preset": None})
    b_cfg = build_config({**a_values, **comparison.b})
    assert tokens(at) == (view_token(simulate(a_cfg)), view_token(simulate(b_cfg)))
    assert at.toggle(key="compare").value is True
    assert b_keys(at) == {f"b_{key}": str(value) for key, value in comparison.b.items()}


def test_the_view_shows_both_settings_histograms_moments_diagnoses_and_ratios():
    at = run_page(compare="true", b_std="0.05")
    a, b = simulate(SimConfig()), simulate(SimConfig(scale=0.05))
    figure = chart_figures(at)[0]
    filled = [t["name"] for t in figure["data"] if t.get("fill") == "toself"]
    assert filled == [
        "A · Activations",
        "B · Activations",
        "A · Gradients wrt activations",
        "B · Gradients wrt activations",
    ]
    lines = {t["name"]: t["y"] for t in figure["data"] if t.get("mode") == "lines+markers"}
    assert lines["A · activations std"] == pytest.approx([layer.act.std for layer in a.layers])
    assert lines["B · activations std"] == pytest.approx([layer.act.std for layer in b.layers])
    # Each setting's diagnosis: A's tiny init collapses, B's large one saturates.
    shown = [box.value for box in at.error]
    assert next(f.text for f in diagnose(a) if f.level == "error") in shown
    assert next(f.text for f in diagnose(b) if f.level == "error") in shown
    table = at.dataframe[0].value
    assert table["layer"].tolist() == [1, 2, 3, 4, 5, 6]
    assert table["act_std B/A"].tolist() == pytest.approx(
        [lb.act.std / la.act.std for la, lb in zip(a.layers, b.layers)]
    )
    assert "act_mean B/A" not in table  # a ratio of means near 0 says nothing


def test_b_deeper_than_a_fills_its_own_layers_in_the_table():
    at = run_page(compare="true", b_depth="8")
    table = at.dataframe[0].value
    assert table["layer"].tolist() == list(range(1, 9))
    assert all(math.isnan(v) for v in table["act_std A"].tolist()[6:])
    assert not any(math.isnan(v) for v in table["act_std B"].tolist())


def test_a_setting_beyond_the_budget_is_named_and_nothing_crashes():
    at = run_page(compare="true", b_width="16384", b_depth="200", b_batch="4096")
    assert not at.exception
    assert any(box.value.startswith("Setting B:") for box in at.error)


def test_the_b_controls_cover_every_control_of_a():
    at = run_page(compare="true", b_init="constant", b_bn="before", b_bn_mode="eval", b_act="leaky_relu")
    keys = {
        w.key.split("@")[0]
        for kind in ("slider", "number_input", "selectbox", "radio", "text_input")
        for w in getattr(at, kind)
        if w.key and w.key.startswith("b_")
    }
    expected = {f"b_{key}" for key in CONTROL_KEYS} - {"b_gain", "b_mode"}  # constant init takes neither
    assert keys == expected


def test_settings_binned_differently_share_one_range():
    # tanh's histograms sit on fixed edges [-1, 1], ReLU's on a grid fitted to its values:
    # compared, both are drawn on one range that holds them both, every value counted.
    at = run_page(compare="true", b_act="relu", b_init="kaiming_normal")
    relu = simulate(SimConfig(activation="relu", init="kaiming_normal"))
    bars = {t["name"]: array(t["customdata"]) for t in chart_figures(at)[0]["data"] if t.get("fill") == "toself"}
    a, b = (rows[~np.isnan(rows).any(axis=1)] for rows in (bars["A · Activations"], bars["B · Activations"]))
    assert a[:, 1].min() < -0.9 and a[:, 1].max() > 0.9  # tanh's whole range
    assert b[:, 1].max() > 0.8 * max(layer.act.max for layer in relu.layers)
    assert np.array_equal(np.unique(a[:, 1]), np.unique(b[:, 1]))  # the same bins for both
    for layer in relu.layers:
        counts = b[b[:, 0] == layer.index]
        per_bar = {center: count for _, center, count in counts}
        assert sum(per_bar.values()) == layer.act.n_finite


def test_a_value_b_cannot_take_falls_back_to_the_default_for_b():
    # A's constant c = -0.5 is no σ for B's Gaussian init: B's σ starts at the default, and says so in the URL.
    at = run_page(compare="true", init="constant", std="-0.5", b_init="gaussian")
    assert not at.exception
    assert tokens(at)[1] == token_of(init="gaussian", scale=0.01)
    assert b_keys(at) == {"b_init": "gaussian", "b_std": "0.01"}


# ---- the training lab ----------------------------------------------------------------

TRAINING = app_support.page_path("training")


def curve_names(at: AppTest) -> set[str]:
    return {t["name"] for t in chart_figures(at)[0]["data"] if t.get("name")}


def test_training_b_starts_as_a_and_its_loss_curve_joins_as_runs_own_line():
    at = app_support.run_page(TRAINING, 120, compare="true", step="20")
    assert not at.exception
    assert b_keys(at) == {}
    runs = at.dataframe[0].value
    assert runs["run"].tolist() == ["A", "B"]
    assert runs["settings (vs the defaults)"].tolist() == ["the defaults", "the defaults"]
    assert {"A", "B: same settings"} <= curve_names(at)


def test_training_a_and_b_loss_curves_on_one_chart_show_the_lectures_claim():
    # Lecture: a deep tanh net with W = 0.01·randn does not learn; with Xavier it does.
    from ui.training_controls import LAB as TRAINING_LAB

    a = TRAINING_LAB.comparison_values("tanh-0.01-vs-xavier")
    query = {key: str(value) for key, value in a.items() if value != TRAINING_LAB.params[key].default}
    at = app_support.run_page(TRAINING, 240, compare="true", b_init="xavier", step="300", **query)
    assert not at.exception
    assert b_keys(at) == {"b_init": "xavier"}
    figure = chart_figures(at)[0]
    losses = {
        t["name"]: array(t["y"])
        for t in figure["data"]
        if t.get("name") in ("A", "B: init xavier")
        and t.get("yaxis", "y") == "y"
        and t.get("line", {}).get("dash", "solid") == "solid"  # the training loss
    }
    assert set(losses) == {"A", "B: init xavier"}
    assert "B: init xavier" in figure["layout"]["title"]["subtitle"]["text"]
    # A's loss stays at ln 10, B's falls far below it; each diagnosis says so.
    assert np.nanmin(losses["A"]) > 2.2 and np.nanmin(losses["B: init xavier"]) < 0.5
    assert any("ln 10" in box.value for box in at.error)
    assert any(box.value.startswith("Learning") for box in at.success)


def test_training_b_values_are_validated_and_stray_ones_removed():
    at = app_support.run_page(TRAINING, 120, compare="true", b_lr="-1", b_opt="zzz", step="10")
    notices = " ".join(w.value for w in at.warning)
    assert "`b_lr=-1`" in notices and "`b_opt=zzz`" in notices
    assert at.dataframe[0].value["settings (vs the defaults)"].tolist() == ["the defaults", "the defaults"]
    at = app_support.run_page(TRAINING, 120, b_lr="0.01", step="10")
    assert "`b_lr=0.01` is a value of setting B" in " ".join(w.value for w in at.warning)
    assert "b_lr" not in at.query_params


def test_training_a_and_b_over_the_budget_together_say_so():
    # Each run alone is within the budget (about 21 s of 30); the two together are not.
    from engine.train.trainer import BUDGET_SECONDS, estimate_cost
    from ui.training_params import PARAM_BY_KEY as TRAINING_PARAMS
    from ui.training_params import build_config as training_config

    values = {key: param.default for key, param in TRAINING_PARAMS.items()} | {"width": 256, "steps": 20000}
    alone = estimate_cost(training_config(values)).seconds
    assert alone <= BUDGET_SECONDS < 2 * alone
    at = app_support.run_page(TRAINING, 120, compare="true", width="256", steps="20000")
    assert not at.exception
    assert any(box.value.startswith(f"A and B together would take about {2 * alone:,.0f} s") for box in at.error)
    assert not at.get("plotly_chart") and not chart_figures(at)  # nothing trained


def test_training_compare_names_the_step_shown_and_where_a_run_stopped_and_labels_each_ones_numbers():
    # Learning rate 3.16 without batch norm diverges within a few steps; with it, B trains on.
    from ui.training_controls import LAB as TRAINING_LAB

    a = TRAINING_LAB.comparison_values("lr-bn")
    query = {key: str(value) for key, value in a.items() if value != TRAINING_LAB.params[key].default}
    at = app_support.run_page(TRAINING, 120, compare="true", b_bn="before", step="100", **query)
    subtitle = chart_figures(at)[0]["layout"]["title"]["subtitle"]["text"]
    runs = at.dataframe[0].value
    diverged = int(runs["final training loss"].tolist()[0].removeprefix("diverged at step "))
    assert f"step 100 · A diverged at step {diverged} · B: BN before" in subtitle
    labels = [m.label for m in at.metric]
    assert "A · step (of 300)" in labels and "B · step (of 300)" in labels
    assert [m.value for m in at.metric if m.label == "B · step (of 300)"] == ["100"]


def test_a_passing_through_bs_own_value_leaves_b_its_value():
    # The lecture's 0.01 vs 0.05: A's σ stepping up through 0.05 must not take B's 0.05 away.
    at = run_page(compare="true", b_std="0.05")
    for std in (0.04, 0.05, 0.06):
        at.number_input(key="std").set_value(std).run()
        assert b_keys(at) == {"b_std": "0.05"}
    assert tokens(at) == (token_of(scale=0.06), token_of(scale=0.05))
    # Set back to A's value in B's own control, B follows A again.
    b_widget(at, "number_input", "std").set_value(0.06).run()
    assert b_keys(at) == {}
    at.number_input(key="std").set_value(0.07).run()
    assert tokens(at)[1] == token_of(scale=0.07)


def test_training_a_setting_without_a_finding_says_so_beside_the_others():
    at = app_support.run_page(TRAINING, 120, compare="true", b_lr="0.01", b_init="xavier", step="20")
    shown = [c.value for c in at.caption]
    assert "No finding for A at step 20." in shown
    assert any(box.value.startswith("Learning") for box in at.success)  # B's


@pytest.mark.parametrize("page,key", [("activations", "sizes"), ("training", "sizes")])
def test_typed_sizes_that_cannot_be_read_warn_and_fall_back_instead_of_crashing(page, key):
    at = app_support.run_page(app_support.page_path(page), 120, step="5") if page == "training" else run_page()
    before = subtitle(at)
    at.text_input(key=key).input("1,,2").run()
    assert not at.exception
    assert any(
        w.value.startswith("`1,,2` has an empty") and "depth and width are used instead" in w.value for w in at.warning
    )
    assert subtitle(at) == before  # the view stays on depth × width


def test_typed_sizes_that_cannot_be_read_in_b_warn_and_b_falls_back():
    at = run_page(compare="true")
    b_widget(at, "text_input", "sizes").input("4096,,10").run()
    assert not at.exception
    assert any(w.value.startswith("`4096,,10` has an empty") for w in at.warning)
    a, b = tokens(at)
    assert a == b == token_of()
