"""Lecture tour: CS231n's Training Neural Networks, Part 1, step by step, each claim with its live figure."""

import streamlit as st

from ui.toolbar import view_toolbar
from ui.tour import arrow_keys, current_step, navigation, show_step, stray_controls
from ui.tour_steps import PARAMS
from ui.urlparams import sanitize_query_params, start_page, warn_rejections

with st.container(key="tour_intro"):  # present mode leaves it out: the step's own title says enough
    st.title("Lecture tour")
    st.caption(
        "The lecture's argument in order, from zero init to transfer learning: each step states a claim, shows it "
        "live with the labs' own figures, and offers the one control worth moving. ← and → move between steps."
    )
start_page("tour", PARAMS)
rejections = sanitize_query_params(PARAMS)
rejections += stray_controls(current_step())
number = navigation(current_step())
warn_rejections(rejections, {"step": number})
arrow_keys()
view_toolbar("tour")
show_step(number)
