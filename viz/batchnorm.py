"""Figures of the batch-norm lab (pure: engine results in, go.Figure out)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.bn_lab import Robustness, RunningTrace, Spread, Steps
from viz.common import (
    BOTTOM_LEGEND,
    NARROW_BELOW_PX,
    NARROW_MIN_PX,
    STREAMLIT_LOOK,
    axis_suffix,
    columns,
    figure_title,
    hline,
    narrow_variant,
    panel_title,
)

CONVENTION_COLORS = {"pytorch": "#1f77b4", "cs231n": "#ff7f0e"}
BN_COLORS = {"none": "#7f7f7f", "before": "#2ca02c"}
CELL_FONT_PX = 10
# Widths of a cell value's characters at CELL_FONT_PX in the figures' font (Source Sans): digits
# are 5 px, the point and the minus sign narrower; a little room is kept at each side.
_CHAR_PX = {".": 2.5, "-": 3.5}
_CELL_PADDING_PX = 4
# Plotly's default colour sequence: each feature keeps its colour in both panels.
FEATURE_COLORS = ("#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692", "#B6E880")


def _cell_text_fits(values: np.ndarray, panel_px: float) -> bool:
    """Whether every value of a heatmap (rows, features), printed with two decimals, fits its cell."""
    widest = max(sum(_CHAR_PX.get(c, 5.0) for c in f"{v:.2f}") for v in values.ravel())
    return widest + _CELL_PADDING_PX <= panel_px / values.shape[1]


# Plain dicts with explicit domains, as in viz/preprocessing.py, not make_subplots (about
# 25 ms per figure).
def steps_heatmaps(steps: Steps, token: str) -> go.Figure:
    """x, x_hat and y side by side as heatmaps (rows: examples, columns: features).

    Cells print their values where they fit: the wide shape is checked at its narrowest
    chart, the narrow shape (the same panels) at its own; wider batches show them on hover.
    """
    titles = ("x (input batch)", "x̂ = (x − μ) / √(σ² + ε)", "y = γ x̂ + β")
    domains = columns([1.0, 1.0, 1.0], [0.23, 0.23])
    margin = {"t": 100, "l": 50, "r": 10, "b": 60}
    data, layout, narrow, narrow_data = [], {}, {}, []
    panels = ((steps.x, "Viridis"), (steps.x_hat, "RdBu"), (steps.y, "RdBu"))
    for i, ((values, scale), domain) in enumerate(zip(panels, domains), start=1):
        s = axis_suffix(i)
        panel_px = {
            chart_px: (chart_px - margin["l"] - margin["r"]) * (domain[1] - domain[0])
            for chart_px in (NARROW_BELOW_PX, NARROW_MIN_PX)
        }
        data.append(
            {
                "type": "heatmap",
                "z": values,
                "xaxis": f"x{s}",
                "yaxis": f"y{s}",
                "colorscale": scale,
                "showscale": False,
                "texttemplate": "%{z:.2f}" if _cell_text_fits(values, panel_px[NARROW_BELOW_PX]) else "",
                "textfont": {"size": CELL_FONT_PX},
                "hovertemplate": "example %{y}, feature %{x}: %{z:.3f}<extra></extra>",
                **({} if i == 1 else {"zmid": 0}),
            }
        )
        narrow_data.append({"texttemplate": "%{z:.2f}" if _cell_text_fits(values, panel_px[NARROW_MIN_PX]) else ""})
        layout[f"xaxis{s}"] = {"domain": domain, "anchor": f"y{s}", "title": {"text": "feature"}, "dtick": 1}
        # Two-digit feature numbers need about 16 px each; narrower, every other one is named.
        if panel_px[NARROW_MIN_PX] / values.shape[1] < 16:
            narrow[f"xaxis{s}"] = {**layout[f"xaxis{s}"], "dtick": 2}
        layout[f"yaxis{s}"] = {
            "domain": [0.0, 1.0],
            "anchor": f"x{s}",
            "autorange": "reversed",
            "dtick": 1,
            **({"title": {"text": "example"}} if i == 1 else {}),
        }
    layout.update(
        **STREAMLIT_LOOK,
        title=figure_title("One batch: normalized, then scaled and shifted", token),
        annotations=[panel_title(t, d) for t, d in zip(titles, domains)],
        height=120 + 28 * len(steps.x) + 80,
        margin=margin,
        meta=narrow_variant(narrow, narrow_data),
    )
    return go.Figure({"data": data, "layout": layout})


def feature_strips(steps: Steps, token: str) -> go.Figure:
    """Each feature's values before (x) and after (y): offsets and scales vanish."""
    domains = columns([1.0, 1.0], [0.22])
    data = [
        {
            "type": "box",
            "y": values[:, j],
            "name": f"feature {j}",
            "xaxis": f"x{s}",
            "yaxis": f"y{s}",
            "boxpoints": "all",
            "jitter": 0.4,
            "pointpos": 0,
            "marker": {"size": 6, "color": FEATURE_COLORS[j % len(FEATURE_COLORS)]},
            "line": {"width": 1, "color": FEATURE_COLORS[j % len(FEATURE_COLORS)]},
            "showlegend": False,
        }
        for s, values in (("", steps.x), ("2", steps.y))
        for j in range(values.shape[1])
    ]
    # Boxes keep "feature j" as their name (hover says it); the axis shows j under a "feature" title,
    # which stays readable with twelve features on a narrow chart.
    names = [f"feature {j}" for j in range(steps.x.shape[1])]
    feature_axis = {"tickvals": names, "ticktext": [str(j) for j in range(len(names))], "title": {"text": "feature"}}
    layout = {}
    for s, domain in (("", domains[0]), ("2", domains[1])):
        layout[f"xaxis{s}"] = {"domain": domain, "anchor": f"y{s}", **feature_axis}
        layout[f"yaxis{s}"] = {"domain": [0.0, 1.0], "anchor": f"x{s}"}
    layout.update(
        **STREAMLIT_LOOK,
        title=figure_title("Each feature before and after", token),
        annotations=[panel_title(t, d) for t, d in zip(("before: x", "after: y"), domains)],
        height=380,
        margin={"t": 100, "l": 50, "r": 10, "b": 60},
    )
    return go.Figure({"data": data, "layout": layout})


def robustness_figure(r: Robustness, token: str) -> go.Figure:
    """Last-layer activation std and input-gradient std against the weight scale (log-log)."""
    titles = ("last layer: activation std", "input: gradient std")
    domains = columns([1.0, 1.0], [0.15])
    data, layout = [], {}
    for i, (series, domain) in enumerate(zip((r.act_std, r.grad_std), domains), start=1):
        s = axis_suffix(i)
        for bn, values in series.items():
            data.append(
                {
                    "type": "scatter",
                    "x": r.scales,
                    "y": np.where(np.isfinite(values) & (values > 0), values, np.nan),
                    "mode": "lines+markers",
                    "name": "with BN (before act)" if bn == "before" else "without BN",
                    "line": {"color": BN_COLORS[bn]},
                    "showlegend": i == 1,
                    "xaxis": f"x{s}",
                    "yaxis": f"y{s}",
                }
            )
        layout[f"xaxis{s}"] = {
            "domain": domain,
            "anchor": f"y{s}",
            "type": "log",
            "exponentformat": "power",
            "title": {"text": "weight scale s in W = s·randn"},
        }
        layout[f"yaxis{s}"] = {"domain": [0.0, 1.0], "anchor": f"x{s}", "type": "log", "exponentformat": "power"}
    layout.update(
        **STREAMLIT_LOOK,
        title=figure_title("Signal std vs weight scale, with and without BN", token),
        annotations=[panel_title(t, d) for t, d in zip(titles, domains)],
        height=400,
        legend=BOTTOM_LEGEND,
        margin={"t": 100, "l": 50, "r": 10, "b": 100},
    )
    return go.Figure({"data": data, "layout": layout})


def spread_figure(spread: Spread, token: str) -> go.Figure:
    """Train-mode output of one example over random batch-mates, against batch size."""
    data = [
        {"type": "box", "y": outputs, "name": f"N = {n}", "boxpoints": False, "marker": {"color": "#1f77b4"}}
        for n, outputs in zip(spread.batch_sizes, spread.train_outputs)
    ]
    eval_line = hline(spread.eval_output, line={"color": "#d62728", "dash": "dash"})
    # Named in the right margin, where no box's whisker can cross it.
    eval_label = {
        "text": f"eval mode<br>{spread.eval_output:.2f}",
        "xref": "x domain",
        "yref": "y",
        "x": 1.0,
        "y": spread.eval_output,
        "xanchor": "left",
        "yanchor": "middle",
        "showarrow": False,
        "font": {"color": "#d62728", "size": 12},
    }
    layout = {
        **STREAMLIT_LOOK,
        "title": figure_title("Train mode: the same example, different batch-mates", token),
        "height": 380,
        "yaxis": {"title": {"text": "normalized output x̂ of the example"}},
        "shapes": [eval_line],
        "annotations": [eval_label],
        "showlegend": False,
        "margin": {"t": 100, "l": 60, "r": 80, "b": 40},
    }
    return go.Figure({"data": data, "layout": layout})


def running_figure(trace: RunningTrace, token: str) -> go.Figure:
    """Running mean and variance over warm-up steps under both conventions, with the truth."""
    titles = ("running mean", "running variance", "eval output error (one example)")
    domains = columns([1.0, 1.0, 1.0], [0.18, 0.18])
    names = {
        "pytorch": "PyTorch (m = 0.1 on the new batch, unbiased var, starts at 1)",
        "cs231n": "CS231n (m = 0.9 on the old value, biased var, starts at 0)",
    }
    panels = (trace.mean, trace.var, trace.eval_error)
    data = [
        {
            "type": "scatter",
            "x": trace.steps,
            "y": series[name],
            "mode": "lines",
            "line": {"color": color},
            "name": names[name],
            "showlegend": i == 1,
            "xaxis": f"x{axis_suffix(i)}",
            "yaxis": f"y{axis_suffix(i)}",
        }
        for name, color in CONVENTION_COLORS.items()
        for i, series in enumerate(panels, start=1)
    ]
    layout: dict = {}
    for i, domain in enumerate(domains, start=1):
        s = axis_suffix(i)
        layout[f"xaxis{s}"] = {"domain": domain, "anchor": f"y{s}", "title": {"text": "warm-up step"}}
        layout[f"yaxis{s}"] = {"domain": [0.0, 1.0], "anchor": f"x{s}"}
    layout["yaxis3"].update(type="log", exponentformat="power")
    truth = [(trace.true_mean, ""), (trace.true_var, "2")]
    # Narrow panels: the longest title in two lines, so it stays over its own panel.
    narrow_titles = (*titles[:2], "eval output error<br>(one example)")
    layout.update(
        **STREAMLIT_LOOK,
        title=figure_title("Running statistics during warm-up", token),
        annotations=[panel_title(t, d) for t, d in zip(titles, domains)],
        shapes=[hline(value, s) for value, s in truth],
        height=440,
        legend=BOTTOM_LEGEND,
        margin={"t": 100, "l": 50, "r": 10, "b": 120},
        meta=narrow_variant(
            {
                "annotations": [panel_title(t, d) for t, d in zip(narrow_titles, domains)],
                "height": 460,
                "margin": {"t": 120, "l": 50, "r": 10, "b": 120},
            }
        ),
    )
    return go.Figure({"data": data, "layout": layout})
