"""Run a page of the app through Streamlit's AppTest with URL parameters."""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import numpy as np
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest

from ui import first_view, urlparams

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def page_path(name: str) -> str:
    """The script of page `name` (e.g. "activations") in app_pages/."""
    return str(ROOT / "app_pages" / f"{name}.py")


def run_page(path: str, timeout: float = 90, **query) -> AppTest:
    """Run the script at `path` once with `query` as its URL parameters."""
    at = AppTest.from_file(path, default_timeout=timeout)
    at.query_params.update(query)
    chart_already_drawn(at)
    history_guard_reported(at)
    return at.run()


def browser_request(at: AppTest) -> WidgetStates:
    """What the browser sends with a rerun: every drawn widget's value as the test set it. Kept
    and sent later with `send`, it is a request the browser sent before the runs in between
    came back (a key pressed while the server was busy)."""
    return at._tree.get_widget_states()


def send(at: AppTest, request: WidgetStates) -> AppTest:
    """Run the page on `request`, whatever the page drew since it was taken."""
    return at._run(request)


def chart_already_drawn(at: AppTest) -> AppTest:
    """As in a tab that has drawn a chart before: the page opens whole (a tab's first view of
    a lab waits for its chart's report from the browser, which AppTest has not: ui.first_view)."""
    at.session_state[first_view.DRAWN] = True
    return at


def history_guard_reported(at: AppTest) -> AppTest:
    """As in a tab whose history guard (ui/history.js) has said it is installed: the page sends
    the addresses it corrects at once (a fresh tab's first run holds them back: ui.urlparams)."""
    at.session_state[urlparams.HISTORY_GUARD_KEY] = {"installed": True}
    return at


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


def array(value) -> np.ndarray:
    """A figure's array as NumPy: Plotly sends NumPy arrays as base64 typed arrays
    ({"dtype": "f8", "bdata": ..., "shape": "r, c"}), lists as lists."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.asarray(value)


def offered_views(at: AppTest) -> list[tuple[str, str]]:
    """(label, address) of every view a refusal offers (ui.urlparams.offer_views): links that
    open in the same tab."""
    anchors = re.findall(r'<a href="([^"]*)" target="_self">([^<]*)</a>', " ".join(m.value for m in at.markdown))
    return [(html.unescape(label), html.unescape(href)) for href, label in anchors]
