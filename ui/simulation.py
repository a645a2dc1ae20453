"""The activation lab's simulation, cached once for every page that shows it (the lab, the tour)."""

from __future__ import annotations

import time

import streamlit as st

from engine import SimConfig, SimResult, simulate
from engine.theory.predict import NotApplicable, Prediction
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
