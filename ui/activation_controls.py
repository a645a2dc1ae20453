"""Sidebar controls of the activation lab, every one bound to the URL."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from engine.init import INITIALIZERS, calculate_gain
from engine.preprocess import PREPROCESS_LABELS
from ui import widgets
from ui.activation_params import CONTROL_KEYS, PRESETS, preset_values
from ui.activation_params import PARAM_BY_KEY as P
from ui.urlparams import drop_from_url, url_value

_APPLIED = "_activations_preset_applied"


def _apply_preset(name: str, skip: set[str] = frozenset()) -> None:
    for key, value in preset_values(name).items():
        if key not in skip:
            st.session_state[key] = value
    st.session_state[_APPLIED] = name


def _on_preset_change() -> None:
    _apply_preset(st.session_state["preset"])


def _mark_custom() -> None:
    st.session_state["preset"] = "custom"
    st.session_state[_APPLIED] = "custom"


def apply_url_preset() -> None:
    """On a session's first run, ?preset=NAME sets every control the URL does not set.

    A parameter absent from the URL means its widget default (Streamlit drops
    defaults from the URL), so a URL whose explicit values contradict its
    preset is relabelled `custom`: reopening the link then gives the same view.
    """
    if st.session_state.get(_APPLIED) is not None:
        return
    name = st.query_params.get("preset", P["preset"].default)
    explicit = {key for key in CONTROL_KEYS if key in st.query_params}
    values = preset_values(name)
    _apply_preset(name, skip=explicit)
    # Values set through session state on a first run do not reach the address bar by
    # themselves; write them, so that later changes keep them in the shared URL.
    for key, value in values.items():
        if key not in explicit and value != P[key].default:
            st.query_params[key] = url_value(value)
    if any(P[key].parse(st.query_params[key]) != values[key] for key in explicit):
        drop_from_url("preset")
        _mark_custom()


def _use_gain(value: float) -> None:
    st.session_state["gain"] = round(value, 6)
    _mark_custom()


def _init_controls(act: str) -> None:
    init = widgets.choice(P["init"], "Initializer", on_change=_mark_custom)
    spec = INITIALIZERS[init]
    st.caption(spec.label)
    if spec.uses_scale:
        label = {"normal": "std σ", "uniform": "bound a", "constant": "value c"}[spec.family]
        lowest = P["std"].lo if spec.family == "constant" else 0.0
        st.number_input(
            label,
            min_value=lowest,
            max_value=P["std"].hi,
            value=P["std"].default,
            step=0.005,
            format="%.4f",
            key="std",
            on_change=_mark_custom,
            bind="query-params",
        )
    if spec.uses_gain:
        widgets.number(P["gain"], "gain g", step=0.05, fmt="%.4f", on_change=_mark_custom)
        _gain_hint(init, act)
    if spec.uses_mode:
        widgets.choice(P["mode"], "fan", radio=True, on_change=_mark_custom)


def _gain_hint(init: str, act: str) -> None:
    """Offer PyTorch's gain for this activation (for kaiming, relative to its built-in √2)."""
    slope = st.session_state.get("slope", P["slope"].default)
    torch_gain = calculate_gain(act, slope)
    target = torch_gain / math.sqrt(2.0) if init.startswith("kaiming") else torch_gain
    st.button(
        f"Match PyTorch for {act}: g = {target:.4g}",
        on_click=_use_gain,
        args=(target,),
        help="PyTorch's calculate_gain; for Kaiming the √2 of ReLU is already in the formula.",
    )


def _batchnorm_controls() -> None:
    help_text = "before: FC → BN → activation (the lecture's order); after: FC → activation → BN."
    if widgets.choice(P["bn"], "batch norm", radio=True, on_change=_mark_custom, help=help_text) == "none":
        return
    left, right = st.columns(2)
    widgets.number(P["gamma"], "γ (scale)", step=0.1, on_change=_mark_custom, where=left)
    widgets.number(P["beta"], "β (shift)", step=0.1, on_change=_mark_custom, where=right)
    mode_help = "eval: running statistics accumulated over warm-up batches that pass through the same weights first."
    if widgets.choice(P["bn_mode"], "BN mode", radio=True, on_change=_mark_custom, help=mode_help) == "eval":
        widgets.slider(P["bn_warmup"], "warm-up batches", on_change=_mark_custom)
        widgets.choice(P["bn_conv"], "running statistics", radio=True, on_change=_mark_custom)


def _shape_controls() -> None:
    explicit = bool(st.session_state.get("sizes", ""))
    widgets.slider(P["depth"], "depth (weight layers)", on_change=_mark_custom, disabled=explicit)
    widgets.number(P["width"], "width (units per layer)", step=256, on_change=_mark_custom, disabled=explicit)
    st.text_input(
        "explicit sizes (optional)",
        "",
        key="sizes",
        on_change=_mark_custom,
        placeholder="e.g. 784,512,256,10",
        max_chars=2000,
        help="Sizes including the input, like the lecture's dims. Overrides depth and width.",
        bind="query-params",
    )
    widgets.number(P["batch"], "batch N", on_change=_mark_custom)


def _input_controls() -> None:
    widgets.number(P["bias"], "bias b (every unit)", step=0.1, on_change=_mark_custom)
    widgets.number(P["in_mean"], "input mean", step=0.5, on_change=_mark_custom)
    widgets.number(P["in_std"], "input std", step=0.1, on_change=_mark_custom)
    prep = widgets.choice(P["prep"], "preprocessing", on_change=_mark_custom)
    st.caption(PREPROCESS_LABELS[prep])
    widgets.number(P["seed"], "seed", on_change=_mark_custom)


def sidebar_controls() -> dict[str, Any]:
    """Draw every control in the sidebar; returns their values by URL key."""
    with st.sidebar:
        preset = widgets.choice(P["preset"], "Preset", on_change=_on_preset_change)
        st.caption(PRESETS[preset].label)
        act = widgets.choice(P["act"], "Activation", on_change=_mark_custom)
        if act == "leaky_relu":
            widgets.number(P["slope"], "negative slope", step=0.01, on_change=_mark_custom)
        _init_controls(act)
        _batchnorm_controls()
        st.divider()
        _shape_controls()
        st.divider()
        _input_controls()
        st.divider()
        widgets.toggle(P["pre"], "show pre-activations")
        widgets.toggle(P["dphi"], "show local gradients φ′(z)")
        widgets.toggle(P["logy"], "log scale for mean/std")
    return {key: st.session_state.get(key, param.default) for key, param in P.items()}
