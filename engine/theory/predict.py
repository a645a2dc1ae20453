"""The mean-field prediction for an activation-lab config: what engine.propagate.simulate should measure.

Layer l has weights of variance std_l^2 (engine.init's effective std, exact for every random
initializer: a uniform bound a has variance a^2 / 3), so sigma_w2 = std_l^2 * D_in. The lab's
bias is one constant b added to every unit, not a random variable: it enters as a mean shift,
z ~ N(b, sigma_w2 * m2), where m2 is the previous layer's mean square activation (for the first
layer, each input example's own (1/D0) |x|^2, taken from engine.propagate.make_input, so the
preprocessing and the batch's own statistics are included exactly). Each example is propagated
on its own and the statistics are pooled over examples and units, as engine.stats does.

Backward: the lab seeds the top layer's gradient with unit-variance normals; each layer below
multiplies its variance by sigma_w2 (D_out / D_in) E[phi'(z)^2] of the layer above.

Where it holds: independent zero-mean weights and wide layers (each layer's mean square then
barely varies across draws). Gaussian weights make every layer's pre-activations exactly
Gaussian given the layer below; uniform weights are Gaussian only by the central limit theorem
(approximate, close for wide layers); orthogonal weights give the same variances forward and
backward (W W^T or W^T W is the identity times sigma_w2), though not the same Jacobian spectrum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.config import SimConfig, config_problems
from engine.init import INITIALIZERS
from engine.propagate import make_input
from engine.theory.meanfield import LayerTheory, layer_moments

# Below this many units a hidden layer's mean square wanders from draw to draw by more than
# the theory's own error. Measured with bench/theory_widths.py (10 layers, batch 64, 8 seeds,
# seed mean of the last layer's activation std against the prediction): tanh Xavier -15% at width 4, -13% at 16,
# -4% at 32, -2.5% at 64, -1.7% at 128, -0.2% at 2048; ReLU Kaiming -85% at width 4, -44% at 8,
# and from 16 on within its own seed-to-seed spread (53% of the mean at 16, 38% at 64, 21% at
# 128, 4% at 2048). At 50 layers tanh Xavier is off by -13% at width 64, -4% at 256, -1% at 1024:
# the error grows like depth / width, hence the note in _notes.
MIN_WIDTH = 64
# Above this depth / width, one draw's deep layers wander visibly from the prediction (ReLU: by
# about sqrt(depth / width) of the std), though the average over draws still follows it.
WANDER_RATIO = 0.1
# Uniform or orthogonal weights on fewer inputs than this do not make Gaussian pre-activations.
MIN_NON_GAUSSIAN_FAN_IN = 64


@dataclass(frozen=True)
class NotApplicable:
    """The theory does not describe this config; `reason` is one sentence a student can read."""

    reason: str


@dataclass(frozen=True)
class Prediction:
    """The predicted per-layer statistics of simulate(config), each (depth,), layer 1 first.

    sigma_w2: std_l^2 * D_in per layer. pre_std, act_mean, act_std, grad_std: see
    meanfield.LayerTheory (pooled over examples and units; grad_std is the std of the gradient
    with respect to each layer's output, the lab's LayerResult.grad.std). chi: each layer's
    backward factor. notes: caveats that apply (approximate weights, orthogonal spectrum).
    """

    config: SimConfig
    sigma_w2: np.ndarray
    theory: LayerTheory
    notes: tuple[str, ...] = ()

    @property
    def pre_std(self) -> np.ndarray:
        return self.theory.pre_std

    @property
    def act_mean(self) -> np.ndarray:
        return self.theory.act_mean

    @property
    def act_std(self) -> np.ndarray:
        return self.theory.act_std

    @property
    def grad_std(self) -> np.ndarray:
        return self.theory.grad_std

    @property
    def chi(self) -> np.ndarray:
        return self.theory.chi


def sigma_w2_per_layer(cfg: SimConfig) -> np.ndarray:
    """std_l^2 * D_in for each weight layer (depth,)."""
    spec = INITIALIZERS[cfg.init]
    return np.array(
        [
            spec.effective_std(din, dout, cfg.scale, cfg.gain, cfg.mode) ** 2 * din
            for din, dout in zip(cfg.sizes[:-1], cfg.sizes[1:])
        ]
    )


def applicability(cfg: SimConfig) -> NotApplicable | None:
    """Why the mean-field theory does not describe cfg, or None when it does."""
    problems = config_problems(cfg)
    if problems:
        return NotApplicable(f"This setting is not valid: {problems[0]}.")
    if cfg.bn != "none":
        return NotApplicable(
            "Batch norm rescales every layer by its batch's own statistics, so a layer's scale no longer "
            "follows from the weights; this theory describes nets without it."
        )
    family = INITIALIZERS[cfg.init].family
    if family == "constant":
        return NotApplicable(
            "With a constant initialization every unit of a layer computes the same value; the theory "
            "needs independent random weights."
        )
    narrow = [(i, d) for i, d in enumerate(cfg.sizes[1:-1], start=1) if d < MIN_WIDTH]
    if narrow:
        layer, width = narrow[0]
        return NotApplicable(
            f"Layer {layer} has {width} units: the theory holds for wide layers (at least {MIN_WIDTH}), "
            "where a layer's mean square barely changes from one random draw to the next."
        )
    if family != "normal" and cfg.sizes[0] < MIN_NON_GAUSSIAN_FAN_IN:
        return NotApplicable(
            f"With {INITIALIZERS[cfg.init].label} weights and only {cfg.sizes[0]} inputs, the first layer's "
            "pre-activations are not Gaussian; the theory needs Gaussian weights or a wide input."
        )
    return None


def input_mean_squares(cfg: SimConfig) -> np.ndarray:
    """Each evaluated input example's mean square (1/D0) |x|^2, (batch,), from the lab's own input."""
    x = make_input(cfg)[-cfg.batch :]
    return np.einsum("ij,ij->i", x, x) / x.shape[1]


def _notes(cfg: SimConfig) -> tuple[str, ...]:
    notes = []
    family = INITIALIZERS[cfg.init].family
    if family == "uniform":
        notes.append("Uniform weights: Gaussian pre-activations only by the central limit theorem (approximate).")
    if family == "orthogonal":
        notes.append(
            "Orthogonal weights: the variances forward and backward are as predicted; the Jacobian's "
            "singular values are not (see engine.theory.jacobian)."
        )
    hidden = cfg.sizes[1:-1]
    if hidden and cfg.depth > WANDER_RATIO * min(hidden):
        notes.append(
            f"{cfg.depth} layers on {min(hidden)} units: one random draw's deep layers can differ from the "
            f"prediction by tens of percent (about sqrt(depth / width) = {(cfg.depth / min(hidden)) ** 0.5:.0%} "
            "for ReLU); the average over seeds follows it."
        )
    return tuple(notes)


def predict_unchecked(cfg: SimConfig) -> Prediction:
    """The theory's numbers for cfg whatever its widths (to show how far off they are for narrow nets).

    Batch norm is ignored; a constant initialization is treated as zero-mean weights of its
    (zero) std. cfg must pass engine.config.config_problems.
    """
    sw2 = sigma_w2_per_layer(cfg)
    sizes = np.array(cfg.sizes, dtype=float)
    theory = layer_moments(
        cfg.activation,
        sw2,
        input_mean_squares(cfg),
        fan_ratio=sizes[1:] / sizes[:-1],
        bias=cfg.bias,
        slope=cfg.slope,
    )
    return Prediction(cfg, sw2, theory, _notes(cfg))


def predict(cfg: SimConfig) -> Prediction | NotApplicable:
    """The mean-field prediction of simulate(cfg)'s per-layer statistics, or why it does not apply."""
    refusal = applicability(cfg)
    return refusal if refusal is not None else predict_unchecked(cfg)
