"""The batch-norm lab's experiments and page."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.bn_lab import batch_steps, init_robustness, running_statistics, train_test_spread
from tests import app_support
from viz.batchnorm import (
    feature_strips,
    robustness_figure,
    running_figure,
    spread_figure,
    steps_heatmaps,
)

PAGE = app_support.page_path("batchnorm")


def run_page(**query) -> AppTest:
    return app_support.run_page(PAGE, **query)


def test_steps_give_each_feature_mean_beta_and_std_gamma():
    steps = batch_steps(16, 5, 0, 5.0, 2.0, gamma=2.0, beta=-1.0, eps=1e-5)
    np.testing.assert_allclose(steps.mu, steps.x.mean(axis=0))
    np.testing.assert_allclose(steps.y.mean(axis=0), -1.0, atol=1e-12)
    np.testing.assert_allclose(steps.y.std(axis=0), 2.0, rtol=1e-4)
    assert len(set(np.round(steps.mu, 3))) == 5  # the input's features really differ


def test_batchnorm_makes_the_net_robust_to_the_weight_scale():
    sweep = init_robustness("tanh", depth=6, width=128, batch=32, seed=0, points=11)
    usable = sweep.scales >= 1e-2
    with_bn = sweep.act_std["before"][usable]
    without = sweep.act_std["none"]
    assert with_bn.max() / with_bn.min() < 1.1
    assert without.max() / without[without > 0].min() > 1e6


def test_train_mode_spread_shrinks_with_batch_size_towards_eval_mode():
    spread = train_test_spread(seed=0, mean=5.0, std=2.0)
    stds = spread.train_outputs.std(axis=1)
    assert np.all(np.diff(stds) < 0)
    assert abs(np.median(spread.train_outputs[-1]) - spread.eval_output) < 0.05


def test_running_statistics_converge_under_both_conventions():
    trace = running_statistics(steps=200, batch=32, seed=0, mean=3.0, std=2.0)
    for name in ("pytorch", "cs231n"):
        assert abs(trace.mean[name][-1] - 3.0) < 0.3
        assert abs(trace.var[name][-1] - 4.0) < 0.8
        assert trace.eval_error[name][-1] < 0.1 * trace.eval_error[name][0]
    assert trace.var["pytorch"][0] == 1.0 and trace.var["cs231n"][0] == 0.0


def cell_texts(figure) -> tuple[list[bool], list[bool]]:
    """Whether each heatmap prints its cell values: in the wide shape, and in the narrow one."""
    narrow = figure.layout.meta["narrow"]["data"]
    wide = [bool(trace.texttemplate) for trace in figure.data]
    return wide, [bool(shape.get("texttemplate", trace.texttemplate)) for trace, shape in zip(figure.data, narrow)]


# Values of a few units (as 10.34 or -0.21): four features leave room for them in both
# shapes, eight only in the wide one (its cells are wider), twelve in neither.
@pytest.mark.parametrize("features,wide,narrow", [(4, True, True), (8, True, False), (12, False, False)])
def test_step_heatmaps_print_cell_values_only_where_they_fit(features, wide, narrow):
    steps = batch_steps(6, features, 0, 5.0, 2.0, gamma=1.0, beta=0.0, eps=1e-5)
    assert cell_texts(steps_heatmaps(steps, "token")) == ([wide] * 3, [narrow] * 3)


def test_step_heatmaps_leave_out_values_too_long_for_their_cells():
    # Inputs around -50 print as -43.21, too long for eight cells; their normalized values still fit.
    steps = batch_steps(6, 8, 0, -50.0, 20.0, gamma=1.0, beta=0.0, eps=1e-5)
    wide, _ = cell_texts(steps_heatmaps(steps, "token"))
    assert wide == [False, True, True]


def test_feature_strips_number_the_features_under_a_feature_title():
    steps = batch_steps(6, 12, 0, 5.0, 2.0, gamma=1.0, beta=0.0, eps=1e-5)
    layout = feature_strips(steps, "token").layout
    assert list(layout.xaxis.ticktext) == [str(j) for j in range(12)] and layout.xaxis.title.text == "feature"
    assert list(layout.xaxis.tickvals) == [f"feature {j}" for j in range(12)]


def test_robustness_figure_compares_with_and_without_bn_on_log_axes_in_both_panels():
    sweep = init_robustness("tanh", depth=4, width=64, batch=16, seed=0, points=5)
    figure = robustness_figure(sweep, "token")
    layout, traces = figure.to_dict()["layout"], figure.data
    assert [(t.xaxis, t.name) for t in traces] == [
        ("x", "without BN"),
        ("x", "with BN (before act)"),
        ("x2", "without BN"),
        ("x2", "with BN (before act)"),
    ]
    np.testing.assert_allclose(traces[3].y, sweep.grad_std["before"])
    assert {layout[a]["type"] for a in ("xaxis", "yaxis", "xaxis2", "yaxis2")} == {"log"}
    assert [a["text"] for a in layout["annotations"]] == ["last layer: activation std", "input: gradient std"]


def test_running_figure_marks_the_true_mean_and_variance_and_logs_the_eval_error():
    trace = running_statistics(steps=20, batch=8, seed=0, mean=3.0, std=2.0)
    figure = running_figure(trace, "token")
    lines = [(shape.yref, shape.y0) for shape in figure.layout.shapes]
    assert lines == [("y", 3.0), ("y2", 4.0)]
    assert figure.layout.yaxis3.type == "log" and figure.layout.yaxis.type != "log"
    assert len(figure.data) == 6 and sum(bool(t.showlegend) for t in figure.data) == 2


def test_spread_figure_draws_and_names_the_eval_output():
    spread = train_test_spread(seed=0, mean=5.0, std=2.0)
    figure = spread_figure(spread, "token")
    (line,) = figure.layout.shapes
    assert line.y0 == line.y1 == spread.eval_output
    assert f"{spread.eval_output:.2f}" in figure.layout.annotations[0].text
    assert [t.name for t in figure.data] == [f"N = {n}" for n in spread.batch_sizes]


def test_page_renders_all_its_sections():
    at = run_page()
    assert not at.exception
    assert at.title[0].value == "Batch normalization"
    assert [h.value for h in at.header] == [
        "1. The transform, step by step",
        "2. Robust to initialization",
        "3. Train mode vs test mode",
        "4. The lecture's pros and cons",
    ]
    assert len(app_support.chart_specs(at)) == 5
    assert any("sqrt" in latex.value for latex in at.latex)


def test_url_parameters_drive_the_step_table():
    at = run_page(rows="12", features="3", gamma="2", beta="0.5")
    table = at.dataframe[0].value
    assert len(table) == 3
    np.testing.assert_allclose(table["mean of y"], 0.5, atol=1e-9)
    np.testing.assert_allclose(table["std of y"], 2.0, rtol=1e-4)


@pytest.mark.parametrize("query", [{"rows": "1"}, {"rows": "1", "eps": "0"}])
def test_a_batch_of_one_is_explained(query):
    at = run_page(beta="0.7", **query)
    assert not at.exception
    assert any("every output equals β = 0.7" in w.value for w in at.warning)


@pytest.mark.parametrize("query,key", [({"eps": "-1"}, "eps"), ({"act": "gelu"}, "act"), ({"rows": "inf"}, "rows")])
def test_bad_url_values_get_a_notice(query, key):
    at = run_page(**query)
    assert not at.exception
    assert any(f"`{key}=" in w.value for w in at.warning)


def test_the_robustness_sweep_reports_each_net_and_stops_where_its_caller_stops_it():
    """The page stops a sweep that a newer setting has made moot by raising from progress."""
    reports: list[tuple[int, int]] = []
    sweep = init_robustness("relu", 3, 32, 8, 0, points=4, progress=lambda done, total: reports.append((done, total)))
    assert reports == [(done, 8) for done in range(1, 9)]
    assert len(sweep.act_std["before"]) == 4

    class Moot(Exception):
        pass

    def stop_at_three(done: int, total: int) -> None:
        if done == 3:
            raise Moot

    with pytest.raises(Moot):
        init_robustness("relu", 3, 32, 8, 0, points=4, progress=stop_at_three)
