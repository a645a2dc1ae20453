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

from engine import simulate
from engine.runtime import tune_runtime
from ui import live_chart as live_chart_module
from ui.activation_params import PARAMS, build_config
from ui.live_chart import live_chart
from viz.activations import layer_figure
from viz.common import STREAMLIT_LOOK, figure_title

MAX_DEPTH = 60
# Streamlit serves static files from beside the main script, here bench/static.
live_chart_module.SERVED_PLOTLY = Path(__file__).parent / "static" / "plotly.min.js"


@st.cache_resource
def lab_figures() -> dict[int, go.Figure]:
    tune_runtime()
    defaults = {param.key: param.default for param in PARAMS}
    depths = range(1, MAX_DEPTH + 1)
    return {depth: layer_figure(simulate(build_config({**defaults, "depth": depth}))) for depth in depths}


def line_figure(depth: int) -> go.Figure:
    return go.Figure(
        {
            "data": [{"type": "scatter", "x": [0, 1, 2], "y": [0, depth, 0]}],
            "layout": {**STREAMLIT_LOOK, "height": 300, "title": figure_title("A line", f"· {depth}×4096 ·")},
        }
    )


depth = st.slider("depth (weight layers)", 1, MAX_DEPTH, 6, key="depth")
if st.query_params.get("figure") == "line":
    live_chart(line_figure(depth), key="chart")
else:
    live_chart(lab_figures()[depth], key="chart")
