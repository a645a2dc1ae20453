"""A Plotly chart that stays on the page across reruns and redraws in place.

st.plotly_chart gives the chart a new element identity whenever the figure changes (the
id hashes the spec), so every slider move tears the chart down and draws it from
scratch. This component keeps one element per key and calls Plotly.react with the new
figure: bench/latency.py measured the activation lab's redraw about 40% faster. It loads
the plotly.js that ships with the installed plotly package, served by Streamlit's static
file serving; where that is unavailable it falls back to st.plotly_chart.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from importlib.resources import files
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

APP_ROOT = Path(__file__).resolve().parents[1]
SERVED_PLOTLY = APP_ROOT / "static" / "plotly.min.js"
# The lab's axes are fixed, so zoom, pan and selection tools would do nothing: keep "save as PNG".
PLOTLY_CONFIG = json.dumps(
    {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtons": [["toImage"]],
        "toImageButtonOptions": {"filename": "initlab", "scale": 2},
    }
)

_JS = """
let loading = null;

function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL("app/static/plotly.min.js", document.baseURI).href;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { loading = null; reject(new Error("plotly.js did not load")); };
      document.head.appendChild(script);
    });
  }
  return loading;
}

// Plotly's own `responsive` follows the window only; the page's column also changes
// width when the sidebar opens or closes, so the chart watches its own box.
function followWidth(Plotly, target) {
  if (target.initlabResize) return;
  let frame = 0;
  target.initlabResize = new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => Plotly.Plots.resize(target));
  });
  target.initlabResize.observe(target);
}

export default function (component) {
  const { data, parentElement } = component;
  const target = parentElement.querySelector(".initlab-live-chart");
  const { figure, config } = JSON.parse(data);
  // Plots.resize sizes the chart to its box: the box must carry the figure's height.
  if (figure.layout.height) target.style.height = `${figure.layout.height}px`;
  loadPlotly()
    .then((Plotly) => {
      followWidth(Plotly, target);
      return Plotly.react(target, figure.data, figure.layout, config);
    })
    .catch(() => {
      target.textContent = "The chart library did not load. Reload the page to try again.";
    });
  return () => {
    target.initlabResize?.disconnect();
    window.Plotly?.purge(target);
  };
}
"""

_HTML = '<div class="initlab-live-chart" style="width: 100%; min-height: 200px"></div>'


@functools.cache
def plotly_js_served() -> bool:
    """Put the installed plotly package's plotly.min.js under ./static, once per process.

    False when static serving is off or the copy cannot be written (a read-only
    checkout): callers then fall back to st.plotly_chart.
    """
    if not st.get_option("server.enableStaticServing"):
        return False
    source = files("plotly") / "package_data" / "plotly.min.js"
    try:
        with source.open("rb") as src:
            wanted = src.read()
        if SERVED_PLOTLY.is_file() and SERVED_PLOTLY.read_bytes() == wanted:
            return True
        SERVED_PLOTLY.parent.mkdir(exist_ok=True)
        # Written beside the target and renamed: a browser never reads a half-written file.
        with tempfile.NamedTemporaryFile(dir=SERVED_PLOTLY.parent, delete=False, suffix=".tmp") as tmp:
            tmp.write(wanted)
        os.chmod(tmp.name, 0o644)
        os.replace(tmp.name, SERVED_PLOTLY)
    except OSError:
        return False
    return True


def live_chart(figure: go.Figure, key: str) -> None:
    """Draw figure full width under key; later reruns with the same key redraw it in place.

    The figure carries its own look (theme=None on the fallback, as on the component).
    """
    if not plotly_js_served():
        st.plotly_chart(figure, key=key, width="stretch", theme=None)
        return
    # Registered on every run, as Streamlit's examples do: registration is per runtime.
    chart = st.components.v2.component("initlab_live_chart", html=_HTML, js=_JS, isolate_styles=False)
    chart(data=f'{{"figure": {figure.to_json()}, "config": {PLOTLY_CONFIG}}}', key=key)
