"""Pieces of the latency benchmark's reference apps (chart_floor_app.py, lab_line_app.py)."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go

from ui import live_chart
from viz.common import STREAMLIT_LOOK, figure_title


def serve_plotly_beside(script: str) -> None:
    """Have the live chart serve plotly.js from beside `script`: Streamlit serves static files
    from the main script's folder, which for a bench app is bench/, not the project root."""
    live_chart.SERVED_PLOTLY = Path(script).resolve().parent / "static" / "plotly.min.js"


def line_figure(subtitle: str, height: int) -> go.Figure:
    """A one-line chart whose subtitle names the view: the cheapest figure to redraw."""
    return go.Figure(
        {
            "data": [{"type": "scatter", "x": [0, 1, 2], "y": [0, height, 0]}],
            "layout": {**STREAMLIT_LOOK, "height": 300, "title": figure_title("A line", subtitle)},
        }
    )
