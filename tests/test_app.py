"""AppTest: every page renders; widgets and URL parameters drive the result; bad URLs get a notice."""

import pytest
from streamlit.testing.v1 import AppTest

from tests import app_support
from tests.app_support import APP, chart_figures

TIMEOUT = 60
ACTIVATIONS_PAGE = app_support.page_path("activations")


def run_page(**query) -> AppTest:
    return app_support.run_page(ACTIVATIONS_PAGE, TIMEOUT, **query)


def table_column(at: AppTest, column: str) -> list:
    return at.dataframe[0].value[column].tolist()


def test_app_entry_renders_home_with_link_to_the_lab():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "InitLab"
    assert "activations?preset=relu-kaiming" in " ".join(m.value for m in at.markdown)


def test_app_entry_navigates_to_the_activation_lab():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/activations.py").run()
    assert not at.exception
    assert at.title[0].value == "Activation statistics"


def test_activation_page_renders_title_charts_and_table():
    at = run_page()
    assert not at.exception
    assert at.title[0].value == "Activation statistics"
    assert len(chart_figures(at)) == 1  # histograms of each kind and the moments, in one figure
    assert table_column(at, "layer") == [1, 2, 3, 4, 5, 6]
    assert len(at.get("download_button")) == 1
    assert "collapse" in at.error[0].value


def test_pre_activation_toggle_adds_a_histogram_block():
    def blocks(at) -> set[str]:
        spec = chart_figures(at)[0]
        return {t["name"] for t in spec["data"] if t.get("fill") == "toself"}

    assert "Pre-activations" not in blocks(run_page())
    assert "Pre-activations" in blocks(run_page(pre="true"))


def test_local_gradient_toggle_adds_its_block_and_keeps_the_preset():
    def blocks(at) -> set[str]:
        spec = chart_figures(at)[0]
        return {t["name"] for t in spec["data"] if t.get("fill") == "toself"}

    assert "Local gradients φ′(z)" not in blocks(run_page(preset="tanh-0.05"))
    at = run_page(preset="tanh-0.05", dphi="true")
    assert "Local gradients φ′(z)" in blocks(at)
    assert at.toggle(key="dphi").value is True
    assert at.selectbox(key="preset").value == "tanh-0.05"  # a view toggle is not a control of the preset


def test_issue_example_url_drives_the_table():
    at = run_page(act="tanh", init="gaussian", std="0.01", depth="10", width="500", batch="1000", seed="0")
    assert not at.exception and not at.warning
    assert table_column(at, "layer") == list(range(1, 11))
    assert table_column(at, "fan_in") == [500] * 10
    stds = table_column(at, "act_std")
    assert 0.2 < stds[0] < 0.23 and stds[-1] < 1e-5


def test_preset_sets_the_controls():
    at = run_page()
    at.selectbox(key="preset").set_value("relu-kaiming").run()
    assert at.selectbox(key="act").value == "relu"
    assert at.selectbox(key="init").value == "kaiming_normal"
    assert "holds" in at.success[0].value


def test_preset_from_url_sets_the_controls_and_explicit_values_win():
    at = run_page(preset="tanh-0.01-2016")
    assert (at.slider(key="depth").value, at.number_input(key="width").value) == (10, 500)
    assert at.number_input(key="batch").value == 1000
    at = run_page(preset="relu-xavier", act="tanh")
    assert at.selectbox(key="act").value == "tanh"
    assert at.selectbox(key="init").value == "xavier"
    assert at.selectbox(key="preset").value == "custom"


def test_changing_a_control_after_a_preset_makes_it_custom():
    at = run_page(preset="tanh-xavier")
    at.slider(key="depth").set_value(9).run()
    assert at.selectbox(key="preset").value == "custom"
    assert len(table_column(at, "layer")) == 9


def test_widgets_drive_the_result():
    at = run_page()
    at.selectbox(key="act").set_value("relu").run()
    at.selectbox(key="init").set_value("kaiming_normal").run()
    assert not at.exception
    dead = table_column(at, "dead_frac")
    assert all(0 <= d < 0.5 for d in dead)
    assert "holds" in at.success[0].value


@pytest.mark.parametrize(
    "query,key",
    [
        ({"act": "foo"}, "act"),
        ({"depth": "-3"}, "depth"),
        ({"width": "1000000000"}, "width"),
        ({"std": "nan"}, "std"),
        ({"seed": "-inf"}, "seed"),
        ({"batch": "abc"}, "batch"),
        ({"sizes": "10,x,3"}, "sizes"),
        ({"depth": ["3", "4"]}, "depth"),
        ({"logy": "maybe"}, "logy"),
    ],
)
def test_bad_url_values_get_a_notice_and_a_fallback(query, key):
    at = run_page(**query)
    assert not at.exception
    assert any(f"`{key}=" in w.value for w in at.warning), [w.value for w in at.warning]
    assert len(chart_figures(at)) == 1  # the page keeps working with the fallback


def test_unknown_parameters_are_ignored():
    at = run_page(utm_source="slides", foo="bar")
    assert not at.exception and not at.warning


def test_explicit_sizes_override_depth_and_width():
    at = run_page(sizes="784,512,256,10", init="kaiming_normal", act="relu")
    assert table_column(at, "fan_in") == [784, 512, 256]
    assert table_column(at, "fan_out") == [512, 256, 10]


def test_over_budget_settings_are_refused_with_advice():
    at = run_page(init="glorot_uniform", depth="200", width="16384", batch="1024")
    assert not at.exception
    advice = " ".join(e.value for e in at.error)
    assert "minutes of work" in advice and "GB of memory" in advice and "width up to" in advice
    assert not chart_figures(at)


def test_overflow_is_diagnosed_not_raised():
    at = run_page(act="relu", init="gaussian", std="100", depth="200", width="64")
    assert not at.exception
    assert any("Overflow at layer" in e.value for e in at.error)


def test_batchnorm_before_turns_the_collapsing_preset_into_constant_stds():
    plain = table_column(run_page(preset="tanh-0.01"), "act_std")
    at = run_page(preset="tanh-0.01", bn="before")
    normed = table_column(at, "act_std")
    assert plain[-1] < 0.1 * plain[0]
    assert max(normed) / min(normed) < 1.05
    assert any("Batch norm" in i.value for i in at.info)


def test_batchnorm_with_a_batch_of_one_says_the_output_is_beta():
    at = run_page(bn="before", batch="1", beta="0.3")
    assert not at.exception
    assert any("batch of one" in e.value for e in at.error)
