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

from bench.reference_apps import line_figure, serve_plotly_beside
from engine.propagate import SimResult
from viz import activations

ROOT = Path(__file__).resolve().parents[1]
serve_plotly_beside(__file__)


def lab_as_a_line(result: SimResult, show_pre: bool = False, log_y: bool = False) -> go.Figure:
    """Stands in for viz.activations.layer_figure, with its signature."""
    return line_figure(activations.view_token(result), result.config.depth)


activations.layer_figure = lab_as_a_line
runpy.run_path(str(ROOT / "app_pages" / "activations.py"), run_name="__main__")
