"""Pieces shared by the figure builders."""

from __future__ import annotations


def figure_title(text: str, subtitle: str) -> dict:
    """A left-aligned title with a subtitle; the subtitle names the view, so a redraw is visible."""
    return {
        "text": text,
        "x": 0.0,
        "xanchor": "left",
        "y": 0.98,
        "yanchor": "top",
        "font": {"size": 17, "weight": 600},
        "subtitle": {"text": subtitle, "font": {"size": 12}},
    }


# Streamlit's own look for a figure drawn with theme=None: Streamlit's theming pass costs
# the browser about a fifth of a large figure's redraw, so the live figure skips it.
STREAMLIT_LOOK = {
    "template": "none",
    "font": {"family": '"Source Sans", "Source Sans Pro", sans-serif', "color": "#31333F"},
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
}
