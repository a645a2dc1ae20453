"""Figures of the preprocessing lab (pure: engine results in, go.Figure out)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.prep_lab import Conditioning, FirstLayer, Panel
from viz.common import figure_title

RAW, PREPROCESSED = "#7f7f7f", "#1f77b4"


def _fmt(values: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.2f}" for v in values) + ")"


def stages_figure(panels: list[Panel], labels: tuple[str, str], token: str) -> go.Figure:
    """The classic figure: original, centered, normalized, decorrelated, whitened, on equal axes."""
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[p.name for p in panels], horizontal_spacing=0.04)
    for col, panel in enumerate(panels, start=1):
        fig.add_trace(
            go.Scattergl(
                x=panel.points[:, 0],
                y=panel.points[:, 1],
                mode="markers",
                marker={"size": 4, "color": PREPROCESSED, "opacity": 0.6},
                showlegend=False,
                hovertemplate="(%{x:.2f}, %{y:.2f})<extra></extra>",
            ),
            row=1,
            col=col,
        )
        axis = "" if col == 1 else str(col)
        fig.update_yaxes(scaleanchor=f"x{axis}", scaleratio=1, row=1, col=col, zeroline=True, zerolinecolor="#bbb")
        fig.update_xaxes(
            zeroline=True,
            zerolinecolor="#bbb",
            row=1,
            col=col,
            title_text=f"mean {_fmt(panel.mean)}<br>std {_fmt(panel.std)}<br>cov {panel.cov:.2f}",
            title_font={"size": 11},
        )
    first, second = labels
    fig.update_layout(
        title=figure_title(
            f"Each stage on equal axes ({first} and {second}; later stages: principal components 1 and 2)", token
        ),
        height=420,
        margin={"t": 100, "l": 40, "r": 10, "b": 100},
    )
    return fig


def conditioning_figure(c: Conditioning, token: str) -> go.Figure:
    """Loss around the best classifier (relative weight changes) raw vs normalized, and gradient descent."""
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=(
            "raw data: loss near the best weights",
            "normalized data: the same",
            "gradient descent, same learning rate",
        ),
    )
    zmax = float(np.nanmax([c.surface_raw.max(), c.surface_normalized.max()]))
    zmin = float(np.nanmin([c.surface_raw.min(), c.surface_normalized.min()]))
    for col, surface in ((1, c.surface_raw), (2, c.surface_normalized)):
        fig.add_trace(
            go.Contour(
                x=c.t,
                y=c.t,
                z=surface,
                zmin=zmin,
                zmax=zmax,
                colorscale="Viridis",
                showscale=col == 2,
                contours={"coloring": "heatmap"},
                colorbar={"title": "loss", "len": 0.8},
                hovertemplate="w%{x:+.0%} · w%{y:+.0%}: loss %{z:.3f}<extra></extra>",
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(title_text=f"relative change of weight {c.dims[0]}", tickformat="+.0%", row=1, col=col)
        fig.update_yaxes(title_text=f"of weight {c.dims[1]}", tickformat="+.0%", row=1, col=col)
    steps = np.arange(len(c.losses_raw))
    curves = (
        (c.losses_raw, "raw", RAW),
        (c.losses_centered, "zero-centered only", "#ff7f0e"),
        (c.losses_normalized, "normalized", PREPROCESSED),
    )
    for losses, name, color in curves:
        fig.add_trace(
            go.Scatter(x=steps, y=np.where(np.isfinite(losses), losses, np.nan), name=name, line={"color": color}),
            row=1,
            col=3,
        )
    fig.add_hline(
        y=c.threshold,
        line={"dash": "dot", "color": "black"},
        row=1,
        col=3,
        annotation_text="10% above the best loss",
        annotation_position="top right",
    )
    fig.update_yaxes(type="log", title_text="loss", row=1, col=3)
    fig.update_xaxes(title_text="step", row=1, col=3)
    fig.update_layout(
        title=figure_title("Why normalize: sensitivity to the weights, and optimization", token),
        height=420,
        legend={"orientation": "h", "y": -0.25},
        margin={"t": 100, "l": 50, "r": 10, "b": 60},
    )
    return fig


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
        barmode="overlay",
        bargap=0,
        title=figure_title("First-layer pre-activations", token),
        height=360,
        xaxis_title="pre-activation z = x·W (values beyond ±6 in the end bins)",
        yaxis_title="fraction",
        legend={"orientation": "h", "y": -0.3},
        margin={"t": 100, "l": 50, "r": 10, "b": 60},
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
    fig = make_subplots(
        rows=1,
        cols=4,
        subplot_titles=("a patch", "per-pixel mean image", "patch − mean image", "patch − channel means"),
    )

    def stretched(img: np.ndarray) -> np.ndarray:
        """Centred images have negative values: map their range onto 0..255 to show them."""
        lo, hi = img.min(), img.max()
        return (255 * (img - lo) / (hi - lo if hi > lo else 1.0)).astype(np.uint8)

    shown = (
        patch.astype(np.uint8),
        mean_image.astype(np.uint8),
        stretched(patch - mean_image),
        stretched(patch - channel_means),
    )
    for col, img in enumerate(shown, start=1):
        fig.add_trace(go.Image(z=img), row=1, col=col)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    means = ", ".join(f"{c} {v:.1f}" for c, v in zip("RGB", channel_means))
    fig.update_layout(
        title=figure_title(f"Photo patches: per-pixel vs per-channel mean (channel means: {means})", token),
        height=330,
        margin={"t": 100, "l": 10, "r": 10, "b": 10},
    )
    return fig
