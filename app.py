"""InitLab: entry point. Process settings, page config, navigation, and nothing else."""

import streamlit as st

from engine.runtime import freeze_heap_once, tune_runtime
from ui.history import history_kept_meaningful
from ui.page_run import run_page
from ui.pages import HOME, LABS

tune_runtime()  # glibc allocator and BLAS threads, see engine/runtime.py: its work runs once per process

st.set_page_config(page_title="InitLab", page_icon="🧠", layout="wide")

pages = [
    st.Page(HOME.script, title=HOME.title, icon=HOME.material_icon, default=True),
    *(st.Page(lab.script, title=lab.title, icon=lab.material_icon, url_path=lab.url_path) for lab in LABS),
]
page = st.navigation(pages)
with history_kept_meaningful(page.url_path, [p.url_path for p in pages]):
    whole = run_page(page)
if whole:
    # The page ran to its end (not a first view's run, which ends under its chart and must not wait
    # for a collection): its modules and caches are loaded, and full garbage collections skip them
    # from now on (engine/runtime.py).
    freeze_heap_once(page.url_path)
