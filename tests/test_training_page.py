"""AppTest: the training lab's page, its URL contract and the lecture's experiments as it shows them."""

import math
import re
import urllib.parse

import pytest

from engine.train.trainer import estimate_cost, evaluate, train
from tests import app_support
from tests.app_support import chart_figures
from ui.training_params import PRESET_SET, build_config

TIMEOUT = 120
PAGE = app_support.page_path("training")
LN10 = math.log(10)


def run_page(**query):
    return app_support.run_page(PAGE, TIMEOUT, **query)


def table(at):
    return at.dataframe[0].value


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def shown_step(at) -> str:
    """The step counter as "step / steps"."""
    counter = next(m for m in at.metric if m.label.startswith("step"))
    return f"{counter.value} / {counter.label.removeprefix('step (of ').removesuffix(')')}"


def titles(at) -> list[str]:
    return [fig["layout"]["title"]["text"] for fig in chart_figures(at)]


def texts(at) -> str:
    boxes = [*at.success, *at.info, *at.warning, *at.error, *at.markdown]
    return " ".join(box.value for box in boxes)


def test_the_default_view_opens_at_step_0_with_the_loss_at_initialization():
    at = run_page()
    assert not at.exception
    assert at.title[0].value == "Training"
    assert shown_step(at) == "0 / 1,000"
    assert table(at)["step"].tolist() == [0]
    assert len(chart_figures(at)) >= 4  # curves, update ratio, layers over time, histograms over time
    assert "Loss and accuracy" in titles(at)


def test_a_link_with_a_step_shows_the_run_trained_to_that_step_on_the_first_render():
    at = run_page(step="300", lr="0.003", seed="2")
    assert not at.exception
    assert shown_step(at) == "300 / 1,000"
    cfg = build_config({**PRESET_SET.values("default"), "lr": 0.003, "seed": 2})
    expected, _ = evaluate(train(cfg, 300), "train")
    row = table(at).iloc[0]
    assert row["step"] == 300
    assert row["final training loss"] == f"{expected:.4g}"
    assert all("step 300" in fig["layout"]["title"]["subtitle"]["text"] for fig in chart_figures(at))


@pytest.mark.parametrize("step", [55, 60])
def test_the_counter_shows_the_numbers_of_the_step_shown_between_record_points_too(step):
    """The default run records every 20 steps: at step 55 (a link's step, where Play stopped) the
    counter showed step 40's validation numbers beside "55"; it evaluates the step shown."""
    at = run_page(step=str(step))
    state = train(build_config(PRESET_SET.values("default")), step)
    val_loss, val_acc = evaluate(state, "val")
    assert metric(at, "val. loss") == f"{val_loss:.3g}"
    assert metric(at, "val. accuracy") == f"{val_acc:.1%}"
    since = next(p for p in state.record.points if p.step == 40)
    assert metric(at, "val. loss") != f"{since.val_loss:.3g}"
    loss_sum, _, count = state.window
    minibatch = loss_sum / count if count else state.record.points[-1].train_loss
    assert metric(at, "minibatch loss") == f"{minibatch:.3g}"
    assert all(f"at step {step}" in m.help for m in at.metric if m.label.startswith("val."))


def test_step_and_reset_move_the_run_and_the_address():
    at = run_page(steps="200")
    at.button[1].click().run()  # Step +4: one record interval of a 200-step run
    assert not at.exception
    assert at.query_params["step"] == "4"
    assert shown_step(at) == "4 / 200"
    at.button[2].click().run()  # Reset
    assert "step" not in at.query_params
    assert shown_step(at) == "0 / 200"


def test_a_rerun_that_carries_an_address_the_page_has_moved_on_from_keeps_the_step_shown():
    """Play's timer reruns carry the address the browser showed when it sent them. Under load a
    run finished at the last step, and the timer's rerun queued behind it, with the step before,
    set the view back: a CI run saw a run played to step 400 settle at 350, counter and address."""
    at = run_page(steps="200")
    for _ in range(3):
        at.button[1].click().run()  # Step +4, three times: the page sends steps 4, 8 and 12
    assert at.query_params["step"] == "12"
    at.query_params["step"] = "8"  # the browser, not yet showing the page's last address
    at.run()
    assert shown_step(at) == "12 / 200"
    assert at.query_params["step"] == "12"
    at.query_params["step"] = "10"  # a step the page never sent: the user's, shown as asked
    at.run()
    assert shown_step(at) == "10 / 200"
    at.button[2].click().run()  # Reset: step 0, which the page also sent before
    assert shown_step(at) == "0 / 200" and "step" not in at.query_params
    at.button[1].click().run()  # step 4 again, then away to another page and back without a step
    at.session_state["_initlab_page_shown"] = "batchnorm"
    del at.query_params["step"]
    at.run()
    assert shown_step(at) == "0 / 200"  # a page opened shows what its address asks for


def test_a_step_beyond_the_run_shows_its_end_and_says_so():
    at = run_page(steps="100", step="500")
    assert not at.exception
    assert shown_step(at) == "100 / 100"
    assert "beyond this run's 100 steps" in " ".join(w.value for w in at.warning)
    assert at.query_params["step"] == "100"  # the address says what is shown, as the notice does


def test_a_step_beyond_a_diverging_run_names_no_step_it_does_not_show():
    # lr-no-bn's 300 steps diverge at step 3: the notice had said "step 300 is shown".
    at = run_page(preset="lr-no-bn", step="500")
    warnings = " ".join(w.value for w in at.warning)
    assert "beyond this run's 300 steps: the run is shown at its end" in warnings
    assert "step 300 is shown" not in warnings
    assert shown_step(at) == "3 / 300" and at.query_params["step"] == "3"


def test_bad_values_are_refused_with_a_notice_and_the_page_still_trains():
    at = run_page(lr="abc", opt="rmsprop", keep="lr:0.1;lr:0.2", layer="0", zzz="1")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    for key in ("lr=abc", "opt=rmsprop", "keep=", "layer=0", "zzz=1"):
        assert key in warnings, key
    assert "Loss and accuracy" in titles(at)


@pytest.mark.parametrize(
    "query,notice",
    [
        ({"step": "-5"}, "`step=-5` must be between 0 and 100000; it was ignored and `0` is used instead."),
        ({"step": "1.5"}, "`step=1.5` must be a whole number; it was ignored and `0` is used instead."),
        ({"layer": "99x"}, "`layer=99x` is not a number; it was ignored and the last hidden layer is used instead."),
        ({"gain": "-1"}, "`gain=-1` must be between 0 and 100; it was ignored and the initializer's own gain is used"),
        # No kept runs is what an address without `keep` means: nothing stands in for it.
        ({"keep": "lr"}, "`keep=lr` "),
    ],
)
def test_a_refused_value_names_what_is_shown_instead_in_words_where_it_is_no_value(query, notice):
    at = run_page(**query)
    warnings = [w.value for w in at.warning]
    assert any(w.startswith(notice) for w in warnings), warnings
    assert not any("the default is used" in w for w in warnings)
    if "keep" in query:
        assert any(w.endswith("; it was ignored.") for w in warnings)
    assert shown_step(at).startswith("0 /")


def test_a_layer_beyond_this_net_falls_back_to_its_last_hidden_layer():
    at = run_page(layer="30")  # valid for a deeper net, not for the default 3 hidden layers
    assert not at.exception
    assert at.selectbox(key="layer").value == "last"
    assert "layer" not in at.query_params


def test_a_run_beyond_the_work_budget_is_refused_with_links_that_fit():
    at = run_page(width="1024", depth="41", steps="100000")
    assert not at.exception
    assert "over the work budget" in at.error[0].value
    links = [href.removeprefix("training?") for _, href in app_support.offered_views(at)]
    assert any("steps=" in link for link in links)
    for link in links:
        values = {**PRESET_SET.values("default"), "width": 1024, "depth": 41, "steps": 100000}
        values.update({k: type(values[k])(float(v)) for k, v in urllib.parse.parse_qsl(link) if k in values})
        assert estimate_cost(build_config(values)).within_budget, link


def test_a_run_over_the_memory_budget_is_offered_a_smaller_batch_or_width():
    at = run_page(width="1024", depth="41", batch="1024")
    assert "MiB" in at.error[0].value
    links = [href for _, href in app_support.offered_views(at)]
    assert links and all(("batch=" in link or "width=" in link) and link.startswith("training?") for link in links)


def test_kept_runs_are_drawn_beside_this_one_and_labelled_by_what_differs():
    at = run_page(step="200", lr="0.01", keep="opt:sgd;lr:0.1;step:200|init:zeros;lr:0.01;step:200")
    assert not at.exception
    rows = table(at)
    # The table names each run once and says what differs in its settings column (this run's
    # differ from the defaults too: lr 0.01); the legends say what differs from this run.
    assert rows["run"].tolist() == ["this run", "kept 1", "kept 2"]
    assert rows["settings (vs the defaults)"].tolist() == ["lr 0.01", "opt sgd · lr 0.1", "init zeros · lr 0.01"]
    curves = next(fig for fig in chart_figures(at) if fig["layout"]["title"]["text"] == "Loss and accuracy")
    names = {trace.get("legendgroup") or trace.get("name") for trace in curves["data"]}
    assert {"this run", "kept 1: opt sgd · lr 0.1", "kept 2: init zeros"} <= names


def test_keep_this_run_adds_it_to_the_address_and_forget_clears_them():
    at = run_page(step="100", lr="0.01")
    next(b for b in at.button if b.label == "Keep this run").click().run()
    assert at.query_params["keep"] == "lr:0.01;step:100"
    next(b for b in at.button if b.label == "Forget kept runs").click().run()
    assert "keep" not in at.query_params


def test_keeping_a_sixth_run_says_beforehand_that_it_replaces_the_oldest():
    five = "|".join(f"lr:0.0{i};step:10" for i in range(1, 6))
    at = run_page(step="10", keep=five)
    button = next(b for b in at.button if b.label == "Keep this run")
    assert "this one replaces kept 1, the oldest" in button.help
    button.click().run()
    assert at.query_params["keep"] == "|".join([*five.split("|")[1:], "step:10"])
    assert "replaces" not in next(b for b in run_page(step="10").button if b.label == "Keep this run").help


def test_zero_init_shows_the_plateau_and_names_the_symmetry():
    at = run_page(preset="zero-init", step="500")
    assert not at.exception
    loss = float(table(at)["final training loss"].iloc[0])
    assert abs(loss - LN10) < 0.01 * LN10
    assert "same incoming weights" in texts(at) or "symmetry" in texts(at)


def test_deep_tanh_with_xavier_learns_where_0_01_randn_stays_at_ln10():
    stuck = float(table(run_page(preset="tanh-0.01-sgd", step="500"))["final training loss"].iloc[0])
    learns = float(table(run_page(preset="tanh-xavier-sgd", step="500"))["final training loss"].iloc[0])
    assert abs(stuck - LN10) < 0.01 * LN10 and learns < 0.1


def test_a_diverging_run_stops_and_names_the_step():
    at = run_page(preset="lr-too-high", step="500")
    assert not at.exception
    shown = table(at)["final training loss"].iloc[0]  # not "Infinity": the loss may be NaN
    assert shown.startswith("diverged at step ")
    diverged = int(shown.removeprefix("diverged at step ").replace(",", ""))
    assert 0 < diverged < 500
    assert float(table(run_page())["final training loss"].iloc[0]) > 0
    assert f"step {int(diverged)}" in texts(at)
    assert shown_step(at) == f"{int(diverged)} / 500"  # the counter and every subtitle say where it stopped
    assert all(
        fig["layout"]["title"]["subtitle"]["text"].endswith(f"step {int(diverged)}") for fig in chart_figures(at)
    )
    assert metric(at, "minibatch loss") == "diverged"
    # Validation ran at step 0 only: beside "step 5" its numbers say whose step they are.
    assert "Validation numbers are from step 0, the last record point" in " ".join(c.value for c in at.caption)
    assert not any("numbers are from step" in c.value for c in run_page(step="20").caption)
    # The address holds the step shown (a trial saw step=500, then +10 per Step press, beside step 5).
    assert at.query_params["step"] == str(diverged)
    at.button[1].click().run()  # Step on the stopped run
    assert at.query_params["step"] == str(diverged) and shown_step(at) == f"{diverged} / 500"


def test_at_step_0_the_diagnosis_checks_the_loss_at_initialization():
    assert "Loss at initialization" in texts(run_page())
    assert "after 0 steps" not in texts(run_page(preset="zero-init"))


def test_two_dimensional_data_shows_the_decision_regions():
    at = run_page(preset="spiral", step="300")
    assert not at.exception
    assert "Decision regions" in " ".join(titles(at))
    assert "Decision regions" not in " ".join(titles(run_page()))


def test_the_learning_rate_sweep_shows_batch_norm_training_at_a_larger_rate():
    at = run_page(sweep="lr")
    assert not at.exception
    verdict = next(m.value for m in at.markdown if "Largest learning rate that trains" in m.value)
    with_bn, without = (float(x) for x in re.findall(r"\*\*([0-9.e+-]+)\*\*", verdict))
    assert with_bn >= 3 * without
    assert any(fig["layout"]["title"]["text"] == "Sweep: learning rate" for fig in chart_figures(at))


def test_every_experiment_preset_opens_with_its_lecture_text():
    from ui.training_text import EXPERIMENTS

    for name in ("zero-init", "relu-xavier-30", "lr-bn"):
        at = run_page(preset=name)
        assert not at.exception
        assert EXPERIMENTS[name][:40] in texts(at)
        assert at.query_params.get("preset") is None  # expanded into its values


def test_twenty_examples_are_memorized_while_validation_lags():
    row = table(run_page(preset="overfit-20", step="300")).iloc[0]
    assert float(row["final training loss"]) < 0.05
    assert row["best validation accuracy"] < 0.8


@pytest.mark.parametrize("page", ["training", "activations"])
def test_a_negative_std_for_a_gaussian_init_is_refused_with_a_notice(page):
    at = app_support.run_page(app_support.page_path(page), TIMEOUT, init="gaussian", std="-1")
    assert not at.exception
    assert any("`std=-1`" in w.value for w in at.warning)
    assert "std" not in at.query_params
    at = app_support.run_page(app_support.page_path(page), TIMEOUT, init="constant", std="-1")
    assert not any("`std=" in w.value for w in at.warning)  # a constant may be negative


def test_play_pressed_during_the_first_view_keeps_playing_in_the_run_that_completes_it():
    """A tab's first view draws the curves before the controls; Play clicked then can come in one
    run with the chart's report, which completes the first view and counts as the page just
    opened. That run paused the play (CI: a run never reached its end, twice)."""
    from ui import first_view
    from ui.training_run import PLAYING

    at = run_page(steps="400", lr="0.003")
    at.session_state[first_view.SHOWN] = "training"  # the first view shown, its chart just reported
    at.session_state[first_view.DRAWN] = True
    at.session_state[PLAYING] = True  # and Play pressed in the same run
    at.run()
    assert not at.exception
    assert at.session_state[PLAYING]
    assert any(b.label == "Pause" for b in at.button)


def test_the_diagnosis_quotes_the_validation_accuracy_the_counter_shows():
    """A trial read "validation accuracy 8%" in the diagnosis beside the counter's 7.8%."""
    at = run_page(preset="zero-init", step="500")
    shown = metric(at, "val. accuracy")
    assert re.fullmatch(r"\d+\.\d%", shown), shown
    assert f"validation accuracy {shown})" in texts(at)
