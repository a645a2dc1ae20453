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
                  &elements=lab adds inert elements of the kinds and number the activation lab
                  draws around its figure (its sidebar's 29 controls, texts and dividers, its
                  headings, texts, diagnosis, table and formula), their texts following the widget:
                  what Streamlit and the browser cost for the lab's page without its own logic
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


def lab_sidebar() -> None:
    """Inert stand-ins for the activation lab's sidebar, element for element.

    Their labels contain none of the timed widgets' labels, which the bench finds by text.
    """
    bar = st.sidebar
    bar.toggle("inert: compare", key="i_compare")
    with bar.popover("inert: comparisons"):
        for i in range(4):
            st.button(f"inert comparison {i}", key=f"i_cmp{i}")
    bar.selectbox("inert: preset", ["a", "b", "c"], key="i_preset")
    bar.selectbox("inert: nonlinearity", ["tanh", "relu"], key="i_act")
    bar.selectbox("inert: initializer", ["gaussian", "xavier"], key="i_init")
    bar.caption("Gaussian, W = σ·randn (lecture)")
    bar.number_input("inert: std", value=0.01, format="%.4f", key="i_std")
    bar.caption("Weight std at layer 1 (4096 → 4096): **0.01**")
    bar.radio("inert: batch norm", ["none", "before", "after"], horizontal=True, key="i_bn")
    bar.divider()
    bar.slider("inert: depth", 1, 200, 6, key="i_depth")
    bar.number_input("inert: width", 1, 16384, 4096, key="i_width")
    bar.text_input("inert: sizes", key="i_sizes")
    bar.number_input("inert: batch", 1, 4096, 16, key="i_batch")
    bar.divider()
    for name in ("bias", "input mean", "input std"):
        bar.number_input(f"inert: {name}", value=0.0, key=f"i_{name}")
    bar.selectbox("inert: preprocessing", ["none", "center"], key="i_prep")
    bar.caption("none (raw)")
    bar.number_input("inert: RNG", 0, 999, 0, key="i_seed")
    bar.divider()
    for name in ("pre", "grad", "log", "mean field"):
        bar.checkbox(f"inert: {name}", key=f"i_{name}")


def lab_main_before(value: object) -> None:
    """The lab's elements above its chart: title, intro, view switch, subtitle, diagnosis."""
    st.subheader("Activation statistics")
    st.markdown(f"A deep fully connected net at initialization ({value}).")
    st.pills("inert: view", ["present"], key="i_present")
    st.markdown(f"6 layers · sizes 4096 · **{value}**")
    st.info(f"Activations collapse toward 0 by layer 6 ({value}).")


def lab_main_after(value: object) -> None:
    """The lab's elements below its chart: caption, table, download, formula, text."""
    import numpy as np
    import pandas as pd

    st.caption(f"Dashed: the mean-field prediction ({value}).")
    st.subheader("Per-layer statistics")
    rng = np.random.default_rng(abs(hash(str(value))) % 2**32)
    st.dataframe(pd.DataFrame(rng.normal(size=(6, 17))), hide_index=True, width="stretch")
    st.download_button("Download CSV", lambda: "a,b\n", file_name="inert.csv", on_click="ignore")
    st.subheader("The initializer")
    st.latex(r"W \sim \sigma \, \mathcal{N}(0, 1)")
    st.markdown(f"For dense weights `W` of shape `(Din, Dout)` ({value}).")


if st.query_params.get("figure") == "line":
    depth = st.slider("depth (weight layers)", 1, MAX_DEPTH, 6, key="depth")
    live_chart(line_figure(f"· {depth}×4096 ·", depth), key="chart")
else:
    draw, figure_of, reached = WIDGETS[st.query_params.get("widget", "slider")]
    for value in reached(int(st.query_params.get("precompute", 0))):
        figure_of(value)
    if st.query_params.get("elements") == "lab":
        lab_sidebar()
        value = draw()
        lab_main_before(value)
        live_chart(figure_of(value), key="chart")
        lab_main_after(value)
    else:
        live_chart(figure_of(draw()), key="chart")
