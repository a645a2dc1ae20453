"""Sidebar controls of the training lab, every one bound to the URL."""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.train.data import DATASETS
from engine.train.trainer import config_problems, estimate_cost
from ui.compare import CompareLab, compare_controls, start_values
from ui.controls import HIDDEN_KEEPS, BoundControls
from ui.init_controls import init_controls
from ui.training_params import (
    COMPARISONS,
    CONTROL_KEYS,
    PRESET_SET,
    applies,
    build_config,
    effective_values,
    parse_hidden,
)
from ui.training_params import PARAM_BY_KEY as P
from ui.training_run import requested_step

PREP_LABELS = {
    "none": "raw pixel values",
    "center": "each feature minus its training mean",
    "standardize": "each feature centred and divided by its training std",
    "whiten": "decorrelated and scaled to unit variance (PCA whitening)",
}
OPT_LABELS = {
    "sgd": "plain SGD: W -= lr · dW",
    "momentum": "SGD with momentum 0.9",
    "adam": "Adam (β1 0.9, β2 0.999): per-parameter step sizes",
}


OWN = BoundControls(P)


def _first_layer(ctl: BoundControls) -> tuple[int, int]:
    """(fan_in, fan_out) of the first weight layer: the data's features to the first hidden width."""
    data = DATASETS[ctl.current("data")]
    text = str(ctl.current("sizes")).strip()
    width, depth = ctl.current("width"), ctl.current("depth")
    try:
        hidden = parse_hidden(text) if text else (width,) * (depth - 1)
    except ValueError:
        hidden = (width,)
    return data.features, hidden[0] if hidden else data.classes


def _data_controls(ctl: BoundControls) -> None:
    data = ctl.choice("data", "Data")
    st.caption(DATASETS[data].label)
    prep = ctl.choice("prep", "preprocessing")
    st.caption(PREP_LABELS[prep])
    ctl.number("examples", "training examples (0: all)", step=10)


def _net_controls(ctl: BoundControls) -> None:
    act = ctl.choice("act", "Activation")
    if act == "leaky_relu":
        ctl.number("slope", "negative slope", step=0.01, **HIDDEN_KEEPS)
    init_controls(ctl, act, lambda: _first_layer(ctl))
    help_text = "before: FC → BN → activation (the lecture's order); after: FC → activation → BN."
    if ctl.choice("bn", "batch norm", radio=True, help=help_text) != "none":
        ctl.choice("bn_conv", "running statistics", radio=True, **HIDDEN_KEEPS)
    explicit = bool(str(ctl.current("sizes")).strip())
    ctl.slider("depth", "depth (weight layers)", disabled=explicit, help="Hidden layers + the output layer.")
    ctl.number("width", "width (units per hidden layer)", step=16, disabled=explicit or ctl.current("depth") == 1)
    ctl.text(
        "sizes",
        "explicit hidden widths (optional)",
        "depth and width are used instead",
        placeholder="e.g. 256,128,64",
        max_chars=200,
        help="Hidden layer widths; the input and the output come from the data. Overrides depth and width.",
    )


def _optimizer_controls(ctl: BoundControls) -> None:
    opt = ctl.choice("opt", "Optimizer", radio=True)
    st.caption(OPT_LABELS[opt])
    left, right = st.columns(2)
    ctl.number("lr", "learning rate", step=1e-4, fmt="%g", where=left)
    ctl.number("batch", "batch", where=right)
    left, right = st.columns(2)
    ctl.number("l2", "L2 λ", step=1e-4, fmt="%g", where=left)
    ctl.number("steps", "steps", step=100, where=right)
    ctl.number("seed", "seed")


def setting_controls(ctl: BoundControls) -> dict[str, Any]:
    """Every run setting of one setting, in the current container; returns their values by URL key."""
    _data_controls(ctl)
    st.divider()
    _net_controls(ctl)
    st.divider()
    _optimizer_controls(ctl)
    return ctl.values(CONTROL_KEYS)


def own_controls() -> dict[str, Any]:
    """Setting A under its experiment box."""
    return PRESET_SET.over(lambda: setting_controls(OWN), label="Experiment")


LAB = CompareLab(P, CONTROL_KEYS, applies, effective_values, own_controls, setting_controls, COMPARISONS)


def lab_controls(opened: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The sidebar: the compare switch, A's run settings (and B's in a second tab).

    Returns A's values (and the preset shown) and B's values (None without compare mode)."""
    with st.sidebar:
        return compare_controls(LAB, opened)


def first_view_values() -> dict[str, Any] | None:
    """The values the controls will start from, as lab_controls returns them, for a tab's first
    view (ui.first_view); None in compare mode, for a run the page cannot train or a step beyond
    the run's (the page then opens whole, with its message)."""
    values = start_values(LAB, PRESET_SET)
    if values is None:
        return None
    cfg = build_config(values)
    if config_problems(cfg) or not estimate_cost(cfg).within_budget or requested_step() > cfg.steps:
        return None  # the page opens whole with its message
    return values
