"""Floors with a chart: one slider and a figure computed before any change, drawn through
the activation lab's live chart.

    ?figure=lab   the lab's own default figure at the slider's depth (every depth 1 to 60
                  simulated and built once, so a change costs no simulation)
    ?figure=line  a one-line chart whose subtitle names the depth

Between them and the plain floor (bench/floor_app.py), bench/latency.py separates what
Streamlit and Plotly cost for any chart, what the lab's figure costs to draw, and what the
lab's own work (its controls, simulation and other elements) adds on top.
"""

import sys
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.reference_apps import line_figure, serve_plotly_beside
from engine import simulate
from engine.runtime import tune_runtime
from ui.activation_params import PARAMS, build_config
from ui.live_chart import live_chart
from viz.activations import layer_figure

MAX_DEPTH = 60
serve_plotly_beside(__file__)


@st.cache_resource
def lab_figures() -> dict[int, go.Figure]:
    tune_runtime()
    defaults = {param.key: param.default for param in PARAMS}
    depths = range(1, MAX_DEPTH + 1)
    return {depth: layer_figure(simulate(build_config({**defaults, "depth": depth}))) for depth in depths}


depth = st.slider("depth (weight layers)", 1, MAX_DEPTH, 6, key="depth")
if st.query_params.get("figure") == "line":
    live_chart(line_figure(f"· {depth}×4096 ·", depth), key="chart")
else:
    live_chart(lab_figures()[depth], key="chart")
