"""Figures of the preprocessing lab (pure: engine results in, go.Figure out)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.prep_lab import Conditioning, FirstLayer, Panel
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
    rows,
)

RAW, PREPROCESSED = "#7f7f7f", "#1f77b4"


def _fmt(values: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.2f}" for v in values) + ")"


# Up to this many points a panel draws them as SVG, which plotly.js's small bundles draw (a fresh
# tab's first chart comes seconds sooner than with the full bundle, ui/live_chart.py); above, WebGL.
SVG_POINTS = 2000


# Plain dicts with explicit axis domains (viz.common.columns): make_subplots and per-axis
# update calls cost tens of milliseconds per figure, paid on every change of a control.
def stages_figure(panels: list[Panel], labels: tuple[str, str], token: str) -> go.Figure:
    """The classic figure: original, centered, normalized, decorrelated, whitened, on equal axes.

    Wide, the stages sit in one row; narrow, in rows of three.
    """
    domains = columns([1.0] * len(panels), [0.2] * (len(panels) - 1))
    per_row = 3
    narrow_columns = columns([1.0] * per_row, [0.2] * (per_row - 1))
    row_count = -(-len(panels) // per_row)
    # Pixels: each row's plot; between rows the upper row's ticks and three-line axis titles and
    # the lower row's two-line panel titles.
    plot_px, gap_px, top_px, bottom_px = 190, 135, 120, 90
    narrow_rows = rows([plot_px] * row_count, [gap_px] * (row_count - 1))
    data, layout, narrow = [], {}, {}
    for i, (panel, domain) in enumerate(zip(panels, domains), start=1):
        s = axis_suffix(i)
        data.append(
            {
                "type": "scatter" if len(panel.points) <= SVG_POINTS else "scattergl",
                "x": panel.points[:, 0],
                "y": panel.points[:, 1],
                "xaxis": f"x{s}",
                "yaxis": f"y{s}",
                "mode": "markers",
                "marker": {"size": 4, "color": PREPROCESSED, "opacity": 0.6},
                "showlegend": False,
                "hovertemplate": "(%{x:.2f}, %{y:.2f})<extra></extra>",
            }
        )
        layout[f"xaxis{s}"] = {
            "domain": domain,
            "anchor": f"y{s}",
            "zeroline": True,
            "zerolinecolor": "#bbb",
            "title": {
                "text": f"mean {_fmt(panel.mean)}<br>std {_fmt(panel.std)}<br>cov {panel.cov:.2f}",
                "font": {"size": 11},
            },
        }
        layout[f"yaxis{s}"] = {
            "domain": [0.0, 1.0],
            "anchor": f"x{s}",
            "scaleanchor": f"x{s}",
            "scaleratio": 1,
            "zeroline": True,
            "zerolinecolor": "#bbb",
        }
        row, column = divmod(i - 1, per_row)
        narrow[f"xaxis{s}"] = {**layout[f"xaxis{s}"], "domain": narrow_columns[column]}
        narrow[f"yaxis{s}"] = {**layout[f"yaxis{s}"], "domain": narrow_rows[row]}
    first, second = labels
    title = "Each stage on equal axes"
    axes = f"{first} and {second}; later stages: principal components 1 and 2"
    # Narrow, the title's long part would be cut: each panel names its axes under its name instead.
    shown = [f"{first}, {second}"] * 3 + ["principal components 1, 2"] * (len(panels) - 3)
    narrow.update(
        title=figure_title(title, token),
        annotations=[
            {
                **panel_title(f"{p.name}<br><span style='font-size:11px'>{axes_shown}</span>", narrow_columns[column]),
                "y": narrow_rows[row][1],
            }
            for p, axes_shown, (row, column) in zip(panels, shown, (divmod(i, per_row) for i in range(len(panels))))
        ],
        height=top_px + plot_px * row_count + gap_px * (row_count - 1) + bottom_px,
        margin={"t": top_px, "l": 40, "r": 10, "b": bottom_px},
    )
    layout.update(
        **STREAMLIT_LOOK,
        title=figure_title(f"{title} ({axes})", token),
        annotations=[panel_title(p.name, d) for p, d in zip(panels, domains)],
        height=420,
        margin={"t": 100, "l": 40, "r": 10, "b": 100},
        meta=narrow_variant(narrow),
    )
    return go.Figure({"data": data, "layout": layout})


def _loss_axis(losses: list[np.ndarray]) -> dict:
    """Log loss axis: labels at powers of ten when the curves span a decade, else Plotly's own."""
    finite = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in losses])
    spans_decade = finite.size > 0 and finite.max() >= 10 * finite.min()
    return {"type": "log", "title": {"text": "loss"}, **({"dtick": 1} if spans_decade else {})}


def conditioning_figure(c: Conditioning, token: str) -> go.Figure:
    """Loss around the best classifier (relative weight changes) raw vs normalized, and gradient descent.

    The two loss maps share one colour scale, drawn between them; the descent curves get
    their own panel on the right, or, narrow, under the maps.
    """
    raw_d, norm_d, descent_d = columns([1.0, 1.0, 1.15], [0.22, 0.62])
    zmax = float(np.nanmax([c.surface_raw.max(), c.surface_normalized.max()]))
    zmin = float(np.nanmin([c.surface_raw.min(), c.surface_normalized.min()]))
    change = {"tickformat": "+.0%", "title": {"text": f"relative change of weight {c.dims[0]}"}}
    colorbar = {"title": {"text": "loss"}, "len": 0.8, "thickness": 12, "x": norm_d[1] + 0.01}
    data = [
        {
            "type": "contour",
            "x": c.t,
            "y": c.t,
            "z": surface,
            "xaxis": f"x{s}",
            "yaxis": f"y{s}",
            "zmin": zmin,
            "zmax": zmax,
            "colorscale": "Viridis",
            "showscale": s == "2",
            "contours": {"coloring": "heatmap"},
            "colorbar": colorbar,
            "hovertemplate": "w%{x:+.0%} · w%{y:+.0%}: loss %{z:.3f}<extra></extra>",
        }
        for s, surface in (("", c.surface_raw), ("2", c.surface_normalized))
    ]
    steps = np.arange(len(c.losses_raw))
    curves = (
        (c.losses_raw, "raw", RAW),
        (c.losses_centered, "zero-centered only", "#ff7f0e"),
        (c.losses_normalized, "normalized", PREPROCESSED),
    )
    for losses, name, color in curves:
        data.append(
            {
                "type": "scatter",
                "x": steps,
                "y": np.where(np.isfinite(losses), losses, np.nan),
                "xaxis": "x3",
                "yaxis": "y3",
                "name": name,
                "mode": "lines",
                "line": {"color": color},
            }
        )
    threshold_note = {
        "text": "10% above the best loss",
        "x": 1.0,
        "y": float(np.log10(c.threshold)),
        "xref": "x3 domain",
        "yref": "y3",
        "xanchor": "right",
        "yanchor": "top",
        "showarrow": False,
        "font": {"size": 11},
        "bgcolor": "rgba(255,255,255,0.8)",
    }
    titles = (
        "raw data:<br>loss near the best weights",
        "normalized data:<br>the same",
        "gradient descent,<br>same learning rate",
    )
    layout = {
        **STREAMLIT_LOOK,
        "xaxis": {"domain": raw_d, "anchor": "y", **change},
        "yaxis": {
            "domain": [0.0, 1.0],
            "anchor": "x",
            "tickformat": "+.0%",
            "title": {"text": f"relative change of weight {c.dims[1]}"},
        },
        "xaxis2": {"domain": norm_d, "anchor": "y2", **change},
        "yaxis2": {"domain": [0.0, 1.0], "anchor": "x2", "matches": "y", "showticklabels": False},
        "xaxis3": {"domain": descent_d, "anchor": "y3", "title": {"text": "step"}},
        "yaxis3": {"domain": [0.0, 1.0], "anchor": "x3", **_loss_axis([v for v, _, _ in curves])},
        "shapes": [hline(c.threshold, "3")],
        # Two short lines: one long line runs over the tick labels of a narrow panel.
        "annotations": [*(panel_title(t, d) for t, d in zip(titles, (raw_d, norm_d, descent_d))), threshold_note],
        "title": figure_title("Why normalize: sensitivity to the weights, and optimization", token),
        "height": 450,
        "legend": {**BOTTOM_LEGEND, "x": descent_d[0]},
        "margin": {"t": 125, "l": 60, "r": 10, "b": 100},
    }
    # Narrow: the maps side by side (room on the right for the colour bar), the descent under them.
    maps_px, gap_px, descent_px, top_px, bottom_px = 210, 125, 200, 125, 100
    maps_d, descent_rows = rows([maps_px, descent_px], [gap_px])
    raw_n, norm_n = ([0.86 * d for d in domain] for domain in columns([1.0, 1.0], [0.2]))
    narrow = {
        "xaxis": {**layout["xaxis"], "domain": raw_n},
        "yaxis": {**layout["yaxis"], "domain": maps_d},
        "xaxis2": {**layout["xaxis2"], "domain": norm_n},
        "yaxis2": {**layout["yaxis2"], "domain": maps_d},
        "xaxis3": {**layout["xaxis3"], "domain": [0.0, 1.0]},
        "yaxis3": {**layout["yaxis3"], "domain": descent_rows},
        "annotations": [
            panel_title(titles[0], raw_n),
            panel_title(titles[1], norm_n),
            {**panel_title(titles[2], [0.0, 1.0]), "y": descent_rows[1]},
            threshold_note,
        ],
        "height": top_px + maps_px + gap_px + descent_px + bottom_px,
        "legend": BOTTOM_LEGEND,
    }
    narrow_bar = {
        **colorbar,
        "x": norm_n[1] + 0.02,
        "y": sum(maps_d) / 2,
        "yanchor": "middle",
        "len": 0.9 * (maps_d[1] - maps_d[0]),
    }
    layout["meta"] = narrow_variant(narrow, [{"colorbar": narrow_bar}] * 2)
    return go.Figure({"data": data, "layout": layout})


def first_layer_figure(fl: FirstLayer, token: str) -> go.Figure:
    """First-layer pre-activation histograms for raw and preprocessed inputs, on one axis."""
    fig = go.Figure()
    for summary, name, color, saturated in (
        (fl.raw, "raw inputs", RAW, fl.saturated_raw),
        (fl.preprocessed, "preprocessed inputs", PREPROCESSED, fl.saturated_preprocessed),
    ):
        counts = summary.display_counts()
        width = 12.0 / counts.size
        centers = -6.0 + width * (np.arange(counts.size) + 0.5)
        fig.add_trace(
            go.Bar(
                x=centers,
                y=counts / counts.sum(),
                width=width,
                name=f"{name} (std {summary.std:.2f}, {saturated:.0%} of tanh units saturated)",
                marker={"color": color},
                opacity=0.6,
            )
        )
    fig.update_layout(
        **STREAMLIT_LOOK,
        barmode="overlay",
        bargap=0,
        title=figure_title("First-layer pre-activations", token),
        height=380,
        # A little room past ±6, so the end bins and the corner tick labels stand clear.
        xaxis={"title": {"text": "pre-activation z = x·W (values beyond ±6 in the end bins)"}, "range": [-6.5, 6.5]},
        yaxis_title="fraction",
        legend=BOTTOM_LEGEND,
        margin={"t": 100, "l": 50, "r": 10, "b": 100},
    )
    return fig


def _stretch_each(images: np.ndarray) -> np.ndarray:
    """Map every image's own range onto 0..1, as a per-image colour scale would."""
    lo = images.min(axis=(1, 2), keepdims=True)
    span = images.max(axis=(1, 2), keepdims=True) - lo
    return (images - lo) / np.where(span > 0, span, 1.0)


def image_grid(rows: list[tuple[str, np.ndarray]], token: str, title: str) -> go.Figure:
    """Rows of small grayscale images: each row a label and an array (count, h, w).

    One heatmap holds every image, separated by NaN gaps: one trace draws far faster
    than a subplot per image. Each image keeps its own contrast; hover shows raw values.
    """
    count = max(len(images) for _, images in rows)
    h, w = rows[0][1].shape[1:]
    shown = np.full((len(rows) * (h + 1) - 1, count * (w + 1) - 1), np.nan)
    raw = shown.copy()
    for r, (_, images) in enumerate(rows):
        for c, (image, stretched) in enumerate(zip(images, _stretch_each(images))):
            top, left = r * (h + 1), c * (w + 1)
            shown[top : top + h, left : left + w] = stretched
            raw[top : top + h, left : left + w] = image
    # Labels sit beside their row in data coordinates: they follow the images wherever the
    # equal-aspect axes place them, at any chart width.
    labels = [
        {
            "text": label,
            "xref": "x",
            "yref": "y",
            "x": shown.shape[1] - 0.5,
            "y": r * (h + 1) + (h - 1) / 2,
            "xanchor": "left",
            "xshift": 8,
            "showarrow": False,
        }
        for r, (label, _) in enumerate(rows)
    ]
    heatmap = {
        "type": "heatmap",
        "z": shown,
        "customdata": raw,
        "colorscale": "gray",
        "showscale": False,
        "hovertemplate": "%{customdata:.2f}<extra></extra>",
    }
    margin = {"t": 90, "l": 10, "r": 140, "b": 10}

    def height(chart_px: int) -> int:
        """The figure's height where the images fill the plot's width at chart_px: no empty band under them."""
        plot_px = (chart_px - margin["l"] - margin["r"]) * shown.shape[0] / shown.shape[1]
        return round(margin["t"] + plot_px + margin["b"])

    layout = {
        **STREAMLIT_LOOK,
        "title": figure_title(title, token),
        # Each shape as tall as the images are at its narrowest chart; wider, they keep that height.
        "height": height(NARROW_BELOW_PX),
        "margin": margin,
        # Where the plot is wider or taller than the images, they keep to its top left corner.
        "xaxis": {"visible": False, "constrain": "domain", "constraintoward": "left"},
        "yaxis": {
            "visible": False,
            "autorange": "reversed",
            "scaleanchor": "x",
            "constrain": "domain",
            "constraintoward": "top",
        },
        "annotations": labels,
        "plot_bgcolor": "rgba(0,0,0,0)",
        "meta": narrow_variant({"height": height(NARROW_MIN_PX)}),
    }
    return go.Figure({"data": [heatmap], "layout": layout})


def photo_means_figure(mean_image: np.ndarray, channel_means: np.ndarray, patch: np.ndarray, token: str) -> go.Figure:
    """Per-pixel mean image vs per-channel means, and one patch after each subtraction."""

    def stretched(img: np.ndarray) -> np.ndarray:
        """Centred images have negative values: map their range onto 0..255 to show them."""
        lo, hi = img.min(), img.max()
        return (255 * (img - lo) / (hi - lo if hi > lo else 1.0)).astype(np.uint8)

    means = ", ".join(f"{c} {v:.1f}" for c, v in zip("RGB", channel_means))
    panels = (
        ("a patch", patch.astype(np.uint8)),
        ("per-pixel mean image", mean_image.astype(np.uint8)),
        ("patch − mean image", stretched(patch - mean_image)),
        (f"patch − channel means<br>({means})", stretched(patch - channel_means)),
    )
    domains = columns([1.0] * len(panels), [0.12] * (len(panels) - 1))
    # Narrow: two rows of two. Pixels: each row's images; between rows the lower row's titles.
    image_px, gap_px, top_px = 170, 60, 120
    narrow_columns = columns([1.0, 1.0], [0.12])
    narrow_rows = rows([image_px, image_px], [gap_px])
    data, layout, narrow = [], {}, {}
    for i, ((_, image), domain) in enumerate(zip(panels, domains), start=1):
        s = axis_suffix(i)
        data.append({"type": "image", "z": image, "xaxis": f"x{s}", "yaxis": f"y{s}"})
        layout[f"xaxis{s}"] = {"domain": domain, "anchor": f"y{s}", "visible": False}
        layout[f"yaxis{s}"] = {"domain": [0.0, 1.0], "anchor": f"x{s}", "visible": False, "autorange": "reversed"}
        row, column = divmod(i - 1, 2)
        narrow[f"xaxis{s}"] = {**layout[f"xaxis{s}"], "domain": narrow_columns[column]}
        narrow[f"yaxis{s}"] = {**layout[f"yaxis{s}"], "domain": narrow_rows[row]}
    narrow.update(
        annotations=[
            {**panel_title(title, narrow_columns[i % 2]), "y": narrow_rows[i // 2][1]}
            for i, (title, _) in enumerate(panels)
        ],
        height=top_px + 2 * image_px + gap_px + 10,
    )
    layout.update(
        **STREAMLIT_LOOK,
        title=figure_title("Photo patches: per-pixel vs per-channel mean", token),
        annotations=[panel_title(title, domain) for (title, _), domain in zip(panels, domains)],
        height=340,
        margin={"t": top_px, "l": 10, "r": 10, "b": 10},
        meta=narrow_variant(narrow),
    )
    return go.Figure({"data": data, "layout": layout})
