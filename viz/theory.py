"""Figures of the signal-propagation lab (pure: arrays of the mean-field theory in, go.Figure out)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from engine.propagate import SimResult
from engine.stats import shared_display
from viz.common import (
    BOTTOM_LEGEND,
    STREAMLIT_LOOK,
    axis_suffix,
    columns,
    figure_title,
    panel_title,
    panels_side_by_side,
    rows,
)

DEPTH_SCALE_CAP = 1000.0  # depth scales above this are drawn as this: "deeper than any net here"
NO_FIXED_POINT = "#d0d0d0"  # the phase diagram's background: where no depth scale exists
INIT_COLORS = {"gaussian": "#1f77b4", "orthogonal": "#d62728"}
INIT_LABELS = {"gaussian": "Gaussian W", "orthogonal": "orthogonal W"}
START_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c")
NOTE_FONT = {"size": 11, "color": "#555"}
SPECTRUM_BINS = 50
SPECTRUM_DECADES = 20.0


@dataclass(frozen=True)
class Mark:
    """A setting placed on the phase diagram: the lecture's inits, and the page's own setting."""

    label: str
    sigma_w2: float
    sigma_b2: float
    current: bool = False


@dataclass(frozen=True)
class DepthCurves:
    """Correlation of two inputs per layer (layer 0 is the input), one row per starting correlation."""

    starts: tuple[float, ...]
    predicted: np.ndarray  # (starts, depth + 1)
    measured: np.ndarray  # (starts, depth + 1)


@dataclass(frozen=True)
class Spectrum:
    """Singular values of the input-output Jacobian for one kind of weights: at the full depth,
    and the median with a 5-95 % band at each depth of `depths`."""

    init: str
    values: np.ndarray
    depths: np.ndarray
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _tick_text(exponent: int, mantissa: int = 1) -> str:
    value = mantissa * 10.0**exponent
    return f"{value:g}" if -3 <= exponent <= 3 else f"{mantissa}e{exponent}"


def _log_ticks(lo: float, hi: float, most: int = 7) -> dict:
    """Ticks of an axis that holds log10 values, labelled with the values: 1-2-5 steps over a
    few decades, else powers of ten, every k-th so that at most `most` remain."""
    first, last = math.floor(lo), math.ceil(hi)
    if hi - lo <= 2.5:
        ticks = [(e, m) for e in range(first - 1, last + 1) for m in (1, 2, 5)]
    else:
        step = max(1, math.ceil((last - first) / most))
        ticks = [(e, 1) for e in range(first - first % step, last + 1, step)]
    shown = [(e, m) for e, m in ticks if lo - 1e-9 <= e + math.log10(m) <= hi + 1e-9]
    return {"tickvals": [e + math.log10(m) for e, m in shown], "ticktext": [_tick_text(e, m) for e, m in shown]}


def phase_figure(
    sigma_w2: np.ndarray,
    sigma_b2: np.ndarray,
    depth_scale: np.ndarray,
    critical_w2: np.ndarray,
    marks: Sequence[Mark],
    scale_name: str,
    subtitle: str,
) -> go.Figure:
    """Heatmap of a depth scale over (σ_w², σ_b²) on a log σ_w² axis, the order-to-chaos line
    χ₁ = 1 over it, and the marked settings.

    `depth_scale` has shape (len(sigma_b2), len(sigma_w2)); infinite values (at criticality)
    and values above DEPTH_SCALE_CAP are drawn at the cap. `critical_w2[i]` is the critical
    σ_w² at sigma_b2[i] (nan where there is none in range).
    """
    x = np.log10(sigma_w2)
    # Infinite at criticality: drawn at the cap. NaN where there is no fixed point (the signal
    # grows without bound): left out, so the grey background shows through.
    capped = np.clip(np.where(np.isposinf(depth_scale), DEPTH_SCALE_CAP, depth_scale), 1.0, DEPTH_SCALE_CAP)
    bar_ticks = [1, 3, 10, 30, 100, 300, 1000]
    data: list[dict] = [
        {
            "type": "heatmap",
            "x": x,
            "y": sigma_b2,
            "z": np.log10(capped),
            "zmin": 0.0,
            "zmax": math.log10(DEPTH_SCALE_CAP),
            "colorscale": "Viridis",
            "customdata": np.stack([np.broadcast_to(sigma_w2, capped.shape), capped], axis=-1),
            "hovertemplate": "σ_w² %{customdata[0]:.3g}<br>σ_b² %{y:.3g}<br>"
            + scale_name
            + " %{customdata[1]:.3g} layers<extra></extra>",
            "colorbar": {
                "title": {"text": f"{scale_name}<br>(layers)", "side": "top"},
                # Under their ticks: the top one's ("≥ 1000") ran into the title above the bar.
                "ticklabelposition": "outside bottom",
                "tickvals": [math.log10(t) for t in bar_ticks],
                "ticktext": [f"{t:g}" for t in bar_ticks[:-1]] + ["≥ 1000"],
                "len": 1.0,
                "thickness": 14,
            },
            "showlegend": False,
        }
    ]
    if np.isnan(capped).any():
        # The cells without a depth scale, in grey: a layer of their own (the background stays white).
        data.append(
            {
                "type": "heatmap",
                "x": x,
                "y": sigma_b2,
                "z": np.where(np.isnan(capped), 1.0, np.nan),
                "colorscale": [[0, NO_FIXED_POINT], [1, NO_FIXED_POINT]],
                "showscale": False,
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [None],
                "y": [None],
                "marker": {"symbol": "square", "size": 12, "color": NO_FIXED_POINT},
                "name": "grey: no depth scale (the signal dies out or grows without bound)",
                "hoverinfo": "skip",
            }
        )
    inside = np.isfinite(critical_w2) & (critical_w2 >= sigma_w2[0]) & (critical_w2 <= sigma_w2[-1])
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "x": np.log10(critical_w2[inside]),
            "y": sigma_b2[inside],
            "name": "χ₁ = 1",
            "line": {"color": "white", "width": 3, "dash": "dash"},
            "hovertemplate": "critical σ_w² %{customdata:.4g}<br>σ_b² %{y:.3g}<extra></extra>",
            "customdata": critical_w2[inside],
            "showlegend": False,
        }
    )
    # The line is white to stand out on the heatmap; its legend entry needs a colour that shows on white.
    if inside.any():
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [None],
                "y": [None],
                "name": "critical line χ₁ = 1: order to its left, chaos to its right",
                "line": {"color": "#31333F", "width": 3, "dash": "dash"},
                "hoverinfo": "skip",
            }
        )
    top = float(sigma_b2[-1])
    for mark in marks:
        data.append(
            {
                "type": "scatter",
                "mode": "markers" if mark.current else "markers+text",
                "x": [math.log10(mark.sigma_w2)],
                "y": [mark.sigma_b2],
                "text": [mark.label],
                "textposition": "top center",
                # A dark halo: the labels stay legible over the bright band along the critical line.
                "textfont": {"color": "white", "size": 13 if mark.current else 11, "shadow": "0px 0px 3px black"},
                "marker": {
                    "symbol": "star" if mark.current else "circle",
                    "size": 16 if mark.current else 9,
                    "color": "#ff4b4b" if mark.current else "white",
                    "line": {"color": "black", "width": 1},
                },
                "name": mark.label,
                "showlegend": False,
                "hovertemplate": f"{mark.label}<br>σ_w² {mark.sigma_w2:.4g}, σ_b² {mark.sigma_b2:.3g}<extra></extra>",
            }
        )
    lo, hi = float(x[0]), float(x[-1])
    current = [_current_label(mark, top) for mark in marks if mark.current]
    layout = {
        **STREAMLIT_LOOK,
        "title": figure_title(f"Phase diagram: {scale_name}", subtitle),
        "xaxis": {"title": {"text": "σ_w² (weight variance × fan-in)"}, "range": [lo, hi], **_log_ticks(lo, hi)},
        # A little below 0: the lecture's settings (no bias) sit on the σ_b² = 0 row, fully visible.
        "yaxis": {
            "title": {"text": "σ_b² (bias variance)"},
            "range": [float(sigma_b2[0]) - 0.04 * float(sigma_b2[-1]), float(sigma_b2[-1])],
        },
        "legend": BOTTOM_LEGEND,
        "height": 520,
        "margin": {"t": 90, "l": 65, "r": 20, "b": 110},
        "annotations": current,
    }
    return go.Figure({"data": data, "layout": layout})


def _current_label(mark: Mark, top: float) -> dict:
    """This setting's label, on a short line from its star: a row above the lecture's labels,
    which sit right over their dots on the same σ_b² (side by side they overlapped at 1024 px);
    below the star near the top edge. On a dark box: the critical line, which can pass anywhere
    near the star, runs under it, not through its letters."""
    near_top = mark.sigma_b2 > 0.8 * top
    return {
        "x": math.log10(mark.sigma_w2),
        "y": mark.sigma_b2,
        "text": mark.label,
        "showarrow": True,
        "arrowhead": 0,
        "arrowcolor": "white",
        "ax": 0,
        "ay": 38 if near_top else -38,
        "font": {"color": "white", "size": 13},
        "bgcolor": "rgba(20, 20, 30, 0.7)",
        "borderpad": 3,
    }


def correlation_figure(
    c_in: np.ndarray,
    c_out: np.ndarray,
    fixed_point: float | None,
    curves: DepthCurves,
    subtitle: str,
) -> go.Figure:
    """Left: the c-map (a layer's output correlation against its input's) with the identity and
    the fixed point c* (None: none to mark, e.g. where the map is the identity). Right: the
    correlation per layer from a few starting values, predicted (lines) and measured in a
    simulated net (dots)."""
    depth = curves.predicted.shape[1] - 1
    data: list[dict] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": [-1, 1],
            "y": [-1, 1],
            "line": {"color": "#999", "dash": "dot"},
            "name": "identity (c stays)",
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": c_in,
            "y": c_out,
            "line": {"color": "black", "width": 2.5},
            "name": "c-map of this setting",
            "hovertemplate": "c in %{x:.3f} → c out %{y:.3f}<extra></extra>",
        },
    ]
    if fixed_point is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [fixed_point],
                "y": [fixed_point],
                "marker": {"size": 11, "color": "#ff4b4b", "line": {"color": "black", "width": 1}},
                "name": f"fixed point c* = {fixed_point:.3f}",
                "hovertemplate": "c* %{x:.4f}<extra></extra>",
            }
        )
    layers = np.arange(depth + 1)
    for start, predicted, measured, color in zip(curves.starts, curves.predicted, curves.measured, START_COLORS):
        common = {"xaxis": "x2", "yaxis": "y2", "legendgroup": f"c0={start:g}"}
        data.append(
            {
                **common,
                "type": "scatter",
                "mode": "lines",
                "x": layers,
                "y": predicted,
                "line": {"color": color, "width": 2},
                "name": f"c₀ = {start:g}: theory",
                "hovertemplate": "layer %{x}: c = %{y:.3f} (theory)<extra></extra>",
            }
        )
        data.append(
            {
                **common,
                "type": "scatter",
                "mode": "markers",
                "x": layers,
                "y": measured,
                "marker": {"color": color, "size": 6, "symbol": "circle-open"},
                "name": f"c₀ = {start:g}: measured",
                "hovertemplate": "layer %{x}: c = %{y:.3f} (measured)<extra></extra>",
            }
        )
    layout = {
        **STREAMLIT_LOOK,
        "title": figure_title("Correlation of two inputs", subtitle),
        "legend": BOTTOM_LEGEND,
        **panels_side_by_side(
            ["c-map: one layer", "through the layers"],
            [
                # The y labels stand off the axis: both axes' −1 meet at the corner, and ran into each other.
                (
                    {"title": {"text": "correlation in"}, "range": [-1.02, 1.02]},
                    {"title": {"text": "correlation out"}, "ticklabelstandoff": 10},
                ),
                ({"title": {"text": "layer"}, "range": [-0.3, depth + 0.3]}, {"title": {"text": "correlation"}}),
            ],
            bottom_px=150,
        ),
    }
    layout["yaxis"]["range"] = layout["yaxis2"]["range"] = [-1.02, 1.02]
    layout["meta"]["narrow"]["layout"]["yaxis"]["range"] = [-1.02, 1.02]
    layout["meta"]["narrow"]["layout"]["yaxis2"]["range"] = [-1.02, 1.02]
    return go.Figure({"data": data, "layout": layout})


def _spectrum_bars(spectra: Sequence[Spectrum]) -> tuple[list[dict], float, float]:
    """Pre-binned histograms of log10 singular values on one shared grid (fractions of the values)."""
    logs = [np.log10(np.maximum(s.values, 1e-300)) for s in spectra]
    hi = max(float(v.max()) for v in logs)
    # At most SPECTRUM_DECADES below the largest: exact zeros (dead units) would stretch the axis to 1e-300.
    lo = max(min(float(v.min()) for v in logs), hi - SPECTRUM_DECADES)
    logs = [np.maximum(v, lo) for v in logs]
    if hi - lo < 0.2:  # a tight spectrum still gets a readable axis around it
        mid = (hi + lo) / 2
        lo, hi = mid - 0.1, mid + 0.1
    edges = np.linspace(lo, hi, SPECTRUM_BINS + 1)
    bars = []
    for spectrum, values in zip(spectra, logs):
        counts, _ = np.histogram(values, bins=edges)
        bars.append(
            {
                "type": "bar",
                "x": (edges[:-1] + edges[1:]) / 2,
                "y": counts / max(len(values), 1),
                "width": float(edges[1] - edges[0]),
                "marker": {"color": INIT_COLORS[spectrum.init], "opacity": 0.55},
                "name": INIT_LABELS[spectrum.init],
                "legendgroup": spectrum.init,
                "customdata": 10 ** ((edges[:-1] + edges[1:]) / 2),
                "hovertemplate": "σ ≈ %{customdata:.3g}: %{y:.1%} of the values<extra></extra>",
            }
        )
    return bars, lo, hi


def spectrum_figure(spectra: Sequence[Spectrum], subtitle: str) -> go.Figure:
    """Left: the singular values of the input-output Jacobian at full depth (log axis), one
    histogram per kind of weights. Right: their median and 5-95 % band against depth."""
    bars, lo, hi = _spectrum_bars(spectra)
    data: list[dict] = list(bars)
    band_lo, band_hi = lo, hi
    for spectrum in spectra:
        color = INIT_COLORS[spectrum.init]
        common = {"xaxis": "x2", "yaxis": "y2", "legendgroup": spectrum.init, "showlegend": False}
        floor = 10 ** (hi - SPECTRUM_DECADES)
        low, high = np.log10(np.maximum(spectrum.low, floor)), np.log10(np.maximum(spectrum.high, floor))
        band_lo, band_hi = min(band_lo, float(low.min())), max(band_hi, float(high.max()))
        data.append(
            {
                **common,
                "type": "scatter",
                "mode": "lines",
                "x": spectrum.depths,
                "y": low,
                "line": {"width": 0},
                "hoverinfo": "skip",
            }
        )
        data.append(
            {
                **common,
                "type": "scatter",
                "mode": "lines",
                "x": spectrum.depths,
                "y": high,
                "fill": "tonexty",
                "fillcolor": _with_alpha(color, 0.2),
                "line": {"width": 0},
                "hoverinfo": "skip",
            }
        )
        data.append(
            {
                **common,
                "type": "scatter",
                "mode": "lines+markers",
                "x": spectrum.depths,
                "y": np.log10(np.maximum(spectrum.median, floor)),
                "line": {"color": color, "width": 2},
                "customdata": np.stack([spectrum.median, spectrum.low, spectrum.high], axis=-1),
                "hovertemplate": "depth %{x}: median σ %{customdata[0]:.3g} (5-95 %: %{customdata[1]:.3g} to "
                "%{customdata[2]:.3g})<extra></extra>",
            }
        )
    max_depth = max(int(s.depths[-1]) for s in spectra)
    depth_ticks = sorted({int(d) for s in spectra for d in s.depths})
    layout = {
        **STREAMLIT_LOOK,
        "title": figure_title("Singular values of the input-output Jacobian", subtitle),
        "legend": BOTTOM_LEGEND,
        "barmode": "overlay",
        **panels_side_by_side(
            [f"at depth {max_depth}", "median and 5-95 % band by depth"],
            [
                (
                    {"title": {"text": "singular value σ"}, "range": [lo, hi], **_log_ticks(lo, hi)},
                    {"title": {"text": "fraction of values"}, "tickformat": ".0%"},
                ),
                (
                    {
                        "title": {"text": "depth"},
                        "type": "log",
                        "tickvals": depth_ticks,
                        "ticktext": [str(d) for d in depth_ticks],
                    },
                    {
                        "title": {"text": "singular value σ"},
                        "range": [band_lo - 0.1, band_hi + 0.1],
                        **_log_ticks(band_lo - 0.1, band_hi + 0.1),
                    },
                ),
            ],
            bottom_px=110,
        ),
    }
    return go.Figure({"data": data, "layout": layout})


def _with_alpha(color: str, alpha: float) -> str:
    """'#1f77b4', 0.2 -> 'rgba(31,119,180,0.2)'."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


GLOROT_COLUMNS = ("standard: U[−1/√n, 1/√n]", "normalized: U[−√6/√(n_in+n_out), …]")
GLOROT_ROWS = (("act", "activation value"), ("grad", "back-propagated gradient"))


def _layer_colors(count: int) -> list[str]:
    return sample_colorscale("Viridis", [i / max(count - 1, 1) * 0.9 for i in range(count)])


def glorot_figure(standard: SimResult, normalized: SimResult, subtitle: str) -> go.Figure:
    """Glorot & Bengio (2010) figures 6 and 7: the normalized histogram of every layer's
    activations (top row) and back-propagated gradients (bottom row), one line per layer, for
    the standard initialization (left) and the normalized one (right), on shared axes per row."""
    results = (standard, normalized)
    x_domains = columns([1.0, 1.0], [0.14])
    y_domains = rows([1.0, 1.0], [0.32])
    data: list[dict] = []
    layout: dict = {
        **STREAMLIT_LOOK,
        "title": figure_title("Activations and gradients per layer (Glorot & Bengio 2010, figs. 6-7)", subtitle),
        "legend": BOTTOM_LEGEND,
        "height": 700,
        "margin": {"t": 110, "l": 60, "r": 20, "b": 90},
        "annotations": [],
    }
    depth = len(standard.layers)
    colors = _layer_colors(depth)
    for row, (kind, label) in enumerate(GLOROT_ROWS):
        summaries = [getattr(layer, kind) for result in results for layer in result.layers]
        lo, hi, counts = shared_display(summaries, symmetric=True)
        centres = lo + (np.arange(len(counts[0])) + 0.5) * (hi - lo) / len(counts[0])
        for col, result in enumerate(results):
            panel = 1 + row * 2 + col
            suffix = axis_suffix(panel)
            layout[f"xaxis{suffix}"] = {
                "domain": x_domains[col],
                "anchor": f"y{suffix}",
                "range": [lo, hi],
                "title": {"text": label},
            }
            layout[f"yaxis{suffix}"] = {
                "domain": y_domains[row],
                "anchor": f"x{suffix}",
                "tickformat": ".0%",
            }
            if col == 1:  # the two inits of a row on one y axis, so the eye compares heights
                layout[f"yaxis{suffix}"]["matches"] = f"y{axis_suffix(panel - 1)}"
            if row == 0:
                layout["annotations"].append(panel_title(GLOROT_COLUMNS[col], x_domains[col]))
            for index, layer in enumerate(result.layers):
                layer_counts = counts[col * depth + index]
                total = max(int(layer_counts.sum()), 1)
                data.append(
                    {
                        "type": "scatter",
                        "mode": "lines",
                        "x": centres,
                        "y": layer_counts / total,
                        "xaxis": f"x{suffix}",
                        "yaxis": f"y{suffix}",
                        "line": {"color": colors[index], "width": 1.6},
                        "name": f"layer {layer.index}",
                        "legendgroup": f"layer {layer.index}",
                        "showlegend": panel == 1,
                        "hovertemplate": f"layer {layer.index}: " + "%{x:.3g}: %{y:.1%}<extra></extra>",
                    }
                )
    return go.Figure({"data": data, "layout": layout})
