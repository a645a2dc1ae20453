"""InitLab: entry point. Allocator setting, page config, navigation, and nothing else."""

import streamlit as st

from engine.allocator import tune_allocator

tune_allocator()  # once per process; see engine/allocator.py

st.set_page_config(page_title="InitLab", page_icon="🧠", layout="wide")

pages = [
    st.Page("app_pages/home.py", title="InitLab", icon=":material/home:", default=True),
    st.Page(
        "app_pages/activations.py", title="Activation statistics", icon=":material/bar_chart:", url_path="activations"
    ),
    st.Page(
        "app_pages/preprocessing.py",
        title="Data preprocessing",
        icon=":material/scatter_plot:",
        url_path="preprocessing",
    ),
    st.Page("app_pages/batchnorm.py", title="Batch normalization", icon=":material/tune:", url_path="batchnorm"),
]
st.navigation(pages).run()
