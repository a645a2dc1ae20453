"""The activation lab exactly as it is, except that its figure is a one-line chart.

Its controls, simulation, diagnosis, table and notes all run as on the real page
(app_pages/activations.py, executed here); only viz.activations.layer_figure is replaced
by a chart whose subtitle names the view. bench/latency.py measures it to show what the
page costs apart from drawing its figure.
"""

import runpy
import sys
from pathlib import Path

import plotly.graph_objects as go

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.propagate import SimResult
from ui import live_chart
from viz import activations
from viz.common import STREAMLIT_LOOK, figure_title

ROOT = Path(__file__).resolve().parents[1]
# Streamlit serves static files from beside the main script, here bench/static.
live_chart.SERVED_PLOTLY = Path(__file__).parent / "static" / "plotly.min.js"


def line_figure(result: SimResult, show_pre: bool = False, log_y: bool = False) -> go.Figure:
    return go.Figure(
        {
            "data": [{"type": "scatter", "x": [0, 1, 2], "y": [0, result.config.depth, 0]}],
            "layout": {
                **STREAMLIT_LOOK,
                "height": 300,
                "title": figure_title("A line", activations.view_token(result)),
            },
        }
    )


activations.layer_figure = line_figure
runpy.run_path(str(ROOT / "app_pages" / "activations.py"), run_name="__main__")
