"""InitLab: entry point. Page config, navigation, and nothing else."""

import streamlit as st

st.set_page_config(page_title="InitLab", page_icon="🧠", layout="wide")

pages = [
    st.Page("app_pages/home.py", title="InitLab", icon=":material/home:", default=True),
    st.Page(
        "app_pages/activations.py", title="Activation statistics", icon=":material/bar_chart:", url_path="activations"
    ),
]
st.navigation(pages).run()
