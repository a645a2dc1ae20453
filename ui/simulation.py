"""The activation lab's simulation, cached once for every page that shows it (the lab, the tour)."""

from __future__ import annotations

import time

import streamlit as st

from engine import SimConfig, SimResult, simulate

LEVEL_BOX = {"ok": st.success, "info": st.info, "warn": st.warning, "error": st.error}


@st.cache_data(max_entries=48, show_spinner=False)
def run_simulation(cfg: SimConfig) -> tuple[SimResult, float]:
    """The simulation of cfg and the seconds it took (the first time)."""
    start = time.perf_counter()
    result = simulate(cfg)
    return result, time.perf_counter() - start
