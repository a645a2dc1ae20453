"""The signal-propagation lab's computations, cached, and the figures and numbers they give."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from engine.propagate import SimResult
from engine.theory.jacobian import RandomNet, measured_correlation, singular_values_by_depth
from engine.theory.meanfield import (
    FixedPoint,
    c_map,
    correlation_trajectory,
    critical_sigma_w2,
    fixed_point,
    moments,
    phase_diagram,
)
from ui.activation_params import build_config, preset_values
from ui.simulation import run_simulation
from ui.theory_params import INITS, LAB_WIDTH, PHASE_W2_RANGE
from ui.toolbar import metric, metrics_columns
from viz.theory import DepthCurves, Mark, Spectrum, correlation_figure, glorot_figure, phase_figure, spectrum_figure

GLOROT_PRESETS = ("glorot-standard", "glorot-normalized")
PHASE_W2 = np.geomspace(*PHASE_W2_RANGE, 120)  # log axis: the lecture's 0.41 and 10.24 and the critical region
PHASE_B2_TOP = 1.0
PHASE_B2_POINTS = 80
CORRELATION_STARTS = (0.1, 0.5, 0.9)
C_MAP_POINTS = 61
IDENTITY_TOL = 1e-3  # a drawn c-map this close to c everywhere keeps correlations
MAP_Q_RANGE = (1e-6, 1e6)
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
    cells = metrics_columns("theory", 5)
    metric(
        cells[0],
        "critical σ_w²",
        "none" if math.isnan(critical) else f"{critical:.4g}",
        help="The σ_w² at which χ₁ = 1 for this σ_b² and activation: the order-to-chaos line.",
    )
    metric(
        cells[1],
        "χ₁",
        _value(float(fixed.chi1)),
        help="σ_w²·E[φ′(√q*·z)²]: the factor by which a gradient's square changes per layer.",
    )
    metric(
        cells[2],
        "ξ_c (layers)",
        fmt_layers(float(fixed.xi_c)),
        help="Signal depth scale: layers over which the correlation of two inputs approaches its fixed point.",
    )
    metric(
        cells[3],
        "ξ_∇ (layers)",
        fmt_layers(float(fixed.xi_grad)),
        help="Gradient depth scale −1/ln χ₁: layers over which a gradient changes by a factor e.",
    )
    metric(
        cells[4],
        "q*",
        _value(float(fixed.q_star)),
        help="The pre-activation variance the layers settle at, reached from unit variance (q = 1): where φ "
        "has several fixed points, the one a net with unit-variance inputs goes to.",
    )


def _value(x: float) -> str:
    return "∞" if math.isinf(x) else ("—" if math.isnan(x) else f"{x:.3g}")


def fmt_layers(x: float) -> str:
    """A depth scale for a metric: '∞' at criticality, '> 10⁴' next to it, '—' where it is undefined.

    Its sign only says which way gradients go (ξ_∇ < 0: they grow), which the page says in words.
    """
    if math.isnan(x):
        return "—"
    x = abs(x)
    if math.isinf(x):
        return "∞"
    return "> 10⁴" if x >= 1e4 else f"{x:.3g}"


def _marks(act: str, sw2: float, sb2: float) -> list[Mark]:
    """The lecture's settings of this activation and the page's own; a lecture setting the page's
    equals is named in the page's mark instead of drawn twice."""
    lecture = [Mark(label, w2, 0.0) for label, w2 in LECTURE_MARKS.get(act, ())]
    same = [m for m in lecture if sb2 == 0.0 and math.isclose(m.sigma_w2, sw2, rel_tol=1e-3)]
    label = f"this setting ({same[0].label})" if same else "this setting"
    return [*(m for m in lecture if m not in same), Mark(label, sw2, sb2, current=True)]


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
) -> tuple[go.Figure, bool, bool]:
    """The c-map and the correlation per layer, predicted and measured in one simulated net; and
    whether the drawn map is the identity and whether φ averages to 0 at the map's variance."""
    fixed, _ = setting_numbers(act, slope, sw2, sb2)  # the page's own, cached: not solved again
    q0, where = map_variance(act, slope, sw2, sb2, depth, float(fixed.q_star))
    c_in = np.linspace(-1.0, 1.0, C_MAP_POINTS)
    c_out = c_map(act, c_in, q0, sw2, sb2, slope=slope)
    predicted = correlation_trajectory(act, sw2, sb2, np.array(CORRELATION_STARTS), depth, q0=q0, slope=slope)[1]
    net = RandomNet(act, sw2, sb2, width, init, seed, slope)
    measured = np.array([measured_correlation(net, c0, depth, q0=q0) for c0 in CORRELATION_STARTS])
    curves = DepthCurves(CORRELATION_STARTS, predicted, measured)
    # Two lines: on one, a 1024 px screen cut it at the figure's edge.
    token = f"{act} · σ_w² {sw2:.4g}, σ_b² {sb2:.4g} · measured: {init} weights, width {width}, seed {seed}<br>{where}"
    identity = bool(np.max(np.abs(c_out - c_in)) < IDENTITY_TOL)
    q_star = float(fixed.q_star)
    if 0.0 < q_star < math.inf:
        c_star = float(fixed.c_star)
    else:  # no fixed length: the map as drawn; an identity map fixes every c, none to mark
        c_star = None if identity else _map_fixed_point(c_in, c_out)
    mean_zero = abs(float(moments(act, q0, slope=slope).mean)) < 1e-9 * math.sqrt(q0)
    return correlation_figure(c_in, c_out, c_star, curves, token), identity, mean_zero


def map_variance(act: str, slope: float, sw2: float, sb2: float, depth: int, q_star: float) -> tuple[float, str]:
    """The variance q at which the c-map is drawn and the inputs start, and how to say it.

    At q* when there is one. Where the signal dies (q* = 0) or grows without bound (q* = inf)
    the map changes with q: it is drawn at the variance the last layer reaches from q = 1.
    """
    if 0.0 < q_star < math.inf:
        return q_star, f"at q* = {q_star:.3g}"
    q_last = float(correlation_trajectory(act, sw2, sb2, 1.0, depth, q0=1.0, slope=slope)[0][-1])
    q_map_at = min(max(q_last, MAP_Q_RANGE[0]), MAP_Q_RANGE[1])
    fate = "dies out (q* = 0)" if q_star == 0.0 else "grows without bound (q* = ∞)"
    if q_map_at == q_last:
        return q_map_at, f"the signal {fate}: map at layer {depth}'s q = {q_last:.3g}"
    side = "below" if q_last < q_map_at else "above"
    return q_map_at, f"the signal {fate}: layer {depth}'s q is {side} {q_map_at:g}, the map is drawn there"


def _map_fixed_point(c_in: np.ndarray, c_out: np.ndarray) -> float:
    """The largest c below 1 where the drawn map meets the identity, else 1 (c* of the map as drawn)."""
    gap = c_out[:-1] - c_in[:-1]  # c = 1 always maps to 1: look below it
    crossing = np.flatnonzero(np.diff(np.sign(gap)) != 0)
    if crossing.size == 0:
        return 1.0
    i = crossing[-1]
    gap0, gap1 = c_out[i] - c_in[i], c_out[i + 1] - c_in[i + 1]
    return float(c_in[i] + (c_in[i + 1] - c_in[i]) * gap0 / (gap0 - gap1))


def _depth_marks(depth: int) -> list[int]:
    """Depths at which the spectrum is shown on the by-depth panel: powers of two and the last."""
    marks = [d for d in (1, 2, 4, 8, 16, 32, 64, 128) if d < depth]
    return [*marks, depth]


@st.cache_resource(max_entries=16, show_spinner=False)
def spectrum_view(
    act: str, slope: float, sw2: float, sb2: float, depth: int, width: int, seed: int
) -> tuple[go.Figure | None, str | None]:
    """Singular values of the input-output Jacobian for Gaussian and orthogonal weights, and a note
    when the product overflows (a chaotic net's Jacobian grows like √χ₁ per layer): the depths both
    kinds reach are drawn, none at all if they overflow before the first depth shown."""
    depths = _depth_marks(depth)
    values = {init: _spectra_by_depth(RandomNet(act, sw2, sb2, width, init, seed, slope), depths) for init in INITS}
    shown = min(next((n for n, v in enumerate(vs) if not np.all(np.isfinite(v))), len(vs)) for vs in values.values())
    if shown == 0:
        return None, (
            f"The Jacobian overflows float64 within the first {depths[0]} layers here (its entries grow by about "
            "√χ₁ per layer): no spectrum to draw. Lower σ_w² or the depth."
        )
    spectra = []
    for init, vs in values.items():
        quantiles = np.array([np.quantile(v, (0.05, 0.5, 0.95)) for v in vs[:shown]])
        spectra.append(Spectrum(init, vs[shown - 1], np.array(depths[:shown]), *quantiles.T[[1, 0, 2]]))
    deepest = depths[shown - 1]
    note = None
    if shown < len(depths):
        note = (
            f"The Jacobian overflows float64 past depth {deepest} (its entries grow by about √χ₁ per layer): "
            f"the spectra are drawn up to depth {deepest}."
        )
    q_star = float(setting_numbers(act, slope, sw2, sb2)[0].q_star)
    start = "input at q*" if 0.0 < q_star < math.inf else "input at q = 1 (no fixed point q* to start at)"
    token = f"{act} · σ_w² {sw2:.4g}, σ_b² {sb2:.4g} · {deepest} layers of {width}, {start} · seed {seed}"
    return spectrum_figure(spectra, token), note


def _spectra_by_depth(net: RandomNet, depths: list[int]) -> list[np.ndarray]:
    """Singular values at each depth, from float64 products: the spectra span many decades, and a
    float32 product's rounding would fill everything below about 1e-7 of the largest value with noise."""
    return singular_values_by_depth(net, depths, dtype=np.float64)


@st.cache_resource(max_entries=1, show_spinner=False)
def glorot_results() -> tuple[SimResult, SimResult]:
    """The activation lab's two Glorot & Bengio presets, simulated once per process."""
    standard, normalized = (run_simulation(build_config(preset_values(name)))[0] for name in GLOROT_PRESETS)
    return standard, normalized


@st.cache_resource(max_entries=1, show_spinner=False)
def glorot_view() -> go.Figure:
    standard, normalized = glorot_results()
    cfg = standard.config
    token = f"tanh · {cfg.depth} layers of {cfg.sizes[1]} · batch {cfg.batch} · seed {cfg.seed}"
    return glorot_figure(standard, normalized, token)
