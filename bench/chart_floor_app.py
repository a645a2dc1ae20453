"""Floors with a chart: one widget and a figure drawn through the activation lab's live chart.

    ?figure=lab   the lab's own default figure, varied by the widget:
                  widget=slider (default): depth 1 to 60 ("depth (weight layers)")
                  widget=select: the activation ("Activation")
                  widget=number: the seed ("seed")
                  widget=toggle: pre-activations shown or not ("show pre-activations")
                  widget=radio: the activation, as a radio ("Activation")
                  &precompute=K simulates and builds on the first run every figure that K
                  changes from the start can show (depths 6 to 6 + K, seeds 0 to K, every
                  activation), so that those changes cost no simulation and no figure building
    ?figure=line  a one-line chart whose subtitle names the depth (widget=slider only)

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
from engine.activations import ACTIVATIONS
from engine.runtime import tune_runtime
from ui.activation_params import PARAMS, build_config
from ui.live_chart import live_chart
from viz.activations import layer_figure

MAX_DEPTH = 60
SEEDS = 1000  # the number widget types seeds 0 to 999
serve_plotly_beside(__file__)
tune_runtime()


@st.cache_resource(max_entries=512, show_spinner=False)
def lab_figure(depth: int = 6, act: str = "tanh", seed: int = 0, pre: bool = False) -> go.Figure:
    """The lab's default figure with these values in place of the defaults."""
    values = {param.key: param.default for param in PARAMS} | {"depth": depth, "act": act, "seed": seed}
    return layer_figure(simulate(build_config(values)), pre)


# Per widget: (draw the widget -> its value, the figure of a value, the values K changes reach).
WIDGETS = {
    "slider": (
        lambda: st.slider("depth (weight layers)", 1, MAX_DEPTH, 6, key="depth"),
        lambda depth: lab_figure(depth=depth),
        lambda k: range(6, min(6 + k, MAX_DEPTH) + 1),
    ),
    "select": (
        lambda: st.selectbox("Activation", list(ACTIVATIONS), key="act"),
        lambda act: lab_figure(act=act),
        lambda _k: list(ACTIVATIONS),
    ),
    "number": (
        lambda: st.number_input("seed", 0, SEEDS - 1, 0, key="seed"),
        lambda seed: lab_figure(seed=seed),
        lambda k: range(min(k, SEEDS - 1) + 1),
    ),
    "toggle": (
        lambda: st.toggle("show pre-activations", key="pre"),
        lambda pre: lab_figure(pre=pre),
        lambda _k: (False, True),
    ),
    "radio": (
        lambda: st.radio("Activation", list(ACTIVATIONS), horizontal=True, key="act"),
        lambda act: lab_figure(act=act),
        lambda _k: list(ACTIVATIONS),
    ),
}

if st.query_params.get("figure") == "line":
    depth = st.slider("depth (weight layers)", 1, MAX_DEPTH, 6, key="depth")
    live_chart(line_figure(f"· {depth}×4096 ·", depth), key="chart")
else:
    draw, figure_of, reached = WIDGETS[st.query_params.get("widget", "slider")]
    for value in reached(int(st.query_params.get("precompute", 0))):
        figure_of(value)
    live_chart(figure_of(draw()), key="chart")
