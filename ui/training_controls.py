"""Sidebar controls of the training lab, every one bound to the URL."""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.train.data import DATASETS
from ui import widgets
from ui.controls import HIDDEN_KEEPS, BoundControls, current_value
from ui.init_controls import init_controls
from ui.presets import PRESET_KEY
from ui.training_params import CONTROL_KEYS, PRESET_SET, parse_hidden
from ui.training_params import PARAM_BY_KEY as P
from ui.urlparams import problem_of

hidden_problem = problem_of(parse_hidden)
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


def current(key: str) -> Any:
    """A control's value before its widget is drawn in this run."""
    return current_value(P, key)


def _first_layer() -> tuple[int, int]:
    """(fan_in, fan_out) of the first weight layer: the data's features to the first hidden width."""
    features = DATASETS[current("data")].features
    text = str(current("sizes")).strip()
    try:
        hidden = parse_hidden(text) if text else (current("width"),) * (current("depth") - 1)
    except ValueError:
        hidden = (current("width"),)
    return features, hidden[0] if hidden else DATASETS[current("data")].classes


def _data_controls() -> None:
    data = widgets.choice(P["data"], "Data")
    st.caption(DATASETS[data].label)
    prep = widgets.choice(P["prep"], "preprocessing")
    st.caption(PREP_LABELS[prep])
    widgets.number(P["examples"], "training examples (0: all)", step=10)


def _net_controls() -> None:
    act = widgets.choice(P["act"], "Activation")
    if act == "leaky_relu":
        widgets.number(P["slope"], "negative slope", step=0.01, **HIDDEN_KEEPS)
    init_controls(BoundControls(P), act, _first_layer)
    help_text = "before: FC → BN → activation (the lecture's order); after: FC → activation → BN."
    if widgets.choice(P["bn"], "batch norm", radio=True, help=help_text) != "none":
        widgets.choice(P["bn_conv"], "running statistics", radio=True, **HIDDEN_KEEPS)
    explicit = bool(str(current("sizes")).strip())
    widgets.slider(P["depth"], "depth (weight layers)", disabled=explicit, help="Hidden layers + the output layer.")
    widgets.number(P["width"], "width (units per hidden layer)", step=16, disabled=explicit or current("depth") == 1)
    sizes = st.text_input(
        "explicit hidden widths (optional)",
        "",
        key="sizes",
        placeholder="e.g. 256,128,64",
        max_chars=200,
        help="Hidden layer widths; the input and the output come from the data. Overrides depth and width.",
        bind="query-params",
    )
    problem = hidden_problem(sizes)
    if problem:
        st.warning(f"`{sizes}` {problem}: depth and width are used instead.", icon=":material/warning:")


def _optimizer_controls() -> None:
    opt = widgets.choice(P["opt"], "Optimizer", radio=True)
    st.caption(OPT_LABELS[opt])
    left, right = st.columns(2)
    widgets.number(P["lr"], "learning rate", step=1e-4, fmt="%g", where=left)
    widgets.number(P["batch"], "batch", where=right)
    left, right = st.columns(2)
    widgets.number(P["l2"], "L2 λ", step=1e-4, fmt="%g", where=left)
    widgets.number(P["steps"], "steps", step=100, where=right)
    widgets.number(P["seed"], "seed")


def sidebar_controls() -> dict[str, Any]:
    """Draw every run setting in the sidebar; returns their values by URL key (and the preset shown)."""
    with st.sidebar:
        preset_slot = st.container()  # drawn last, from the values below, but shown on top
        _data_controls()
        st.divider()
        _net_controls()
        st.divider()
        _optimizer_controls()
    values = {key: current(key) for key in CONTROL_KEYS}
    if hidden_problem(values["sizes"]):
        values["sizes"] = ""  # typed widths that cannot be read: the run falls back, the warning says so
    with preset_slot:
        values[PRESET_KEY] = PRESET_SET.box(values, label="Experiment")
    return values
