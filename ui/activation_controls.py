"""Sidebar controls of the activation lab, every one bound to the URL."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from engine.activations import ACTIVATIONS
from engine.config import BN_CONVENTIONS, BN_MODES, BN_PLACEMENTS, MAX_BATCH, MAX_DEPTH, MAX_SEED, MAX_WARMUP, MAX_WIDTH
from engine.init import FAN_MODES, INITIALIZERS, calculate_gain
from engine.preprocess import PREPROCESS_LABELS
from ui.activation_params import CONTROL_KEYS, PARAM_BY_KEY, PRESETS, preset_values
from ui.urlparams import drop_from_url, url_value

_APPLIED = "_activations_preset_applied"
_BIND = {"bind": "query-params"}


def _default(key: str) -> Any:
    return PARAM_BY_KEY[key].default


def _index(key: str, options: tuple[str, ...]) -> int:
    """Position of the parameter's default among options (what a bare URL shows)."""
    return options.index(_default(key))


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
    name = st.query_params.get("preset", _default("preset"))
    explicit = {key for key in CONTROL_KEYS if key in st.query_params}
    values = preset_values(name)
    _apply_preset(name, skip=explicit)
    # Values set through session state on a first run do not reach the address bar by
    # themselves; write them, so that later changes keep them in the shared URL.
    for key, value in values.items():
        if key not in explicit and value != _default(key):
            st.query_params[key] = url_value(value)
    if any(PARAM_BY_KEY[key].parse(st.query_params[key]) != values[key] for key in explicit):
        drop_from_url("preset")
        _mark_custom()


def _use_gain(value: float) -> None:
    st.session_state["gain"] = round(value, 6)
    _mark_custom()


def _init_controls(act: str) -> None:
    init = st.selectbox(
        "Initializer",
        tuple(INITIALIZERS),
        index=_index("init", tuple(INITIALIZERS)),
        key="init",
        on_change=_mark_custom,
        **_BIND,
    )
    spec = INITIALIZERS[init]
    st.caption(spec.label)
    if spec.uses_scale:
        label = {"normal": "std σ", "uniform": "bound a", "constant": "value c"}[spec.family]
        st.number_input(
            label,
            min_value=-100.0 if spec.family == "constant" else 0.0,
            max_value=100.0,
            value=_default("std"),
            step=0.005,
            format="%.4f",
            key="std",
            on_change=_mark_custom,
            **_BIND,
        )
    if spec.uses_gain:
        st.number_input(
            "gain g",
            min_value=0.0,
            max_value=100.0,
            value=_default("gain"),
            step=0.05,
            format="%.4f",
            key="gain",
            on_change=_mark_custom,
            **_BIND,
        )
        _gain_hint(init, act)
    if spec.uses_mode:
        st.radio(
            "fan",
            FAN_MODES,
            index=_index("mode", FAN_MODES),
            horizontal=True,
            key="mode",
            on_change=_mark_custom,
            **_BIND,
        )


def _gain_hint(init: str, act: str) -> None:
    """Offer PyTorch's gain for this activation (for kaiming, relative to its built-in √2)."""
    slope = st.session_state.get("slope", _default("slope"))
    torch_gain = calculate_gain(act, slope)
    target = torch_gain / math.sqrt(2.0) if init.startswith("kaiming") else torch_gain
    st.button(
        f"Match PyTorch for {act}: g = {target:.4g}",
        on_click=_use_gain,
        args=(target,),
        help="PyTorch's calculate_gain; for Kaiming the √2 of ReLU is already in the formula.",
    )


def _batchnorm_controls() -> None:
    bn = st.radio(
        "batch norm",
        BN_PLACEMENTS,
        index=_index("bn", BN_PLACEMENTS),
        horizontal=True,
        key="bn",
        on_change=_mark_custom,
        help="before: FC → BN → activation (the lecture's order); "
        "after: FC → activation → BN. Train mode: statistics of the batch.",
        **_BIND,
    )
    if bn != "none":
        left, right = st.columns(2)
        left.number_input(
            "γ (scale)", -100.0, 100.0, _default("gamma"), step=0.1, key="gamma", on_change=_mark_custom, **_BIND
        )
        right.number_input(
            "β (shift)", -100.0, 100.0, _default("beta"), step=0.1, key="beta", on_change=_mark_custom, **_BIND
        )
        mode = st.radio(
            "BN mode",
            BN_MODES,
            index=_index("bn_mode", BN_MODES),
            horizontal=True,
            key="bn_mode",
            on_change=_mark_custom,
            help="eval: running statistics accumulated over warm-up batches that pass through the same weights first.",
            **_BIND,
        )
        if mode == "eval":
            st.slider(
                "warm-up batches",
                1,
                MAX_WARMUP,
                _default("bn_warmup"),
                key="bn_warmup",
                on_change=_mark_custom,
                **_BIND,
            )
            st.radio(
                "running statistics",
                BN_CONVENTIONS,
                index=_index("bn_conv", BN_CONVENTIONS),
                horizontal=True,
                key="bn_conv",
                on_change=_mark_custom,
                **_BIND,
            )


def _shape_controls() -> None:
    sizes = st.session_state.get("sizes", "")
    st.slider(
        "depth (weight layers)",
        1,
        MAX_DEPTH,
        _default("depth"),
        key="depth",
        on_change=_mark_custom,
        disabled=bool(sizes),
        **_BIND,
    )
    st.number_input(
        "width (units per layer)",
        1,
        MAX_WIDTH,
        _default("width"),
        step=256,
        key="width",
        on_change=_mark_custom,
        disabled=bool(sizes),
        **_BIND,
    )
    st.text_input(
        "explicit sizes (optional)",
        "",
        key="sizes",
        on_change=_mark_custom,
        placeholder="e.g. 784,512,256,10",
        max_chars=2000,
        help="Sizes including the input, like the lecture's dims. Overrides depth and width.",
        **_BIND,
    )
    st.number_input("batch N", 1, MAX_BATCH, _default("batch"), key="batch", on_change=_mark_custom, **_BIND)


def _input_controls() -> None:
    st.number_input(
        "bias b (every unit)", -100.0, 100.0, _default("bias"), step=0.1, key="bias", on_change=_mark_custom, **_BIND
    )
    st.number_input(
        "input mean", -1000.0, 1000.0, _default("in_mean"), step=0.5, key="in_mean", on_change=_mark_custom, **_BIND
    )
    st.number_input(
        "input std", 0.0, 1000.0, _default("in_std"), step=0.1, key="in_std", on_change=_mark_custom, **_BIND
    )
    prep = st.selectbox(
        "preprocessing",
        tuple(PREPROCESS_LABELS),
        index=_index("prep", tuple(PREPROCESS_LABELS)),
        key="prep",
        on_change=_mark_custom,
        **_BIND,
    )
    st.caption(PREPROCESS_LABELS[prep])
    st.number_input("seed", 0, MAX_SEED, _default("seed"), key="seed", on_change=_mark_custom, **_BIND)


def sidebar_controls() -> dict[str, Any]:
    """Draw every control in the sidebar; returns their values by URL key."""
    with st.sidebar:
        # Bound selectboxes put the displayed option into the URL, so options are the URL
        # values themselves and the readable label goes in a caption.
        preset = st.selectbox(
            "Preset",
            tuple(PRESETS),
            index=_index("preset", tuple(PRESETS)),
            key="preset",
            on_change=_on_preset_change,
            **_BIND,
        )
        st.caption(PRESETS[preset].label)
        act = st.selectbox(
            "Activation",
            tuple(ACTIVATIONS),
            index=_index("act", tuple(ACTIVATIONS)),
            key="act",
            on_change=_mark_custom,
            **_BIND,
        )
        if act == "leaky_relu":
            st.number_input(
                "negative slope", 0.0, 1.0, _default("slope"), step=0.01, key="slope", on_change=_mark_custom, **_BIND
            )
        _init_controls(act)
        _batchnorm_controls()
        st.divider()
        _shape_controls()
        st.divider()
        _input_controls()
        st.divider()
        st.toggle("show pre-activations", key="pre", **_BIND)
        st.toggle("log scale for mean/std", key="logy", **_BIND)
    values = {key: st.session_state.get(key, param.default) for key, param in PARAM_BY_KEY.items()}
    return values
