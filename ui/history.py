"""Browser history whose entries restore the views they were made from.

Control changes replace the address (Streamlit's own behaviour), so Back and Forward move
between the pages and links a user opened. Streamlit also pushes an entry for every address
the server sends: a corrected link, a preset expanded into its values, and, on leaving a
page, that page's address without its settings. history.js turns the first kind into
replacements and gives the page being left its last address back, so no entry shows a
view nobody saw.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_JS = (Path(__file__).parent / "history.js").read_text()


def keep_history_meaningful() -> None:
    """Install history.js in the browser (once per window; call on every run of every page)."""
    component = st.components.v2.component("initlab_history", html="<span></span>", js=_JS)
    with st.sidebar:
        component(key="initlab_history")
