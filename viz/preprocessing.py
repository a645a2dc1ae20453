"""Figures of the preprocessing lab (pure: engine results in, go.Figure out)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.prep_lab import Conditioning, FirstLayer, Panel
from viz.common import BOTTOM_LEGEND, STREAMLIT_LOOK, axis_suffix, columns, figure_title, hline, panel_title

RAW, PREPROCESSED = "#7f7f7f", "#1f77b4"


def _fmt(values: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.2f}" for v in values) + ")"


# Plain dicts with explicit axis domains (viz.common.columns): make_subplots and per-axis
# update calls cost tens of milliseconds per figure, paid on every change of a control.
def stages_figure(panels: list[Panel], labels: tuple[str, str], token: str) -> go.Figure:
    """The classic figure: original, centered, normalized, decorrelated, whitened, on equal axes."""
    domains = columns([1.0] * len(panels), [0.2] * (len(panels) - 1))
    data, layout = [], {}
    for i, (panel, domain) in enumerate(zip(panels, domains), start=1):
        s = axis_suffix(i)
        data.append(
            {
                "type": "scattergl",
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
    first, second = labels
    layout.update(
        **STREAMLIT_LOOK,
        title=figure_title(
            f"Each stage on equal axes ({first} and {second}; later stages: principal components 1 and 2)", token
        ),
        annotations=[panel_title(p.name, d) for p, d in zip(panels, domains)],
        height=420,
        margin={"t": 100, "l": 40, "r": 10, "b": 100},
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
    their own panel on the right.
    """
    raw_d, norm_d, descent_d = columns([1.0, 1.0, 1.15], [0.22, 0.62])
    zmax = float(np.nanmax([c.surface_raw.max(), c.surface_normalized.max()]))
    zmin = float(np.nanmin([c.surface_raw.min(), c.surface_normalized.min()]))
    change = {"tickformat": "+.0%", "title": {"text": f"relative change of weight {c.dims[0]}"}}
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
            "colorbar": {"title": {"text": "loss"}, "len": 0.8, "thickness": 12, "x": norm_d[1] + 0.01},
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
        "annotations": [
            # Two short lines: one long line runs over the tick labels of a narrow panel.
            panel_title("raw data:<br>loss near the best weights", raw_d),
            panel_title("normalized data:<br>the same", norm_d),
            panel_title("gradient descent,<br>same learning rate", descent_d),
            threshold_note,
        ],
        "title": figure_title("Why normalize: sensitivity to the weights, and optimization", token),
        "height": 450,
        "legend": {**BOTTOM_LEGEND, "x": descent_d[0]},
        "margin": {"t": 125, "l": 60, "r": 10, "b": 100},
    }
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
    labels = [
        {
            "text": label,
            "xref": "paper",
            "yref": "paper",
            "x": 1.01,
            "y": 1 - (r + 0.5) / len(rows),
            "xanchor": "left",
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
    layout = {
        **STREAMLIT_LOOK,
        "title": figure_title(title, token),
        "height": 90 + 110 * len(rows),
        "margin": {"t": 90, "l": 10, "r": 140, "b": 10},
        "xaxis": {"visible": False, "constrain": "domain"},
        "yaxis": {"visible": False, "autorange": "reversed", "scaleanchor": "x"},
        "annotations": labels,
        "plot_bgcolor": "rgba(0,0,0,0)",
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
    data, layout = [], {}
    for i, ((_, image), domain) in enumerate(zip(panels, domains), start=1):
        s = axis_suffix(i)
        data.append({"type": "image", "z": image, "xaxis": f"x{s}", "yaxis": f"y{s}"})
        layout[f"xaxis{s}"] = {"domain": domain, "anchor": f"y{s}", "visible": False}
        layout[f"yaxis{s}"] = {"domain": [0.0, 1.0], "anchor": f"x{s}", "visible": False, "autorange": "reversed"}
    layout.update(
        **STREAMLIT_LOOK,
        title=figure_title("Photo patches: per-pixel vs per-channel mean", token),
        annotations=[panel_title(title, domain) for (title, _), domain in zip(panels, domains)],
        height=340,
        margin={"t": 120, "l": 10, "r": 10, "b": 10},
    )
    return go.Figure({"data": data, "layout": layout})
