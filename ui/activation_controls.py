"""Sidebar controls of the activation lab: setting A bound to the URL, and setting B to compare with."""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.preprocess import PREPROCESS_LABELS
from ui import widgets
from ui.activation_params import CONTROL_KEYS, PRESET_SET, VIEW_KEYS, parse_sizes
from ui.activation_params import PARAM_BY_KEY as P
from ui.controls import HIDDEN_KEEPS, BoundControls
from ui.init_controls import init_controls

OWN = BoundControls(P)


def _first_layer(ctl: BoundControls) -> tuple[int, int]:
    """(fan_in, fan_out) of the first weight layer for the sizes chosen."""
    sizes_text = str(ctl.current("sizes")).strip()
    width = ctl.current("width")
    try:
        return parse_sizes(sizes_text)[:2] if sizes_text else (width, width)
    except ValueError:
        return width, width


def _batchnorm_controls(ctl: BoundControls) -> None:
    help_text = "before: FC → BN → activation (the lecture's order); after: FC → activation → BN."
    if ctl.choice("bn", "batch norm", radio=True, help=help_text) == "none":
        return
    left, right = st.columns(2)
    ctl.number("gamma", "γ (scale)", step=0.1, where=left, **HIDDEN_KEEPS)
    ctl.number("beta", "β (shift)", step=0.1, where=right, **HIDDEN_KEEPS)
    mode_help = "eval: running statistics accumulated over warm-up batches that pass through the same weights first."
    if ctl.choice("bn_mode", "BN mode", radio=True, help=mode_help, **HIDDEN_KEEPS) == "eval":
        ctl.slider("bn_warmup", "warm-up batches", **HIDDEN_KEEPS)
        ctl.choice("bn_conv", "running statistics", radio=True, **HIDDEN_KEEPS)


def _shape_controls(ctl: BoundControls) -> None:
    # Sizes that cannot be read leave depth and width in use, as the box's warning says: not greyed.
    explicit = _readable_sizes(str(ctl.current("sizes")))
    ctl.slider("depth", "depth (weight layers)", disabled=explicit)
    ctl.number("width", "width (units per layer)", step=256, disabled=explicit)
    ctl.text(
        "sizes",
        "explicit sizes (optional)",
        "depth and width are used instead",
        placeholder="e.g. 784,512,256,10",
        max_chars=2000,
        help="Sizes including the input, like the lecture's dims. Overrides depth and width.",
    )
    if explicit:
        _sizes_note(str(ctl.current("sizes")))
    ctl.number("batch", "batch N")


def _readable_sizes(sizes_text: str) -> bool:
    """Whether explicit sizes are given and can be read (then they replace depth and width)."""
    try:
        return bool(sizes_text.strip()) and bool(parse_sizes(sizes_text))
    except ValueError:
        return False


def _sizes_note(sizes_text: str) -> None:
    """Say what the explicit sizes make, as the greyed depth and width above show other values."""
    layers = len(parse_sizes(sizes_text)) - 1
    st.caption(
        f"These sizes make {layers} weight layer{'s' * (layers != 1)}. Depth and width (greyed) are "
        "kept for when the box is cleared."
    )


def _input_controls(ctl: BoundControls) -> None:
    ctl.number("bias", "bias b (every unit)", step=0.1)
    ctl.number("in_mean", "input mean", step=0.5)
    ctl.number("in_std", "input std", step=0.1)
    prep = ctl.choice("prep", "preprocessing")
    st.caption(PREPROCESS_LABELS[prep])
    ctl.number("seed", "seed")


def setting_controls(ctl: BoundControls) -> dict[str, Any]:
    """Every control of one setting, in the current container; returns their values by URL key."""
    act = ctl.choice("act", "Activation")
    if act == "leaky_relu":
        ctl.number("slope", "negative slope", step=0.01, **HIDDEN_KEEPS)
    init_controls(ctl, act, lambda: _first_layer(ctl))
    _batchnorm_controls(ctl)
    st.divider()
    _shape_controls(ctl)
    st.divider()
    _input_controls(ctl)
    return ctl.values(CONTROL_KEYS)


def own_controls() -> dict[str, Any]:
    """Setting A under its preset box."""
    return PRESET_SET.over(lambda: setting_controls(OWN))


def view_controls() -> dict[str, Any]:
    """How the view is drawn (shared by both settings when comparing)."""
    widgets.toggle(P["pre"], "show pre-activations")
    widgets.toggle(P["dphi"], "show local gradients φ′(z)")
    widgets.toggle(P["logy"], "log scale for mean/std")
    widgets.toggle(P["theory"], "mean-field prediction (dashed)")
    return {key: OWN.current(key) for key in VIEW_KEYS}
