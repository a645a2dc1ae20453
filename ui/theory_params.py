"""The signal-propagation lab's URL parameters, its work budget, and links to and from the activation lab."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from engine.activations import ACTIVATIONS
from engine.config import MAX_SEED
from ui.urlparams import Param, url_value

# The Jacobian spectra multiply depth matrices of width × width for two kinds of weights:
# this many multiply-adds (depth × width³ each) fit the page's budget of about a second.
SPECTRUM_BUDGET = 64 * 400**3
MAX_DEPTH, MAX_WIDTH = 128, 1000
INITS = ("gaussian", "orthogonal")
PHASE_SCALES = ("signal", "gradient")
LAB_WIDTH = 4096  # where the lecture's settings sit: the activation lab's default width
# The phase diagram's σ_w² axis (log): the lecture's 0.41 to 10.24 and the critical region.
PHASE_W2_RANGE = (0.1, 20.0)

PARAMS: tuple[Param, ...] = (
    Param("act", str, "tanh", "activation", tuple(ACTIVATIONS)),
    Param("slope", float, 0.01, "negative slope of leaky_relu", lo=0.0, hi=1.0),
    Param("sw2", float, 1.0, "σ_w²: weight variance times fan-in", lo=0.01, hi=50.0),
    Param("sb2", float, 0.0, "σ_b²: variance of the biases", lo=0.0, hi=4.0),
    Param("depth", int, 32, "layers of the simulated nets", lo=1, hi=MAX_DEPTH),
    Param("width", int, 200, "units per layer of the simulated nets", lo=2, hi=MAX_WIDTH),
    Param("init", str, "gaussian", "weights of the simulated correlation net", INITS),
    Param(
        "phase", str, "signal", "depth scale drawn on the phase diagram: ξ_c (signal) or ξ_∇ (gradient)", PHASE_SCALES
    ),
    Param("seed", int, 0, "random seed of the simulated nets", lo=0, hi=MAX_SEED),
)
PARAM_BY_KEY = {p.key: p for p in PARAMS}
DEFAULTS = {p.key: p.default for p in PARAMS}


def spectrum_work(depth: int, width: int) -> int:
    """Multiply-adds of one Jacobian product (depth products of width × width matrices)."""
    return depth * width**3


def within_budget(depth: int, width: int) -> bool:
    return spectrum_work(depth, width) <= SPECTRUM_BUDGET


def widest_within_budget(depth: int) -> int:
    """The widest simulated net of `depth` layers whose spectra fit the budget (at most MAX_WIDTH)."""
    return min(MAX_WIDTH, int((SPECTRUM_BUDGET / max(depth, 1)) ** (1 / 3)))


def budget_fixes(depth: int, width: int) -> list[dict[str, int]]:
    """Settings within the budget that keep one of depth and width: the other shrunk to fit."""
    fixes = []
    fitting_width = int((SPECTRUM_BUDGET / depth) ** (1 / 3))
    if fitting_width >= 2:
        fixes.append({"width": fitting_width})
    fitting_depth = SPECTRUM_BUDGET // width**3
    if fitting_depth >= 1:
        fixes.append({"depth": int(fitting_depth)})
    return fixes


def theory_query(values: dict[str, Any], **changes: Any) -> str:
    """The query string of the view `values` with `changes`: only what differs from the defaults."""
    merged = {**values, **changes}
    shown = {key: url_value(v) for key, v in merged.items() if key in DEFAULTS and v != DEFAULTS[key]}
    if merged.get("act") != "leaky_relu":
        shown.pop("slope", None)
    return urlencode(shown)


def activation_lab_query(values: dict[str, Any]) -> str:
    """The activation lab's view of this setting: Gaussian weights with std √(σ_w²/width), no bias.

    The activation lab's bias is one constant for every unit, not a random one: σ_b² has no
    counterpart there and is left out (the page says so).
    """
    width = int(values["width"])
    query = {
        "act": values["act"],
        "init": "gaussian",
        "std": f"{math.sqrt(values['sw2'] / width):.6g}",
        "depth": str(values["depth"]),
        "width": str(width),
    }
    if values["act"] == "leaky_relu":
        query["slope"] = url_value(values["slope"])
    return urlencode(query)
