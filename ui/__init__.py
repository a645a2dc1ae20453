"""Streamlit helpers shared by the pages (URL state, notices); no computation here."""
