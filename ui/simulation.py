"""The activation lab's simulation, cached once for every page that shows it (the lab, the tour)."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from engine import SimConfig, SimResult, config_problems, estimate_cost, simulate
from engine.diagnose import Finding, diagnose
from engine.theory.predict import NotApplicable, Prediction
from ui.activation_params import build_config, depths_ahead
from ui.theory_overlay import mean_field
from viz.activations import layer_spec

LEVEL_BOX = {"ok": st.success, "info": st.info, "warn": st.warning, "error": st.error}


@st.cache_data(max_entries=48, show_spinner=False)
def run_simulation(cfg: SimConfig) -> tuple[SimResult, float]:
    """The simulation of cfg and the seconds it took (the first time)."""
    start = time.perf_counter()
    result = simulate(cfg)
    return result, time.perf_counter() - start


def lab_figure(result: SimResult, values: dict) -> tuple[dict, Prediction | NotApplicable | None]:
    """The activation lab's figure of `result` under the lab's view values (pre, logy, dphi, theory),
    as a spec, with the mean-field prediction it draws (None when switched off)."""
    prediction = mean_field(result.config) if values["theory"] else None
    drawn = prediction if isinstance(prediction, Prediction) else None
    return layer_spec(result, values["pre"], values["logy"], show_dphi=values["dphi"], prediction=drawn), prediction


def findings_of(result: SimResult) -> list[Finding]:
    """The diagnosis of `result`; the nets its findings quote (the standard init's, a deeper one)
    come from run_simulation's cache, and go into it."""
    return diagnose(result, measure=lambda other: run_simulation(other)[0])


# Estimated work (seconds) up to which the page simulates, after its view is complete, what the
# depth slider's next key press shows (its net, and the nets its diagnosis quotes): the next
# press then finds them computed, as the benchmark's floor finds its figure built
# (docs/performance.md). A rerun waits for a simulation in progress, so heavier nets are left
# to be computed when asked for. One net may exceed it: the 50-layer net a fading signal's
# diagnosis quotes (engine.diagnose.EXTRA_SECONDS bounds it; about 0.2 s at width 4096). It
# is the same net at every depth, so computed once for every view of its kind (the lecture's
# view finds it ahead on the first load: its depth 5 fades).
AHEAD_SECONDS = 0.25
DEPTH_SHOWN = "_activation_depth_shown"  # session key: the depth of the view last shown


def simulate_ahead(values: dict[str, Any]) -> None:
    """Simulate (into run_simulation's cache, with their mean-field predictions and the nets their
    diagnoses quote) the views one depth key press away from `values`, the view just shown, each
    when valid and cheap."""
    ahead = depths_ahead(values, st.session_state.get(DEPTH_SHOWN))
    st.session_state[DEPTH_SHOWN] = values["depth"]
    for view in ahead:
        cfg = build_config(view)
        if config_problems(cfg):
            continue
        seconds = estimate_cost(cfg).seconds
        if seconds > AHEAD_SECONDS:
            continue
        result, _ = run_simulation(cfg)
        if view["theory"]:
            mean_field(cfg)
        # The standard init's net, which the diagnosis quotes, costs about as much as this one.
        if 2 * seconds <= AHEAD_SECONDS:
            findings_of(result)
