"""Run a page of the app through Streamlit's AppTest with URL parameters."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def page_path(name: str) -> str:
    """The script of page `name` (e.g. "activations") in app_pages/."""
    return str(ROOT / "app_pages" / f"{name}.py")


def run_page(path: str, timeout: float = 90, **query) -> AppTest:
    """Run the script at `path` once with `query` as its URL parameters."""
    at = AppTest.from_file(path, default_timeout=timeout)
    at.query_params.update(query)
    return at.run()


def chart_specs(at: AppTest) -> list[str]:
    """The JSON of every Plotly figure the page drew, in order: ui.live_chart's and st.plotly_chart's."""
    specs = [element.proto.spec for element in at.get("plotly_chart")]
    for element in at.get("bidi_component"):
        if element.proto.component_name == "initlab_live_chart":
            specs.append(json.loads(element.proto.json)["figure"])
    return specs


def chart_figures(at: AppTest) -> list[dict]:
    """The Plotly figures the page drew, parsed (see chart_specs)."""
    return [json.loads(spec) for spec in chart_specs(at)]
