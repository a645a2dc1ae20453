"""The training lab's URL parameters, presets (the lecture's experiments), and the config they build.

Names shared with the activation lab mean the same there (`act`, `init`, `std`, `gain`, `mode`,
`depth`, `width`, `bn`, `seed`, `preset`): depth counts weight layers, so depth 4 is three
hidden layers and the output layer. `sizes` lists the hidden widths only: the input and the
output come from the data.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from engine.activations import ACTIVATIONS
from engine.batchnorm import CONVENTIONS
from engine.init import FAN_MODES, INITIALIZERS
from engine.train.data import DATASETS, PREPS
from engine.train.net import BN_PLACEMENTS
from engine.train.optim import OPTIMIZERS
from engine.train.trainer import (
    BUDGET_BYTES,
    BUDGET_SECONDS,
    MAX_BATCH,
    MAX_HIDDEN_LAYERS,
    MAX_LR,
    MAX_SEED,
    MAX_STEPS,
    MAX_WIDTH,
    TrainConfig,
    config_problems,
    estimate_cost,
)
from ui.compare import COMPARE, Comparison, b_params
from ui.presets import Preset, PresetSet
from ui.urlparams import Param, parse_int_list, problem_of, url_value

DEFAULT = TrainConfig()
MAX_KEPT = 5
MAX_EXAMPLES = max(spec.size for spec in DATASETS.values())
# Runs record about this many points (the record thins itself beyond engine.train.record.MAX_POINTS).
RECORD_POINTS = 50


def parse_hidden(text: str) -> tuple[int, ...]:
    """'256, 128' -> (256, 128): hidden widths; raises ValueError with a readable reason."""
    return parse_int_list(text, "width", "256,128", (1, MAX_HIDDEN_LAYERS), MAX_WIDTH)


def _keep_problem(raw: str) -> str | None:
    try:
        decode_kept(raw)
    except ValueError as err:
        return str(err)
    return None


SYMMETRY = {"act": "tanh", "depth": 2, "width": 128, "opt": "sgd", "lr": 0.1, "steps": 500}
DEEP_TANH = {"act": "tanh", "depth": 11, "width": 128, "steps": 500}
DEEP_RELU = {"act": "relu", "width": 64, "opt": "momentum", "lr": 0.01, "steps": 600}
BN_SCALE = {"act": "tanh", "depth": 8, "width": 64, "init": "gaussian", "opt": "momentum", "lr": 0.01, "steps": 400}
BN_LR = {"act": "relu", "depth": 8, "width": 64, "opt": "sgd", "lr": 10**0.5, "steps": 300}
PRESETS: dict[str, Preset] = {
    "custom": Preset("Custom"),
    "default": Preset("Default: ReLU, Kaiming, Adam"),
    "zero-init": Preset("1 · Zero init: nothing changes", {**SYMMETRY, "init": "zeros"}),
    "constant-init": Preset("1 · Constant init: units alike", {**SYMMETRY, "init": "constant", "std": 0.01}),
    "small-random": Preset("1 · Small random init: learns", {**SYMMETRY, "init": "gaussian", "std": 0.01}),
    "tanh-0.01-sgd": Preset(
        "2 · Deep tanh 0.01·randn, SGD",
        {**DEEP_TANH, "init": "gaussian", "std": 0.01, "opt": "sgd", "lr": 0.1},
    ),
    "tanh-0.01-adam": Preset("2 · Deep tanh 0.01·randn, Adam", {**DEEP_TANH, "init": "gaussian", "std": 0.01}),
    "tanh-0.3-sgd": Preset(
        "2 · Deep tanh 0.3·randn, SGD",
        {**DEEP_TANH, "init": "gaussian", "std": 0.3, "opt": "sgd", "lr": 0.1},
    ),
    "tanh-xavier-sgd": Preset("2 · Deep tanh Xavier, SGD", {**DEEP_TANH, "init": "xavier", "opt": "sgd", "lr": 0.1}),
    "relu-xavier-20": Preset("2 · 20-layer ReLU, Xavier: slow", {**DEEP_RELU, "depth": 21, "init": "xavier"}),
    "relu-kaiming-20": Preset("2 · 20-layer ReLU, Kaiming", {**DEEP_RELU, "depth": 21}),
    "relu-xavier-30": Preset("2 · 30-layer ReLU, Xavier", {**DEEP_RELU, "depth": 31, "init": "xavier"}),
    "relu-kaiming-30": Preset("2 · 30-layer ReLU, Kaiming", {**DEEP_RELU, "depth": 31}),
    "scale-no-bn": Preset("3 · 0.001·randn, no batch norm", {**BN_SCALE, "std": 0.001}),
    "scale-bn": Preset("3 · 0.001·randn, batch norm", {**BN_SCALE, "std": 0.001, "bn": "before"}),
    "lr-no-bn": Preset("4 · lr 3.16, no batch norm", BN_LR),
    "lr-bn": Preset("4 · lr 3.16, batch norm", {**BN_LR, "bn": "before"}),
    "overfit-20": Preset(
        "5 · Overfit 20 examples",
        {"examples": 20, "batch": 20, "opt": "sgd", "lr": 0.1, "steps": 300},
    ),
    "lr-too-low": Preset("5 · SGD, lr 1e-3: too low", {"opt": "sgd", "lr": 0.001, "steps": 500}),
    "lr-too-high": Preset("5 · SGD, lr 3: too high", {"opt": "sgd", "lr": 3.0, "steps": 500}),
    "spiral": Preset("The spiral: decision regions", {"data": "spiral", "depth": 3, "width": 100, "steps": 1000}),
}
PARAMS: tuple[Param, ...] = (
    Param(
        "preset",
        str,
        "default",
        "a lecture experiment: opening the link sets its values (the address then shows them); "
        "values the link also gives win",
        tuple(PRESETS),
    ),
    Param("data", str, DEFAULT.dataset, "data set", tuple(DATASETS)),
    Param("prep", str, DEFAULT.prep, "preprocessing, fitted on the training split only", PREPS),
    Param("examples", int, 0, "training examples used (0: the whole training split)", lo=0, hi=MAX_EXAMPLES),
    Param("act", str, DEFAULT.activation, "activation", tuple(ACTIVATIONS)),
    Param("slope", float, DEFAULT.slope, "negative slope of leaky_relu", lo=0.0, hi=1.0),
    Param("init", str, DEFAULT.init, "initializer of every weight layer", tuple(INITIALIZERS)),
    Param(
        "std", float, DEFAULT.scale, "σ of `gaussian`, bound a of `uniform`, value c of `constant`", lo=-100.0, hi=100.0
    ),
    Param(
        "gain",
        float,
        None,
        "PyTorch's gain of the fan-based formulas; absent, the scheme's own (√2 for kaiming, 1 for the others)",
        lo=0.0,
        hi=100.0,
        absent="the initializer's own gain",
    ),
    Param("mode", str, DEFAULT.mode, "fan used by kaiming", FAN_MODES),
    Param(
        "depth",
        int,
        len(DEFAULT.hidden) + 1,
        "number of weight layers: the hidden layers and the output layer",
        lo=1,
        hi=MAX_HIDDEN_LAYERS + 1,
    ),
    Param("width", int, DEFAULT.hidden[0], "units per hidden layer", lo=1, hi=MAX_WIDTH),
    Param(
        "sizes",
        str,
        "",
        "explicit hidden widths, e.g. `256,128`; overrides depth and width (input and output come from the data)",
        check=problem_of(parse_hidden),
    ),
    Param(
        "bn",
        str,
        DEFAULT.bn,
        "batch norm `before` the activation (FC → BN → act, the lecture's order) or `after` it; "
        "batch statistics while training, running statistics for validation",
        BN_PLACEMENTS,
    ),
    Param(
        "bn_conv",
        str,
        DEFAULT.bn_conv,
        "running-statistics convention: `pytorch` (momentum 0.1, unbiased variance, starts at 1) "
        "or `cs231n` (0.9 on the old value, biased, starts at 0)",
        tuple(CONVENTIONS),
    ),
    Param("opt", str, DEFAULT.optimizer, "optimizer: sgd, momentum (SGD with momentum 0.9) or adam", tuple(OPTIMIZERS)),
    Param("lr", float, DEFAULT.lr, "learning rate", lo=1e-6, hi=MAX_LR),
    Param("batch", int, DEFAULT.batch, "minibatch size", lo=1, hi=MAX_BATCH),
    Param("l2", float, DEFAULT.l2, "L2 regularization strength λ (loss + λ/2 · Σ W²)", lo=0.0, hi=1.0),
    Param("steps", int, DEFAULT.steps, "length of the run in steps (minibatch updates)", lo=1, hi=MAX_STEPS),
    Param("seed", int, DEFAULT.seed, "random seed (split, weights, minibatch order)", lo=0, hi=MAX_SEED),
    Param("step", int, 0, "the step shown: the run trained to this step", lo=0, hi=MAX_STEPS),
    Param(
        "layer",
        int,
        None,
        "hidden layer of the histograms over time (absent: the last one)",
        lo=1,
        hi=MAX_HIDDEN_LAYERS,
        absent="the last hidden layer",
    ),
    Param(
        "keep",
        str,
        "",
        "kept runs drawn beside this one: `|` between runs, `;` between settings, e.g. `lr:0.01;step:1000`",
        check=_keep_problem,
        max_len=2000,
    ),
    Param(
        "sweep",
        str,
        "none",
        "a sweep to run and show: `scale` (experiment 3) or `lr` (experiment 4)",
        ("none", "scale", "lr"),
    ),
)
PARAM_BY_KEY = {p.key: p for p in PARAMS}
# The settings that determine a run (the rest choose what is shown of it).
CONTROL_KEYS = tuple(p.key for p in PARAMS if p.key not in ("preset", "step", "layer", "keep", "sweep"))


def applies(key: str, values: dict[str, Any]) -> bool:
    """Whether control `key` takes part in the run under these values (its widget is shown)."""
    spec = INITIALIZERS[values["init"]]
    explicit = bool(str(values["sizes"]).strip())
    return {
        "slope": values["act"] == "leaky_relu",
        "std": spec.uses_scale,
        "gain": spec.uses_gain,
        "mode": spec.uses_mode,
        "bn_conv": values["bn"] != "none",
        "depth": not explicit,
        "width": not explicit and values["depth"] > 1,
    }.get(key, True)


def address_values(values: dict[str, Any]) -> dict[str, str | None]:
    """The URL values the settings' widgets stand for: a widget on the page with a value other
    than its default writes it (as Streamlit does), every other one writes nothing (None)."""
    drawn = {key: key in ("depth", "width") or applies(key, values) for key in CONTROL_KEYS}
    return {
        key: url_value(values[key]) if drawn[key] and values[key] != PARAM_BY_KEY[key].default else None
        for key in CONTROL_KEYS
    }


def effective_values(values: dict[str, Any]) -> dict[str, Any]:
    """The values that determine the run: a control that does not apply takes its default."""
    return {key: value if applies(key, values) else PARAM_BY_KEY[key].default for key, value in values.items()}


def hidden_widths(values: dict[str, Any]) -> tuple[int, ...]:
    """The hidden layer widths of these (valid) values."""
    text = str(values["sizes"]).strip()
    return parse_hidden(text) if text else (int(values["width"]),) * (int(values["depth"]) - 1)


def record_interval(steps: int) -> int:
    """Steps between record points: about RECORD_POINTS points over the run."""
    return max(1, min(1000, math.ceil(steps / RECORD_POINTS)))


def build_config(values: dict[str, Any]) -> TrainConfig:
    """The TrainConfig of the current control values (already validated)."""
    v = effective_values(values)
    return TrainConfig(
        dataset=v["data"],
        prep=v["prep"],
        train_examples=int(v["examples"]),
        hidden=hidden_widths(v),
        activation=v["act"],
        init=v["init"],
        scale=float(v["std"]),
        gain=None if v["gain"] is None else float(v["gain"]),
        mode=v["mode"],
        slope=float(v["slope"]),
        bn=v["bn"],
        bn_conv=v["bn_conv"],
        optimizer=v["opt"],
        lr=float(v["lr"]),
        l2=float(v["l2"]),
        batch=int(v["batch"]),
        steps=int(v["steps"]),
        record_every=record_interval(int(v["steps"])),
        seed=int(v["seed"]),
    )


def budget_fixes(values: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Changes that bring a run over the work budget within it: fewer steps, else a smaller batch or width."""
    cfg = build_config(values)
    cost = estimate_cost(cfg)
    fixes = []
    if cost.bytes <= BUDGET_BYTES:
        steps = max(1, int(BUDGET_SECONDS / cost.seconds_per_step))
        # A shorter run records more often (record_interval), so each step costs a little more.
        while steps > 1 and not estimate_cost(build_config({**values, "steps": steps})).within_budget:
            steps = int(steps * 0.9)
        fixes.append((f"{steps:,} steps", {"steps": steps}))
    for key in ("batch", "width"):
        value = int(values[key])
        while value > 1:
            value //= 2
            if estimate_cost(build_config({**values, key: value})).within_budget:
                fixes.append((f"{key} {value}", {key: value}))
                break
    return fixes


def differing(values: dict[str, Any], defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """The run settings of `values` that differ from `defaults` (the page's defaults when None)."""
    values = effective_values(values)
    base = effective_values(defaults) if defaults is not None else {k: PARAM_BY_KEY[k].default for k in CONTROL_KEYS}
    return {key: values[key] for key in CONTROL_KEYS if values[key] != base[key]}


def view_query(values: dict[str, Any], **changes: Any) -> str:
    """The query string of a run (with `changes` applied): only what differs from the defaults."""
    shown = differing({**values, **changes})
    return urlencode({key: url_value(value) for key, value in shown.items()})


# Kept runs: `|` between runs, `;` between settings, `key:value` (the value as in the URL).
RUN_SEPARATOR, PAIR_SEPARATOR, KEY_SEPARATOR = "|", ";", ":"


def encode_kept(runs: list[dict[str, Any]]) -> str:
    """The `keep` parameter of runs, each a dict of the settings that differ from the defaults plus `step`."""
    return RUN_SEPARATOR.join(
        PAIR_SEPARATOR.join(f"{key}{KEY_SEPARATOR}{url_value(value)}" for key, value in run.items()) for run in runs
    )


def decode_kept(raw: str) -> list[dict[str, Any]]:
    """The runs of a `keep` parameter (see encode_kept); raises ValueError naming what is wrong."""
    if not raw.strip():
        return []
    runs = raw.split(RUN_SEPARATOR)
    if len(runs) > MAX_KEPT:
        raise ValueError(f"keeps at most {MAX_KEPT} runs")
    decoded = [_decode_run(run) for run in runs]
    seconds = sum(estimate_cost(build_config(kept_values(run)[0])).seconds for run in decoded)
    if seconds > BUDGET_SECONDS:
        raise ValueError(
            f"keeps runs that would take about {seconds:.0f} s to train, over the {BUDGET_SECONDS:.0f} s budget"
        )
    return decoded


def _training_seconds(run: dict[str, Any]) -> float:
    """Estimated seconds to train a kept run to its step."""
    values, step = kept_values(run)
    return estimate_cost(build_config(values)).seconds_per_step * step


def _decode_run(text: str) -> dict[str, Any]:
    run: dict[str, Any] = {}
    for pair in filter(None, text.split(PAIR_SEPARATOR)):
        key, sep, raw = pair.partition(KEY_SEPARATOR)
        if not sep or (key not in CONTROL_KEYS and key != "step"):
            raise ValueError(f"has `{pair[:30]}`, not a `setting:value` pair of this page")
        if key in run:
            raise ValueError(f"gives `{key}` twice in one run")
        problem = PARAM_BY_KEY[key].problem(raw)
        if problem is not None:
            raise ValueError(f"has `{key}:{raw[:30]}`, which {problem}")
        run[key] = PARAM_BY_KEY[key].parse(raw)
    defaults = {key: PARAM_BY_KEY[key].default for key in CONTROL_KEYS}
    values = {**defaults, **{k: v for k, v in run.items() if k != "step"}}
    if "sizes" in run:
        parse_hidden(str(run["sizes"]))
    if run.get("step", 0) > values["steps"]:
        raise ValueError(f"keeps a run at step {run['step']}, beyond its {values['steps']} steps")
    problems = config_problems(build_config(values))
    if problems:
        raise ValueError(f"keeps a run that cannot train ({problems[0]})")
    return run


def kept_values(run: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A kept run's full control values and its step."""
    values = {key: PARAM_BY_KEY[key].default for key in CONTROL_KEYS}
    values.update({k: v for k, v in run.items() if k != "step"})
    return values, int(run.get("step", values["steps"]))


PRESET_SET = PresetSet(PRESETS, PARAM_BY_KEY, CONTROL_KEYS, effective_values)
# Compare mode: setting B's run settings under the prefix `b_` (ui/compare.py); the view is A's.
B_PARAMS = b_params(PARAMS, CONTROL_KEYS)
ALL_PARAMS = (*PARAMS, COMPARE, *B_PARAMS)
# The lecture's claims about learning as contrasts, one click each: A as the experiment sets it, B where it differs.
COMPARISONS: dict[str, Comparison] = {
    "zero-vs-small": Comparison(
        "zero init vs 0.01·randn", {**SYMMETRY, "init": "zeros"}, {"init": "gaussian", "std": 0.01}
    ),
    "tanh-0.01-vs-xavier": Comparison(
        "deep tanh: 0.01·randn vs Xavier (SGD)",
        {**DEEP_TANH, "init": "gaussian", "std": 0.01, "opt": "sgd", "lr": 0.1},
        {"init": "xavier"},
    ),
    "relu-xavier-vs-kaiming": Comparison(
        "30-layer ReLU: Xavier vs Kaiming", {**DEEP_RELU, "depth": 31, "init": "xavier"}, {"init": "kaiming_normal"}
    ),
    "lr-bn": Comparison("learning rate 3.16: without vs with BN", BN_LR, {"bn": "before"}),
}
