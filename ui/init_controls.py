"""The initializer controls both the activation and the training lab draw: scheme, std, gain, fan."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st

from engine.init import INITIALIZERS, calculate_gain
from ui.controls import HIDDEN_KEEPS, BoundControls
from ui.urlparams import Param, Rejection, drop_from_url


def negative_std_refused(params: Mapping[str, Param], prefix: str = "") -> list[Rejection]:
    """A negative `std` in the URL for an initializer other than `constant` (its number box starts at 0
    and would drop it silently): removed, with a notice. Call after sanitize_query_params.

    With a prefix (`b_`, a compared setting), the setting's own init is used, else A's."""
    key = prefix + "std"
    raw = st.query_params.get(key)
    init = st.query_params.get(prefix + "init", st.query_params.get("init", params["init"].default))
    if raw is None or float(raw) >= 0 or INITIALIZERS[init].family == "constant":
        return []
    drop_from_url(key)
    return [Rejection(key, raw, f"must be at least 0 for `{init}` (only `constant` takes a negative value)")]


def init_controls(ctl: BoundControls, act: str, first_layer: Callable[[], tuple[int, int]]) -> str:
    """Initializer, its std / gain / fan as the scheme uses them, and the first layer's weight std.

    first_layer() gives (fan_in, fan_out) of the first weight layer. Returns the initializer.
    """
    init = ctl.choice("init", "Initializer")
    spec = INITIALIZERS[init]
    st.caption(spec.label)
    if spec.uses_scale:
        label = {"normal": "std σ", "uniform": "bound a", "constant": "value c"}[spec.family]
        lowest = ctl.params["std"].lo if spec.family == "constant" else 0.0
        ctl.number("std", label, lowest=lowest, step=0.005, fmt="%.4f", **HIDDEN_KEEPS)
    if spec.uses_gain:
        ctl.number(
            "gain",
            "gain g",
            step=0.05,
            fmt="%.4f",
            placeholder=f"{spec.default_gain:.4g} (the scheme's own)",
            help="PyTorch's gain: the value torch.nn.init uses gives its std. Empty: the scheme's own.",
            **HIDDEN_KEEPS,
        )
        target = calculate_gain(act, ctl.current("slope"))
        st.button(
            f"Match PyTorch for {act}: g = {target:.4g}",
            on_click=ctl.write,
            args=("gain", round(target, 6)),
            key=f"{ctl.prefix}match_gain",
            help="torch.nn.init.calculate_gain: the gain PyTorch recommends for this activation.",
        )
    if spec.uses_mode:
        ctl.choice("mode", "fan", radio=True, **HIDDEN_KEEPS)
    din, dout = first_layer()
    std, gain, mode = (ctl.current(key) for key in ("std", "gain", "mode"))
    std = spec.effective_std(din, dout, std, gain, mode)
    st.caption(f"Weight std at layer 1 ({din} → {dout}): **{std:.4g}**")
    return init
