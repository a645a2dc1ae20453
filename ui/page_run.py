"""A page ends early with end_page(), not st.stop().

st.stop() ends the whole script run: nothing can be drawn after it, and app.py draws the
history guard after the page (ui/history.py), once the page has said whether it holds an
address back. end_page() leaves the page only. A page run as its own script (AppTest) has
nothing after it, and stops.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import NoReturn

import streamlit as st
from streamlit.navigation.page import StreamlitPage

_IN_APP = ContextVar("initlab_page_in_app", default=False)


class PageEnded(Exception):
    """A page's early end (end_page), caught where app.py runs the page."""


def end_page() -> NoReturn:
    """End the page here; the app still finishes its run (the history guard)."""
    if not _IN_APP.get():
        st.stop()
    raise PageEnded


def run_page(page: StreamlitPage) -> bool:
    """Run `page` to its end or to its end_page(); whether it ran to its end."""
    token = _IN_APP.set(True)
    try:
        page.run()
    except PageEnded:
        return False
    finally:
        _IN_APP.reset(token)
    return True
