"""The activation lab's mean-field overlay: the prediction for its config, and the words beside it."""

from __future__ import annotations

from urllib.parse import urlencode

import numpy as np
import streamlit as st

from engine.config import SimConfig
from engine.theory.predict import NotApplicable, Prediction, predict
from ui.theory_params import MAX_DEPTH, PARAM_BY_KEY, widest_within_budget
from ui.urlparams import url_value


@st.cache_data(max_entries=48, show_spinner=False)
def mean_field(cfg: SimConfig) -> Prediction | NotApplicable:
    """The theory's per-layer prediction for cfg, or why there is none (cached like the simulation)."""
    return predict(cfg)


def theory_query(cfg: SimConfig, prediction: Prediction) -> str | None:
    """The signal-propagation lab's view of this net: its σ_w², no random bias, its depth and width
    within that lab's bounds; None when its layers differ in σ_w² or σ_w² is off that lab's range."""
    sw2 = prediction.sigma_w2
    bounds = PARAM_BY_KEY["sw2"]
    if not np.allclose(sw2, sw2[0], rtol=1e-6) or not bounds.lo <= sw2[0] <= bounds.hi:
        return None
    depth = min(cfg.depth, MAX_DEPTH)
    query = {
        "act": cfg.activation,
        "sw2": f"{sw2[0]:.6g}",
        "depth": str(depth),
        "width": str(min(max(cfg.sizes[1:-1] or cfg.sizes[1:]), widest_within_budget(depth))),
    }
    if cfg.activation == "leaky_relu":
        query["slope"] = url_value(cfg.slope)
    return urlencode(query)


def overlay_caption(cfg: SimConfig, prediction: Prediction | NotApplicable) -> str:
    """What the dashed lines are, their caveats and where the setting sits in theory; or why none are drawn."""
    if isinstance(prediction, NotApplicable):
        return f"No mean-field prediction is drawn: {prediction.reason}"
    words = [
        "Dashed: the mean-field prediction of each layer's std for infinitely wide layers (Poole et al. 2016), "
        f"from σ_w² = std²·Din = {prediction.sigma_w2[0]:.4g} and this batch's inputs. It is the average over "
        "random draws; one draw of a narrow or deep net wanders around it."
    ]
    if cfg.bias != 0.0:
        words.append(f"The constant bias b = {cfg.bias:g} enters as a shift of every pre-activation's mean.")
    words.extend(prediction.notes)
    query = theory_query(cfg, prediction)
    if query is not None:
        words.append(f"[Where this setting sits on the phase diagram](theory?{query}).")
    return " ".join(words)
