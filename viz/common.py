"""Pieces shared by the figure builders."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from _plotly_utils.utils import to_typed_array_spec
from plotly.io.json import to_json_plotly


def figure_title(text: str, subtitle: str) -> dict:
    """A left-aligned title with a subtitle; the subtitle names the view, so a redraw is visible."""
    return {
        "text": text,
        "x": 0.0,
        "xanchor": "left",
        # At the figure's top edge in pixels, whatever its height (a fraction drifts down in tall figures).
        "y": 1.0,
        "yanchor": "top",
        "pad": {"t": 8},
        "font": {"size": 17, "weight": 600},
        "subtitle": {"text": subtitle, "font": {"size": 12}},
    }


# Streamlit's own look, carried by every figure: ui.live_chart draws with plain Plotly,
# without Streamlit's theming pass (which cost about a fifth of a large figure's redraw).
STREAMLIT_LOOK = {
    "template": "none",
    "font": {"family": '"Source Sans", "Source Sans Pro", sans-serif', "color": "#31333F"},
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
}


# A horizontal legend at the figure's very bottom, under the x axis titles whatever the
# plot's height (a legend placed in plot fractions sits on the axis title of short plots).
# The figure's bottom margin must hold tick labels, axis title and legend.
BOTTOM_LEGEND = {"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0.0}
# Pixels of a horizontal legend: a row, a symbol with its gaps, one character of a label (12 px font).
LEGEND_ROW_PX, LEGEND_SYMBOL_PX, LEGEND_CHAR_PX = 20, 46, 6.5
AXIS_BOTTOM_PX = 58  # tick labels and an axis title under a plot


def legend_rows(labels: Sequence[str], width_px: float) -> int:
    """Rows a horizontal legend of these labels takes in a plot width_px wide: one if they fit,
    else Plotly puts them in columns as wide as the widest item."""
    items = [LEGEND_SYMBOL_PX + LEGEND_CHAR_PX * len(label) for label in labels]
    if sum(items) <= width_px:
        return 1
    per_row = max(1, int(width_px // max(items)))
    return math.ceil(len(items) / per_row)


def columns(widths: list[float], gaps: list[float]) -> list[list[float]]:
    """x domains (paper fractions) of side-by-side panels with the given relative widths and gaps."""
    scale = 1.0 / (sum(widths) + sum(gaps))
    domains, left = [], 0.0
    for width, gap in zip(widths, [*gaps, 0.0]):
        domains.append([left, min(1.0, left + width * scale)])
        left += (width + gap) * scale
    return domains


def panel_title(text: str, domain: list[float]) -> dict:
    """A title centred over one panel, as make_subplots would place it."""
    return {
        "text": text,
        "x": (domain[0] + domain[1]) / 2,
        "y": 1.0,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 14},
    }


def hline(value: float, suffix: str = "", line: dict | None = None) -> dict:
    """A horizontal line at y = value across one panel (axes x{suffix}, y{suffix}); dotted black by default."""
    return {
        "type": "line",
        "xref": f"x{suffix} domain",
        "yref": f"y{suffix}",
        "x0": 0,
        "x1": 1,
        "y0": value,
        "y1": value,
        "line": line or {"dash": "dot", "color": "black"},
    }


def axis_suffix(index: int) -> str:
    """Plotly's axis name suffix for panel `index` (1-based): x, x2, x3, ..."""
    return "" if index == 1 else str(index)


# Chart widths in pixels. From NARROW_BELOW_PX up, a figure's wide layout keeps its texts apart;
# below it, a figure that would crowd carries a narrow variant that does so down to
# NARROW_MIN_PX (the column of a 1024 px laptop with the sidebar open). Narrower columns
# (phones) scroll the chart sideways: see ui.live_chart.
NARROW_BELOW_PX = 800
NARROW_MIN_PX = 560


def narrow_variant(layout: dict, data: list[dict] | None = None) -> dict:
    """A figure's `meta` carrying its narrow shape: top-level layout keys, and properties of the
    traces by index, that replace the wide figure's below NARROW_BELOW_PX (ui/live_chart.js)."""
    return {"narrow": {"below": NARROW_BELOW_PX, "layout": layout, "data": data or []}}


def rows(heights: list[float], gaps: list[float]) -> list[list[float]]:
    """y domains (paper fractions) of stacked panels, top first, with the given relative heights and gaps."""
    return [[1.0 - top, 1.0 - bottom] for bottom, top in columns(heights, gaps)]


def panels_side_by_side(
    titles: list[str],
    axes: list[tuple[dict, dict]],
    top_px: int = 110,
    panel_px: int = 300,
    bottom_px: int = 60,
    gap: float = 0.2,
    stacked_gap_px: int = 90,
) -> dict:
    """Layout keys of panels side by side (each its own x and y axis), whose narrow variant stacks them.

    `axes` holds each panel's (xaxis, yaxis) without domains or anchors; the result holds the
    axes, the panel titles as annotations, the height and margins, and `meta` with the stacked
    shape (ui/live_chart.js swaps it in below NARROW_BELOW_PX). Extra annotations and shapes
    are the caller's to append (to both shapes: the narrow annotations replace the wide ones).
    """
    count = len(axes)
    wide = columns([1.0] * count, [gap] * (count - 1))
    stacked = rows([panel_px] * count, [stacked_gap_px] * (count - 1))
    layout: dict = {"height": top_px + panel_px + bottom_px, "margin": {"t": top_px, "l": 65, "r": 20, "b": bottom_px}}
    narrow: dict = {"height": top_px + count * panel_px + (count - 1) * stacked_gap_px + bottom_px}
    for index, (x_axis, y_axis) in enumerate(axes, start=1):
        suffix = axis_suffix(index)
        layout[f"xaxis{suffix}"] = {**x_axis, "domain": wide[index - 1], "anchor": f"y{suffix}"}
        layout[f"yaxis{suffix}"] = {**y_axis, "domain": [0.0, 1.0], "anchor": f"x{suffix}"}
        narrow[f"xaxis{suffix}"] = {**layout[f"xaxis{suffix}"], "domain": [0.0, 1.0]}
        narrow[f"yaxis{suffix}"] = {**layout[f"yaxis{suffix}"], "domain": stacked[index - 1]}
    layout["annotations"] = [panel_title(title, domain) for title, domain in zip(titles, wide)]
    narrow["annotations"] = [
        {**panel_title(title, [0.0, 1.0]), "y": domain[1]} for title, domain in zip(titles, stacked)
    ]
    layout["meta"] = narrow_variant(narrow)
    return layout


@functools.cache
def _template(name: str) -> dict:
    """What Plotly's validation turns a template's name into, on a figure's way to JSON."""
    return go.Figure(layout={"template": name}).to_plotly_json()["layout"]["template"]


def _typed(value: object) -> object:
    return to_typed_array_spec(value) if isinstance(value, np.ndarray) else value


def spec_json(spec: dict) -> str:
    """The JSON of go.Figure(spec).to_json(), without building and validating the figure.

    For a spec of plain dicts whose NumPy arrays sit at the top level of its traces (sent
    as typed arrays, as Plotly sends them) and whose template, if any, is named. Building
    the activation lab's figure cost more in Plotly's validation than in the figure itself
    (tests/test_viz.py pins that both give the same JSON).
    """
    layout = dict(spec.get("layout", {}))
    if isinstance(layout.get("template"), str):
        layout["template"] = _template(layout["template"])
    data = [{key: _typed(value) for key, value in trace.items()} for trace in spec.get("data", [])]
    return to_json_plotly({"data": data, "layout": layout})
