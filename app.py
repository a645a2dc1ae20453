"""InitLab: entry point. Process settings, page config, navigation, and nothing else."""

import streamlit as st

from engine.runtime import freeze_heap_once, tune_runtime
from ui.history import history_kept_meaningful
from ui.page_run import run_page

tune_runtime()  # glibc allocator and BLAS threads, see engine/runtime.py: its work runs once per process

st.set_page_config(page_title="InitLab", page_icon="🧠", layout="wide")

pages = [
    st.Page("app_pages/home.py", title="InitLab", icon=":material/home:", default=True),
    st.Page("app_pages/tour.py", title="Lecture tour", icon=":material/school:", url_path="tour"),
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
    st.Page("app_pages/training.py", title="Training", icon=":material/play_circle:", url_path="training"),
    st.Page("app_pages/theory.py", title="Signal propagation", icon=":material/functions:", url_path="theory"),
    st.Page("app_pages/transfer.py", title="Transfer learning", icon=":material/swap_horiz:", url_path="transfer"),
]
page = st.navigation(pages)
with history_kept_meaningful():
    whole = run_page(page)
if whole:
    # The page ran to its end (not a first view's run, which ends under its chart and must not wait
    # for a collection): its modules and caches are loaded, and full garbage collections skip them
    # from now on (engine/runtime.py).
    freeze_heap_once(page.url_path)
