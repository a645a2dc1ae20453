"""Figures of the training lab (pure: a run's record in, go.Figure out).

Plain dicts with explicit axis domains, as in the other labs: make_subplots costs tens of
milliseconds per figure, paid on every tick of live play. Every trace carries pre-binned or
per-record-point data only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from engine.stats import DISPLAY_BINS, FINE_BINS, Summary, shared_display
from engine.train.record import LayerActivity, Record
from engine.train.sweeps import SweepRun
from viz.batchnorm import BN_COLORS
from viz.common import (
    AXIS_BOTTOM_PX,
    BOTTOM_LEGEND,
    LEGEND_ROW_PX,
    NARROW_MIN_PX,
    STREAMLIT_LOOK,
    columns,
    figure_title,
    hline,
    legend_rows,
    narrow_variant,
    panel_title,
    rows,
)

# "This run" first, then the kept runs: Plotly's first six colours, one per run.
RUN_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
MAX_RUNS = len(RUN_COLORS)
MAX_RIDGES = 25
RIDGE_BINS = 60  # bins across the shown range of an unbounded activation's ridges
SPIKE_CLIP = 1.15  # a clipped zero spike is drawn this tall (1 = the tallest other bin)
# Class colours of the decision regions: strong for the points, blended with white for the regions.
CLASS_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
REGION_TINT = 0.3  # share of the class colour in a region's colour (the rest is white)
BN_LABELS = {
    "none": "no batch norm",
    "before": "batch norm before the activation",
    "after": "batch norm after the activation",
}
RULE_OF_THUMB = 1e-3  # CS231n: updates about a thousandth of the weights
RULE_BAND = (1e-4, 1e-2)
# A loss axis reaches at most this many times ln C above it: a run that starts at a loss of
# 1e30 would otherwise squash everything that matters into the bottom strip.
LOSS_CEILING = 1000.0
STYLE_KEYS = {"train": "solid", "validation": "dash"}  # the line styles the loss and accuracy legend explains
HEADROOM = 10**0.5  # a loss axis with diverged runs reaches this many times ln C
DIVERGED_SYMBOL = "x-thin-open"
NOTE_FONT = {"size": 11, "color": "#555"}


@dataclass(frozen=True)
class RunCurves:
    """One run of the loss and accuracy figure: its legend label, its record, and the step at
    which it diverged (None if it did not)."""

    label: str
    record: Record
    diverged_at: int | None


# ---------------------------------------------------------------------------------------------
# Small helpers


def _positive(values: np.ndarray) -> np.ndarray:
    """values as floats, NaN (a gap) where not finite or not > 0: what a log axis can draw."""
    v = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(v) & (v > 0), v, np.nan)


def _finite(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v), v, np.nan)


def _log_range(values: Sequence[float], include: Sequence[float], ceiling: float = math.inf) -> list[float]:
    """log10 range of a log axis holding the finite positive values and `include`, at most `ceiling`."""
    v = np.asarray([*values, *include], dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = (float(v.min()), min(float(v.max()), ceiling)) if v.size else (1.0, 10.0)
    lo, hi = math.log10(lo), math.log10(max(hi, lo))
    pad = max(0.08 * (hi - lo), 0.1)
    return [lo - pad, hi + pad]


def _top_edge(log_range: list[float]) -> float:
    """The value just under the top of a log axis: where an x marks a loss that blew up
    (inside the panel, clear of the panel title above it)."""
    return 10.0 ** (log_range[1] - 0.04 * (log_range[1] - log_range[0]))


def _log_ticks(log_range: list[float]) -> dict:
    """Tick settings of a log axis: labels at powers of ten only once it spans two decades
    (Plotly's 2 and 5 between them crowd a short panel)."""
    return {"dtick": 1} if log_range[1] - log_range[0] >= 2 else {}


def _chance_line(value: float, suffix: str = "") -> dict:
    """A dotted line at a chance level, under the curves (which often run along it)."""
    return {**hline(value, suffix), "layer": "below"}


def _note(text: str, x: float, y: float, xref: str, yref: str, **anchor) -> dict:
    """A small grey label on a panel (lines and bands), with a translucent background."""
    return {
        "text": text,
        "x": x,
        "y": y,
        "xref": xref,
        "yref": yref,
        "showarrow": False,
        "font": NOTE_FONT,
        "bgcolor": "rgba(255,255,255,0.7)",
        **anchor,
    }


def _stacked(count: int, panel_px: int, gap_px: int, top_px: int, bottom_px: int) -> tuple[list, int]:
    """y domains of `count` panels stacked top to bottom, and the figure height that gives each panel_px."""
    domains = rows([panel_px] * count, [gap_px] * (count - 1))
    return domains, top_px + count * panel_px + (count - 1) * gap_px + bottom_px


def _mix(color: str, share: float) -> str:
    """color (#rrggbb) blended with white: share 1 is the colour itself, 0 is white."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - share * (255 - c)):02x}" for c in rgb)


# ---------------------------------------------------------------------------------------------
# 1. Loss and accuracy curves


def _loss_axis_range(runs: Sequence[RunCurves], chance_loss: float) -> list[float]:
    """log10 range of the loss panel.

    A log axis, because losses span decades: a big init starts at tens or thousands while a
    net that learns goes down to 0.01, and ln C (where a good init starts) must stay in the
    middle of the picture. Linear, the first point would flatten everything after it.
    The top stops at LOSS_CEILING x ln C; a curve above it leaves the panel.
    """
    values = [v for run in runs for name in ("train_loss", "val_loss") for v in run.record.series(name)[1]]
    # A diverged run's x sits at the top edge: half a decade above ln C keeps it clear of ln C's label.
    headroom = [HEADROOM * chance_loss] if any(run.diverged_at is not None for run in runs) else []
    return _log_range(values, [chance_loss, *headroom], LOSS_CEILING * chance_loss)


def _run_traces(run: RunCurves, color: str, rank: int) -> list[dict]:
    """Train (solid) and validation (dashed) loss and accuracy of one run, grouped under its label."""
    traces = []
    for split, dash in (("train", "solid"), ("val", "dash")):
        for metric, suffix in (("loss", ""), ("acc", "2")):
            steps, values = run.record.series(f"{split}_{metric}")
            name = f"{split} {'loss' if metric == 'loss' else 'accuracy'}"
            number = "%{y:.3g}" if metric == "loss" else "%{y:.1%}"
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": steps,
                    "y": _positive(values) if metric == "loss" else _finite(values),
                    "name": run.label,
                    "legendgroup": run.label,
                    "legendrank": rank,
                    # One legend entry per run: its solid train loss line.
                    "showlegend": split == "train" and metric == "loss",
                    "line": {"color": color, "dash": dash, "width": 2 if rank == 1 else 1.5},
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                    "hovertemplate": f"{run.label} · step %{{x}} · {name} {number}<extra></extra>",
                }
            )
    return traces


def _divergence_traces(run: RunCurves, color: str, loss_top: float) -> list[dict]:
    """Where a diverged run ends: a dotted line from its last point up to the loss panel's top
    edge, and an x there; on the accuracy panel an x where its validation curve stops."""
    n = run.diverged_at
    hover = f"{run.label} · diverged at step {n}<extra></extra>"
    points = run.record.points
    last_step = points[-1].step if points else n
    last_acc = points[-1].val_acc if points and math.isfinite(points[-1].val_acc) else math.nan
    common = {"legendgroup": run.label, "showlegend": False, "name": run.label}
    marker = {"symbol": DIVERGED_SYMBOL, "size": 12, "color": color, "line": {"width": 3, "color": color}}
    loss_y = points[-1].train_loss if points and math.isfinite(points[-1].train_loss) else loss_top
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": [last_step, n],
            "y": [min(loss_y, loss_top), loss_top],
            "line": {"color": color, "dash": "dot", "width": 1.5},
            "hoverinfo": "skip",
            **common,
        },
        {
            "type": "scatter",
            "mode": "markers",
            "x": [n],
            "y": [loss_top],
            "marker": marker,
            "cliponaxis": False,
            "hovertemplate": hover,
            **common,
        },
    ]
    if math.isfinite(last_acc):
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [n],
                "y": [last_acc],
                "marker": marker,
                "xaxis": "x2",
                "yaxis": "y2",
                "cliponaxis": False,
                "hovertemplate": hover,
                **common,
            }
        )
    return traces


def curves_figure(runs: Sequence[RunCurves], planned_steps: int, chance_loss: float, subtitle: str) -> go.Figure:
    """Loss (log axis) and accuracy against step, train solid and validation dashed, for up to
    MAX_RUNS runs (the first is this run, the others kept ones), each in its own colour.

    The step axis spans [0, planned_steps] so that a run being played fills a fixed axis. A
    diverged run ends at its divergence step with an x. Wide, the panels sit side by side;
    narrow, stacked.
    """
    runs = list(runs)[:MAX_RUNS]
    loss_range = _loss_axis_range(runs, chance_loss)
    loss_top = _top_edge(loss_range)
    # Two legend entries that only explain the line styles (colours are runs).
    data: list[dict] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": [None],
            "y": [None],
            "name": name,
            "legendrank": rank,
            "line": {"color": "#555", "dash": dash, "width": 1.5},
            "hoverinfo": "skip",
        }
        for rank, (name, dash) in enumerate(STYLE_KEYS.items(), start=MAX_RUNS + 1)
    ]
    # Kept runs first, this run last: it is drawn on top of them (the legend still lists it first).
    for rank, run in reversed(list(enumerate(runs, start=1))):
        color = RUN_COLORS[rank - 1]
        data += _run_traces(run, color, rank)
        if run.diverged_at is not None:
            data += _divergence_traces(run, color, loss_top)
    ends = [run.record.points[-1].step for run in runs if run.record.points]
    last = max([*ends, *(run.diverged_at for run in runs if run.diverged_at is not None)], default=0)
    step_axis = {"title": {"text": "step"}, "range": [0, max(planned_steps, last, 1)], "zeroline": False}
    chance_acc = 1.0 / math.exp(chance_loss)
    loss_note = _note(f"ln C = {chance_loss:.3f}", 1.0, math.log10(chance_loss), "x domain", "y", xanchor="right")
    acc_note = _note(f"chance 1/C = {chance_acc:.0%}", 1.0, chance_acc, "x2 domain", "y2", xanchor="right")
    # ln C above its line, chance accuracy under it, at the right: where the curves rarely are
    # (and, while a run plays, not yet).
    loss_note["yanchor"], acc_note["yanchor"] = "bottom", "top"
    # Labels a little off the axis: a diverged run's x near step 0 stays clear of them.
    value_axis = {"ticklabelstandoff": 6}
    loss_axis = {**value_axis, "type": "log", "range": loss_range, "title": {"text": "loss"}, **_log_ticks(loss_range)}
    acc_axis = {**value_axis, "range": [-0.03, 1.03], "tickformat": ".0%", "title": {"text": "accuracy"}}
    titles = ("softmax loss", "accuracy")
    # The legend is sized for the narrowest chart, where it wraps most.
    legend_px = LEGEND_ROW_PX * legend_rows([*STYLE_KEYS, *(r.label for r in runs)], NARROW_MIN_PX - 75)
    bottom_px = AXIS_BOTTOM_PX + legend_px + 8
    wide_x = columns([1.0, 1.0], [0.22])
    layout = {
        **STREAMLIT_LOOK,
        "title": figure_title("Loss and accuracy", subtitle),
        "xaxis": {**step_axis, "domain": wide_x[0], "anchor": "y"},
        "yaxis": {**loss_axis, "domain": [0.0, 1.0], "anchor": "x"},
        "xaxis2": {**step_axis, "domain": wide_x[1], "anchor": "y2"},
        "yaxis2": {**acc_axis, "domain": [0.0, 1.0], "anchor": "x2"},
        "shapes": [_chance_line(chance_loss), _chance_line(chance_acc, "2")],
        "annotations": [*(panel_title(t, d) for t, d in zip(titles, wide_x)), loss_note, acc_note],
        "legend": BOTTOM_LEGEND,
        "hovermode": "closest",
        "height": 110 + 280 + bottom_px,
        "margin": {"t": 110, "l": 60, "r": 15, "b": bottom_px},
    }
    (loss_d, acc_d), narrow_height = _stacked(2, 220, 85, 110, bottom_px)
    layout["meta"] = narrow_variant(
        {
            "xaxis": {**layout["xaxis"], "domain": [0.0, 1.0]},
            "yaxis": {**layout["yaxis"], "domain": loss_d},
            "xaxis2": {**layout["xaxis2"], "domain": [0.0, 1.0]},
            "yaxis2": {**layout["yaxis2"], "domain": acc_d},
            "annotations": [
                {**panel_title(titles[0], [0.0, 1.0]), "y": loss_d[1]},
                {**panel_title(titles[1], [0.0, 1.0]), "y": acc_d[1]},
                loss_note,
                acc_note,
            ],
            "height": narrow_height,
        }
    )
    return go.Figure({"data": data, "layout": layout})


# ---------------------------------------------------------------------------------------------
# 2. Layer x time heatmaps


def _layer_grid(record: Record, kind: str) -> np.ndarray:
    """(hidden layers, points) of the std of each hidden layer's activations ("act") or gradients ("grad")."""
    points = record.points
    depth = len(points[0].hidden) if points else 0
    grid = np.full((depth, len(points)), np.nan)
    for j, point in enumerate(points):
        for i, layer in enumerate(point.hidden):
            grid[i, j] = getattr(layer, kind).std
    return grid


def _decade_ticks(lo: int, hi: int) -> tuple[list[int], list[str]]:
    """Colour bar ticks at whole decades between lo and hi (every other one past eight)."""
    step = 1 if hi - lo <= 8 else 2
    exps = list(range(lo, hi + 1, step))
    return exps, [f"1e{e}" if e not in (0, 1) else f"{10**e}" for e in exps]


def _log_grid(grid: np.ndarray) -> tuple[np.ndarray, int, int]:
    """log10 of the positive finite entries (gaps elsewhere), and the whole decades around them."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(np.isfinite(grid) & (grid > 0), np.log10(grid), np.nan)
    finite = logs[np.isfinite(logs)]
    lo = math.floor(finite.min()) if finite.size else -3
    hi = max(math.ceil(finite.max()) if finite.size else 0, lo + 1)
    return logs, lo, hi


def layer_time_figure(record: Record, subtitle: str) -> go.Figure:
    """Per hidden layer (rows, layer 1 at the top) and record point (columns): the std of the
    activations and the std of the gradient arriving at the layer's output, both on log10
    colour scales: a signal that shrinks tenfold per layer (the lecture's 0.01·randn) is a
    colour step per row, where a linear scale would paint every deep layer the same. Zero
    or non-finite values are gaps.

    Wide, side by side; narrow, stacked.
    """
    steps = [p.step for p in record.points]
    act = _layer_grid(record, "act")
    grad = _layer_grid(record, "grad")
    log_act, act_lo, act_hi = _log_grid(act)
    log_grad, lo, hi = _log_grid(grad)
    act_ticks, act_text = _decade_ticks(act_lo, act_hi)
    tickvals, ticktext = _decade_ticks(lo, hi)
    depth = act.shape[0]
    layers = list(range(1, depth + 1))
    wide_x = [[d[0], d[1] - 0.06] for d in columns([1.0, 1.0], [0.3])]
    bar = {"thickness": 12, "len": 1.0, "y": 0.5, "yanchor": "middle", "title": {"side": "right"}}
    act_bar = {
        **bar,
        "x": wide_x[0][1] + 0.015,
        "title": {"text": "std (log scale)", "side": "right"},
        "tickvals": act_ticks,
        "ticktext": act_text,
    }
    grad_bar = {
        **bar,
        "x": wide_x[1][1] + 0.015,
        "title": {"text": "std (log scale)", "side": "right"},
        "tickvals": tickvals,
        "ticktext": ticktext,
    }
    common = {"type": "heatmap", "x": steps, "y": layers, "zsmooth": False, "hoverongaps": False}
    data = [
        {
            **common,
            "z": log_act,
            "customdata": np.where(np.isfinite(act), act, np.nan),
            "zmin": act_lo,
            "zmax": act_hi,
            "colorscale": "Viridis",
            "colorbar": act_bar,
            "hovertemplate": "layer %{y} · step %{x} · activation std %{customdata:.3g}<extra></extra>",
        },
        {
            **common,
            "z": log_grad,
            "customdata": np.where(np.isfinite(grad), grad, np.nan),
            "zmin": lo,
            "zmax": hi,
            "colorscale": "Cividis",
            "colorbar": grad_bar,
            "xaxis": "x2",
            "yaxis": "y2",
            "hovertemplate": "layer %{y} · step %{x} · gradient std %{customdata:.2e}<extra></extra>",
        },
    ]
    layer_axis = {
        "title": {"text": "hidden layer"},
        "autorange": "reversed",
        "tickmode": "array",
        "tickvals": layers if depth <= 12 else layers[:: math.ceil(depth / 10)],
    }
    step_axis = {"title": {"text": "step"}}
    titles = ("activation std", "gradient std (dL/d layer output)")
    layout = {
        **STREAMLIT_LOOK,
        "title": figure_title("Each layer over training", subtitle),
        "xaxis": {**step_axis, "domain": wide_x[0], "anchor": "y"},
        "yaxis": {**layer_axis, "domain": [0.0, 1.0], "anchor": "x"},
        "xaxis2": {**step_axis, "domain": wide_x[1], "anchor": "y2"},
        "yaxis2": {**layer_axis, "domain": [0.0, 1.0], "anchor": "x2"},
        "annotations": [panel_title(t, d) for t, d in zip(titles, wide_x)],
        "height": 100 + max(200, 24 * depth) + 60,
        "margin": {"t": 100, "l": 60, "r": 40, "b": 60},
    }
    panel_px = max(170, 20 * depth)
    (act_d, grad_d), narrow_height = _stacked(2, panel_px, 100, 100, 60)
    narrow_x = [0.0, 0.86]
    narrow = {
        "xaxis": {**layout["xaxis"], "domain": narrow_x},
        "yaxis": {**layout["yaxis"], "domain": act_d},
        "xaxis2": {**layout["xaxis2"], "domain": narrow_x},
        "yaxis2": {**layout["yaxis2"], "domain": grad_d},
        "annotations": [{**panel_title(t, narrow_x), "y": d[1]} for t, d in zip(titles, (act_d, grad_d))],
        "height": narrow_height,
    }
    narrow_bars = [
        {"colorbar": {**b, "x": narrow_x[1] + 0.02, "y": sum(d) / 2, "len": d[1] - d[0]}}
        for b, d in ((act_bar, act_d), (grad_bar, grad_d))
    ]
    layout["meta"] = narrow_variant(narrow, narrow_bars)
    return go.Figure({"data": data, "layout": layout})


# ---------------------------------------------------------------------------------------------
# 3. Ridge plot of one layer's activation histograms over training


def layers_with_histograms(record: Record) -> tuple[int, ...]:
    """The 1-based hidden layers whose activation histograms the record keeps (all of a
    shallow net, an even spread of a deep one; see engine.stats.histogram_layers)."""
    if not record.points:
        return ()
    return tuple(i + 1 for i, layer in enumerate(record.points[-1].hidden) if layer.act.counts is not None)


def _even_picks(count: int, most: int = MAX_RIDGES) -> list[int]:
    """At most `most` indices of range(count) at an even stride (record points are evenly
    spaced in steps, so the picks are too), the first and the last always included."""
    stride = max(1, math.ceil((count - 1) / (most - 1))) if count > 1 else 1
    picks = list(range(0, count, stride))
    if picks[-1] != count - 1:
        picks.append(count - 1)
    return picks


def _ridge_heights(summary: Summary, counts: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, bool]:
    """counts normalised to their maximum, and whether a spike of exact zeros (dead ReLU
    units) was clipped: it would flatten the rest, so the rest sets the scale and the spike
    is drawn a little taller than it (as in the activation lab)."""
    counts = counts.astype(float)
    zero_bin = math.floor((0.0 - lo) / (hi - lo) * counts.size) if lo <= 0.0 < hi else -1
    if summary.n_zero > 0 and zero_bin >= 0:
        rest = np.delete(counts, zero_bin).max(initial=0.0)
        if rest > 0 and counts[zero_bin] > 3 * rest:
            heights = counts / rest
            heights[zero_bin] = SPIKE_CLIP
            return heights, True
    top = counts.max(initial=0.0)
    return (counts / top if top > 0 else counts), False


def _step_labels(steps: list[int], offsets: list[float], most: int = 8) -> tuple[list[float], list[str]]:
    """y ticks naming the steps of some ridges at an even stride: the first and the last among them."""
    stride = max(1, math.ceil(len(steps) / most))
    keep, last = list(range(0, len(steps), stride)), len(steps) - 1
    if keep[-1] != last:
        # The last ridge is always named; a label too close before it gives way.
        if len(keep) > 1 and last - keep[-1] < stride:
            keep[-1] = last
        else:
            keep.append(last)
    return [offsets[i] for i in keep], [f"step {steps[i]}" for i in keep]


def _ridge_colors(count: int) -> list[str]:
    """Light (early) to dark (late) blues."""
    light, dark = np.array([198, 219, 239]), np.array([8, 48, 107])
    mix = np.linspace(0.0, 1.0, count) if count > 1 else np.ones(1)
    return ["#" + "".join(f"{round(c):02x}" for c in light + m * (dark - light)) for m in mix]


def _empty_ridge(text: str, layer: int, subtitle: str) -> go.Figure:
    layout = {
        **STREAMLIT_LOOK,
        "title": figure_title(f"Activations of hidden layer {layer} over training", subtitle),
        "xaxis": {"visible": False},
        "yaxis": {"visible": False},
        "annotations": [_note(text, 0.5, 0.5, "paper", "paper", font={"size": 14})],
        "height": 300,
        "margin": {"t": 100, "l": 20, "r": 20, "b": 20},
    }
    return go.Figure({"data": [], "layout": layout})


def _ridge_window(activity: list[LayerActivity], lo: float, hi: float) -> tuple[float, float]:
    """The x range shown: the whole grid for a bounded activation; for an unbounded one, the
    1st to 99th percentiles of every point, widened by 30%, so that a few outliers do not
    squeeze the bulk into a corner (their bins run off the axis)."""
    if all(a.act.bin_exp is None for a in activity):
        return lo, hi
    p1 = min((a.act_percentiles[0] for a in activity if math.isfinite(a.act_percentiles[0])), default=lo)
    p99 = max((a.act_percentiles[-1] for a in activity if math.isfinite(a.act_percentiles[-1])), default=hi)
    pad = 0.3 * max(p99 - p1, 0.0)
    x_lo, x_hi = max(lo, p1 - pad), min(hi, p99 + pad)
    return (x_lo, x_hi) if x_hi > x_lo else (lo, hi)


def _regroup(binned: list[np.ndarray], lo: float, hi: float, window: float) -> tuple[list[np.ndarray], float]:
    """Adjacent bins summed in groups so that about RIDGE_BINS of them span the shown window;
    returns the counts and the new grid's upper end (its lower end stays lo)."""
    n = binned[0].size
    width = (hi - lo) / n
    group = max(1, math.ceil(window / width / RIDGE_BINS))
    pad = (-n) % group
    merged = [np.pad(c, (0, pad)).reshape(-1, group).sum(axis=1) for c in binned]
    return merged, lo + width * (n + pad)


def ridge_figure(record: Record, layer: int, activation_label: str, subtitle: str) -> go.Figure:
    """The activation histograms of one hidden layer (1-based) over training, TensorBoard's
    offset view: one filled curve per record point (at most MAX_RIDGES at an even stride, the
    first and last included), each normalised to its own maximum, earliest at the back (top,
    light) and latest in front (bottom, dark). All on one x grid: a ReLU layer's histograms,
    on grids fitted to each point, are merged exactly (engine.stats.shared_display).

    A layer without histograms (deep nets keep them for some layers: layers_with_histograms)
    gives a figure that says so.
    """
    points = record.points
    depth = len(points[0].hidden) if points else 0
    if not points:
        return _empty_ridge("No record points yet.", layer, subtitle)
    if not 1 <= layer <= depth:
        return _empty_ridge(f"The net has no hidden layer {layer}.", layer, subtitle)
    if points[-1].hidden[layer - 1].act.counts is None:
        shown = ", ".join(map(str, layers_with_histograms(record)))
        text = f"Layer {layer} keeps no histograms.<br>A deep net keeps them for layers {shown}."
        return _empty_ridge(text, layer, subtitle)
    chosen = [points[i] for i in _even_picks(len(points))]
    activity = [p.hidden[layer - 1] for p in chosen]
    summaries = [a.act for a in activity]
    if all(s.n_finite == 0 for s in summaries):
        return _empty_ridge(f"Layer {layer} has no finite activations.", layer, subtitle)
    aligned = any(s.bin_exp is not None for s in summaries)
    # Fixed edges merge in groups of their own bins (DISPLAY_BINS); aligned grids onto the finest common one.
    lo, hi, binned = shared_display(summaries, most=FINE_BINS if aligned else DISPLAY_BINS)
    x_lo, x_hi = _ridge_window(activity, lo, hi)
    if aligned:
        binned, hi = _regroup(binned, lo, hi, x_hi - x_lo)
    centers = lo + (hi - lo) * (np.arange(binned[0].size) + 0.5) / binned[0].size
    spacing = min(0.6, 8.0 / len(chosen))
    # The latest at offset 0 in front, each earlier one `spacing` higher behind it.
    offsets = [spacing * (len(chosen) - 1 - k) for k in range(len(chosen))]
    colors = _ridge_colors(len(chosen))
    data, clipped_any = [], False
    for point, summary, counts, offset, color in zip(chosen, summaries, binned, offsets, colors):
        heights, clipped = _ridge_heights(summary, counts, lo, hi)
        clipped_any |= clipped
        share = counts / max(summary.n_finite, 1)
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": np.concatenate([[lo], centers, [hi]]).round(6),
                "y": (offset + np.concatenate([[0.0], heights, [0.0]])).round(4),
                "fill": "toself",
                "fillcolor": color,
                "line": {"color": "white", "width": 1},
                "name": f"step {point.step}",
                "showlegend": False,
                "customdata": np.concatenate([[np.nan], share, [np.nan]]),
                "hovertemplate": (
                    f"step {point.step} · activation %{{x:.3g}}: %{{customdata:.1%}} of values<extra></extra>"
                ),
            }
        )
    tickvals, ticktext = _step_labels([p.step for p in chosen], offsets)
    beyond = any(s.n_finite and (s.max > x_hi or s.min < x_lo) for s in summaries)
    notes = [*(["zero spike clipped"] if clipped_any else []), *(["outliers off the axis"] if beyond else [])]
    x_title = f"activation ({activation_label}) of hidden layer {layer}" + "".join(f" · {n}" for n in notes)
    layout = {
        **STREAMLIT_LOOK,
        "title": figure_title(f"Activations of hidden layer {layer} over training", subtitle),
        "xaxis": {"title": {"text": x_title}, "range": [x_lo, x_hi], "zeroline": False, "showgrid": False},
        "yaxis": {
            "tickmode": "array",
            "tickvals": tickvals,
            "ticktext": ticktext,
            # From a little under the front ridge: its label stays clear of the x axis's first label.
            "range": [-0.3, offsets[0] + SPIKE_CLIP + 0.1],
            "showgrid": False,
            "zeroline": False,
        },
        "hovermode": "closest",
        "height": 480,
        "margin": {"t": 90, "l": 80, "r": 15, "b": 60},
    }
    return go.Figure({"data": data, "layout": layout})


# ---------------------------------------------------------------------------------------------
# 4. Update-to-weight ratios


def _depth_colors(count: int) -> list[str]:
    """One colour per weight layer, from the first (light) to the last (dark)."""
    return sample_colorscale("Viridis", list(np.linspace(0.85, 0.0, count)) if count > 1 else [0.0])


def update_ratio_figure(record: Record, subtitle: str) -> go.Figure:
    """||step|| / ||W|| of every weight layer against step on a log axis, with CS231n's rule of
    thumb (about 1e-3) as a dotted line in a light band from 1e-4 to 1e-2. Zero and non-finite
    ratios (a layer whose weights are all 0) are left out."""
    depth = len(record.points[0].weights) if record.points else 0
    colors = _depth_colors(depth)
    data, values = [], []
    for i in range(depth):
        steps, ratios = record.layer_series(i, "update_ratio")
        keep = np.isfinite(ratios) & (ratios > 0)
        values += list(ratios[keep])
        name = f"W{i + 1}" + (" (output)" if i == depth - 1 else "")
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers" if keep.sum() < 30 else "lines",
                "x": steps[keep],
                "y": ratios[keep],
                "name": name,
                "line": {"color": colors[i], "width": 1.5, "dash": "dash" if i == depth - 1 else "solid"},
                "marker": {"size": 4},
                "hovertemplate": f"{name} · step %{{x}} · update/weight %{{y:.2e}}<extra></extra>",
            }
        )
    y_range = _log_range(values, RULE_BAND)
    band = {
        "type": "rect",
        "xref": "x domain",
        "yref": "y",
        "x0": 0,
        "x1": 1,
        "y0": RULE_BAND[0],
        "y1": RULE_BAND[1],
        "fillcolor": "rgba(44,160,44,0.07)",
        "line": {"width": 0},
        "layer": "below",
    }
    note = _note(
        "1e-3 (CS231n's rule of thumb)",
        0.0,
        math.log10(RULE_OF_THUMB),
        "x domain",
        "y",
        xanchor="left",
        yanchor="bottom",
    )
    legend_px = LEGEND_ROW_PX * legend_rows([t["name"] for t in data], NARROW_MIN_PX - 80)
    bottom_px = AXIS_BOTTOM_PX + legend_px + 8
    layout = {
        **STREAMLIT_LOOK,
        "title": figure_title("Update-to-weight ratio per layer", subtitle),
        "xaxis": {"title": {"text": "step"}, "zeroline": False},
        "yaxis": {
            "type": "log",
            "range": y_range,
            "exponentformat": "power",
            "title": {"text": "‖update‖ / ‖W‖"},
            "ticklabelstandoff": 8,  # off the corner, where the lowest power of ten met the step axis's 0
            **_log_ticks(y_range),
        },
        "shapes": [band, {**hline(RULE_OF_THUMB), "layer": "below"}],
        "annotations": [note],
        "legend": BOTTOM_LEGEND,
        "hovermode": "closest",
        "height": 90 + 300 + bottom_px,
        "margin": {"t": 90, "l": 70, "r": 15, "b": bottom_px},
    }
    return go.Figure({"data": data, "layout": layout})


# ---------------------------------------------------------------------------------------------
# 5. Decision regions on a 2-D data set


def decision_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    classes: np.ndarray,
    points_x: np.ndarray,
    points_y: np.ndarray,
    class_count: int,
    subtitle: str,
) -> go.Figure:
    """The plane coloured by the predicted class (classes: (len(ys), len(xs)) ints on the grid
    xs x ys), as in TensorFlow Playground, with the training points (points_x (N, 2), labels
    points_y (N,)) on top in their class's stronger colour; equal axes."""
    k = max(int(class_count), 1)
    strong = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(k)]
    # A discrete scale: class c fills [c / k, (c + 1) / k] of it, mapped to z in [-0.5, k - 0.5].
    scale = [[edge, _mix(color, REGION_TINT)] for c, color in enumerate(strong) for edge in (c / k, (c + 1) / k)]
    data = [
        {
            "type": "heatmap",
            "x": np.asarray(xs, dtype=float),
            "y": np.asarray(ys, dtype=float),
            "z": np.asarray(classes),
            "zmin": -0.5,
            "zmax": k - 0.5,
            "zsmooth": False,
            "colorscale": scale,
            "showscale": False,
            "hovertemplate": "(%{x:.2f}, %{y:.2f}): predicted class %{z}<extra></extra>",
        }
    ]
    points_x, points_y = np.asarray(points_x, dtype=float), np.asarray(points_y)
    for c in range(k):
        mine = points_x[points_y == c]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": mine[:, 0],
                "y": mine[:, 1],
                "name": f"class {c}",
                "marker": {"color": strong[c], "size": 7, "line": {"color": "white", "width": 1}},
                "hovertemplate": f"class {c} · (%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            }
        )
    x_range = [float(np.min(xs)), float(np.max(xs))]
    y_range = [float(np.min(ys)), float(np.max(ys))]
    layout = {
        **STREAMLIT_LOOK,
        "title": figure_title("Decision regions", subtitle),
        "xaxis": {"range": x_range, "title": {"text": "x₁ (preprocessed)"}, "constrain": "domain", "zeroline": False},
        "yaxis": {
            "range": y_range,
            "title": {"text": "x₂ (preprocessed)"},
            "scaleanchor": "x",
            "scaleratio": 1,
            "constrain": "domain",
            "zeroline": False,
        },
        # Centred under the square plot, which equal axes centre in a wide chart.
        "legend": {**BOTTOM_LEGEND, "x": 0.5, "xanchor": "center"},
        "hovermode": "closest",
        "height": 580,
        "margin": {"t": 90, "l": 60, "r": 15, "b": AXIS_BOTTOM_PX + LEGEND_ROW_PX + 8},
    }
    return go.Figure({"data": data, "layout": layout})


# ---------------------------------------------------------------------------------------------
# 6. Sweeps over the weight scale or the learning rate

SWEPT_AXES = {
    "scale": ("weight scale (W = scale · randn)", "scale"),
    "lr": ("learning rate", "lr"),
}


def _sweep_traces(runs: list[SweepRun], bn: str, short: str, loss_top: float) -> list[dict]:
    """One batch-norm choice: final loss and best validation accuracy against the swept value;
    a diverged run is an x at the loss panel's top edge and on its accuracy point."""
    runs = sorted(runs, key=lambda r: r.value)
    color, name = BN_COLORS.get(bn, "#9467bd"), BN_LABELS.get(bn, bn)
    values = np.array([r.value for r in runs], dtype=float)
    diverged = np.array([r.diverged_at is not None for r in runs], dtype=bool)
    loss = _positive([r.final_loss if r.diverged_at is None else math.nan for r in runs])
    acc = _finite([r.best_val_acc for r in runs])
    notes = np.array([f"diverged at step {r.diverged_at}" if r.diverged_at is not None else "" for r in runs])
    common = {"legendgroup": bn, "name": name}
    x_hover = f"{short} %{{x:.3g}}"
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": values,
            "y": loss,
            "line": {"color": color},
            "marker": {"size": 6},
            "hovertemplate": f"{name}<br>{x_hover} · final training loss %{{y:.3g}}<extra></extra>",
            **common,
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": values,
            "y": acc,
            "line": {"color": color},
            "marker": {
                "size": np.where(diverged, 12, 6),
                "symbol": np.where(diverged, DIVERGED_SYMBOL, "circle"),
                "line": {"color": color, "width": 2.5},
            },
            "customdata": notes,
            "showlegend": False,
            "xaxis": "x2",
            "yaxis": "y2",
            "hovertemplate": f"{name}<br>{x_hover} · best val accuracy %{{y:.1%}} %{{customdata}}<extra></extra>",
            **common,
        },
    ]
    if diverged.any():
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": values[diverged],
                "y": np.full(int(diverged.sum()), loss_top),
                "marker": {"symbol": DIVERGED_SYMBOL, "size": 12, "color": color, "line": {"width": 3, "color": color}},
                "customdata": notes[diverged],
                "cliponaxis": False,
                "showlegend": False,
                "hovertemplate": f"{name}<br>{x_hover} · %{{customdata}}<extra></extra>",
                **common,
            }
        )
    return traces


def sweep_figure(runs: Sequence[SweepRun], swept: str, chance_loss: float, subtitle: str) -> go.Figure:
    """Final training loss (log axis; diverged runs as x at the top edge) and best validation
    accuracy against the swept weight scale ("scale") or learning rate ("lr"), one line per
    batch-norm choice, with ln C and chance accuracy 1/C marked. Wide, side by side; narrow, stacked."""
    x_title, short = SWEPT_AXES[swept]
    finite = [r.final_loss for r in runs if r.diverged_at is None]
    loss_range = _log_range(finite, [chance_loss, HEADROOM * chance_loss], LOSS_CEILING * chance_loss)
    loss_top = _top_edge(loss_range)
    choices = list(dict.fromkeys(r.bn for r in runs))
    data = [t for bn in choices for t in _sweep_traces([r for r in runs if r.bn == bn], bn, short, loss_top)]
    chance_acc = 1.0 / math.exp(chance_loss)
    values = [r.value for r in runs if r.value > 0]
    span = math.log10(max(values) / min(values)) if values else 0.0
    value_axis = {"type": "log", "exponentformat": "power", "title": {"text": x_title}, **_log_ticks([0.0, span])}
    loss_note = _note(f"ln C = {chance_loss:.3f}", 0.0, math.log10(chance_loss), "x domain", "y", xanchor="left")
    acc_note = _note(f"chance 1/C = {chance_acc:.0%}", 0.0, chance_acc, "x2 domain", "y2", xanchor="left")
    # ln C above its line, chance accuracy under it, at the small values' end: where the curves
    # rarely are (diverged runs sit at the other end).
    loss_note["yanchor"], acc_note["yanchor"] = "bottom", "top"
    titles = ("final training loss (x: diverged)", "best validation accuracy")
    legend_px = LEGEND_ROW_PX * legend_rows([BN_LABELS.get(bn, bn) for bn in choices], NARROW_MIN_PX - 70)
    bottom_px = AXIS_BOTTOM_PX + legend_px + 8
    wide_x = columns([1.0, 1.0], [0.22])
    layout = {
        **STREAMLIT_LOOK,
        "title": figure_title("Sweep: " + ("weight scale" if swept == "scale" else "learning rate"), subtitle),
        "xaxis": {**value_axis, "domain": wide_x[0], "anchor": "y"},
        "yaxis": {
            "type": "log",
            "range": loss_range,
            "domain": [0.0, 1.0],
            "anchor": "x",
            "title": {"text": "loss"},
            **_log_ticks(loss_range),
        },
        "xaxis2": {**value_axis, "domain": wide_x[1], "anchor": "y2"},
        "yaxis2": {
            "range": [-0.03, 1.03],
            "tickformat": ".0%",
            "domain": [0.0, 1.0],
            "anchor": "x2",
            "title": {"text": "accuracy"},
        },
        "shapes": [_chance_line(chance_loss), _chance_line(chance_acc, "2")],
        "annotations": [*(panel_title(t, d) for t, d in zip(titles, wide_x)), loss_note, acc_note],
        "legend": BOTTOM_LEGEND,
        "hovermode": "closest",
        "height": 100 + 280 + bottom_px,
        "margin": {"t": 100, "l": 60, "r": 15, "b": bottom_px},
    }
    (loss_d, acc_d), narrow_height = _stacked(2, 220, 90, 100, bottom_px)
    layout["meta"] = narrow_variant(
        {
            "xaxis": {**layout["xaxis"], "domain": [0.0, 1.0]},
            "yaxis": {**layout["yaxis"], "domain": loss_d},
            "xaxis2": {**layout["xaxis2"], "domain": [0.0, 1.0]},
            "yaxis2": {**layout["yaxis2"], "domain": acc_d},
            "annotations": [
                {**panel_title(titles[0], [0.0, 1.0]), "y": loss_d[1]},
                {**panel_title(titles[1], [0.0, 1.0]), "y": acc_d[1]},
                loss_note,
                acc_note,
            ],
            "height": narrow_height,
        }
    )
    return go.Figure({"data": data, "layout": layout})
