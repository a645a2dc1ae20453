"""The activation lab's figure: per-layer histograms of each kind, then per-layer moments.

Built from plain dicts, with every histogram block packed on one pair of axes:
the browser draws a few axes several times faster than one subplot per layer,
and only pre-binned counts are sent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from engine.activations import ACTIVATIONS
from engine.diagnose import percent
from engine.init import INITIALIZERS
from engine.propagate import LayerResult, SimResult
from engine.stats import DISPLAY_BINS, Summary, shared_display
from engine.theory.predict import Prediction
from viz.common import STREAMLIT_LOOK, figure_title

MAX_COLUMNS = 6
COLORS = {"act": "#1f77b4", "pre": "#7f7f7f", "dphi": "#2ca02c", "grad": "#d62728", "wgrad": "#8c564b"}
KIND_TITLES = {
    "act": "Activations",
    "pre": "Pre-activations",
    "dphi": "Local gradients φ′(z)",
    "grad": "Gradients wrt activations",
}
BLOCK_TITLES = {
    **{k: f"{v} per layer" for k, v in KIND_TITLES.items()},
    "moments": "Mean and std per layer; weight-gradient std",
}
PANEL_PITCH = 1.2  # a panel is 1 unit wide; the rest is the gap between columns
UNIT_PX = 105  # pixels per unit of panel height
LABEL_LINE = 0.15  # height of one line of a panel label, in units
SPIKE_CLIP = 1.15  # a clipped ReLU zero spike is drawn this tall (1 = the tallest other bar)
BLOCK_TITLE_PX = 34
GAP_PX = 56
MOMENTS_PX = 300
# Six panels side by side keep their labels apart down to this chart width (a 1024 px
# laptop with the sidebar open); narrower, the chart scrolls sideways.
LAYER_FIGURE_MIN_WIDTH = 560


@dataclass(frozen=True)
class Setting:
    """One of two compared settings: its name in legends and labels, and its colour."""

    name: str
    color: str


COMPARED = (Setting("A", "#1f77b4"), Setting("B", "#e4780c"))


def _prefix(setting: Setting | None) -> str:
    """'B · ' before a compared setting's trace names and hover texts; nothing in the single view."""
    return "" if setting is None else f"{setting.name} · "


def view_token(result: SimResult) -> str:
    """A short description of the view; goes into every title, so a redraw is visible."""
    cfg = result.config
    spec = INITIALIZERS[cfg.init]
    if spec.uses_scale:
        symbol = {"normal": "σ", "uniform": "a", "constant": "c"}[spec.family]
        init = f"{cfg.init} {symbol}={cfg.scale:g}"
    elif spec.uses_gain and cfg.gain is not None:
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
    return {"act": layer.act, "pre": layer.pre, "dphi": layer.dphi, "grad": layer.grad}[kind]


def _symmetric(result: SimResult, kind: str) -> bool:
    """Whether a block's shared range is centred on 0: for values whose sign is symmetric."""
    return kind in ("pre", "grad") or (kind == "act" and result.config.activation == "linear")


def _spike_is_clipped(counts: np.ndarray, kind: str, result: SimResult) -> bool:
    """ReLU's exact zeros pile into one bar (the first: the range starts at 0) that would
    flatten the rest of the histogram."""
    if kind != "act" or not ACTIVATIONS[result.config.activation].can_die:
        return False
    rest = counts[1:].max(initial=0)
    return rest > 0 and counts[0] > 3 * rest


def _panel_stats(s: Summary, counts: np.ndarray, kind: str, result: SimResult) -> str:
    # One short line per number, so that six panels fit side by side on a laptop with the sidebar open.
    text = f"mean {_fmt(s.mean)}<br>std {_fmt(s.std)}"
    if _spike_is_clipped(counts, kind, result):
        text += f"<br>{percent(s.n_zero / max(s.n_finite, 1))} zeros<br>bar clipped"
    if s.frac_outside > 0:
        text += f"<br>{percent(s.frac_outside)} outside"  # counted in the end bars
    return text


def _panel_path(counts: np.ndarray, clip_at: float | None, x0: float, y0: float) -> np.ndarray:
    """A filled step outline of one histogram, scaled to unit width and height at (x0, y0).

    Rows are vertices (x, y): the base's left end, both top corners of every bar, the
    base's right end, then NaN, which Plotly draws as a gap before the next panel.
    """
    top = clip_at if clip_at else max(float(counts.max()), 1.0)
    heights = np.minimum(counts / top, SPIKE_CLIP)
    edges = x0 + np.linspace(0.0, 1.0, counts.size + 1)
    xs = np.concatenate([edges[:1], np.repeat(edges, 2)[1:-1], edges[-1:], [np.nan]])
    ys = np.concatenate([[y0], y0 + np.repeat(heights, 2), [y0, np.nan]])
    return np.column_stack([xs.round(5), ys.round(4)])


def _panel_hover(counts: np.ndarray, layer: int, lo: float, hi: float) -> np.ndarray:
    """Per vertex of _panel_path: (layer, bar centre, count); a bar's corners name that bar."""
    centers = lo + (hi - lo) * (np.arange(counts.size) + 0.5) / counts.size
    bars = np.column_stack([np.full(counts.size, layer), centers.round(4), counts])
    return np.vstack([bars[:1], np.repeat(bars, 2, axis=0), bars[-1:], np.full((1, 3), np.nan)])


def _histogram_traces(
    kind: str, axis: str, outline: np.ndarray, hover: np.ndarray, setting: Setting | None = None
) -> dict:
    """The filled outlines of one setting's panels of a block; hover names each bar.

    Arrays stay NumPy arrays: Plotly sends them as typed arrays without validating
    element by element, which keeps building the figure cheap.
    """
    suffix = "" if axis == "1" else axis
    color = COLORS[kind] if setting is None else setting.color
    prefix = _prefix(setting)
    return {
        "type": "scatter",
        "mode": "lines",
        "name": prefix + KIND_TITLES[kind],
        "x": outline[:, 0],
        "y": outline[:, 1],
        "fill": "toself",
        "fillcolor": color,
        "line": {"color": color, "width": 0.5},
        "hoveron": "points",
        "customdata": hover,
        "hovertemplate": (
            f"{prefix}layer %{{customdata[0]}}<br>"
            "bin at %{customdata[1]:.3g}: %{customdata[2]} values<extra></extra>"
        ),
        "xaxis": f"x{suffix}",
        "yaxis": f"y{suffix}",
        "showlegend": False,
    }


def _label_trace(axis: str, labels: tuple[list, list, list]) -> dict:
    """The panels' labels (layer, mean, std) of a block."""
    suffix = "" if axis == "1" else axis
    label_x, label_y, texts = labels
    return {
        "type": "scatter",
        "mode": "text",
        "x": label_x,
        "y": label_y,
        "text": texts,
        "textposition": "top center",
        "textfont": {"size": 11},
        "hoverinfo": "skip",
        "xaxis": f"x{suffix}",
        "yaxis": f"y{suffix}",
        "showlegend": False,
    }


def _round_down(x: float) -> float:
    """x > 0 rounded down to one significant digit (4.75 -> 4, 0.0123 -> 0.01)."""
    unit = 10.0 ** math.floor(math.log10(x))
    return math.floor(x / unit * (1 + 1e-9)) * unit


def _tick_label(v: float) -> str:
    if v != 0 and (abs(v) < 1e-2 or abs(v) >= 1e4):
        mantissa, exponent = f"{v:.1e}".split("e")
        return f"{float(mantissa):g}e{int(exponent)}"  # 5e-4, short enough for a narrow panel
    return f"{float(f'{v:.2g}'):g}"


def panel_ticks(lo: float, hi: float) -> list[float]:
    """Round values inside [lo, hi] (which holds 0): 0 and a one-digit value on each side that
    has room, and the middle of a one-sided range."""
    ticks = [0.0]
    for end, sign in ((hi, 1.0), (-lo, -1.0)):
        # A side gets a tick only where its label has room next to 0's (a quarter of the panel).
        if end > 0 and end >= 0.25 * (hi - lo) and math.isfinite(end):
            ticks.append(sign * _round_down(end))
    if len(ticks) == 2:
        ticks.append(ticks[1] / 2)
    return sorted(ticks)


def _panel_axis(lo: float, hi: float, cols: int) -> dict:
    """One x axis for a row of panels, each 1 unit wide over [lo, hi], ticked at round values."""
    marks = [((v - lo) / (hi - lo), v) for v in panel_ticks(lo, hi)]
    ticks = [(col * PANEL_PITCH + f, value) for col in range(cols) for f, value in marks]
    return {
        "range": [-0.04, cols * PANEL_PITCH - (PANEL_PITCH - 1) + 0.04],
        "tickvals": [t for t, _ in ticks],
        "ticktext": [_tick_label(v) for _, v in ticks],
        "tickfont": {"size": 9},
        "showgrid": False,
        "zeroline": False,
        "fixedrange": True,
    }


def _histogram_block(
    results: list[SimResult], kind: str, axis: str, settings: tuple[Setting, ...] | None = None
) -> tuple[list[dict], dict, dict, int]:
    """Small multiples of one kind, packed on one pair of axes (far cheaper to draw than subplots).

    With two settings (A and B, compared), each row of A's layers has B's same layers right
    under it, on the same range: the eye compares a layer of A with the same layer of B.
    Returns the traces, the x and y axis settings, and the block's height in pixels.
    """
    layers = [[layer for layer in shown_layers(r.layers) if _summary(layer, kind) is not None] for r in results]
    # One range for the whole block, so that the eye can compare layers (and settings).
    lo, hi, binned = _shared_range(
        [[_summary(layer, kind) for layer in each] for each in layers], [_symmetric(r, kind) for r in results]
    )
    cols = min(MAX_COLUMNS, max((len(each) for each in layers), default=1) or 1)
    chunks = max((math.ceil(len(each) / cols) for each in layers), default=1) or 1
    rows = chunks * len(results)
    panels = []  # (setting index, layer, counts, label)
    counts_of = iter(binned)
    for n, (result, each) in enumerate(zip(results, layers)):
        for layer in each:
            counts = next(counts_of)
            name = "" if settings is None else f"{settings[n].name} · "
            stats = _panel_stats(_summary(layer, kind), counts, kind, result)
            panels.append((n, layer, counts, f"<b>{name}Layer {layer.index}</b><br>{stats}", result))
    lines = max((label.count("<br>") + 1 for *_, label, _ in panels), default=2)
    row_pitch = SPIKE_CLIP + 0.1 + LABEL_LINE * lines
    outline: list[list[np.ndarray]] = [[] for _ in results]
    hover: list[list[np.ndarray]] = [[] for _ in results]
    labels: tuple[list, list, list] = ([], [], [])
    position = [0] * len(results)
    for n, layer, counts, label, result in panels:
        chunk, col = divmod(position[n], cols)
        position[n] += 1
        row = chunk * len(results) + n
        x0, y0 = col * PANEL_PITCH, (rows - 1 - row) * row_pitch
        clip_at = float(counts[1:].max()) if _spike_is_clipped(counts, kind, result) else None
        outline[n].append(_panel_path(counts, clip_at, x0, y0))
        hover[n].append(_panel_hover(counts, layer.index, lo, hi))
        labels[0].append(x0 + 0.5)
        labels[1].append(y0 + SPIKE_CLIP + 0.02)
        labels[2].append(label)
    y_axis = {"visible": False, "range": [-0.03, rows * row_pitch], "fixedrange": True}
    traces = []
    for n in range(len(results)):
        outline_rows = np.vstack(outline[n]) if outline[n] else np.empty((0, 2))
        hover_rows = np.vstack(hover[n]) if hover[n] else np.empty((0, 3))
        setting = None if settings is None else settings[n]
        traces.append(_histogram_traces(kind, axis, outline_rows, hover_rows, setting))
    traces.append(_label_trace(axis, labels))
    return traces, _panel_axis(lo, hi, cols), y_axis, round(rows * row_pitch * UNIT_PX)


def _shared_range(groups: list[list[Summary]], symmetric: list[bool]) -> tuple[float, float, list[np.ndarray]]:
    """(lo, hi, display counts of every summary, group after group) on one range.

    Summaries that merge exactly (all on aligned grids, or all on the same fixed edges, as
    within one net) do; two compared settings may not (tanh's fixed [-1, 1] beside ReLU's
    fitted grid): each group is then drawn on its own range and its bars moved, by their
    centres, onto the shared one. Only the picture is rounded so; the labels' numbers are exact.
    """
    flat = [s for group in groups for s in group]
    edges = {(s.lo, s.hi) for s in flat if s.counts is not None and s.bin_exp is None}
    aligned = any(s.counts is not None and s.bin_exp is not None for s in flat)
    if len(groups) == 1 or (not edges and aligned) or (len(edges) <= 1 and not aligned):
        return shared_display(flat, any(symmetric))
    own = [shared_display(group, sym) for group, sym in zip(groups, symmetric)]
    lo, hi = min(each[0] for each in own), max(each[1] for each in own)
    if any(symmetric):
        lo, hi = -max(abs(lo), abs(hi)), max(abs(lo), abs(hi))
    bins = DISPLAY_BINS
    moved = []
    for group_lo, group_hi, counts in own:
        for c in counts:
            centers = group_lo + (group_hi - group_lo) * (np.arange(c.size) + 0.5) / max(c.size, 1)
            index = np.clip(((centers - lo) / (hi - lo) * bins).astype(np.int64), 0, bins - 1)
            moved.append(np.bincount(index, weights=c, minlength=bins).astype(np.int64))
    return lo, hi, moved


def _moment_traces(
    result: SimResult, log_y: bool, axes: tuple[str, str, str], setting: Setting | None = None
) -> list[dict]:
    mean_stat = "|mean|" if log_y else "mean"
    traces = []
    series = [(kind, stat, dash) for kind in ("act", "grad") for stat, dash in (("std", "solid"), (mean_stat, "dot"))]
    prefix = _prefix(setting)
    for kind, stat, dash in [*series, ("wgrad", "std", "solid")]:
        xs, ys = _series(result, kind, stat)
        name = "weight gradient std" if kind == "wgrad" else f"{KIND_TITLES[kind].split()[0].lower()} {stat}"
        suffix = axes[("act", "grad", "wgrad").index(kind)]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": xs,
                "y": ys,
                "name": prefix + name,
                "line": {"color": COLORS[kind] if setting is None else setting.color, "dash": dash},
                "marker": {"size": 5},
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
            }
        )
    return traces


def _has_positive(values: list[float]) -> bool:
    """Whether a log axis has anything to show (it drops zeros; an empty one draws stray labels)."""
    return any(math.isfinite(v) and v > 0 for v in values)


def _moment_values(traces: list[dict], suffix: str) -> list[float]:
    return [v for t in traces if t.get("yaxis") == f"y{suffix}" for v in t["y"]]


def _spans_decades(values: list[float]) -> bool:
    """Positive values whose largest is at least ten times the smallest: a log axis reads them."""
    finite = [v for v in values if math.isfinite(v)]
    return bool(finite) and min(finite) > 0 and max(finite) >= 10 * min(finite)


def _pre_std_traces(result: SimResult, axis: str, setting: Setting | None = None) -> list[dict]:
    """The measured pre-activation std per layer, on the activations' panel (shown with the
    pre-activation histograms)."""
    xs, ys = _series(result, "pre", "std")
    return [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": xs,
            "y": ys,
            "name": _prefix(setting) + "pre-activations std",
            "line": {"color": COLORS["pre"]} if setting is None else {"color": setting.color, "dash": "dashdot"},
            "marker": {"size": 5},
            "xaxis": f"x{axis}",
            "yaxis": f"y{axis}",
        }
    ]


def _prediction_traces(
    prediction: Prediction,
    backward: bool,
    show_pre: bool,
    axes: tuple[str, str, str],
    setting: Setting | None = None,
) -> list[dict]:
    """The mean-field prediction of the activation std, the pre-activation std (when those are
    shown) and the gradient std (when the backward pass ran) per layer: dashed lines over the
    measured ones, in the same colours."""
    layers = list(range(1, len(prediction.act_std) + 1))
    series = [("act", prediction.act_std, axes[0])]
    series += [("pre", prediction.pre_std, axes[0])] if show_pre else []
    series += [("grad", prediction.grad_std, axes[1])] if backward else []
    prefix = _prefix(setting)
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "x": layers,
            "y": [float(v) for v in values],
            "name": f"{prefix}{KIND_TITLES[kind].split()[0].lower()} std (theory)",
            "line": {"color": COLORS[kind] if setting is None else setting.color, "dash": "dash", "width": 1.5},
            "opacity": 0.7,
            "hovertemplate": f"{prefix}layer %{{x}}: %{{y:.4g}} (mean-field theory)<extra></extra>",
            "xaxis": f"x{suffix}",
            "yaxis": f"y{suffix}",
        }
        for kind, values, suffix in series
    ]


def layer_figure(
    result: SimResult,
    show_pre: bool = False,
    log_y: bool = False,
    show_dphi: bool = False,
    prediction: Prediction | None = None,
    compared: SimResult | None = None,
) -> go.Figure:
    """The lab's whole picture in one figure: histogram blocks, then mean and std per layer
    (with the mean-field prediction's std, when given) and the weight gradients' std (the Plotly
    figure of layer_spec)."""
    return go.Figure(layer_spec(result, show_pre, log_y, show_dphi, prediction, compared))


def layer_spec(
    result: SimResult,
    show_pre: bool = False,
    log_y: bool = False,
    show_dphi: bool = False,
    prediction: Prediction | None = None,
    compared: SimResult | None = None,
    compared_prediction: Prediction | None = None,
) -> dict:
    """layer_figure as a plain dict {"data", "layout"}, NumPy arrays in its traces: what the page
    sends (viz.common.spec_json), without Plotly's validation.

    With `compared` (setting B, `result` being A), every block shows B's layers under A's on
    the same axes, and the per-layer moments of both share their panels, A in blue, B in orange.
    One figure with a few axes draws several times faster than one subplot per
    layer, which is what keeps a slider move live.
    """
    results = [result] if compared is None else [result, compared]
    settings = None if compared is None else COMPARED
    backward = any(r.overflow_layer is None for r in results)
    kinds = ["act", *(["pre"] if show_pre else []), *(["dphi"] if show_dphi else []), *(["grad"] if backward else [])]
    traces: list[dict] = []
    blocks = []
    for n, kind in enumerate(kinds, start=1):
        block_traces, x_axis, y_axis, px = _histogram_block(results, kind, str(n), settings)
        traces += block_traces
        blocks.append((kind, x_axis, y_axis, BLOCK_TITLE_PX + px))
    heights = [px for *_, px in blocks] + [MOMENTS_PX]
    plot_px = sum(heights) + GAP_PX * len(blocks)
    top_px = 90 if compared is None else 108  # a compared view's subtitle names both settings, one per line
    layout: dict = {
        **STREAMLIT_LOOK,
        "title": _title(results),
        "height": plot_px + 80 + top_px,
        "margin": {"l": 60, "r": 10, "t": top_px, "b": 80},
        "legend": {"orientation": "h", "y": -60 / plot_px, "yanchor": "top", "x": 0},
        "annotations": [],
        "hovermode": "closest",
    }
    top = 1.0
    for n, (kind, x_axis, y_axis, px) in enumerate(blocks, start=1):
        suffix = "" if n == 1 else str(n)
        bottom = top - px / plot_px
        layout[f"xaxis{suffix}"] = {**x_axis, "anchor": f"y{suffix}", "domain": [0, 1]}
        layout[f"yaxis{suffix}"] = {
            **y_axis,
            "anchor": f"x{suffix}",
            "domain": [bottom, top - BLOCK_TITLE_PX / plot_px],
        }
        layout["annotations"].append(_block_title(kind, top))
        top = bottom - GAP_PX / plot_px
    axes = tuple(str(len(blocks) + k) for k in (1, 2, 3))
    predictions = [prediction] if compared is None else [prediction, compared_prediction]
    for n, (each, predicted) in enumerate(zip(results, predictions)):
        setting = None if settings is None else settings[n]
        traces += _moment_traces(each, log_y, axes, setting)
        if show_pre:
            traces += _pre_std_traces(each, axes[0], setting)
        if predicted is not None:
            traces += _prediction_traces(predicted, each.overflow_layer is None, show_pre, axes, setting)
    _moment_axes(layout, traces, results, log_y, axes, plot_px)
    return {"data": traces, "layout": layout}


def _title(results: list[SimResult]) -> dict:
    if len(results) == 1:
        return figure_title("Activations and gradients per layer", view_token(results[0]))
    tokens = "<br>".join(f"{s.name}: {view_token(r)}" for s, r in zip(COMPARED, results))
    return figure_title("A and B compared: activations and gradients per layer", tokens)


def _moment_axes(
    layout: dict, traces: list[dict], results: list[SimResult], log_y: bool, axes: tuple[str, ...], plot_px: int
) -> None:
    """The three panels of per-layer moments under the histograms: activations, gradients, weight gradients."""
    moments_top = MOMENTS_PX / plot_px
    layout["annotations"].append(_block_title("moments", moments_top))
    moments_plot_top = moments_top - BLOCK_TITLE_PX / plot_px  # the title gets its own strip, as above
    depth = max(len(r.layers) for r in results)
    # Three panels share the width: at most about seven layer ticks each, at round steps, none at layer 0.
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if s >= depth / 7)
    layer_axis = {"title": {"text": "layer"}, "tickformat": "d", "dtick": step, "range": [0.5, depth + 0.5]}
    # The weight gradients get a log axis whenever they span decades: their scale is the point.
    wgrad = [v for r in results for v in _series(r, "wgrad", "std")[1]]
    wgrad_log = (log_y and _has_positive(wgrad)) or _spans_decades(wgrad)
    panels = (
        (axes[0], [0, 0.28], "activations", log_y and _has_positive(_moment_values(traces, axes[0]))),
        (axes[1], [0.36, 0.64], "gradients", log_y and _has_positive(_moment_values(traces, axes[1]))),
        (axes[2], [0.72, 1], "weight gradients", wgrad_log),
    )
    for suffix, domain, label, log in panels:
        layout[f"xaxis{suffix}"] = {"domain": domain, "anchor": f"y{suffix}", **layer_axis}
        values = wgrad if suffix == axes[2] else _moment_values(traces, suffix)
        layout[f"yaxis{suffix}"] = {
            "domain": [0, moments_plot_top],
            "anchor": f"x{suffix}",
            "type": "log" if log else "linear",
            "title": {"text": label},
            "exponentformat": "power",
            **(_log_ticks(values) if log else {}),
        }
    if not wgrad_log:
        # From 0: a scale that barely changes must look flat, not zoomed into its noise.
        layout[f"yaxis{axes[2]}"]["rangemode"] = "tozero"


def _log_ticks(values: list[float]) -> dict:
    """Tick spacing of a short log panel: over a decade or two Plotly labels every digit of each
    decade (2, 3, …, 9), which run into each other in 300 px; 2 and 5 per decade stay apart.
    Over more decades Plotly's own choice (one tick per decade or fewer) already does."""
    positive = [v for v in values if math.isfinite(v) and v > 0]
    if not positive:
        return {}
    decades = math.log10(max(positive) / min(positive))
    return {"dtick": "D2"} if decades < 3 else {}


def _block_title(kind: str, top: float) -> dict:
    return {
        "text": f"<b>{BLOCK_TITLES[kind]}</b>",
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": top,
        "xanchor": "left",
        "yanchor": "top",
        "showarrow": False,
        "font": {"size": 14},
    }


def _series(result: SimResult, kind: str, stat: str) -> tuple[list[int], list[float]]:
    if kind == "wgrad":
        layers = [layer for layer in result.layers if math.isfinite(layer.weight_grad_std)]
        return [layer.index for layer in layers], [layer.weight_grad_std for layer in layers]
    xs, ys = [], []
    for layer in result.layers:
        s = _summary(layer, kind)
        if s is not None:
            xs.append(layer.index)
            ys.append(abs(s.mean) if stat == "|mean|" else getattr(s, stat))
    return xs, ys
