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
        "font": {"size": 17},
        "subtitle": {"text": subtitle, "font": {"size": 12}},
    }
