"""The signal-propagation lab's words: what the numbers mean for this setting, links, sources."""

from __future__ import annotations

import math

from engine.propagate import SimResult
from engine.theory.meanfield import FixedPoint
from ui.theory_params import theory_query

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


def setting_links() -> str:
    """Markdown links to the settings worth trying (each changes only its own values)."""
    return "**Try:** " + " · ".join(
        f"[{label}](theory?{theory_query({}, **values)})" for label, values in SETTING_LINKS
    )


def _layers(x: float) -> str:
    return "∞ (any depth)" if not math.isfinite(x) else f"{x:.3g}"


def phase_sentence(fixed: FixedPoint) -> str:
    """One sentence on where this setting sits and what it does to deep nets."""
    chi = float(fixed.chi1)
    if not math.isfinite(chi):
        return "The variance map has no finite fixed point for this setting: the signal grows without bound."
    if abs(chi - 1.0) < 1e-3:
        return (
            f"**At the critical line** (χ₁ = {chi:.3f}): signals and gradients keep their scale and the net stays "
            "trainable at any depth this page simulates."
        )
    if chi < 1.0:
        return (
            f"**Ordered phase** (χ₁ = {chi:.3f} < 1): nearby inputs become alike layer after layer and gradients "
            f"shrink by χ₁ per layer, to 1/e over ξ_∇ = {_layers(abs(float(fixed.xi_grad)))} layers."
        )
    return (
        f"**Chaotic phase** (χ₁ = {chi:.3f} > 1): nearby inputs decorrelate layer after layer and gradients grow "
        f"by χ₁ per layer, e-fold over ξ_∇ = {_layers(abs(float(fixed.xi_grad)))} layers."
    )
