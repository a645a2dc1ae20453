"""Sidebar controls of the activation lab, every one bound to the URL."""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.init import INITIALIZERS, calculate_gain
from engine.preprocess import PREPROCESS_LABELS
from ui import widgets
from ui.activation_params import PARAM_BY_KEY as P
from ui.activation_params import PRESET_SET, parse_sizes
from ui.presets import PRESET_KEY

# Controls shown only under some settings keep their value while hidden (Streamlit drops
# a hidden widget's parameter from the URL and restores it when the widget returns).
_HIDDEN_KEEPS = {"persist_state": "page"}


def current(key: str) -> Any:
    """A control's value before its widget is drawn in this run: the session's, else the URL's, else the default."""
    if key in st.session_state:
        return st.session_state[key]
    raw = st.query_params.get(key)
    return P[key].parse(raw) if raw is not None else P[key].default


def _use_gain(value: float) -> None:
    st.session_state["gain"] = round(value, 6)


def _init_controls(act: str) -> None:
    init = widgets.choice(P["init"], "Initializer")
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
            bind="query-params",
            **_HIDDEN_KEEPS,
        )
    if spec.uses_gain:
        widgets.number(
            P["gain"],
            "gain g",
            step=0.05,
            fmt="%.4f",
            placeholder=f"{spec.default_gain:.4g} (the scheme's own)",
            help="PyTorch's gain: the value torch.nn.init uses gives its std. Empty: the scheme's own.",
            **_HIDDEN_KEEPS,
        )
        _gain_hint(act)
    if spec.uses_mode:
        widgets.choice(P["mode"], "fan", radio=True, **_HIDDEN_KEEPS)
    st.caption(_first_layer_std(spec))


def _first_layer_std(spec) -> str:
    """The weight std this initializer gives the first layer, for the sizes chosen."""
    sizes_text = str(current("sizes")).strip()
    try:
        din, dout = parse_sizes(sizes_text)[:2] if sizes_text else (current("width"), current("width"))
    except ValueError:
        din = dout = current("width")
    std = spec.effective_std(din, dout, current("std"), current("gain"), current("mode"))
    return f"Weight std at layer 1 ({din} → {dout}): **{std:.4g}**"


def _gain_hint(act: str) -> None:
    """Offer PyTorch's recommended gain for this activation (torch.nn.init.calculate_gain)."""
    target = calculate_gain(act, current("slope"))
    st.button(
        f"Match PyTorch for {act}: g = {target:.4g}",
        on_click=_use_gain,
        args=(target,),
        help="torch.nn.init.calculate_gain: the gain PyTorch recommends for this activation.",
    )


def _batchnorm_controls() -> None:
    help_text = "before: FC → BN → activation (the lecture's order); after: FC → activation → BN."
    if widgets.choice(P["bn"], "batch norm", radio=True, help=help_text) == "none":
        return
    left, right = st.columns(2)
    widgets.number(P["gamma"], "γ (scale)", step=0.1, where=left, **_HIDDEN_KEEPS)
    widgets.number(P["beta"], "β (shift)", step=0.1, where=right, **_HIDDEN_KEEPS)
    mode_help = "eval: running statistics accumulated over warm-up batches that pass through the same weights first."
    if widgets.choice(P["bn_mode"], "BN mode", radio=True, help=mode_help, **_HIDDEN_KEEPS) == "eval":
        widgets.slider(P["bn_warmup"], "warm-up batches", **_HIDDEN_KEEPS)
        widgets.choice(P["bn_conv"], "running statistics", radio=True, **_HIDDEN_KEEPS)


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
            widgets.number(P["slope"], "negative slope", step=0.01, **_HIDDEN_KEEPS)
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
    values = {key: current(key) for key in P if key != PRESET_KEY}
    with preset_slot:
        values[PRESET_KEY] = PRESET_SET.box(values)
    return values
