"""Figures of the transfer lab (pure: engine results in, go.Figure out)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from viz.common import (
    AXIS_BOTTOM_PX,
    BOTTOM_LEGEND,
    LEGEND_ROW_PX,
    NARROW_MIN_PX,
    STREAMLIT_LOOK,
    axis_suffix,
    columns,
    figure_title,
    hline,
    legend_rows,
    panel_title,
)

# One colour per strategy and per target, the same in every chart of the page.
STRATEGY_COLORS = {
    "scratch": "#7f7f7f",
    "last": "#1f77b4",
    "top2": "#2ca02c",
    "top3": "#9467bd",
    "finetune": "#d62728",
}
# Lines coincide where strategies tie (scratch and the last three layers up to k = 10 on the similar
# target): a dash and a marker each keep every line visible where another is drawn over it.
STRATEGY_DASHES = {"scratch": "solid", "last": "solid", "top2": "dash", "top3": "dot", "finetune": "dashdot"}
STRATEGY_SYMBOLS = {"scratch": "circle", "last": "square", "top2": "diamond", "top3": "x", "finetune": "triangle-up"}
TARGET_COLORS = {"similar": "#1f77b4", "different": "#ff7f0e"}
VARIANT_STYLES = {
    "BnB": {"color": "#1f77b4", "dash": "solid"},
    "BnB+": {"color": "#1f77b4", "dash": "dash"},
    "AnB": {"color": "#d62728", "dash": "solid"},
    "AnB+": {"color": "#d62728", "dash": "dash"},
}
ACCURACY_AXIS = {"title": {"text": "test accuracy"}, "range": [0.0, 1.0], "tickformat": ".0%"}
TOP_PX, LEFT_PX, RIGHT_PX = 80, 60, 20
NARROW_PLOT_PX = NARROW_MIN_PX - LEFT_PX - RIGHT_PX
# The longest strategy label (30 characters) with its symbol takes under half of NARROW_PLOT_PX.
LEGEND_COLUMNS = 2
# Between the filter panels, relative to a panel's width: about 45 px at a 1024 px laptop's column, where
# the square panels fill their whole width.
PANEL_GAP = 0.3


@dataclass(frozen=True)
class Line:
    """One line of a chart: a label, its colour, mean values and their spread over seeds (same length)."""

    label: str
    color: str
    mean: np.ndarray
    spread: np.ndarray
    dash: str = "solid"
    symbol: str = "circle"


def _rgba(color: str, alpha: float) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _band_traces(x: Sequence[float], line: Line, hover: str) -> list[dict]:
    """A line with markers, above a band of ± one standard deviation over seeds."""
    band_x = [*x, *reversed(x)]
    band_y = [*(line.mean + line.spread).tolist(), *reversed((line.mean - line.spread).tolist())]
    return [
        {
            "type": "scatter",
            "x": band_x,
            "y": band_y,
            "mode": "lines",
            "fill": "toself",
            "fillcolor": _rgba(line.color, 0.15),
            "line": {"width": 0},
            "hoverinfo": "skip",
            "showlegend": False,
            "legendgroup": line.label,
        },
        {
            "type": "scatter",
            "x": list(x),
            "y": line.mean.tolist(),  # plain lists: a few numbers, readable in the figure's JSON
            "mode": "lines+markers",
            "name": line.label,
            "legendgroup": line.label,
            "line": {"color": line.color, "dash": line.dash},
            "marker": {"symbol": line.symbol, "size": 8},
            "customdata": line.spread.tolist(),
            "hovertemplate": f"{line.label}, {hover}: %{{y:.1%}} ± %{{customdata:.1%}}<extra></extra>",
        },
    ]


def _legend(labels: Sequence[str]) -> tuple[dict, int]:
    """A legend under the plot and its rows: one row where the labels fit the narrowest plot (a 1024 px
    laptop's column), else a grid of LEGEND_COLUMNS equal columns, the same rows at every width and font
    (a downloaded image renders its text in another font than the page, see ui/toolbar.js)."""
    if legend_rows(labels, NARROW_PLOT_PX) == 1:
        return BOTTOM_LEGEND, 1
    grid = {**BOTTOM_LEGEND, "entrywidthmode": "fraction", "entrywidth": 1 / LEGEND_COLUMNS, "traceorder": "normal"}
    return grid, math.ceil(len(labels) / LEGEND_COLUMNS)


def _layout(title: str, token: str, plot_px: int, data: Sequence[dict], **extra: dict) -> dict:
    """A plot plot_px tall under the title; under it the x axis and the legend of data's named traces."""
    legend, legend_rows_ = _legend([trace["name"] for trace in data if trace.get("showlegend", True)])
    bottom_px = AXIS_BOTTOM_PX + LEGEND_ROW_PX * legend_rows_ + 8
    return {
        **STREAMLIT_LOOK,
        "title": figure_title(title, token),
        "height": TOP_PX + plot_px + bottom_px,
        "margin": {"t": TOP_PX, "l": LEFT_PX, "r": RIGHT_PX, "b": bottom_px},
        "legend": legend,
        **extra,
    }


def accuracy_figure(ks: Sequence[int], k_labels: Sequence[str], lines: Sequence[Line], token: str) -> go.Figure:
    """Target test accuracy against examples per class (log axis), one line per strategy, band: ± std."""
    data = [trace for line in lines for trace in _band_traces(ks, line, "%{x} a class")]
    layout = _layout(
        "Target accuracy against examples per class",
        token,
        270,
        data,
        xaxis={
            "type": "log",
            "title": {"text": "examples per class k (log scale; 'all' is the whole pool)"},
            "tickvals": list(ks),
            "ticktext": list(k_labels),
        },
        yaxis=ACCURACY_AXIS,
    )
    return go.Figure(data=data, layout=layout)


def _mosaic(filters: np.ndarray, per_row: int) -> np.ndarray:
    """(F, 3, 3) filters tiled into one image, a blank (NaN) pixel between neighbours; each scaled to max |w| 1."""
    count, size, _ = filters.shape
    rows = -(-count // per_row)
    out = np.full((rows * (size + 1) - 1, per_row * (size + 1) - 1), np.nan)
    scale = np.abs(filters).reshape(count, -1).max(axis=1)
    for i, f in enumerate(filters / np.where(scale > 0, scale, 1.0)[:, None, None]):
        r, c = divmod(i, per_row)
        out[r * (size + 1) : r * (size + 1) + size, c * (size + 1) : c * (size + 1) + size] = f
    return out


def filters_figure(panels: dict[str, np.ndarray], token: str) -> go.Figure:
    """First conv layer's 3x3 filters, one panel per set (title -> (F, 3, 3)), each filter scaled to max |w| 1."""
    domains = columns([1.0] * len(panels), [PANEL_GAP] * (len(panels) - 1))
    data, layout = [], _layout("First-layer filters (3×3, each scaled to its largest weight)", token, 0, [])
    layout["height"], layout["margin"] = 300, {"t": 100, "l": 20, "r": 20, "b": 20}
    layout["annotations"] = []
    for i, (name, filters) in enumerate(panels.items(), 1):
        s = axis_suffix(i)
        data.append(
            {
                "type": "heatmap",
                "z": _mosaic(filters, 4),
                "xaxis": f"x{s}",
                "yaxis": f"y{s}",
                "colorscale": "RdBu",
                "zmid": 0,
                "zmin": -1,
                "zmax": 1,
                "showscale": False,
                "hovertemplate": "%{z:.2f}<extra></extra>",
            }
        )
        hidden = {"showticklabels": False, "showgrid": False, "zeroline": False, "ticks": "", "showline": False}
        layout[f"xaxis{s}"] = {"domain": domains[i - 1], "anchor": f"y{s}", **hidden}
        layout[f"yaxis{s}"] = {"anchor": f"x{s}", "autorange": "reversed", "scaleanchor": f"x{s}", **hidden}
        layout["annotations"].append(panel_title(name, domains[i - 1]))
    return go.Figure(data=data, layout=layout)


def probes_figure(depth_names: Sequence[str], lines: Sequence[Line], token: str) -> go.Figure:
    """Linear-probe accuracy against the depth of the source net's features, one line per target."""
    x = list(range(len(depth_names)))
    data = [trace for line in lines for trace in _band_traces(x, line, "depth %{x}")]
    layout = _layout(
        "A linear classifier on the source net's features at each depth",
        token,
        230,
        data,
        xaxis={
            "title": {"text": "features after layer"},
            "tickvals": x,
            "ticktext": list(depth_names),
            "zeroline": False,
        },
        yaxis=ACCURACY_AXIS,
    )
    return go.Figure(data=data, layout=layout)


def layerwise_figure(accuracy: dict[str, np.ndarray], base_b: float, token: str) -> go.Figure:
    """Accuracy on B against the number n of copied layers, for BnB, BnB+, AnB and AnB+; base B dotted."""
    data = []
    for variant, values in accuracy.items():
        ns = list(range(1, len(values) + 1))
        data.append(
            {
                "type": "scatter",
                "x": ns,
                "y": np.asarray(values).tolist(),
                "mode": "lines+markers",
                "name": variant,
                "line": VARIANT_STYLES[variant],
                "hovertemplate": f"{variant}, n = %{{x}}: %{{y:.1%}}<extra></extra>",
            }
        )
    layout = _layout(
        "Accuracy on B after copying the first n layers",
        token,
        230,
        data,
        xaxis={"title": {"text": "layers copied n"}, "dtick": 1},
        yaxis={**ACCURACY_AXIS, "range": [0.5, 1.0]},
        shapes=[hline(base_b)],
        annotations=[
            {
                "text": f"base B {base_b:.1%}",
                "x": 1.0,
                "xref": "x domain",
                "y": base_b,
                "yref": "y",
                "xanchor": "right",
                "yanchor": "bottom",
                "showarrow": False,
            }
        ],
    )
    return go.Figure(data=data, layout=layout)


def curves_figure(curves: dict[str, tuple[str, np.ndarray]], token: str) -> go.Figure:
    """Minibatch loss against training step, one line per run (label -> (colour, losses))."""
    data = [
        {
            "type": "scatter",
            "x": list(range(1, len(losses) + 1)),
            "y": np.asarray(losses).tolist(),
            "mode": "lines",
            "name": label,
            "line": {"color": color},
            "hovertemplate": f"{label}, step %{{x}}: %{{y:.3f}}<extra></extra>",
        }
        for label, (color, losses) in curves.items()
    ]
    layout = _layout(
        "Learning curve on the target",
        token,
        190,
        data,
        xaxis={"title": {"text": "training step"}},
        yaxis={"title": {"text": "minibatch loss"}, "rangemode": "tozero"},
    )
    return go.Figure(data=data, layout=layout)
