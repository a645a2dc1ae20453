"""Signal propagation: the mean-field theory behind the activation lab's histograms."""

import streamlit as st

from ui import widgets
from ui.live_chart import live_chart
from ui.theory_params import PARAM_BY_KEY as P
from ui.theory_params import PARAMS, activation_lab_query, budget_fixes, theory_query, within_budget
from ui.theory_text import SOURCES, correlation_caption, glorot_text, phase_caption, phase_sentence, setting_links
from ui.theory_view import (
    correlation_view,
    glorot_results,
    glorot_view,
    phase_view,
    setting_numbers,
    show_metrics,
    spectrum_view,
)
from ui.toolbar import view_toolbar
from ui.urlparams import offer_views, sanitize_query_params, start_page, warn_rejections


def controls() -> dict:
    with st.sidebar:
        st.subheader("The net")
        widgets.choice(P["act"], "activation φ")
        if st.session_state.get("act", P["act"].default) == "leaky_relu":
            widgets.number(P["slope"], "negative slope", step=0.01)
        widgets.number(P["sw2"], "σ_w² (weight variance × fan-in)", step=0.1, fmt="%.4g")
        widgets.number(P["sb2"], "σ_b² (bias variance)", step=0.05, fmt="%.4g")
        st.subheader("Simulated nets")
        widgets.slider(P["depth"], "depth")
        widgets.slider(P["width"], "width")
        widgets.choice(P["init"], "weights (correlation net)", radio=True)
        widgets.number(P["seed"], "seed")
        st.subheader("Phase diagram")
        widgets.choice(P["phase"], "depth scale", radio=True)
    return {key: st.session_state.get(key, param.default) for key, param in P.items()}


st.title("Signal propagation")
st.caption(
    "Why 0.01·randn collapses, 0.05·randn saturates and Xavier holds: for a wide net the variance of the "
    "pre-activations follows one recursion, q → σ_w²·E[φ(√q·z)²] + σ_b², and its slope χ₁ says whether gradients "
    "vanish (the ordered phase, where inputs also become alike), explode (the chaotic phase) or keep their "
    "scale: the critical line χ₁ = 1, along which signals and gradients travel deepest."
)
start_page("theory", PARAMS)
rejections = sanitize_query_params(PARAMS)
v = controls()
st.sidebar.markdown(setting_links(v))
warn_rejections(rejections, v)
view_toolbar("theory")

numbers = setting_numbers(v["act"], v["slope"], v["sw2"], v["sb2"])
show_metrics(numbers)
st.markdown(phase_sentence(numbers[0]))

st.header("1. Phase diagram", anchor="phase")
live_chart(phase_view(v["act"], v["slope"], v["phase"], v["sw2"], v["sb2"]), key="theory_phase")
st.markdown(
    f"[Open this setting in the activation lab](activations?{activation_lab_query(v)}) "
    f"(Gaussian weights with std √(σ_w²/width) at width {v['width']}"
    + (", without the bias: the lab's bias is one constant, not a random one)" if v["sb2"] > 0 else ")")
)
st.caption(phase_caption(numbers[1]))

st.header("2. Correlation of two inputs", anchor="correlation")
correlation, identity, mean_zero = correlation_view(
    v["act"], v["slope"], v["sw2"], v["sb2"], v["depth"], v["width"], v["init"], v["seed"]
)
live_chart(correlation, key="theory_cmap")
st.caption(correlation_caption(v, numbers[0], identity, mean_zero))

st.header("3. Jacobian spectra", anchor="spectra")
if within_budget(v["depth"], v["width"]):
    spectra, overflow = spectrum_view(v["act"], v["slope"], v["sw2"], v["sb2"], v["depth"], v["width"], v["seed"])
    if overflow:
        st.warning(overflow, icon=":material/warning:")
    if spectra is not None:
        live_chart(spectra, key="theory_spectra")
else:
    st.error(
        f"The spectra of {v['depth']} layers of width {v['width']} take too long for a live page "
        "(depth × width³ is limited).",
        icon=":material/timer:",
    )
    offer_views(
        (", ".join(f"{k} {n}" for k, n in fix.items()), f"theory?{theory_query(v, **fix)}")
        for fix in budget_fixes(v["depth"], v["width"])
    )
st.caption(
    "Orthogonal weights with tanh near σ_w² = 1 and a tiny σ_b² keep every singular value near 1 at any depth "
    "(dynamical isometry): every direction of the input reaches the output with the same gain. Gaussian "
    "weights spread the spectrum with depth even at criticality, and ReLU spreads it for either kind. Values "
    "under about 1e-15 of the largest are float64's rounding floor: those directions are lost entirely."
)

st.header("4. Glorot & Bengio 2010, figures 6 and 7", anchor="glorot")
st.markdown(glorot_text(*glorot_results()))
live_chart(glorot_view(), key="theory_glorot")

st.header("Sources", anchor="sources")
st.markdown(SOURCES)
