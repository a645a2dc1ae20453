"""A tab's first view of the activation lab: the chart first, the controls once it reports its draw.

AppTest runs no JavaScript: the chart's report (ui/live_chart.js calls the trigger `drawn`)
is what its callback, ui.first_view.chart_drawn, does, applied before the next run.
"""

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_support import chart_figures, page_path, run_page
from ui import first_view

PAGE = page_path("activations")


def first_view_run(**query) -> AppTest:
    """The page's first run in a tab that has drawn no chart yet."""
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.query_params.update(query)
    return at.run()


def after_report(at: AppTest) -> AppTest:
    """The run that the chart's report of its first draw causes."""
    at.session_state[first_view.DRAWN] = True
    return at.run()


def live_payloads(at: AppTest) -> list[dict]:
    return [
        json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.component_name == "initlab_live_chart"
    ]


def sidebar_widgets(at: AppTest) -> int:
    return sum(len(at.sidebar.get(kind)) for kind in ("slider", "selectbox", "number_input", "toggle", "radio"))


def test_a_fresh_tab_gets_the_chart_without_the_controls_and_the_chart_asks_to_report():
    at = first_view_run()
    assert not at.exception
    (payload,) = live_payloads(at)
    assert payload["reportDrawn"] is True
    assert sidebar_widgets(at) == 0
    assert [c.value for c in at.sidebar.caption] == [first_view.CONTROLS_COMING]  # not an empty sidebar
    assert not at.dataframe  # the per-layer table comes with the controls
    assert at.title[0].value == "Activation statistics"


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"preset": "relu-kaiming", "depth": "9"},
        {"act": "leaky_relu", "slope": "0.2", "init": "kaiming_uniform", "gain": "1.3", "mode": "fan_out"},
        {"sizes": "784,300,100,10", "bn": "before", "bn_mode": "eval", "bn_warmup": "3", "pre": "true"},
        {"init": "gaussian", "std": "0.05", "logy": "true", "theory": "true", "dphi": "true", "seed": "4"},
    ],
)
def test_the_first_view_draws_the_very_figure_of_the_whole_page_and_the_controls_follow_from_it(query):
    at = first_view_run(**query)
    first = chart_figures(at)
    whole = chart_figures(run_page(PAGE, **query))
    assert first == whole
    after = after_report(at)
    assert not after.exception
    assert chart_figures(after) == whole  # the chart on screen stays as it is
    assert live_payloads(after)[0]["reportDrawn"] is False
    assert sidebar_widgets(after) > 10
    assert first_view.CONTROLS_COMING not in [c.value for c in after.sidebar.caption]
    assert len(after.dataframe) == 1


def test_the_controls_after_the_first_view_start_from_the_address():
    at = after_report(first_view_run(act="relu", init="kaiming_normal", depth="9", seed="7"))
    assert at.sidebar.selectbox(key="act").value == "relu"
    assert at.sidebar.selectbox(key="init").value == "kaiming_normal"
    assert at.sidebar.slider(key="depth").value == 9
    assert at.sidebar.number_input(key="seed").value == 7
    assert at.query_params["depth"] == "9" and at.query_params["seed"] == "7"


def test_the_page_still_counts_as_just_opened_when_its_controls_come():
    # The notice about links made before the gain's change shows when a lab is opened with a gain.
    at = first_view_run(init="kaiming_normal", gain="1")
    assert any("PyTorch's gain" in info.value for info in at.info)
    after = after_report(at)
    assert any("PyTorch's gain" in info.value for info in after.info)
    assert not any("PyTorch's gain" in info.value for info in after.run().info)  # a later run is not an opening


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"depth": "zz"}, "warning"),  # a refused value: its notice comes with the controls
        ({"depth": "200", "width": "16384"}, "error"),  # over the budget: no chart would report
        ({"compare": "true", "b_std": "0.05"}, None),  # compare mode opens whole
    ],
)
def test_a_view_without_a_plain_chart_opens_whole_at_once(query, shown):
    at = first_view_run(**query)
    assert not at.exception
    assert sidebar_widgets(at) > 10
    assert all(payload["reportDrawn"] is False for payload in live_payloads(at))
    if shown:
        assert at.get(shown)


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("batchnorm", {}),
        ("batchnorm", {"rows": "4", "gamma": "2", "act": "relu"}),
        ("preprocessing", {}),
        ("preprocessing", {"data": "digits", "fx": "3", "fy": "60"}),
        ("training", {}),
        ("training", {"preset": "tanh-0.01-sgd", "step": "200"}),
    ],
)
def test_the_other_labs_first_views_draw_their_top_chart_and_the_controls_follow(page, query):
    at = AppTest.from_file(page_path(page), default_timeout=90)
    at.query_params.update(query)
    at.run()
    assert not at.exception
    assert sidebar_widgets(at) == 0
    (payload,) = live_payloads(at)  # the top chart only
    assert payload["reportDrawn"] is True
    whole = run_page(page_path(page), **query)
    assert chart_figures(at)[0] == chart_figures(whole)[0]
    after = after_report(at)
    assert sidebar_widgets(after) == sidebar_widgets(whole) > 5
    assert chart_figures(after) == chart_figures(whole)


def test_an_upload_view_opens_whole_at_once():
    at = AppTest.from_file(page_path("preprocessing"), default_timeout=90)
    at.query_params["data"] = "upload"
    at.run()
    assert sidebar_widgets(at) > 5
    assert all(payload["reportDrawn"] is False for payload in live_payloads(at))


def test_a_page_that_opens_whole_is_not_cut_short_by_another_pages_unfinished_first_view():
    at = AppTest.from_file(page_path("training"), default_timeout=90)
    at.session_state[first_view.SHOWN] = "activations"  # left before its chart had reported
    at.query_params.update(compare="true", b_init="xavier")
    at.run()
    assert not at.exception
    assert sidebar_widgets(at) > 10
    assert len(live_payloads(at)) > 1  # the charts under the first one too
    assert all(payload["reportDrawn"] is False for payload in live_payloads(at))


@pytest.mark.parametrize("page", ["activations", "training"])
def test_present_mode_opens_whole_at_once(page):
    # Its style sheet sits in the sidebar after the controls: a first view would move it when they came.
    at = AppTest.from_file(page_path(page), default_timeout=90)
    at.query_params["view"] = "present"
    at.run()
    assert not at.exception
    assert sidebar_widgets(at) > 10
    assert all(payload["reportDrawn"] is False for payload in live_payloads(at))


def test_the_batch_norm_lab_leaves_its_formulas_to_come_with_the_controls():
    # KaTeX's code and fonts would hold up the first chart; tests/test_first_view_browser.py
    # checks that their space is kept (the chart does not move when they come).
    at = AppTest.from_file(page_path("batchnorm"), default_timeout=90).run()
    assert not at.exception
    assert len(at.latex) == 0 and len(live_payloads(at)) == 1
    after = after_report(at)
    assert len(after.latex) == 2 and r"\sqrt{\sigma_j^2 + \varepsilon}" in after.latex[1].value
