"""The preprocessing lab's cloud and its gradient-descent comparison, for every page that shows them."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from engine.data import labelled_cloud
from engine.prep_lab import Conditioning, conditioning
from viz.preprocessing import conditioning_figure


def cloud(v: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, str]:
    """The labelled 2-D cloud of the lab's values v: (points, binary labels, a description)."""
    x, y = labelled_cloud(v["n"], (v["off_x"], v["off_y"]), (v["sx"], v["sy"]), v["corr"], v["seed"])
    return x, y, f"cloud of {v['n']}: mean ({v['off_x']:g}, {v['off_y']:g}), std ({v['sx']:g}, {v['sy']:g})"


@st.cache_data(max_entries=16, show_spinner=False)
def cached_conditioning(x: np.ndarray, y: np.ndarray, lr: float, steps: int) -> Conditioning:
    return conditioning(x, y, lr, steps)


def conditioning_view(x: np.ndarray, y: np.ndarray, v: dict[str, Any], token: str) -> tuple[go.Figure, Conditioning]:
    """The lab's section 2: the loss around the best weights and gradient descent, raw against normalized."""
    c = cached_conditioning(x, y, float(v["lr"]), int(v["steps"]))
    return conditioning_figure(c, token + f" · lr {v['lr']:g}"), c
