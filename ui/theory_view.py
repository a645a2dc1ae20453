"""The signal-propagation lab's computations, cached, and the figures and numbers they give."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from engine.propagate import SimResult, simulate
from engine.theory.jacobian import measured_correlation, singular_values_by_depth
from engine.theory.meanfield import (
    FixedPoint,
    c_map,
    correlation_trajectory,
    critical_sigma_w2,
    fixed_point,
    phase_diagram,
)
from ui.activation_params import build_config, preset_values
from ui.theory_params import INITS, LAB_WIDTH
from viz.theory import DepthCurves, Mark, Spectrum, correlation_figure, glorot_figure, phase_figure, spectrum_figure

GLOROT_PRESETS = ("glorot-standard", "glorot-normalized")
PHASE_W2 = np.geomspace(0.1, 20.0, 120)  # log axis: the lecture's 0.41 and 10.24 and the critical region
PHASE_B2_TOP = 1.0
PHASE_B2_POINTS = 80
CORRELATION_STARTS = (0.1, 0.5, 0.9)
C_MAP_POINTS = 101
# The lecture's settings at the activation lab's width: σ_w² = std² · 4096 (Kaiming: 2, Xavier: 1).
LECTURE_MARKS = {
    "tanh": (("0.01·randn", 0.01**2 * LAB_WIDTH), ("0.05·randn", 0.05**2 * LAB_WIDTH), ("Xavier", 1.0)),
    "relu": (("Xavier", 1.0), ("Kaiming", 2.0), ("0.01·randn", 0.01**2 * LAB_WIDTH)),
}


@st.cache_data(max_entries=64, show_spinner=False)
def setting_numbers(act: str, slope: float, sw2: float, sb2: float) -> tuple[FixedPoint, float]:
    """The fixed point of this setting (q*, χ₁, c*, depth scales) and the critical σ_w² at its σ_b²."""
    return fixed_point(act, sw2, sb2, slope=slope), float(critical_sigma_w2(act, sb2, slope=slope))


def show_metrics(numbers: tuple[FixedPoint, float]) -> None:
    """The page's headline numbers, one st.metric each."""
    fixed, critical = numbers
    cells = st.columns(5)
    cells[0].metric("critical σ_w² at this σ_b²", "none" if math.isnan(critical) else f"{critical:.4g}")
    cells[1].metric("χ₁ (gradient factor per layer)", _value(float(fixed.chi1)))
    cells[2].metric("ξ_c (signal depth scale)", fmt_layers(float(fixed.xi_c)))
    cells[3].metric("ξ_∇ (gradient depth scale)", fmt_layers(abs(float(fixed.xi_grad))))
    cells[4].metric("q* (pre-activation variance)", _value(float(fixed.q_star)))


def _value(x: float) -> str:
    return "∞" if math.isinf(x) else ("—" if math.isnan(x) else f"{x:.4g}")


def fmt_layers(x: float) -> str:
    """A depth scale for a metric: '∞' at criticality, '—' where it is undefined."""
    if math.isnan(x):
        return "—"
    return "∞" if math.isinf(x) else f"{x:.3g}"


def _marks(act: str, sw2: float, sb2: float) -> list[Mark]:
    lecture = [Mark(label, w2, 0.0) for label, w2 in LECTURE_MARKS.get(act, ())]
    return [*lecture, Mark("this setting", sw2, sb2, current=True)]


@st.cache_resource(max_entries=16, show_spinner=False)
def phase_view(act: str, slope: float, scale: str, sw2: float, sb2: float) -> go.Figure:
    """The phase diagram of one activation with this setting marked (cached as a finished figure)."""
    top = max(PHASE_B2_TOP, sb2 * 1.25)
    diagram = _diagram(act, slope, top)
    depth_scale = diagram.xi_c if scale == "signal" else np.abs(diagram.xi_grad)
    name = "signal depth scale ξ_c" if scale == "signal" else "gradient depth scale |ξ_∇|"
    token = f"{act} · σ_w² {sw2:.4g}, σ_b² {sb2:.4g}"
    return phase_figure(
        diagram.sigma_w2, diagram.sigma_b2, depth_scale, diagram.critical_sigma_w2, _marks(act, sw2, sb2), name, token
    )


@st.cache_data(max_entries=16, show_spinner=False)
def _diagram(act: str, slope: float, top: float):
    return phase_diagram(act, PHASE_W2, np.linspace(0.0, top, PHASE_B2_POINTS), slope=slope)


@st.cache_resource(max_entries=16, show_spinner=False)
def correlation_view(
    act: str, slope: float, sw2: float, sb2: float, depth: int, width: int, init: str, seed: int
) -> go.Figure:
    """The c-map and the correlation per layer, predicted and measured in one simulated net."""
    fixed = fixed_point(act, sw2, sb2, slope=slope)
    q_star = float(fixed.q_star)
    c_in = np.linspace(-1.0, 1.0, C_MAP_POINTS)
    usable = math.isfinite(q_star) and q_star > 0
    c_out = c_map(act, c_in, q_star, sw2, sb2, slope=slope) if usable else np.full_like(c_in, np.nan)
    q0 = q_star if usable else 1.0
    predicted = np.array(
        [correlation_trajectory(act, sw2, sb2, c0, depth, q0=q0, slope=slope)[1] for c0 in CORRELATION_STARTS]
    )
    measured = np.array(
        [
            measured_correlation(act, sw2, sb2, c0, depth, width, seed=seed, q0=q0, weights=init, slope=slope)
            for c0 in CORRELATION_STARTS
        ]
    )
    curves = DepthCurves(CORRELATION_STARTS, predicted, measured)
    token = f"{act} · σ_w² {sw2:.4g}, σ_b² {sb2:.4g} · measured: {init} weights, width {width}, seed {seed}"
    return correlation_figure(c_in, c_out, float(fixed.c_star), curves, token)


def _depth_marks(depth: int) -> list[int]:
    """Depths at which the spectrum is shown on the by-depth panel: powers of two and the last."""
    marks = [d for d in (1, 2, 4, 8, 16, 32, 64, 128) if d < depth]
    return [*marks, depth]


@st.cache_resource(max_entries=16, show_spinner=False)
def spectrum_view(act: str, slope: float, sw2: float, sb2: float, depth: int, width: int, seed: int) -> go.Figure:
    """Singular values of the input-output Jacobian for Gaussian and orthogonal weights."""
    depths = _depth_marks(depth)
    spectra = []
    for init in INITS:
        by_depth = singular_values_by_depth(act, sw2, sb2, depths, width, weights=init, seed=seed, slope=slope)
        quantiles = np.array([np.nanquantile(s, (0.05, 0.5, 0.95)) for s in by_depth])
        spectra.append(Spectrum(init, by_depth[-1], np.array(depths), *quantiles.T[[1, 0, 2]]))
    token = f"{act} · σ_w² {sw2:.4g}, σ_b² {sb2:.4g} · {depth} layers of {width} at q* · seed {seed}"
    return spectrum_figure(spectra, token)


@st.cache_resource(max_entries=1, show_spinner=False)
def glorot_results() -> tuple[SimResult, SimResult]:
    """The activation lab's two Glorot & Bengio presets, simulated once per process."""
    standard, normalized = (simulate(build_config(preset_values(name))) for name in GLOROT_PRESETS)
    return standard, normalized


@st.cache_resource(max_entries=1, show_spinner=False)
def glorot_view() -> go.Figure:
    standard, normalized = glorot_results()
    cfg = standard.config
    token = f"tanh · {cfg.depth} layers of {cfg.sizes[1]} · batch {cfg.batch} · seed {cfg.seed}"
    return glorot_figure(standard, normalized, token)
