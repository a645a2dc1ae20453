"""The latency floor: one slider and one text element, nothing else."""

import streamlit as st

value = st.slider("value", 0, 1000, 0, key="value")
st.write(f"token {value}")
