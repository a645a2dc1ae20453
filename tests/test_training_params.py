"""The training lab's URL contract: presets, shared names, kept runs."""

import pytest

from engine.train.trainer import config_problems, estimate_cost
from ui import activation_params, training_params
from ui.training_params import (
    PARAM_BY_KEY,
    PRESET_SET,
    PRESETS,
    build_config,
    decode_kept,
    encode_kept,
    kept_values,
    record_interval,
    view_query,
)

EXPERIMENT_PRESETS = [name for name in PRESETS if name != "custom"]


@pytest.mark.parametrize("name", EXPERIMENT_PRESETS)
def test_every_preset_is_a_valid_run_within_the_budget_that_the_box_recognizes(name):
    values = PRESET_SET.values(name)
    cfg = build_config(values)
    assert config_problems(cfg) == []
    assert estimate_cost(cfg).within_budget
    assert PRESET_SET.matching(values) == name


def test_names_shared_with_the_activation_lab_take_the_same_values():
    for key in ("act", "init", "mode", "bn", "bn_conv"):
        assert PARAM_BY_KEY[key].choices == activation_params.PARAM_BY_KEY[key].choices, key
    for key in ("std", "gain", "slope", "seed"):
        mine, theirs = PARAM_BY_KEY[key], activation_params.PARAM_BY_KEY[key]
        assert (mine.lo, mine.hi) == (theirs.lo, theirs.hi), key


def test_depth_counts_weight_layers_as_in_the_activation_lab():
    values = PRESET_SET.values("default")
    assert build_config({**values, "depth": 11, "width": 64}).hidden == (64,) * 10
    assert build_config({**values, "depth": 1}).hidden == ()
    assert build_config({**values, "sizes": "256, 32"}).hidden == (256, 32)


def test_a_run_records_between_forty_and_a_hundred_points_whatever_its_length():
    for steps in (1, 7, 300, 1000, 20_000, 100_000):
        points = steps // record_interval(steps)
        assert min(steps, 40) <= points <= 100, steps


def test_view_query_names_only_what_differs_from_the_defaults():
    values = PRESET_SET.values("default")
    assert view_query(values) == ""
    assert view_query(values, lr=0.01, std=0.5) == "lr=0.01"  # std does not apply to Kaiming


def test_kept_runs_round_trip_through_the_url_and_bad_ones_are_refused_with_a_reason():
    runs = [{"lr": 0.01, "opt": "sgd", "step": 300}, {"init": "xavier", "sizes": "64,32"}]
    assert decode_kept(encode_kept(runs)) == runs
    values, step = kept_values(runs[1])
    assert build_config(values).hidden == (64, 32) and step == values["steps"]
    for bad, reason in (
        ("lr:abc", "not a number"),
        ("depth:5;depth:6", "twice"),
        ("preset:zero-init", "not a `setting:value` pair"),
        ("step:5000", "beyond its 1000 steps"),
        ("|".join(["lr:0.1"] * 6), "at most 5"),
        ("sizes:64,,3", "empty width"),
        ("batch:1;bn:before", "cannot train"),
        ("width:1024;depth:41;steps:100000|lr:0.1", "over the 30 s budget"),
    ):
        assert reason in PARAM_BY_KEY["keep"].problem(bad), bad


def test_the_layer_and_step_parameters_refuse_what_no_net_has():
    assert PARAM_BY_KEY["layer"].problem("0") is not None
    assert PARAM_BY_KEY["step"].problem("-1") is not None
    assert training_params.PARAM_BY_KEY["keep"].max_len > 200  # five runs fit in the address
