"""A tab's first view of a lab: its chart first, its controls a moment later.

A fresh tab loads the code of every kind of element the first time the page shows one
(Streamlit fetches each widget type as a chunk of its frontend) and plotly.js for the first
chart. Sent together, the sidebar's widgets and the chart share the browser's one main
thread, and the chart, which needs plotly.js, comes last (docs/performance.md). So the
first run of a lab in a tab draws the page down to its chart, from the values the widgets
would start from (the address, else the defaults), and leaves the controls out; the chart
reports its first draw (ui/live_chart.js), which reruns the page whole: the controls come,
starting from the same values, and the chart, already drawn, stays as it is.

Only a view that draws its chart gets a first view: a refused URL value (its notice comes
with the controls), a setting that cannot be simulated or present mode opens the page whole
at once, and a tab whose page has once opened whole shows every later page whole.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.page_run import end_page
from ui.toolbar import is_presenting

DRAWN = "_initlab_chart_drawn"  # a chart of this tab has reported its first draw
WHOLE = "_initlab_drawn_whole"  # a page of this tab has drawn its controls
SHOWN = "_initlab_first_view"  # the page whose first view this tab showed, its controls still to come
CONTROLS_COMING = "Loading the controls…"


def values_for(page: str, refused: bool, read: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
    """The values of `page`'s first view, when this run is one: read() gives the values the
    controls will start from, or None where the page would not draw its chart from them.
    None (draw the controls now) when a URL value was `refused`, a chart was drawn before or a
    page of this tab has drawn its controls."""
    # Present mode opens whole: its style sheet sits in the sidebar after the controls, and would
    # move (the sidebar and the toolbar flashing up) when they came.
    # Once a page of this tab has drawn its controls, no later run leaves them out: a refused
    # value's page opened whole, and the rerun that sent its corrected address (no value refused
    # now, the chart's report still to come) took the controls and the notice away for a moment.
    whole = st.session_state.get(WHOLE) or st.session_state.get(DRAWN)
    plain = not refused and not whole and not is_presenting()
    values = read() if plain else None
    if values is None:
        st.session_state.pop(SHOWN, None)  # this page opens whole: no first view of another is shown here
        st.session_state[WHOLE] = True
    else:
        st.session_state[SHOWN] = page
        # The sidebar would hold only the page list for a moment: say what is coming there.
        # The controls' first element replaces this note in place.
        st.sidebar.caption(CONTROLS_COMING)
    return values


def showing() -> bool:
    """Whether this run is a first view: the page stops after its chart, which reports its draw."""
    return SHOWN in st.session_state and not st.session_state.get(DRAWN)


def stop_if_showing() -> None:
    """End a first view's run here, under its chart: the rest comes with the controls."""
    if showing():
        end_page()


def follows(page: str) -> bool:
    """Whether the chart of `page`'s first view has reported and the page has yet to draw its
    controls; the first call after the report says so, once. The page's whole run counts as
    just opened, as the first view's did. A chart drawn in a fragment reruns only the fragment:
    the fragment asks, then reruns the page, which then does not count as opened again (the
    training lab's Play, pressed during the first view, keeps playing)."""
    if not completes(page):
        return False
    del st.session_state[SHOWN]
    return True


def completes(page: str) -> bool:
    """Whether this run completes `page`'s first view (its chart has reported; follows() has yet
    to say so). A click made during the first view comes with this run."""
    return bool(st.session_state.get(DRAWN)) and st.session_state.get(SHOWN) == page


def chart_drawn() -> None:
    """The chart's report of its first draw (a callback of ui.live_chart)."""
    st.session_state[DRAWN] = True
