"""Sidebar controls of the activation lab, every one bound to the URL."""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.preprocess import PREPROCESS_LABELS
from ui import widgets
from ui.activation_params import PARAM_BY_KEY as P
from ui.activation_params import PRESET_SET, parse_sizes
from ui.init_controls import HIDDEN_KEEPS, current_value, init_controls
from ui.presets import PRESET_KEY


def current(key: str) -> Any:
    """A control's value before its widget is drawn in this run: the session's, else the URL's, else the default."""
    return current_value(P, key)


def _first_layer() -> tuple[int, int]:
    """(fan_in, fan_out) of the first weight layer for the sizes chosen."""
    sizes_text = str(current("sizes")).strip()
    try:
        return parse_sizes(sizes_text)[:2] if sizes_text else (current("width"), current("width"))
    except ValueError:
        return current("width"), current("width")


def _batchnorm_controls() -> None:
    help_text = "before: FC → BN → activation (the lecture's order); after: FC → activation → BN."
    if widgets.choice(P["bn"], "batch norm", radio=True, help=help_text) == "none":
        return
    left, right = st.columns(2)
    widgets.number(P["gamma"], "γ (scale)", step=0.1, where=left, **HIDDEN_KEEPS)
    widgets.number(P["beta"], "β (shift)", step=0.1, where=right, **HIDDEN_KEEPS)
    mode_help = "eval: running statistics accumulated over warm-up batches that pass through the same weights first."
    if widgets.choice(P["bn_mode"], "BN mode", radio=True, help=mode_help, **HIDDEN_KEEPS) == "eval":
        widgets.slider(P["bn_warmup"], "warm-up batches", **HIDDEN_KEEPS)
        widgets.choice(P["bn_conv"], "running statistics", radio=True, **HIDDEN_KEEPS)


def _shape_controls() -> None:
    explicit = bool(str(current("sizes")).strip())
    widgets.slider(P["depth"], "depth (weight layers)", disabled=explicit)
    widgets.number(P["width"], "width (units per layer)", step=256, disabled=explicit)
    st.text_input(
        "explicit sizes (optional)",
        "",
        key="sizes",
        placeholder="e.g. 784,512,256,10",
        max_chars=2000,
        help="Sizes including the input, like the lecture's dims. Overrides depth and width.",
        bind="query-params",
    )
    widgets.number(P["batch"], "batch N")


def _input_controls() -> None:
    widgets.number(P["bias"], "bias b (every unit)", step=0.1)
    widgets.number(P["in_mean"], "input mean", step=0.5)
    widgets.number(P["in_std"], "input std", step=0.1)
    prep = widgets.choice(P["prep"], "preprocessing")
    st.caption(PREPROCESS_LABELS[prep])
    widgets.number(P["seed"], "seed")


def sidebar_controls() -> dict[str, Any]:
    """Draw every control in the sidebar; returns their values by URL key."""
    with st.sidebar:
        preset_slot = st.container()  # drawn last, from the values below, but shown on top
        act = widgets.choice(P["act"], "Activation")
        if act == "leaky_relu":
            widgets.number(P["slope"], "negative slope", step=0.01, **HIDDEN_KEEPS)
        init_controls(P, act, _first_layer)
        _batchnorm_controls()
        st.divider()
        _shape_controls()
        st.divider()
        _input_controls()
        st.divider()
        widgets.toggle(P["pre"], "show pre-activations")
        widgets.toggle(P["dphi"], "show local gradients φ′(z)")
        widgets.toggle(P["logy"], "log scale for mean/std")
        widgets.toggle(P["theory"], "mean-field prediction (dashed)")
    values = {key: current(key) for key in P if key != PRESET_KEY}
    with preset_slot:
        values[PRESET_KEY] = PRESET_SET.box(values)
    return values
