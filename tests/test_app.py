"""AppTest: every page renders; widgets and URL parameters drive the result; bad URLs get a notice."""

import json
import re
import urllib.parse

import pytest
from streamlit.testing.v1 import AppTest

from engine import SimConfig, simulate
from engine.diagnose import diagnose
from tests import app_support
from tests.app_support import APP, chart_figures, history_guard_reported
from ui import first_view

TIMEOUT = 60
ACTIVATIONS_PAGE = app_support.page_path("activations")


def run_page(**query) -> AppTest:
    return app_support.run_page(ACTIVATIONS_PAGE, TIMEOUT, **query)


def preset_box(at: AppTest):
    """The activation lab's preset box (keyed by the preset it shows, so found by its label)."""
    return next(box for box in at.selectbox if box.label == "Preset")


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
    (download,) = at.get("download_button")
    assert download.proto.ignore_rerun  # downloading the table does not run the page again
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
    assert preset_box(at).value == "tanh-0.05"  # a view toggle is not a control of the preset


def test_issue_example_url_drives_the_table():
    at = run_page(act="tanh", init="gaussian", std="0.01", depth="10", width="500", batch="1000", seed="0")
    assert not at.exception and not at.warning
    assert table_column(at, "layer") == list(range(1, 11))
    assert table_column(at, "fan_in") == [500] * 10
    stds = table_column(at, "act_std")
    assert 0.2 < stds[0] < 0.23 and stds[-1] < 1e-5


def test_preset_sets_the_controls():
    at = run_page()
    preset_box(at).set_value("relu-kaiming").run()
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
    # The box shows the preset these values are, whatever the link called them.
    assert preset_box(at).value == "tanh-xavier"
    assert preset_box(run_page(preset="relu-xavier", depth="9")).value == "custom"


def test_a_preset_link_puts_its_values_in_the_address_bar():
    at = run_page(preset="tanh-0.01-2016", seed="3")
    assert dict(at.query_params) == {"depth": "10", "width": "500", "batch": "1000", "seed": "3"}
    assert table_column(at, "fan_in") == [500] * 10


def test_choosing_custom_keeps_the_view():
    at = run_page(preset="relu-kaiming", depth="8")
    before = table_column(at, "act_std")
    preset_box(at).set_value("custom").run()
    assert (at.selectbox(key="act").value, at.selectbox(key="init").value) == ("relu", "kaiming_normal")
    assert at.slider(key="depth").value == 8
    assert table_column(at, "act_std") == before


def test_choosing_custom_on_a_preset_view_keeps_it_and_the_box_names_it():
    """The label is derived from the values: Custom chosen on a preset's view keeps the view, and
    the box names the preset again, as it does for anyone who opens the same link."""
    at = run_page(preset="tanh-0.05")
    before = table_column(at, "act_std")
    preset_box(at).set_value("custom").run()
    assert preset_box(at).value == "tanh-0.05"
    assert table_column(at, "act_std") == before
    preset_box(at).set_value("custom").run()  # and again: the new box takes the choice as well
    assert preset_box(at).value == "tanh-0.05"


def test_the_box_follows_the_values_back_to_a_preset():
    at = run_page(preset="tanh-xavier")
    at.selectbox(key="act").set_value("relu").run()
    assert preset_box(at).value == "relu-xavier"
    at.selectbox(key="init").set_value("gaussian").run()
    at.number_input(key="std").set_value(0.05).run()
    assert preset_box(at).value == "custom"  # relu with 0.05 is no lecture experiment
    at.selectbox(key="act").set_value("tanh").run()
    assert preset_box(at).value == "tanh-0.05"


def test_a_key_pressed_before_the_browser_showed_a_preset_keeps_the_preset():
    # The browser sends every control's value with each rerun: a depth key pressed right after
    # choosing a preset, before the preset's run came back, brings the values from before it.
    at = run_page()
    preset_box(at).set_value("relu-kaiming").run()
    at.selectbox(key="act").set_value("tanh")
    at.selectbox(key="init").set_value("gaussian")
    at.slider(key="depth").set_value(9).run()
    assert (at.selectbox(key="act").value, at.selectbox(key="init").value) == ("relu", "kaiming_normal")
    assert at.selectbox(key="act").proto.set_value  # sent again, so that the browser shows it
    assert len(table_column(at, "layer")) == 9  # the key press itself stands
    # A second request from before the choice (a second key press) is answered the same way.
    at.selectbox(key="act").set_value("tanh")
    at.selectbox(key="init").set_value("gaussian")
    at.slider(key="depth").set_value(10).run()
    assert (at.selectbox(key="act").value, at.selectbox(key="init").value) == ("relu", "kaiming_normal")
    assert len(table_column(at, "layer")) == 10
    # Once the browser shows the preset, a control changed back is the user's choice.
    at.selectbox(key="act").set_value("tanh").run()
    assert at.selectbox(key="act").value == "tanh"


@pytest.mark.parametrize(
    "preset,shown",
    [
        # The request of a key pressed right after a choice still carries the box the choice was
        # made in, with that choice: the preset is applied once, not again over the press.
        ("relu-xavier", {"act": "relu", "init": "xavier"}),
        # Glorot's preset sets depth 5: the press moved the old depth 6 to 7, and stands.
        ("glorot-normalized", {"init": "glorot_uniform", "width": 1000}),
    ],
)
def test_a_key_pressed_before_the_browser_showed_a_preset_stands_and_is_not_sent_back(preset, shown):
    # The depth slider is not sent the pressed value back: it would undo the presses made since.
    at = run_page()
    preset_box(at).set_value(preset)
    chosen = app_support.browser_request(at)
    at.slider(key="depth").set_value(7)
    pressed = app_support.browser_request(at)
    app_support.send(at, chosen)
    app_support.send(at, pressed)
    assert at.slider(key="depth").value == 7 and not at.slider(key="depth").proto.set_value
    assert len(table_column(at, "layer")) == 7
    assert {key: at.session_state[key] for key in shown} == shown


def test_choosing_a_preset_again_after_changing_a_control_applies_it():
    at = run_page()
    preset_box(at).set_value("relu-xavier").run()
    at.slider(key="depth").set_value(9).run()
    assert preset_box(at).value == "custom"
    preset_box(at).set_value("relu-xavier").run()
    assert at.slider(key="depth").value == 6
    assert preset_box(at).value == "relu-xavier"


def test_every_run_leaves_the_address_of_the_view_it_draws():
    # The browser's address can lag its controls: an address sent by an earlier run (a preset's)
    # arrived after later key presses. The run drawing the view sends the view's whole address.
    at = run_page()
    preset_box(at).set_value("relu-xavier").run()
    at.slider(key="depth").set_value(9)
    at.query_params.clear()
    at.query_params["depth"] = "7"
    at.run()
    assert dict(at.query_params) == {"act": "relu", "init": "xavier", "depth": "9"}


def test_changing_a_control_after_a_preset_makes_it_custom():
    at = run_page(preset="tanh-xavier")
    at.slider(key="depth").set_value(9).run()
    assert preset_box(at).value == "custom"
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
    assert any(w.value.startswith((f"`{key}=", f"`{key}` ")) for w in at.warning), [w.value for w in at.warning]
    assert len(chart_figures(at)) == 1  # the page keeps working with the fallback


def test_unknown_parameters_leave_the_address_with_a_notice():
    at = run_page(utm_source="slides", foo="x" * 3000, depth="7")
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "`utm_source=slides` is not a setting of this page" in notices and "`foo=" in notices
    assert dict(at.query_params) == {"depth": "7"}
    assert table_column(at, "layer") == list(range(1, 8))


def test_explicit_sizes_override_depth_and_width():
    at = run_page(sizes="784,512,256,10", init="kaiming_normal", act="relu")
    assert table_column(at, "fan_in") == [784, 512, 256]
    assert table_column(at, "fan_out") == [512, 256, 10]
    # The greyed depth slider still shows its own value: the sidebar says what the sizes make.
    depth = next(s for s in at.sidebar.slider if s.key == "depth")
    assert depth.disabled and depth.value == 6
    assert any("These sizes make 3 weight layers" in c.value for c in at.sidebar.caption)


def test_a_one_layer_net_is_called_one_layer():
    at = run_page(sizes="784,10")
    assert any(c.value.startswith("1 layer · sizes 784, 10 ·") for c in at.caption)
    assert any("These sizes make 1 weight layer." in c.value for c in at.sidebar.caption)


def test_over_budget_settings_are_refused_with_advice():
    at = run_page(init="glorot_uniform", depth="200", width="16384", batch="1024")
    assert not at.exception
    advice = " ".join(e.value for e in at.error)
    assert "minutes of work" in advice and "GB of memory" in advice and "width up to" in advice
    assert not chart_figures(at)


def _main_in_order(at: AppTest) -> list:
    """The main area's elements in the order the page shows them, containers opened."""
    shown, stack = [], [at.main]
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if children is None:
            shown.append(node)
        else:
            stack.extend(children[i] for i in sorted(children, reverse=True))
    return shown


DIAGNOSIS_BOXES = ("success", "info", "warning", "error")


@pytest.mark.parametrize(
    ("query", "cfg"),
    [
        ({}, SimConfig()),
        (
            {"act": "relu", "init": "xavier", "depth": "10"},
            SimConfig(activation="relu", init="xavier", sizes=SimConfig.sizes_from(10, 4096)),
        ),
        ({"act": "relu", "init": "gaussian", "std": "0.05"}, SimConfig(activation="relu", init="gaussian", scale=0.05)),
    ],
)
def test_the_diagnosis_shows_above_the_chart_with_every_finding_of_the_engine(query, cfg):
    # The page draws the chart before it computes the diagnosis (its comparison nets take time):
    # the findings must still all be there, in the engine's words and order, above the chart.
    at = run_page(**query)
    shown = _main_in_order(at)
    chart = next(
        i for i, e in enumerate(shown) if e.type == "bidi_component" and e.proto.component_name == "initlab_live_chart"
    )
    findings = [(i, e.value) for i, e in enumerate(shown) if e.type in DIAGNOSIS_BOXES]
    assert [text for _, text in findings] == [finding.text for finding in diagnose(simulate(cfg))]
    assert findings and all(i < chart for i, _ in findings)


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


def test_refusal_offers_its_suggestions_as_links_that_open_within_the_budget():
    at = run_page(init="glorot_uniform", act="relu", depth="40", width="4096", seed="5")
    offered = app_support.offered_views(at)
    links = [(*re.fullmatch(r"(\w+) up to (\d+)", label).groups(), href) for label, href in offered]
    assert {what for what, _, _ in links} >= {"width", "depth"}
    for what, value, href in links:
        assert href.startswith("activations?")
        query = href.removeprefix("activations?")
        opened = run_page(**dict(urllib.parse.parse_qsl(query)))
        assert not opened.exception and chart_figures(opened), what  # the suggested view is computed
        assert (opened.selectbox(key="act").value, opened.number_input(key="seed").value) == ("relu", 5)
        fans = table_column(opened, "fan_out")
        assert (fans[0] if what == "width" else len(fans)) == int(value)


def test_batchnorm_eval_with_a_batch_of_one_is_refused_with_a_reason():
    # The PyTorch convention's unbiased running variance is undefined for one example.
    at = run_page(bn="before", bn_mode="eval", batch="1")
    assert not at.exception
    assert any("at least 2" in e.value for e in at.error)
    assert not chart_figures(at)


def test_whitening_a_batch_narrower_than_the_input_is_refused_with_what_to_do_instead():
    at = run_page(prep="whiten")  # batch 16, width 4096
    assert not at.exception
    assert any("more examples than input features" in e.value and "standardize" in e.value for e in at.error)
    assert not chart_figures(at)
    assert chart_figures(run_page(prep="whiten", width="32", batch="64"))


def test_gain_is_pytorchs_and_an_old_kaiming_link_is_told_what_changed():
    at = run_page(init="kaiming_normal", gain="1.6667")
    assert table_column(at, "weight_std")[0] == pytest.approx(1.6667 / 64)  # kaiming_normal_(nonlinearity="tanh")
    assert any("Links made before December 2026" in i.value and "2.357" in i.value for i in at.info)
    plain = run_page(init="kaiming_normal")
    assert table_column(plain, "weight_std")[0] == pytest.approx(2**0.5 / 64)
    assert not any("Links made before" in i.value for i in plain.info)


@pytest.mark.parametrize(
    "query,notice",
    [
        (
            {"init": "kaiming_normal", "gain": "-1"},
            "`gain=-1` must be between 0 and 100; it was ignored and the default",
        ),
        ({"sizes": "4096,,10"}, "`sizes=4096,,10` has an empty size between two commas"),
        ({"sizes": "abc"}, "`sizes=abc` must be whole numbers separated by commas"),
        ({"sizes": "64"}, "`sizes=64` needs at least 2 sizes"),
        ({"depth": ["3", "4"]}, "`depth` is given more than once (`3`, `4`); each was ignored and `6` is used"),
    ],
)
def test_refusal_notices_name_what_was_given_and_what_is_used(query, notice):
    at = run_page(**query)
    assert any(w.value.startswith(notice) for w in at.warning), [w.value for w in at.warning]
    assert not any("None" in w.value or "``" in w.value for w in at.warning)


def test_sizes_typed_unreadable_get_one_warning_in_the_words_of_the_box():
    """A bound box puts what is typed into the address; the next run must not refuse it again
    as if a link had brought it (a trial saw two warnings, the second worded for a URL)."""
    at = run_page()
    at.text_input(key="sizes").set_value("1,,2").run()
    at.query_params["sizes"] = "1,,2"  # the browser's address holds what the bound box holds
    at.run()
    assert [w.value for w in at.warning] == [
        "`1,,2` has an empty size between two commas, e.g. 784,,512,10: depth and width are used instead."
    ]
    assert table_column(at, "fan_in") == [4096] * 6
    # Depth and width are in use, as the warning says: not greyed out (a trial could not move them).
    assert not at.slider(key="depth").disabled and not at.number_input(key="width").disabled
    at.text_input(key="sizes").set_value("784,512,10").run()
    assert at.slider(key="depth").disabled  # readable sizes replace them


def test_the_home_page_drops_unknown_parameters_with_a_notice_once_the_history_guard_is_there():
    """A fresh tab's first run holds the corrected address back (sent before ui/history.js is
    installed, it would push a history entry for a view nobody saw) and asks the guard to report;
    the report's rerun sends it."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["x"] = "1"
    at.run()
    assert any("`x=1` is not a setting of this page" in w.value for w in at.warning)
    assert at.query_params["x"] == "1"
    # The guard also hears of each run's page, the query it began with and the one it shows, to
    # tell a run of the entry it moved to from one begun on another entry (ui/history.js).
    data = guard_data(at)
    assert (data["waiting"], data["page"], data["query"], data["shown"]) == (True, "", "x=1", "")
    history_guard_reported(at).run()
    assert "x" not in at.query_params
    data = guard_data(at)
    assert (data["waiting"], data["query"], data["shown"]) == (False, "x=1", "")
    # The notice stays: the run that sent the address had nothing left to refuse (a trial saw it go).
    assert any("`x=1` is not a setting of this page" in w.value for w in at.warning)
    at.run()
    assert not at.warning  # and goes with the next change, as any notice does


def test_a_step_beyond_the_run_keeps_its_notice_through_the_rerun_that_sends_the_corrected_address():
    """The training lab corrects `step` itself, after the refusals; its notice must stay when the
    guard's report reruns the page to send the address (a trial saw it go after a second)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"steps": "100", "step": "99999"})
    app_support.chart_already_drawn(at.switch_page("app_pages/training.py")).run()
    notice = "beyond this run's 100 steps: the run is shown at its end"
    assert any(notice in w.value for w in at.warning)
    assert guard_data(at)["waiting"] is True
    history_guard_reported(at).run()
    assert at.query_params["step"] == "100"
    assert any(notice in w.value for w in at.warning)


def test_a_page_that_ends_early_still_gets_the_history_guard_and_its_address_sent():
    """Compare mode ends the page early (ui.page_run.end_page): the guard still comes after it."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"compare": "true", "b_std": "0.05", "foo": "1"})
    app_support.chart_already_drawn(at.switch_page("app_pages/activations.py")).run()
    assert chart_figures(at)[0]["layout"]["title"]["text"].startswith("A and B compared")
    assert guard_data(at)["waiting"] is True and at.query_params["foo"] == "1"
    history_guard_reported(at).run()
    assert dict(at.query_params) == {"compare": "true", "b_std": "0.05"}
    assert [w.value for w in at.warning if "`foo=1`" in w.value]


def guard_data(at: AppTest) -> dict:
    """What the page gave the history guard (ui/history.py)."""
    (guard,) = [e for e in at.get("bidi_component") if e.proto.component_name == "initlab_history"]
    return json.loads(guard.proto.json)


def test_a_refusal_names_bounds_and_fallbacks_as_the_address_spells_them():
    at = run_page(seed="-1", logy="maybe")
    notices = " ".join(w.value for w in at.warning)
    assert "`seed=-1` must be between 0 and 4294967295" in notices  # not 4.29497e+09
    assert "`logy=maybe` must be true or false; it was ignored and `false` is used instead" in notices


def test_a_refused_view_names_the_view_shown_instead():
    notices = " ".join(w.value for w in run_page(view="foo").warning)
    assert "`view=foo` must be one of present; it was ignored and the normal view (with its controls)" in notices


def test_a_refused_values_notice_and_the_controls_stay_through_the_rerun_that_sends_the_corrected_address():
    """A fresh tab opens a link with a refused value whole (notice and controls at once). The rerun
    that sends the corrected address refuses nothing and the chart has yet to report its draw: it
    was drawn as a first view, the notice and the sidebar's controls gone until the report came
    (0.2 to 0.6 s in Chromium, and the page below the chart jumped)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"depth": "abc"})
    at.switch_page("app_pages/activations.py").run()
    notice = "`depth=abc` is not a number"
    assert any(notice in w.value for w in at.warning)
    assert at.sidebar.number_input and guard_data(at)["waiting"] is True
    history_guard_reported(at).run()
    assert "depth" not in at.query_params
    assert any(notice in w.value for w in at.warning)
    assert [box.label for box in at.sidebar.number_input][:1] == ["std σ"]
    assert first_view.CONTROLS_COMING not in [c.value for c in at.sidebar.caption]
