"""The activation lab's URL parameters, presets, and the config they build."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from engine.activations import ACTIVATIONS
from engine.config import (
    BN_CONVENTIONS,
    BN_MODES,
    BN_PLACEMENTS,
    MAX_BATCH,
    MAX_DEPTH,
    MAX_SEED,
    MAX_WARMUP,
    MAX_WIDTH,
    SimConfig,
    Suggestion,
)
from engine.init import FAN_MODES, INITIALIZERS
from engine.preprocess import PREPROCESSORS
from ui.compare import COMPARE, Comparison, b_params
from ui.presets import Preset, PresetSet
from ui.urlparams import Param, parse_int_list, problem_of, url_value

DEFAULT = SimConfig()
DEFAULT_DEPTH = DEFAULT.depth
DEFAULT_WIDTH = DEFAULT.sizes[1]


def parse_sizes(text: str) -> tuple[int, ...]:
    """'784, 512, 10' -> (784, 512, 10): the input and every layer; raises ValueError with a readable reason."""
    return parse_int_list(text, "size", "784,512,10", (2, MAX_DEPTH + 1), MAX_WIDTH)


PRESETS: dict[str, Preset] = {
    "custom": Preset("Custom"),
    "tanh-0.01": Preset("Lecture: tanh, W = 0.01·randn", {"act": "tanh", "init": "gaussian", "std": 0.01}),
    "tanh-0.05": Preset("Lecture: tanh, W = 0.05·randn", {"act": "tanh", "init": "gaussian", "std": 0.05}),
    "tanh-xavier": Preset("Lecture: tanh, Xavier 1/√Din", {"act": "tanh", "init": "xavier"}),
    "relu-xavier": Preset("Lecture: ReLU, Xavier 1/√Din", {"act": "relu", "init": "xavier"}),
    "relu-kaiming": Preset("Lecture: ReLU, Kaiming √(2/Din)", {"act": "relu", "init": "kaiming_normal"}),
    "zero-init": Preset("Zero init (W = 0)", {"act": "tanh", "init": "zeros"}),
    "tanh-0.01-2016": Preset(
        "Lecture 2016: tanh 0.01·randn",
        {"act": "tanh", "init": "gaussian", "std": 0.01, "depth": 10, "width": 500, "batch": 1000},
    ),
    "glorot-standard": Preset(
        "Glorot 2010: 'standard' init",
        {"act": "tanh", "init": "pytorch_default", "depth": 5, "width": 1000},
    ),
    "glorot-normalized": Preset(
        "Glorot 2010: 'normalized' init",
        {"act": "tanh", "init": "glorot_uniform", "depth": 5, "width": 1000},
    ),
}
PARAMS: tuple[Param, ...] = (
    Param(
        "preset",
        str,
        "tanh-0.01",
        "a lecture experiment: opening the link sets its values (the address then shows them); "
        "values the link also gives win",
        tuple(PRESETS),
    ),
    Param("act", str, DEFAULT.activation, "activation", tuple(ACTIVATIONS)),
    Param("slope", float, DEFAULT.slope, "negative slope of leaky_relu", lo=0.0, hi=1.0),
    Param("init", str, DEFAULT.init, "initializer", tuple(INITIALIZERS)),
    Param(
        "std", float, DEFAULT.scale, "σ of `gaussian`, bound a of `uniform`, value c of `constant`", lo=-100.0, hi=100.0
    ),
    Param(
        "gain",
        float,
        DEFAULT.gain,
        "PyTorch's gain of the fan-based formulas (xavier, kaiming, glorot, lecun, orthogonal): "
        "kaiming's std is gain/√fan as in `torch.nn.init.kaiming_normal_`; absent, the scheme's own "
        "(√2 for kaiming, 1 for the others)",
        lo=0.0,
        hi=100.0,
    ),
    Param("mode", str, DEFAULT.mode, "fan used by kaiming", FAN_MODES),
    Param(
        "depth",
        int,
        DEFAULT_DEPTH,
        "number of weight layers (the lecture's dims=[4096]*7 is depth 6)",
        lo=1,
        hi=MAX_DEPTH,
    ),
    Param("width", int, DEFAULT_WIDTH, "units per layer, also the input dimension", lo=1, hi=MAX_WIDTH),
    Param(
        "sizes",
        str,
        "",
        "explicit sizes including the input, e.g. `784,512,256,10`; overrides depth and width",
        check=problem_of(parse_sizes),
    ),
    Param("batch", int, DEFAULT.batch, "examples in the batch (N)", lo=1, hi=MAX_BATCH),
    Param("bias", float, DEFAULT.bias, "constant bias of every unit", lo=-100.0, hi=100.0),
    Param("in_mean", float, DEFAULT.in_mean, "mean of the Gaussian input", lo=-1000.0, hi=1000.0),
    Param("in_std", float, DEFAULT.in_std, "std of the Gaussian input", lo=0.0, hi=1000.0),
    Param("prep", str, DEFAULT.prep, "input preprocessing (batch statistics)", tuple(PREPROCESSORS)),
    Param("seed", int, DEFAULT.seed, "random seed (weights, inputs, upstream gradient)", lo=0, hi=MAX_SEED),
    Param(
        "bn",
        str,
        DEFAULT.bn,
        "batch norm: `before` the activation (FC → BN → act, the lecture's order) "
        "or `after` it; train mode (batch statistics)",
        BN_PLACEMENTS,
    ),
    Param(
        "bn_mode",
        str,
        DEFAULT.bn_mode,
        "batch norm `train` mode (batch statistics) or `eval` mode "
        "(running statistics from warm-up batches through the same weights)",
        BN_MODES,
    ),
    Param(
        "bn_warmup",
        int,
        DEFAULT.bn_warmup,
        "warm-up batches that accumulate the running statistics (eval mode)",
        lo=1,
        hi=MAX_WARMUP,
    ),
    Param(
        "bn_conv",
        str,
        DEFAULT.bn_conv,
        "running-statistics convention: `pytorch` (momentum 0.1 on the new "
        "batch, unbiased variance, starts at 1) or `cs231n` (0.9 on the old value, biased, starts at 0)",
        BN_CONVENTIONS,
    ),
    Param("gamma", float, DEFAULT.gamma, "batch norm's scale γ", lo=-100.0, hi=100.0),
    Param("beta", float, DEFAULT.beta, "batch norm's shift β", lo=-100.0, hi=100.0),
    Param("pre", bool, False, "also show pre-activation histograms"),
    Param("dphi", bool, False, "also show histograms of the local gradients φ′(z)"),
    Param("logy", bool, False, "log scale for the per-layer mean/std chart"),
    Param("theory", bool, True, "draw the mean-field theory's predicted std per layer over the measured one"),
)
PARAM_BY_KEY = {p.key: p for p in PARAMS}
VIEW_KEYS = ("pre", "dphi", "logy", "theory")  # how the view is drawn, not what is simulated
CONTROL_KEYS = tuple(p.key for p in PARAMS if p.key not in ("preset", *VIEW_KEYS))


def applies(key: str, values: dict[str, Any]) -> bool:
    """Whether control `key` takes part in the view under these values (its widget is shown)."""
    spec = INITIALIZERS[values["init"]]
    bn = values["bn"] != "none"
    return {
        "slope": values["act"] == "leaky_relu",
        "std": spec.uses_scale,
        "gain": spec.uses_gain,
        "mode": spec.uses_mode,
        "gamma": bn,
        "beta": bn,
        "bn_mode": bn,
        "bn_warmup": bn and values["bn_mode"] == "eval",
        "bn_conv": bn and values["bn_mode"] == "eval",
        "depth": not str(values["sizes"]).strip(),
        "width": not str(values["sizes"]).strip(),
    }.get(key, True)


def effective_values(values: dict[str, Any]) -> dict[str, Any]:
    """The values that determine the view: a control that does not apply takes its default."""
    return {key: value if applies(key, values) else PARAM_BY_KEY[key].default for key, value in values.items()}


PRESET_SET = PresetSet(PRESETS, PARAM_BY_KEY, CONTROL_KEYS, effective_values)
# Compare mode: setting B's controls under the prefix `b_` (ui/compare.py); the view switches are shared.
B_PARAMS = b_params(PARAMS, CONTROL_KEYS)
ALL_PARAMS = (*PARAMS, COMPARE, *B_PARAMS)
# The lecture's contrasts, one click each: A as the lecture sets it, B where it differs.
COMPARISONS: dict[str, Comparison] = {
    "0.01-vs-0.05": Comparison("tanh: 0.01 vs 0.05", {"act": "tanh", "init": "gaussian", "std": 0.01}, {"std": 0.05}),
    "0.05-vs-xavier": Comparison(
        "tanh: 0.05 vs Xavier", {"act": "tanh", "init": "gaussian", "std": 0.05}, {"init": "xavier"}
    ),
    "xavier-vs-kaiming": Comparison(
        "ReLU: Xavier vs Kaiming", {"act": "relu", "init": "xavier"}, {"init": "kaiming_normal"}
    ),
    "bn": Comparison(
        "tanh 0.05: without vs with BN",
        {"act": "tanh", "init": "gaussian", "std": 0.05},
        {"bn": "before"},
    ),
}


def address_values(values: dict[str, Any]) -> dict[str, str | None]:
    """The URL values of A's widgets, as Streamlit's binding writes them: a drawn widget with a
    value other than its default writes it, every other one nothing (None). The view switches
    are widgets too."""
    drawn = {key: key in ("depth", "width") or applies(key, values) for key in CONTROL_KEYS}
    own = {
        key: url_value(values[key]) if drawn[key] and values[key] != PARAM_BY_KEY[key].default else None
        for key in CONTROL_KEYS
    }
    view = {key: url_value(values[key]) if values[key] != PARAM_BY_KEY[key].default else None for key in VIEW_KEYS}
    return {**own, **view}


def preset_values(name: str) -> dict[str, Any]:
    """Every control's value under preset `name` (defaults where the preset is silent)."""
    return PRESET_SET.values(name)


def depths_ahead(values: dict[str, Any], last_depth: int | None) -> list[dict[str, Any]]:
    """The views the depth slider's next key press shows: one layer more or fewer, the way the
    depth last moved (both ways when it did not move), within the slider's bounds. None while
    explicit sizes turn the slider off."""
    if str(values.get("sizes", "")).strip():
        return []
    depth, bounds = values["depth"], PARAM_BY_KEY["depth"]
    if last_depth is None or last_depth == depth:
        steps = (1, -1)
    else:
        steps = (1,) if depth > last_depth else (-1,)
    return [{**values, "depth": depth + step} for step in steps if bounds.lo <= depth + step <= bounds.hi]


def build_config(values: dict[str, Any]) -> SimConfig:
    """The SimConfig of the current control values (already validated)."""
    values = effective_values(values)
    sizes_text = str(values.get("sizes", "")).strip()
    sizes = parse_sizes(sizes_text) if sizes_text else SimConfig.sizes_from(values["depth"], values["width"])
    return SimConfig(
        activation=values["act"],
        init=values["init"],
        scale=float(values["std"]),
        gain=None if values["gain"] is None else float(values["gain"]),
        mode=values["mode"],
        sizes=sizes,
        batch=int(values["batch"]),
        bias=float(values["bias"]),
        in_mean=float(values["in_mean"]),
        in_std=float(values["in_std"]),
        prep=values["prep"],
        seed=int(values["seed"]),
        slope=float(values["slope"]),
        bn=values["bn"],
        bn_mode=values["bn_mode"],
        bn_warmup=int(values["bn_warmup"]),
        bn_conv=values["bn_conv"],
        gamma=float(values["gamma"]),
        beta=float(values["beta"]),
    )


def view_query(values: dict[str, Any], **changes: Any) -> str:
    """The query string of the view `values` (with `changes` applied): only what differs from the defaults."""
    values = effective_values({**values, **changes})
    shown = {
        key: values[key] for key in (*CONTROL_KEYS, "pre", "dphi", "logy") if values[key] != PARAM_BY_KEY[key].default
    }
    return urlencode({key: url_value(value) for key, value in shown.items()})


def suggestion_changes(values: dict[str, Any], suggestion: Suggestion) -> dict[str, Any]:
    """The control values that apply a budget suggestion to the current view."""
    if suggestion.what == "batch":
        return {"batch": suggestion.value}
    if str(values.get("sizes", "")).strip():
        return {"sizes": ",".join(map(str, suggestion.sizes))}
    return {"width": suggestion.sizes[1], "depth": len(suggestion.sizes) - 1}
