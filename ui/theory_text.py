"""The signal-propagation lab's words: what the numbers mean for this setting, links, sources."""

from __future__ import annotations

import math
from typing import Any

from engine.propagate import SimResult
from engine.theory.meanfield import FixedPoint
from ui.theory_params import PHASE_W2_RANGE, theory_query

NEARLY_ALIKE, UNRELATED = 0.95, 0.5  # c* above: pairs end nearly alike; below: nearly unrelated

SOURCES = (
    "- The variance map q → σ_w²·E[φ(√q·z)²] + σ_b², the correlation map and the order-to-chaos transition: "
    "B. Poole, S. Lahiri, M. Raghu, J. Sohl-Dickstein, S. Ganguli, *Exponential expressivity in deep neural "
    "networks through transient chaos*, NeurIPS 2016.\n"
    "- The depth scales ξ_c = −1/ln χ_c and ξ_∇ = −1/ln χ₁: S. Schoenholz, J. Gilmer, S. Ganguli, "
    "J. Sohl-Dickstein, *Deep information propagation*, ICLR 2017.\n"
    "- Dynamical isometry with orthogonal weights: A. Saxe, J. McClelland, S. Ganguli, *Exact solutions to the "
    "nonlinear dynamics of learning in deep linear neural networks*, ICLR 2014 (arXiv 2013); J. Pennington, "
    "S. Schoenholz, S. Ganguli, *Resurrecting the sigmoid in deep learning through dynamical isometry*, "
    "NeurIPS 2017.\n"
    "- The standard and normalized initializations: X. Glorot, Y. Bengio, *Understanding the difficulty of "
    "training deep feedforward neural networks*, AISTATS 2010, figures 6 and 7.\n"
    "- Expectations over z ~ N(0, 1) are computed by Gauss-Hermite quadrature; the measured curves come from "
    "nets simulated with NumPy at the chosen width."
)


def glorot_text(standard: SimResult, normalized: SimResult) -> str:
    """What figures 6 and 7 show, with the measured spreads of the first and last layers."""

    def spread(result: SimResult, kind: str) -> str:
        first, last = getattr(result.layers[0], kind).std, getattr(result.layers[-1], kind).std
        return f"{first:.2g} at layer 1 and {last:.2g} at layer {len(result.layers)}"

    return (
        "Glorot and Bengio's setting: five tanh layers of 1000 units, at initialization. Their *standard* "
        "initialization W ~ U[−1/√n, 1/√n] (n = fan-in; PyTorch's `nn.Linear` default today) has Var(W) = 1/(3n), "
        "so σ_w² = 1/3: deep in the ordered phase. The activations shrink layer by layer (std "
        f"{spread(standard, 'act')}) and so does the gradient on its way back down (std {spread(standard, 'grad')}). "
        "Their *normalized* initialization U[−√6/√(n_in+n_out), √6/√(n_in+n_out)] (Glorot/Xavier uniform) gives "
        f"σ_w² = 1 for equal widths: activations {spread(normalized, 'act')}, gradients "
        f"{spread(normalized, 'grad')}. The same nets in the activation lab: "
        "[standard](activations?preset=glorot-standard) · [normalized](activations?preset=glorot-normalized)."
    )


# Settings worth one click: (label, the values they change).
SETTING_LINKS = (
    ("tanh at the edge of chaos", {"act": "tanh", "sw2": 1.0, "sb2": 0.0}),
    ("tanh, Schoenholz et al.'s σ_b² = 0.05", {"act": "tanh", "sw2": 1.76, "sb2": 0.05}),
    ("tanh, chaotic (the lecture's 0.05·randn)", {"act": "tanh", "sw2": 10.24, "sb2": 0.0}),
    ("tanh, ordered (the lecture's 0.01·randn)", {"act": "tanh", "sw2": 0.41, "sb2": 0.0}),
    ("ReLU, Kaiming", {"act": "relu", "sw2": 2.0, "sb2": 0.0}),
    (
        "dynamical isometry (orthogonal tanh)",
        {"act": "tanh", "sw2": 1.05, "sb2": 2e-5, "init": "orthogonal"},
    ),
)


def setting_links(values: dict[str, Any]) -> str:
    """Markdown links to the settings worth trying; each changes its own values and keeps the rest."""
    return "**Try:** " + " · ".join(
        f"[{label}](theory?{theory_query(values, **changes)})" for label, changes in SETTING_LINKS
    )


def _layers(x: float) -> str:
    return "∞ (any depth)" if not math.isfinite(x) else f"{x:.3g}"


def _inputs(fixed: FixedPoint) -> str:
    """What happens to two nearby inputs, from the fixed point of their correlation."""
    q_star, c_star = float(fixed.q_star), float(fixed.c_star)
    if q_star == 0.0:
        return "the signal itself dies out (q* = 0)"
    if not math.isfinite(q_star):
        return "the signal grows without bound (q* = ∞)"
    if c_star < 1.0 - 1e-6:
        return f"nearby inputs decorrelate layer after layer, towards c* = {c_star:.3f}"
    return "nearby inputs become alike layer after layer (c* = 1)"


def phase_sentence(fixed: FixedPoint) -> str:
    """One sentence on where this setting sits: its gradients (χ₁) and its inputs (q*, c*)."""
    chi = float(fixed.chi1)
    if not math.isfinite(chi):
        return "The variance map has no finite fixed point for this setting: the signal grows without bound."
    if abs(chi - 1.0) < 1e-3:
        drift = (
            " With σ_b² = 0 the signal's scale still shrinks, slowly: q* = 0, and q falls like 1/depth instead of "
            "exponentially (the slow drift of the lecture's Xavier tanh)."
            if float(fixed.q_star) == 0.0
            else ""
        )
        return (
            f"**At the critical line** (χ₁ = {chi:.3f}): gradients keep their scale from layer to layer and "
            f"correlations change only slowly, not exponentially, so deep nets stay trainable.{drift}"
        )
    scale = _layers(abs(float(fixed.xi_grad)))
    if chi < 1.0:
        return (
            f"**Ordered phase** (χ₁ = {chi:.3f} < 1): gradients shrink by χ₁ per layer, to 1/e over "
            f"ξ_∇ = {scale} layers; {_inputs(fixed)}."
        )
    return (
        f"**Chaotic phase** (χ₁ = {chi:.3f} > 1): gradients grow by χ₁ per layer, e-fold over ξ_∇ = {scale} layers; "
        f"{_inputs(fixed)}."
    )


def correlation_caption(values: dict[str, Any], fixed: FixedPoint, identity: bool, mean_zero: bool) -> str:
    """What the correlation figure shows for this setting. `identity`: the drawn map is the identity;
    `mean_zero`: φ averages to 0 at q* (then, with no bias, c = 0 is a fixed point)."""
    q_star, chi, c_star = float(fixed.q_star), float(fixed.chi1), float(fixed.c_star)
    if q_star == 0.0:
        kept = (
            "so the layers work where φ is nearly linear: the c-map is the identity and correlations are kept "
            "while the scale vanishes."
            if identity
            else "and the map is drawn at the tiny variance the last layer reaches; its shape there decides "
            "where correlations go (for ReLU-like φ it is the same at every scale)."
        )
        link = f"theory?{theory_query(values, sb2=0.05)}"
        return (
            f"The signal dies out here (q* = 0), {kept} With a bias variance the layers keep a scale: "
            f"[try σ_b² = 0.05]({link})."
        )
    if not math.isfinite(q_star):
        return (
            "The signal grows without bound here (q* = ∞): the map is drawn at the variance the last layer "
            "reaches. For ReLU-like φ its shape does not depend on the scale."
        )
    if abs(chi - 1.0) < 1e-3:
        return (
            "At the critical line the c-map touches the identity at c = 1 with slope 1: correlations approach "
            "c* = 1 slower than exponentially, so inputs stay distinguishable deepest."
        )
    if c_star >= 1.0 - 1e-6:
        return (
            "The c-map lies above the identity and its only stable fixed point is c* = 1, approached "
            f"within ξ_c ≈ {_layers(abs(float(fixed.xi_c)))} layers: deep layers cannot tell inputs apart."
        )
    reason = " (0: φ averages to 0 at q* and there is no bias)" if mean_zero and c_star < 1e-6 else ""
    if c_star > NEARLY_ALIKE:
        fate = "so close to 1 that deep layers still see every pair as nearly alike"
    elif c_star < UNRELATED:
        fate = "deep layers see every input as a different one"
    else:
        fate = "deep layers keep only part of how alike two inputs were"
    return (
        f"c = 1 is unstable: every pair of inputs, alike or not, goes to the correlation c* = {c_star:.3f}{reason} "
        f"within ξ_c ≈ {_layers(abs(float(fixed.xi_c)))} layers; {fate}."
    )


def phase_caption(critical_w2: float) -> str:
    """Where the lecture's settings sit, and where the critical line is when the diagram does not show it."""
    words = (
        "The lecture's settings sit on the σ_b² = 0 axis at the activation lab's width 4096: 0.01·randn has "
        "σ_w² = 0.01²·4096 = 0.41, 0.05·randn 10.24, Xavier 1 and Kaiming 2."
    )
    if math.isnan(critical_w2):
        return words + " For this activation no σ_w² gives χ₁ = 1 at this σ_b²: there is no critical point here."
    low, high = PHASE_W2_RANGE
    if not low <= critical_w2 <= high:
        return words + (
            f" The critical line of this activation lies at σ_w² = {critical_w2:.4g}, outside this diagram "
            f"({low:g} to {high:g})."
        )
    return words
