"""Browser history whose entries restore the views they were made from.

Control changes replace the address (Streamlit's own behaviour), so Back and Forward move
between the pages and links a user opened. Streamlit also pushes an entry for every address
the server sends: a corrected link, a preset expanded into its values, and, on leaving a
page, that page's address without its settings. history.js turns the first kind into
replacements and gives the page being left its last address back, so no entry shows a
view nobody saw. After Back or Forward, until a run of the entry's own page and query has
drawn, it keeps the entry's address against the runs the traversal left behind (each run
tells it its page, the query it began with and the one it shows), and it reloads an entry
whose first run got another entry's query (a fast double Forward across documents). It
also keeps a plain click on a link to another view of the app in this tab, where Streamlit
opens every markdown link in a new one. It can only do so once installed: a fresh tab's first
run holds back the address it corrects (ui/urlparams.py), the guard reports itself installed,
and the rerun that report causes sends the address, now as a replacement.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.urlparams import HISTORY_GUARD_KEY, address_waiting, guard_shown, query_shown, send_waiting_address

_JS = (Path(__file__).parent / "history.js").read_text()
# The guard draws nothing, but in the sidebar's column it took a gap, which went for the part
# of every rerun its slot is empty: the sidebar shifted by 16 px, and when scrolled, the shift
# compensating it was a scroll that closed an open select box.
_OUT_OF_FLOW = ".st-key-initlab_history { display: none; }"
_RUNS = "_initlab_history_runs"


@contextmanager
def history_kept_meaningful(page: str, pages: Sequence[str]) -> Iterator[None]:
    """Run a page inside this: history.js is installed in the browser (once per window) and an
    address the page's first run held back is sent once the guard says it is there.

    page is the URL path of the page run ("" for the home page), pages every page's."""
    ctx = get_script_run_ctx()
    query = ctx.query_string if ctx is not None else ""  # the browser's query this run began with
    send_waiting_address()
    with st.sidebar:
        slot = st.empty()  # the guard's place, filled after the page: only then is it known
    try:  # whether the page held an address back (a page ended by end_page comes here too)
        yield
    finally:
        guard = st.components.v2.component(
            "initlab_history", html="<span></span>", js=_JS, css=_OUT_OF_FLOW, isolate_styles=False
        )
        with slot:
            # `waiting` asks the guard to report itself installed, which reruns the page and
            # sends the address; with nothing waiting there is no report and no rerun.
            data = {
                "waiting": address_waiting(),
                "page": page,
                "pages": list(pages),
                "query": query,
                "shown": query_shown(),
                "run": _next_run(),  # a new value each run: the guard hears of every run
            }
            guard(data=data, key=HISTORY_GUARD_KEY, on_installed_change=_no_op)
        guard_shown()


def _next_run() -> int:
    runs = st.session_state.get(_RUNS, 0) + 1
    st.session_state[_RUNS] = runs
    return runs


def _no_op() -> None:
    """The guard's report only needs the rerun it causes (Streamlit requires a callback)."""
