"""The latency floor: one widget and one text element, nothing else.

    ?widget=slider (default) | select | number | toggle | radio

The text names the widget's value ("token <value>"), so bench/latency.py sees each change.
"""

import streamlit as st

WIDGETS = {
    "slider": lambda: st.slider("value", 0, 1000, 0, key="value"),
    "select": lambda: st.selectbox("value", [f"option {i}" for i in range(10)], key="value"),
    "number": lambda: st.number_input("value", 0, 100_000, 0, key="value"),
    "toggle": lambda: st.toggle("value", key="value"),
    "radio": lambda: st.radio("value", ["a", "b", "c"], horizontal=True, key="value"),
}

value = WIDGETS[st.query_params.get("widget", "slider")]()
st.write(f"token {value}")
