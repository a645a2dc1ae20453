"""Plain-language diagnosis of a simulation result."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.init import INITIALIZERS
from engine.propagate import SimResult

COLLAPSE_RATIO = 0.05
FADE_PER_LAYER = 0.8
GROW_PER_LAYER = 1.25
SATURATED_WARN = 0.10
DEAD_WARN = 0.05
# A drift is reported only this many times beyond the sampling noise of the layers' stds.
DRIFT_NOISE_MULTIPLE = 4.0
# Up to this width a layer can lose every unit by chance (all dead ReLUs).
NARROW_WIDTH = 64


@dataclass(frozen=True)
class Finding:
    """One sentence of diagnosis; level is 'ok', 'info', 'warn' or 'error'."""

    level: str
    text: str


def _fmt(x: float) -> str:
    return f"{x:.2g}" if x != 0 and (abs(x) < 1e-2 or abs(x) >= 1e3) else f"{x:.3g}"


def _signal_finding(result: SimResult) -> Finding:
    layers = result.layers
    # Against a unit-scale reference at most: a tanh net cannot carry a signal of 1000 and
    # does not "collapse" when its inputs are huge (saturation is reported instead).
    ref = max(min(result.input.rms, 1.0), 1e-300)
    rms = [layer.act.rms for layer in layers]
    random_init = INITIALIZERS[result.config.init].family != "constant"
    for layer, value in zip(layers, rms):
        if value < COLLAPSE_RATIO * ref:
            if random_init and _nan_to_zero(layer.frac_dead) == 1.0:
                return _all_dead_finding(result, layer.index)
            return Finding(
                "error",
                f"Activations collapse toward 0 by layer {layer.index} (std {_fmt(layer.act.std)}): "
                "the initialization is too small, and the weight gradients, which scale "
                "with these activations, will vanish.",
            )
    if len(layers) < 2:
        return Finding("ok", f"One layer: activation std {_fmt(layers[0].act.std)}.")
    per_layer = float(np.exp(np.log(max(rms[-1], 1e-300) / max(rms[0], 1e-300)) / (len(rms) - 1)))
    spread = f"std {_fmt(layers[0].act.std)} at layer 1, {_fmt(layers[-1].act.std)} at layer {layers[-1].index}"
    if per_layer < FADE_PER_LAYER:
        return Finding(
            "warn",
            f"The signal fades with depth, by a factor of about {per_layer:.2f} per layer ({spread}): "
            "the init is too small for this activation, and a deeper net would collapse.",
        )
    if per_layer > GROW_PER_LAYER:
        return Finding(
            "warn",
            f"The signal grows with depth, by a factor of about {per_layer:.2f} per layer ({spread}): "
            "the init is too large for this activation, and a deeper net would overflow.",
        )
    drift = ""
    if not 0.95 <= per_layer <= 1.05 and _drift_is_readable(result, per_layer):
        drift = (
            f" It still drifts by a factor of {per_layer:.2f} per layer, "
            f"{_fmt(per_layer**50)} over 50 layers: a gain would correct it."
        )
    return Finding("ok", f"The activation scale holds across layers ({spread}).{drift}")


def _all_dead_finding(result: SimResult, index: int) -> Finding:
    """Every unit of a layer outputs 0 for the whole batch: name the likely cause, not the init's scale."""
    cfg = result.config
    text = (
        f"Every unit is dead by layer {index}: all its outputs are 0 for the whole batch, so nothing "
        "reaches the layers above and no gradient comes back."
    )
    if cfg.bias < 0:
        text += f" The bias b = {cfg.bias:g} holds the pre-activations below 0."
    elif min(cfg.sizes[1:]) <= NARROW_WIDTH:
        text += " In a net this narrow a few unlucky units are the whole layer; the init's scale is not the cause."
    return Finding("error", text)


def _drift_is_readable(result: SimResult, per_layer: float) -> bool:
    """A per-layer drift extrapolates only along equal widths, and only beyond sampling noise.

    Each layer's std comes from width x batch values, a relative error of about
    1/sqrt(2 n) that compounds over the layers; in a few hundred values (a 10-unit output
    layer, a tiny net) it alone can look like a drift.
    """
    widths = result.config.sizes[1:]
    if len(set(widths)) != 1 or len(widths) < 2:
        return False
    noise = math.sqrt(len(widths) / (2.0 * widths[0] * result.config.batch))
    return abs(math.log(per_layer)) * (len(widths) - 1) > DRIFT_NOISE_MULTIPLE * noise


def _saturation_finding(result: SimResult) -> Finding | None:
    worst = max(result.layers, key=lambda layer: _nan_to_zero(layer.frac_saturated))
    frac = _nan_to_zero(worst.frac_saturated)
    if frac < SATURATED_WARN:
        return None
    bound = "|tanh| > 0.99" if result.config.activation == "tanh" else "output within 0.01 of 0 or 1"
    return Finding(
        "error" if frac > 0.3 else "warn",
        f"{frac:.0%} of units are saturated at layer {worst.index} ({bound}): their local gradient "
        "is nearly 0, so gradients vanish and learning stalls. The init is too large.",
    )


def _dead_finding(result: SimResult) -> Finding | None:
    worst = max(result.layers, key=lambda layer: _nan_to_zero(layer.frac_dead))
    frac = _nan_to_zero(worst.frac_dead)
    if frac < DEAD_WARN:
        return None
    cfg = result.config
    cause = (
        f"The bias b = {cfg.bias:g} pushes the pre-activations below 0."
        if cfg.bias < 0
        else "ReLU makes examples more alike with depth, and with few examples whole units go quiet."
    )
    return Finding(
        "warn",
        f"{frac:.0%} of ReLU units are dead at layer {worst.index}: they output 0 for all {cfg.batch} "
        f"examples of the batch, so they pass no gradient for it. {cause}",
    )


def _gradient_finding(result: SimResult) -> Finding | None:
    grads = [layer.grad for layer in result.layers if layer.grad is not None]
    if len(grads) < 2 or not math.isfinite(grads[0].std):
        return None
    ratio = grads[0].rms / max(grads[-1].rms, 1e-300)
    if ratio < 1e-2:
        return Finding(
            "error",
            f"Gradients vanish on the way down: layer 1 receives {_fmt(ratio)}x the gradient of layer {len(grads)}.",
        )
    if ratio > 1e2:
        return Finding(
            "error",
            f"Gradients explode on the way down: layer 1 receives {_fmt(ratio)}x the gradient of layer {len(grads)}.",
        )
    return None


def _nan_to_zero(x: float) -> float:
    return 0.0 if math.isnan(x) else x


def _blocked_signal(result: SimResult) -> Finding | None:
    """A reason, other than the weights, why no signal passes: zero input, or batch norm that zeroes it."""
    cfg = result.config
    if result.input.rms == 0.0:
        return Finding(
            "error",
            "The input is all zeros (input std 0 with mean 0, or preprocessing with batch statistics "
            "of a batch whose examples are all alike): there is no signal to propagate.",
        )
    if cfg.bn != "none" and cfg.batch == 1 and cfg.bn_mode == "train":
        return Finding(
            "error",
            "With a batch of one, batch norm's batch variance is 0: every normalized value is 0 and "
            f"every output equals β = {cfg.beta:g}. No signal passes; train with larger batches.",
        )
    if cfg.bn != "none" and cfg.gamma == 0.0:
        return Finding(
            "error",
            f"γ = 0 multiplies every normalized value by 0: each batch-norm layer outputs the constant "
            f"β = {cfg.beta:g}, and no signal or gradient passes.",
        )
    return None


def diagnose(result: SimResult) -> list[Finding]:
    """Findings, most important first, in words a student can act on."""
    cfg = result.config
    if result.overflow_layer is not None:
        return [
            Finding(
                "error",
                f"Overflow at layer {result.overflow_layer}: values reached inf or NaN. The histograms "
                "show the finite part of that layer; later layers and the backward pass are not "
                "computed. The initialization is far too large for this depth.",
            )
        ]
    findings = []
    if cfg.bn != "none" and cfg.bn_mode == "train":
        order = "FC → BN → activation" if cfg.bn == "before" else "FC → activation → BN"
        findings.append(
            Finding(
                "info",
                f"Batch norm ({order}) rescales every layer to zero mean and unit variance over the batch, "
                "whatever the weight scale: the init can no longer make the signal collapse or explode. "
                f"γ = {cfg.gamma:g} and β = {cfg.beta:g} set the scale and shift instead.",
            )
        )
    if cfg.bn != "none" and cfg.bn_mode == "eval":
        findings.append(
            Finding(
                "info",
                f"Batch norm in eval mode: running statistics from {cfg.bn_warmup} warm-up "
                f"batch{'es' if cfg.bn_warmup > 1 else ''} ({cfg.bn_conv} convention) "
                "normalize this batch instead of its own statistics. With few warm-up steps they are still far "
                "from the truth and the layers drift as without batch norm: the lecture's 'behaves differently "
                "in training and testing'.",
            )
        )
    blocked = _blocked_signal(result)
    if blocked is not None:
        # The signal finding would blame the init for what the input or batch norm did.
        return [*findings, blocked]
    if cfg.in_std == 0.0 and cfg.batch > 1:
        findings.append(
            Finding(
                "warn",
                f"The input is constant (std 0, every entry {cfg.in_mean:g}): all {cfg.batch} examples are "
                "identical, so the batch carries a single example and the statistics below describe that one "
                "example's units.",
            )
        )
    if INITIALIZERS[cfg.init].family == "constant":
        findings.append(
            Finding(
                "error",
                "Every unit in a layer computes the same value (constant init): their gradients are "
                "identical too, so the units can never become different. Symmetry is never broken.",
            )
        )
    extras = [f for f in (_saturation_finding(result), _dead_finding(result), _gradient_finding(result)) if f]
    signal = _signal_finding(result)
    if signal.level == "ok" and any(f.level == "error" for f in extras):
        # A steady scale is no comfort when the units are saturated: lead with the problem.
        findings.extend(extras)
        findings.append(Finding("info", signal.text))
    else:
        findings.append(signal)
        findings.extend(extras)
    return findings
