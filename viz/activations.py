"""Figures of the activation lab: per-layer histogram grids and per-layer moments.

Built from plain dicts rather than make_subplots: the same figure for a
fraction of the construction time, and only pre-binned counts are sent.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from engine.activations import ACTIVATIONS
from engine.init import INITIALIZERS
from engine.propagate import LayerResult, SimResult
from engine.stats import GRAD_RANGE, PRE_RANGE, Summary
from viz.common import figure_title

MAX_COLUMNS = 6
ROW_HEIGHT = 190
COLORS = {"act": "#1f77b4", "pre": "#7f7f7f", "grad": "#d62728"}
KIND_TITLES = {"act": "Activations", "pre": "Pre-activations", "grad": "Gradients wrt activations"}


def view_token(result: SimResult) -> str:
    """A short description of the view; goes into every title, so a redraw is visible."""
    cfg = result.config
    spec = INITIALIZERS[cfg.init]
    if spec.uses_scale:
        symbol = {"normal": "σ", "uniform": "a", "constant": "c"}[spec.family]
        init = f"{cfg.init} {symbol}={cfg.scale:g}"
    elif spec.uses_gain and cfg.gain != 1.0:
        init = f"{cfg.init} gain={cfg.gain:g}"
    else:
        init = cfg.init
    sizes = cfg.sizes
    shape = f"{cfg.depth}×{sizes[1]}" if len(set(sizes)) == 1 else "-".join(map(str, sizes))
    norm = "" if cfg.bn == "none" else f" · BN {cfg.bn}"
    if cfg.bn != "none" and cfg.bn_mode == "eval":
        norm += f" eval ({cfg.bn_warmup} warm-up, {cfg.bn_conv})"
    return f"{cfg.activation} · {init}{norm} · {shape} · N={cfg.batch} · seed {cfg.seed}"


def shown_layers(layers: tuple[LayerResult, ...]) -> list[LayerResult]:
    """The layers the engine made histograms for (all, or an even spread of deep nets)."""
    return [layer for layer in layers if layer.act.counts is not None]


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    return f"{x:.2g}" if x != 0 and (abs(x) < 1e-2 or abs(x) >= 1e3) else f"{x:.2f}"


def _summary(layer: LayerResult, kind: str) -> Summary | None:
    return {"act": layer.act, "pre": layer.pre, "grad": layer.grad}[kind]


def _range(result: SimResult, kind: str) -> tuple[float, float]:
    if kind == "act":
        return ACTIVATIONS[result.config.activation].hist_range
    return PRE_RANGE if kind == "pre" else GRAD_RANGE


def _spike_is_clipped(s: Summary, kind: str, result: SimResult) -> bool:
    """ReLU's exact zeros pile into one bar that would flatten the rest of the histogram."""
    if kind != "act" or not ACTIVATIONS[result.config.activation].can_die:
        return False
    counts = s.display_counts()
    rest = counts[1:].max(initial=0)
    return rest > 0 and counts[0] > 3 * rest


def _clipped_spike_range(s: Summary, kind: str, result: SimResult) -> dict:
    if not _spike_is_clipped(s, kind, result):
        return {}
    return {"range": [0, 1.15 * float(s.display_counts()[1:].max())], "autorange": False}


def _panel_stats(s: Summary, kind: str, result: SimResult) -> str:
    text = f"mean {_fmt(s.mean)} · std {_fmt(s.std)}"
    if _spike_is_clipped(s, kind, result):
        text += f"<br>{s.n_zero / max(s.n_finite, 1):.0%} zeros, bar clipped"
    return text


def _axis_domains(n: int, count: int, gap: float) -> list[tuple[float, float]]:
    size = (1.0 - gap * (count - 1)) / count
    return [(i * (size + gap), i * (size + gap) + size) for i in range(n)]


def histogram_grid(result: SimResult, kind: str = "act") -> go.Figure:
    """Small multiples: one bar histogram per shown layer, on shared fixed edges."""
    layers = [layer for layer in shown_layers(result.layers) if _summary(layer, kind) is not None]
    lo, hi = _range(result, kind)
    n = max(len(layers), 1)
    cols = min(MAX_COLUMNS, n)
    rows = math.ceil(n / cols)
    xdom = _axis_domains(cols, cols, 0.02)
    ydom = _axis_domains(rows, rows, 0.3 / rows)[::-1]
    layout: dict = {
        "title": figure_title(f"{KIND_TITLES[kind]} per layer", view_token(result)),
        "height": 120 + ROW_HEIGHT * rows,
        "margin": {"l": 20, "r": 10, "t": 110, "b": 30},
        "showlegend": False,
        "bargap": 0.0,
        "annotations": [],
    }
    traces = []
    for i, layer in enumerate(layers):
        s = _summary(layer, kind)
        counts = s.display_counts()
        width = (hi - lo) / counts.size
        centers = lo + width * (np.arange(counts.size) + 0.5)
        suffix = "" if i == 0 else str(i + 1)
        traces.append(
            {
                "type": "bar",
                "x": centers.round(6).tolist(),
                "y": counts.tolist(),
                "width": width,
                "marker": {"color": COLORS[kind], "line": {"width": 0}},
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "hovertemplate": f"layer {layer.index}<br>%{{x:.3g}}: %{{y}}<extra></extra>",
            }
        )
        row, col = divmod(i, cols)
        layout[f"xaxis{suffix}"] = {
            "domain": list(xdom[col]),
            "anchor": f"y{suffix}",
            "range": [lo, hi],
            "tickfont": {"size": 9},
            "nticks": 5,
        }
        layout[f"yaxis{suffix}"] = {
            "domain": list(ydom[row]),
            "anchor": f"x{suffix}",
            "showticklabels": False,
            "rangemode": "tozero",
            **_clipped_spike_range(s, kind, result),
        }
        layout["annotations"].append(
            {
                "text": f"<b>Layer {layer.index}</b><br>{_panel_stats(s, kind, result)}",
                "xref": "paper",
                "yref": "paper",
                "x": sum(xdom[col]) / 2,
                "y": ydom[row][1],
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 11},
            }
        )
    return go.Figure({"data": traces, "layout": layout})


def _series(result: SimResult, kind: str, stat: str) -> tuple[list[int], list[float]]:
    xs, ys = [], []
    for layer in result.layers:
        s = _summary(layer, kind)
        if s is not None:
            xs.append(layer.index)
            ys.append(abs(s.mean) if stat == "|mean|" else getattr(s, stat))
    return xs, ys


def moments_figure(result: SimResult, log_y: bool = False) -> go.Figure:
    """Per-layer mean and std of activations (left) and gradients (right)."""
    mean_stat = "|mean|" if log_y else "mean"
    traces = []
    for suffix, kind in (("", "act"), ("2", "grad")):
        for stat, dash in (("std", "solid"), (mean_stat, "dot")):
            xs, ys = _series(result, kind, stat)
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "x": xs,
                    "y": ys,
                    "name": f"{KIND_TITLES[kind].split()[0].lower()} {stat}",
                    "line": {"color": COLORS[kind], "dash": dash},
                    "marker": {"size": 5},
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                }
            )
    y_type = "log" if log_y else "linear"
    layer_axis = {"title": {"text": "layer"}, "tickformat": "d", "dtick": max(1, math.ceil(len(result.layers) / 10))}
    layout = {
        "title": figure_title("Mean and std per layer", view_token(result)),
        "height": 360,
        "margin": {"l": 60, "r": 10, "t": 80, "b": 40},
        "legend": {"orientation": "h", "y": -0.2},
        "xaxis": {"domain": [0, 0.46], "anchor": "y", **layer_axis},
        "yaxis": {"type": y_type, "title": {"text": "activations"}, "anchor": "x", "exponentformat": "power"},
        "xaxis2": {"domain": [0.54, 1], "anchor": "y2", **layer_axis},
        "yaxis2": {"type": y_type, "title": {"text": "gradients"}, "anchor": "x2", "exponentformat": "power"},
    }
    return go.Figure({"data": traces, "layout": layout})
