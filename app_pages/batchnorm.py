"""Batch normalization: the transform step by step, robustness to init, train vs test."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from engine.bn_lab import batch_steps, init_robustness, running_statistics, train_test_spread
from ui import first_view, widgets
from ui.batchnorm_params import PARAM_BY_KEY as P
from ui.batchnorm_params import PARAMS
from ui.bounded_store import BoundedStore
from ui.controls import BoundControls
from ui.live_chart import live_chart
from ui.toolbar import view_toolbar
from ui.urlparams import sanitize_query_params, start_page, warn_rejections
from viz.batchnorm import feature_strips, robustness_figure, running_figure, spread_figure, steps_heatmaps

ROBUST_WIDTH, ROBUST_BATCH = 256, 64


# The two costly sections are kept as finished figures: the computation takes seconds,
# and building a figure again on every rerun would cost more than the rest of the page.
# The same read-only object is handed out; live_chart only reads it.
@st.cache_resource(show_spinner=False)
def robustness_figures() -> BoundedStore:
    return BoundedStore(32)


def robustness_view(slot: DeltaGenerator, act: str, depth: int, seed: int) -> go.Figure:
    """The robustness sweep's figure, computed (seconds, more the deeper) under a progress bar
    in `slot`. Each step of the bar lets Streamlit end this run for a newer one: depth moved fast
    by the keys no longer computes every depth passed on the way (8 presses took 15 to 18 s to
    settle)."""
    token = f"{act} · {depth} layers of {ROBUST_WIDTH} · batch {ROBUST_BATCH} · seed {seed}"

    def sweep() -> go.Figure:
        bar = slot.progress(0.0, text=f"Initializing 42 nets of {depth} layers…")

        def report(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Initializing {total} nets of {depth} layers: {done} done")

        robust = init_robustness(act, depth, ROBUST_WIDTH, ROBUST_BATCH, seed, progress=report)
        slot.empty()
        return robustness_figure(robust, token)

    return robustness_figures().get_or_make((act, depth, seed), sweep)


@st.cache_resource(max_entries=32, show_spinner=False)
def running_view(warmup: int, wbatch: int, seed: int, mean: float, std: float) -> go.Figure:
    trace = running_statistics(warmup, wbatch, seed, mean, std)
    token = f"{warmup} steps of batch {wbatch} · feature ~ N({mean:g}, {std:g}²)"
    return running_figure(trace, token)


def controls() -> dict:
    with st.sidebar:
        st.subheader("The batch")
        widgets.slider(P["rows"], "examples N")
        widgets.slider(P["features"], "features D")
        widgets.number(P["x_mean"], "feature mean", step=1.0)
        widgets.number(P["x_std"], "feature std", step=0.5)
        left, right = st.columns(2)
        widgets.number(P["gamma"], "γ", step=0.1, where=left)
        widgets.number(P["beta"], "β", step=0.1, where=right)
        widgets.number(P["eps"], "ε", step=1e-5, fmt="%.6f")
        widgets.number(P["seed"], "seed")
        st.subheader("Robustness sweep")
        widgets.choice(P["act"], "activation", radio=True)
        widgets.slider(P["depth"], "depth")
        st.subheader("Warm-up")
        widgets.slider(P["warmup"], "warm-up steps")
        widgets.slider(P["wbatch"], "warm-up batch size")
    return {key: st.session_state.get(key, param.default) for key, param in P.items()}


st.title("Batch normalization")
st.caption(
    "Normalize each feature over the batch, then let the net rescale it: the lecture's layer, "
    "what it does to deep nets, and the train/test difference that causes bugs."
)
start_page("batchnorm", PARAMS)
rejections = sanitize_query_params(PARAMS)
v = first_view.values_for("batchnorm", bool(rejections), lambda: BoundControls(P).values(tuple(P))) or controls()
warn_rejections(rejections, v)
view_toolbar("batchnorm")
token = f"N={v['rows']} · D={v['features']} · γ={v['gamma']:g} · β={v['beta']:g} · ε={v['eps']:g} · seed {v['seed']}"

st.header("1. The transform, step by step", anchor="steps")
steps = batch_steps(v["rows"], v["features"], v["seed"], v["x_mean"], v["x_std"], v["gamma"], v["beta"], v["eps"])
if v["rows"] == 1:
    st.warning(
        f"A batch of one example has variance 0 in every feature: x̂ = 0 and every output equals β = "
        f"{v['beta']:g}. PyTorch refuses to train BatchNorm on such a batch.",
        icon=":material/warning:",
    )
elif steps.constant_features.any():
    st.warning(
        "A feature has variance 0 and ε = 0: 0/0 is guarded and its x̂ set to 0, so its output is β.",
        icon=":material/warning:",
    )
live_chart(steps_heatmaps(steps, token), key="bn_steps")
first_view.stop_if_showing()
# The formulas come under the chart, whose panels name the steps: above it, KaTeX's code and
# fonts held up a tab's first chart, and the chart moved down when they came.
st.markdown("What the panels compute, for each feature *j* over the batch's *N* examples:")
# Two formulas, in the order of computation: on one line they are cut in a laptop's column with
# the sidebar open (and KaTeX's multi-line environments overflow their box by a few pixels).
st.latex(r"\mu_j = \frac1N\sum_i x_{ij},\qquad \sigma_j^2 = \frac1N\sum_i (x_{ij}-\mu_j)^2")
st.latex(
    r"\hat x_{ij} = \frac{x_{ij} - \mu_j}{\sqrt{\sigma_j^2 + \varepsilon}},\qquad "
    r"y_{ij} = \gamma\,\hat x_{ij} + \beta"
)
st.caption("The square root matters: some write-ups print (x − μ) / (σ² + ε), which does not give unit variance.")
st.dataframe(
    {
        "feature": list(range(v["features"])),
        "μ (batch mean)": steps.mu,
        "σ² (biased batch variance)": steps.var,
        # rounded so that a mean of 1e-17 shows as the 0 it is
        "mean of y": np.round(steps.y.mean(axis=0), 10) + 0.0,
        "std of y": np.round(steps.y.std(axis=0), 10),
    },
    hide_index=True,
    width="stretch",
)
live_chart(feature_strips(steps, token), key="bn_strips")
st.caption(
    "Every feature ends with mean β and std |γ| (a little less when ε is not small next to σ²): "
    "the offsets and scales of the input are gone."
)

st.header("2. Robust to initialization", anchor="robust")
# Made in every run: the chart keeps its place whether or not the sweep is computed.
live_chart(robustness_view(st.empty(), v["act"], v["depth"], v["seed"]), key="bn_robust")
st.caption(
    "Without batch norm the last layer's activations and the gradient reaching the input follow the weight scale "
    "through every layer: they vanish or explode unless the scale is just right. With BN before the activation "
    "they stay level over four decades of scale. Only below about 1e-3 does ε = 1e-5 start to dominate the tiny "
    "variance and the signal shrinks. Make the net deeper and the BN gradient still grows with depth, a known "
    "property of batch norm at initialization (Yang et al., 2019), but no longer with the weight scale. "
    "(CS231n assignment 2, 'batch norm and initialization', at initialization.)"
)

st.header("3. Train mode vs test mode", anchor="train-test")
spread = train_test_spread(v["seed"], v["x_mean"], v["x_std"])
spread_token = f"feature ~ N({v['x_mean']:g}, {v['x_std']:g}²) · example x* = {spread.example:.2f} · seed {v['seed']}"
live_chart(spread_figure(spread, spread_token), key="bn_spread")
st.caption(
    "In train mode an example's output depends on which examples share its batch: with 2 or 4 it jumps around, "
    "with 128 it settles near the eval-mode value, which uses fixed running statistics. This is the lecture's "
    "con: batch norm behaves differently in training and testing."
)
running = running_view(v["warmup"], v["wbatch"], v["seed"], v["x_mean"], v["x_std"])
live_chart(running, key="bn_running")
st.caption(
    "Running statistics start at mean 0 and variance 1 (PyTorch) or 0 (CS231n) and approach the true values "
    "(dotted) at a rate of 0.9 per step. Evaluate before they have converged, for instance after a few steps, and "
    "eval-mode outputs are far off (right): a classic train/test bug. PyTorch stores the unbiased variance, "
    "CS231n the biased one."
)

st.header("4. The lecture's pros and cons", anchor="pros-cons")
st.markdown(
    "- **Makes deep nets easier to train and improves gradient flow**: the gradients of section 2 stay level "
    "instead of vanishing or exploding. [See 2](#robust), and the activation lab with "
    "[`bn=before`](activations?preset=tanh-0.01&bn=before).\n"
    "- **Allows higher learning rates / robust to initialization**: scales from 1e-3 to 10 give the same "
    "activations. [See 2](#robust).\n"
    "- **Acts as regularization**: an example's output is perturbed by its batch-mates, a noise that shrinks "
    "with batch size. [See 3](#train-test).\n"
    "- **Zero overhead at test time**: in eval mode BN is a fixed affine map per feature that can be fused "
    "into the previous layer. [See 3](#train-test).\n"
    "- **Con: behaves differently in training and testing**: batch statistics in one, running statistics in "
    "the other, and running statistics that have not converged give wrong test outputs. [See 3](#train-test)."
)
