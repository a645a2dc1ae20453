"""One toolbar per lab page: copy a link to this view, download a figure as PNG or SVG, present.

The buttons work in the browser (toolbar.js): the address bar already holds the whole view,
and the figures are drawn there by plotly.js, which renders PNG and SVG itself, so neither
needs a rerun or a server-side image library. Present mode is `view=present` in the
address, owned by the toolbar's own URL-bound switch (the one part of the toolbar it keeps,
the way out): it hides the sidebar, every setting and the copy and download buttons, keeps
actions (Next, Play), and enlarges the page for a projector (present.css). It combines with
Streamlit's `embed=true`, which hides Streamlit's header but not the sidebar, for an iframe
on a course page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui.urlparams import APP_PARAMS

VIEW = next(param for param in APP_PARAMS if param.key == "view")
PRESENT = "present"
_HERE = Path(__file__).parent
_JS = (_HERE / "toolbar.js").read_text()
_CSS = (_HERE / "present.css").read_text()
_HTML = """<div class="initlab-toolbar">
  <button type="button" data-action="copy" aria-label="Copy link to this view"
    title="Copy the address of exactly this view">Copy link</button>
  <span class="initlab-toolbar-download" role="group" aria-label="Download a figure">
    <span aria-hidden="true">Download</span>
    <select aria-label="Figure to download" title="The figure to download"></select>
    <button type="button" data-action="png" aria-label="Download PNG"
      title="Download the chosen figure as a PNG image">PNG</button>
    <button type="button" data-action="svg" aria-label="Download SVG"
      title="Download the chosen figure as an SVG image">SVG</button>
  </span>
  <span class="initlab-toolbar-status" role="status"></span>
</div>"""
_TOOLBAR_CSS = """
.initlab-toolbar {
  display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; font-family: inherit; position: relative;
}
.initlab-toolbar button, .initlab-toolbar select {
  font: inherit; font-size: 0.875rem; color: #31333F; background: white; cursor: pointer;
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: 0.25rem 0.75rem; min-height: 2rem;
}
/* The list is there from the start and narrows before anything wraps: the figures' titles,
   which come after the charts are drawn, neither widen the toolbar nor move the chart below. */
.initlab-toolbar-download {
  display: flex; flex: 1 1 18rem; max-width: 28rem; gap: 0.5rem; align-items: center; font-size: 0.875rem;
}
.initlab-toolbar select { flex: 1 1 6rem; min-width: 6rem; width: 0; text-overflow: ellipsis; }
.initlab-toolbar button:hover { border-color: #ff4b4b; color: #ff4b4b; }
.initlab-toolbar button:disabled { opacity: 0.4; cursor: not-allowed; }
/* Over the page, under the toolbar, for its few seconds: in the row it wrapped the toolbar and moved the page. */
.initlab-toolbar-status {
  position: absolute; top: calc(100% + 0.25rem); left: 0; z-index: 10; max-width: 100%; overflow-wrap: anywhere;
  font-size: 0.875rem; color: rgba(49, 51, 63, 0.8); background: white; border-radius: 0.5rem;
}
.initlab-toolbar-status:not(:empty) { padding: 0.25rem 0.75rem; box-shadow: 0 1px 4px rgba(49, 51, 63, 0.25); }
"""


# Rules for the whole page. A download button that a running rerun has not reached yet (Streamlit
# marks it stale) would give the table of the view before, under the new chart: it takes no clicks
# until it is redrawn, and the pointer over it says to wait (a button without pointer events
# cannot show a cursor: its box does).
_PAGE_CSS = """
.st-key-initlab_page_style { display: none; }
/* The training lab's row of four numbers is about 140 px a column on a laptop with the sidebar
   open, where Streamlit's 2.25rem cut "diverged" and "0.000297" with an ellipsis: there the
   value's size follows its column's width (cqi), up to Streamlit's own. */
[class*='st-key-initlab_metrics_run'] [data-testid='stColumn'] { container-type: inline-size; }
[class*='st-key-initlab_metrics_run'] [data-testid='stMetricValue'] { font-size: min(2.25rem, 19cqi); }
[data-stale='true'] [data-testid='stDownloadButton'] { cursor: progress; }
[data-stale='true'] [data-testid='stDownloadButton'] button { pointer-events: none; }
"""


# Heights the elements above a page's first chart keep from their first frame. A widget whose code
# is still loading shows Streamlit's skeleton, 40 px high, and the chart below moved when a 32 px
# present switch or a 76 px metric replaced it. A style sheet that sized the skeletons came with
# a component's code, on a loaded machine after the chart; an element's own height is laid out
# by Streamlit's core, with the skeleton.
SWITCH_ROW_HEIGHT = 40
METRIC_HEIGHT = 76  # label and value: Streamlit cuts a long label, so it never takes two lines


def metrics_columns(name: str, count: int) -> list:
    """`count` columns for a row of metrics (`name` tells the page's rows apart)."""
    return st.container(key=f"initlab_metrics_{name}").columns(count)


def metric(cell: DeltaGenerator, label: str, value: str, help: str) -> None:
    """One headline number in `cell`, as high as it will be from its first frame."""
    cell.metric(label, value, help=help, height=METRIC_HEIGHT)


def is_presenting() -> bool:
    """Whether this run shows present mode (the switch's value, else the address's)."""
    if VIEW.key in st.session_state:
        return st.session_state[VIEW.key] == PRESENT
    return st.query_params.get(VIEW.key) == PRESENT


def view_toolbar(page: str) -> bool:
    """The toolbar of page `page` (its figures' file names start with it); applies present mode.

    Call after sanitize_query_params, where the page's charts should be introduced.
    Returns whether the page is presented.
    """
    with st.container(horizontal=True, vertical_alignment="center", key="initlab_toolbar"):
        toolbar = st.components.v2.component("initlab_toolbar", html=_HTML, css=_TOOLBAR_CSS, js=_JS)
        toolbar(data={"page": page}, key="initlab_toolbar_buttons")
        page_style = st.components.v2.component("initlab_page_style", css=_PAGE_CSS, isolate_styles=False)
        page_style(key="initlab_page_style")
        switch_row = st.container(height=SWITCH_ROW_HEIGHT, border=False, width="content", vertical_alignment="center")
        presented = switch_row.pills(
            "Present",
            (PRESENT,),
            key=VIEW.key,
            bind="query-params",
            label_visibility="collapsed",
            help="Present mode, for a projector: no sidebar and no controls, larger text. "
            "The address says `view=present`: add `&embed=true` for an iframe on a course page.",
        )
    if presented == PRESENT:
        # Drawn in place, the style sheet is kept through reruns like any element (st.html of a lone style
        # sheet goes to Streamlit's event container, which dropped it for part of a rerun), and markdown's
        # code is already in the browser, where st.html's would first be fetched: no flash of the sidebar.
        st.sidebar.markdown(f"<style>{_CSS}</style>", unsafe_allow_html=True)
    return presented == PRESENT
