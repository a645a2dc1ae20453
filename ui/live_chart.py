"""A Plotly chart that stays on the page across reruns and redraws in place.

st.plotly_chart gives the chart a new element identity whenever the figure changes (the
id hashes the spec), so every slider move tears the chart down and draws it from
scratch. This component keeps one element per key and calls Plotly.react with the new
figure: the activation lab's whole redraw took 304 to 308 ms p50 against 347 to 410 ms
with st.plotly_chart (bench/latency.py's measure, alternating runs of the same page). It
loads plotly.js through Streamlit's static file serving: the smallest of plotly.js's
partial bundles (ui/vendor/: basic, cartesian) that has every trace type of the figure,
else the full plotly.js that ships with the installed plotly package. A fresh tab runs a
partial bundle several times faster (docs/performance.md). Where static serving is
unavailable it falls back to st.plotly_chart. The browser side is live_chart.js.
"""

from __future__ import annotations

import functools
import os
import tempfile
import uuid
from importlib.resources import files
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from ui import first_view
from viz.common import NARROW_MIN_PX, spec_json

APP_ROOT = Path(__file__).resolve().parents[1]
SERVED_PLOTLY = APP_ROOT / "static" / "plotly.min.js"
VENDOR = Path(__file__).parent / "vendor"
# plotly.js's partial bundles (ui/vendor/), served beside SERVED_PLOTLY under their own names
# (live_chart.js knows them), smallest first, with the trace types each draws. The smaller the
# bundle, the sooner a fresh tab has run it: basic 1.1 MB, cartesian 1.4 MB, full 4.8 MB.
PARTIAL_BUNDLES = {
    "basic": ("plotly-basic.min.js", frozenset({"bar", "pie", "scatter"})),
    "cartesian": (
        "plotly-cartesian.min.js",
        frozenset({"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour", "image"})
        | frozenset({"pie", "scatter", "scatterternary", "violin"}),
    ),
}
# Most axes here are fixed, where zoom, pan and selection tools would do nothing: the bar keeps
# "save as PNG". Where an axis can zoom, dragging zooms and a double click resets it.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtons": [["toImage"]],
    "toImageButtonOptions": {"filename": "initlab", "scale": 2},
}

_JS = (Path(__file__).parent / "live_chart.js").read_text()
# Below a figure's minimum width its panel labels and ticks run into each other: narrower
# columns (phones) scroll the chart sideways instead of squeezing it. The labs' figures fit
# from a 1024 px laptop's column up, crowded ones by changing shape (viz.common.narrow_variant).
MIN_WIDTH_PX = NARROW_MIN_PX
_HTML = (
    '<div style="overflow-x: auto"><div class="initlab-live-chart" style="width: 100%; min-height: 200px"></div></div>'
)


@functools.cache
def plotly_js_served() -> bool:
    """Put the plotly.js bundles under ./static (the installed plotly package's full one,
    and the vendored partial ones), once per process.

    False when static serving is off or a copy cannot be written (a read-only
    checkout): callers then fall back to st.plotly_chart.
    """
    if not st.get_option("server.enableStaticServing"):
        return False
    full = files("plotly") / "package_data" / "plotly.min.js"
    sources = {SERVED_PLOTLY: full} | {served(name): vendored(name) for name in PARTIAL_BUNDLES}
    try:
        for target, source in sources.items():
            _serve(source.read_bytes(), target)
    except OSError:
        return False
    return True


def vendored(bundle: str) -> Path:
    """The vendored file of a partial bundle ("basic", "cartesian")."""
    return VENDOR / PARTIAL_BUNDLES[bundle][0]


def served(bundle: str) -> Path:
    """Where a partial bundle is served: beside the full plotly.js."""
    return SERVED_PLOTLY.parent / PARTIAL_BUNDLES[bundle][0]


def _serve(wanted: bytes, target: Path) -> None:
    if target.is_file() and target.read_bytes() == wanted:
        return
    target.parent.mkdir(exist_ok=True)
    # Written beside the target and renamed: a browser never reads a half-written file.
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".tmp") as tmp:
        tmp.write(wanted)
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, target)


def bundle_for(figure: go.Figure | dict) -> str:
    """The smallest plotly.js bundle that draws every trace of figure: "basic", "cartesian" or "full"."""
    if isinstance(figure, dict):
        types = {trace.get("type", "scatter") for trace in figure.get("data", [])}
    else:
        types = {trace.type for trace in figure.data}
    return next((bundle for bundle, (_, drawn) in PARTIAL_BUNDLES.items() if types <= drawn), "full")


def live_chart(figure: go.Figure | dict, key: str, min_width: int = MIN_WIDTH_PX) -> None:
    """Draw figure full width under key; later reruns with the same key redraw it in place.

    figure is a Plotly figure or a spec for viz.common.spec_json (sent without validation).

    Narrower than min_width pixels, the chart keeps that width and scrolls sideways. The
    figure carries its own look (theme=None on the fallback, as on the component), and may
    carry a narrow shape that the browser side draws below a width (live_chart.js).
    """
    if not plotly_js_served():
        st.plotly_chart(figure, key=key, width="stretch", theme=None, config=PLOTLY_CONFIG)
        return
    # Registered on every run, as Streamlit's examples do: registration is per runtime.
    chart = st.components.v2.component("initlab_live_chart", html=_HTML, js=_JS, isolate_styles=False)
    chart(data=_payload(figure, min_width), key=key, on_drawn_change=first_view.chart_drawn)


def _payload(figure: go.Figure | dict, min_width: int) -> dict:
    """The figure, with this session's epoch and a revision that grows with every call:
    the browser side ignores data older than what it has drawn (see live_chart.js)."""
    epoch = st.session_state.setdefault("_live_chart_epoch", uuid.uuid4().hex)
    revision = st.session_state.get("_live_chart_revision", 0) + 1
    st.session_state["_live_chart_revision"] = revision
    return {
        "epoch": epoch,
        "revision": revision,
        "figure": spec_json(figure) if isinstance(figure, dict) else figure.to_json(),
        "config": PLOTLY_CONFIG,
        "minWidth": min_width,
        "bundle": bundle_for(figure),
        "reportDrawn": first_view.showing(),  # a first view's chart reports its draw (ui.first_view)
    }
