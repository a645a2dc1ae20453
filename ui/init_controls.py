"""The initializer controls both the activation and the training lab draw: scheme, std, gain, fan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from engine.init import INITIALIZERS, calculate_gain
from ui import widgets
from ui.urlparams import Param, Rejection, drop_from_url

# Controls shown only under some settings keep their value while hidden (Streamlit drops
# a hidden widget's parameter from the URL and restores it when the widget returns).
HIDDEN_KEEPS = {"persist_state": "page"}


def current_value(params: Mapping[str, Param], key: str) -> Any:
    """A control's value before its widget is drawn in this run: the session's, else the URL's, else the default."""
    if key in st.session_state:
        return st.session_state[key]
    raw = st.query_params.get(key)
    return params[key].parse(raw) if raw is not None else params[key].default


def negative_std_refused(params: Mapping[str, Param]) -> list[Rejection]:
    """A negative `std` in the URL for an initializer other than `constant` (its number box starts at 0
    and would drop it silently): removed, with a notice. Call after sanitize_query_params."""
    raw = st.query_params.get("std")
    init = st.query_params.get("init", params["init"].default)
    if raw is None or float(raw) >= 0 or INITIALIZERS[init].family == "constant":
        return []
    drop_from_url("std")
    return [Rejection("std", raw, f"must be at least 0 for `{init}` (only `constant` takes a negative value)")]


def _use_gain(value: float) -> None:
    st.session_state["gain"] = round(value, 6)


def init_controls(params: Mapping[str, Param], act: str, first_layer: Callable[[], tuple[int, int]]) -> str:
    """Initializer, its std / gain / fan as the scheme uses them, and the first layer's weight std.

    first_layer() gives (fan_in, fan_out) of the first weight layer. Returns the initializer.
    """
    init = widgets.choice(params["init"], "Initializer")
    spec = INITIALIZERS[init]
    st.caption(spec.label)
    if spec.uses_scale:
        label = {"normal": "std σ", "uniform": "bound a", "constant": "value c"}[spec.family]
        lowest = params["std"].lo if spec.family == "constant" else 0.0
        st.number_input(
            label,
            min_value=lowest,
            max_value=params["std"].hi,
            value=params["std"].default,
            step=0.005,
            format="%.4f",
            key="std",
            bind="query-params",
            **HIDDEN_KEEPS,
        )
    if spec.uses_gain:
        widgets.number(
            params["gain"],
            "gain g",
            step=0.05,
            fmt="%.4f",
            placeholder=f"{spec.default_gain:.4g} (the scheme's own)",
            help="PyTorch's gain: the value torch.nn.init uses gives its std. Empty: the scheme's own.",
            **HIDDEN_KEEPS,
        )
        target = calculate_gain(act, current_value(params, "slope"))
        st.button(
            f"Match PyTorch for {act}: g = {target:.4g}",
            on_click=_use_gain,
            args=(target,),
            help="torch.nn.init.calculate_gain: the gain PyTorch recommends for this activation.",
        )
    if spec.uses_mode:
        widgets.choice(params["mode"], "fan", radio=True, **HIDDEN_KEEPS)
    din, dout = first_layer()
    std, gain, mode = (current_value(params, key) for key in ("std", "gain", "mode"))
    std = spec.effective_std(din, dout, std, gain, mode)
    st.caption(f"Weight std at layer 1 ({din} → {dout}): **{std:.4g}**")
    return init
