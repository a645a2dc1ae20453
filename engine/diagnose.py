"""Plain-language diagnosis of a simulation result.

Each finding names its cause (weights, bias, input, batch-norm statistics, width) and
quotes numbers measured in this net. One verdict on the weights' scale and one statement
of how the gradient flows serve every finding, so that no two findings contradict each
other. Claims about deeper nets, or comparisons with a standard init, come from running
that net (`measure`, within EXTRA_SECONDS of estimated work) or are not made.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine.activations import ACTIVATIONS
from engine.config import SimConfig, config_problems, estimate_cost
from engine.init import INITIALIZERS, calculate_gain
from engine.propagate import LayerResult, SimResult, simulate

COLLAPSE_RATIO = 0.05
FADE_PER_LAYER = 0.8
GROW_PER_LAYER = 1.25
SATURATED_WARN = 0.10
INACTIVE_WARN = 0.05
VANISH, EXPLODE = 1e-2, 1e2  # layer 1's gradient relative to the top layer's
# sigma * sqrt(Din) within this factor of PyTorch's gain for the activation: the weights' scale is not the cause.
WEIGHT_BAND = 1.25
# A drift is reported only this many times beyond the sampling noise of the layers' stds.
DRIFT_NOISE_MULTIPLE = 4.0
# Up to this width a layer can lose every unit by chance (all ReLUs off for the batch).
NARROW_WIDTH = 64
DEEPER = 50  # the deeper net a statement about depth is measured on
# First to last layer, the std may change by up to this factor and still "hold"; beyond an order
# of magnitude a slow per-layer change is a fading or growing signal: 4% per layer is 53x over 100.
HOLD_TOTAL = 1.25
COMPOUND_TOTAL = 10.0
# Activations whose PyTorch gain is exactly the scale that keeps the second moment (positive
# homogeneity): there a gain a few percent off compounds with depth, and is the cause.
EXACT_GAIN = frozenset({"relu", "leaky_relu", "linear"})
HOLDS = "The activation scale holds across layers"
SLOW_DRIFT = "The activation scale changes slowly with depth"
SETTLES = "The activation scale settles over the first layers"
EXTRA_SECONDS = 0.5  # estimated work allowed for each measurement beyond the view itself
# The init a comparison runs against: the lecture's Xavier, or Kaiming for the ReLU family.
REFERENCE_INIT = {"relu": "kaiming_normal", "leaky_relu": "kaiming_normal", "elu": "kaiming_normal"}
REFERENCE_LABEL = {"xavier": "Xavier init (σ = 1/√Din)", "kaiming_normal": "Kaiming init (σ = √(2/Din))"}

Measure = Callable[[SimConfig], SimResult]


@dataclass(frozen=True)
class Finding:
    """One sentence of diagnosis; level is 'ok', 'info', 'warn' or 'error'."""

    level: str
    text: str


def _fmt(x: float) -> str:
    return f"{x:.2g}" if x != 0 and (abs(x) < 1e-2 or abs(x) >= 1e3) else f"{x:.3g}"


def percent(frac: float) -> str:
    """A whole percentage that never rounds a part to all or to none: one decimal where whole
    percents would say 100% or 0% (99.7%, 0.4%), and '>99.9%' or '<0.1%' where even that would."""
    whole = f"{frac:.0%}"
    if whole not in ("100%", "0%") or not 0 < frac < 1:
        return whole
    return {"100.0%": ">99.9%", "0.0%": "<0.1%"}.get(f"{frac:.1%}", f"{frac:.1%}")


def _nan_to_zero(x: float) -> float:
    return 0.0 if math.isnan(x) else x


@dataclass(frozen=True)
class _Facts:
    """What every finding draws on, computed once so that findings cannot disagree."""

    result: SimResult
    gain: float  # sigma * sqrt(Din), geometric mean over the layers
    neutral: float  # PyTorch's gain for the activation: the scale that keeps the signal
    measure: Measure | None

    @property
    def cfg(self) -> SimConfig:
        return self.result.config

    @property
    def weights(self) -> str:
        """'small', 'large' or 'fit': the one verdict on the random weights' scale."""
        if not self.random_weights or self.bn_sets_scale:
            return "fit"
        if self.gain < self.neutral / WEIGHT_BAND:
            return "small"
        return "large" if self.gain > self.neutral * WEIGHT_BAND else "fit"

    @property
    def random_weights(self) -> bool:
        return INITIALIZERS[self.cfg.init].family != "constant"

    @property
    def bn_sets_scale(self) -> bool:
        """Batch norm before the activation in train mode: γ and β set its input's scale, not W."""
        return self.cfg.bn == "before" and self.cfg.bn_mode == "train"

    def gain_text(self) -> str:
        return f"σ√Din = {_fmt(self.gain)}; PyTorch's gain for {self.cfg.activation} is {_fmt(self.neutral)}"


def _facts(result: SimResult, measure: Measure | None) -> _Facts:
    logs = [math.log(max(layer.weight_std, 1e-300) * math.sqrt(layer.fan_in)) for layer in result.layers]
    cfg = result.config
    return _Facts(result, math.exp(sum(logs) / len(logs)), calculate_gain(cfg.activation, cfg.slope), measure)


def _affordable(facts: _Facts, cfg: SimConfig) -> SimResult | None:
    """Run cfg if it is valid and cheap (estimated work within EXTRA_SECONDS); else None."""
    if facts.measure is None or config_problems(cfg) or estimate_cost(cfg).seconds > EXTRA_SECONDS:
        return None
    return facts.measure(cfg)


def _reference(facts: _Facts) -> tuple[str, SimResult] | None:
    """The same net with the standard init for its activation, measured (None if it is that init)."""
    name = REFERENCE_INIT.get(facts.cfg.activation, "xavier")
    spec, cfg = INITIALIZERS[name], facts.cfg
    if cfg.init == name and cfg.gain in (None, spec.default_gain) and (cfg.mode == "fan_in" or not spec.uses_mode):
        return None
    # The scheme's own gain (None): Kaiming's √2. A gain of 1 would make it Xavier's 1/√Din.
    ref = _affordable(facts, replace(cfg, init=name, gain=None, mode="fan_in"))
    return None if ref is None or ref.overflow_layer is not None else (REFERENCE_LABEL[name], ref)


def _deeper(facts: _Facts) -> SimResult | None:
    """A DEEPER-layer net of the same kind, measured; None where that cannot be run, or says nothing
    new (constant weights: every layer the same function of one number)."""
    cfg = facts.cfg
    if len(set(cfg.sizes)) != 1 or cfg.depth >= DEEPER or not facts.random_weights:
        return None
    return _affordable(facts, replace(cfg, sizes=(cfg.sizes[0],) * (DEEPER + 1)))


def _deeper_text(facts: _Facts) -> str:
    """What a DEEPER-layer net of the same kind does, measured; '' where that cannot be run."""
    deep = _deeper(facts)
    if deep is None:
        return ""
    if deep.overflow_layer is not None:
        return f" Measured on a {DEEPER}-layer net of this kind: it overflows at layer {deep.overflow_layer}."
    last = deep.layers[-1].act
    return f" Measured on a {DEEPER}-layer net of this kind: std {_fmt(last.std)} at layer {DEEPER}."


def _any_saturated(layers: Sequence[LayerResult]) -> bool:
    """Whether any of `layers` has SATURATED_WARN or more of its units saturated."""
    return any(_nan_to_zero(layer.frac_saturated) >= SATURATED_WARN for layer in layers)


def _gradient_flow(facts: _Facts) -> tuple[str, float] | None:
    """(words, ratio): how the back-propagated gradient changes from the top layer down to layer 1."""
    layers = [layer for layer in facts.result.layers if layer.grad is not None]
    if len(layers) < 2 or not math.isfinite(layers[0].grad.rms) or layers[-1].grad.rms == 0:
        return None
    ratio = layers[0].grad.rms / layers[-1].grad.rms
    top = layers[-1].index
    if ratio == 0:
        return "no back-propagated gradient reaches layer 1", ratio
    if VANISH <= ratio <= EXPLODE:
        change = f"grows {_fmt(ratio)}×" if ratio > 1 else f"shrinks to {_fmt(ratio)}×"
        return f"the back-propagated gradient {change} from layer {top} down to layer 1", ratio
    verb = "vanishes" if ratio < VANISH else "explodes"
    return f"the back-propagated gradient {verb} from layer {top} down to layer 1 ({_fmt(ratio)}×)", ratio


def _gradient_cause(facts: _Facts, ratio: float) -> str:
    """Which factor of the backward pass, Wᵀ or φ′(z), moves the gradient most per layer."""
    layers = facts.result.layers
    if ratio == 0:
        # Where it stops: the highest layer whose local gradients are all exactly 0.
        stopped = [layer.index for layer in layers if layer.dphi.n_zero == layer.dphi.n_finite > 0]
        return f": it stops at layer {stopped[-1]}, where every φ′(z) is 0" if stopped else ""
    if facts.cfg.bn != "none" or not facts.random_weights or abs(math.log(ratio)) < math.log(2):
        return ""
    local = float(np.exp(np.mean([np.log(max(layer.dphi.rms, 1e-300)) for layer in layers])))
    factors = f"each Wᵀ multiplies it by about {_fmt(facts.gain)} (σ√Din) and φ′(z) by {_fmt(local)} (rms)"
    if ratio >= 1:
        return f", as {factors}"
    if _any_saturated(layers) and local < facts.gain:
        return f": the local gradients φ′(z) are small ({factors})"
    if facts.weights == "small":
        gain = f"PyTorch's gain is {_fmt(facts.neutral)}"
        return f": the weights are too small for {facts.cfg.activation} ({factors}; {gain})"
    # Unsaturated, φ′ is short only against what the activation's own gain makes up for: ReLU's rms
    # of 0.71 times its √2 is 1, where a sigmoid's 0.25 at most falls short.
    if local * facts.neutral < 1 / WEIGHT_BAND:
        return f": the local gradients φ′(z) are small ({factors})"
    return f", as {factors}"


def _weight_gradients(facts: _Facts, reference: tuple[str, SimResult] | None) -> str:
    """The weight gradients at the first and last layer against the standard init's, measured."""
    if reference is None:
        return ""
    label, ref = reference
    mine, theirs = facts.result.layers, ref.layers
    pairs = [(mine[i].weight_grad_std, theirs[i].weight_grad_std) for i in (0, -1)]
    if not all(math.isfinite(a) and math.isfinite(b) and a > 0 and b > 0 for a, b in pairs):
        return ""
    (first, first_ref), (last, last_ref) = pairs
    return (
        f" The weight gradients are {_fmt(first / first_ref)}× those of the same net with {label} at layer 1 "
        f"and {_fmt(last / last_ref)}× at layer {mine[-1].index}."
    )


def _cause_of_large(facts: _Facts, layer: LayerResult) -> tuple[str, str]:
    """(key, words): what made this layer's pre-activations large (saturation, growth)."""
    cfg = facts.cfg
    if cfg.bn == "before":
        if cfg.bn_mode == "train":
            return "bn", f"batch norm's γ = {cfg.gamma:g} and β = {cfg.beta:g} set the pre-activations' scale"
        return "bn", "batch norm's running statistics do not normalize this batch (see eval mode above)"
    if not facts.random_weights:
        return "constant", f"the constant init: every unit sums c = {cfg.scale:g} times its {layer.fan_in} inputs"
    if cfg.bias != 0 and abs(cfg.bias) > layer.pre.std:
        return "bias", f"the bias b = {cfg.bias:g}, larger than the spread of x @ W ({_fmt(layer.pre.std)})"
    if layer.index == 1 and facts.result.input.rms > 2.0 and facts.weights != "large":
        return "input", (
            f"the input (mean {cfg.in_mean:g}, std {cfg.in_std:g}: rms {_fmt(facts.result.input.rms)}), "
            f"not the init (σ√Din = {_fmt(facts.gain)}): zero-centre and scale it"
        )
    if facts.weights == "large":
        return "weights", f"the init is too large ({facts.gain_text()})"
    return "", ""


def _cause_of_small(facts: _Facts, layer: LayerResult) -> tuple[str, str]:
    """(key, words): what made this layer's activations small (collapse, fading)."""
    cfg = facts.cfg
    if cfg.bn == "before" and cfg.bn_mode == "train":
        return "bn", f"batch norm's γ = {cfg.gamma:g} sets the pre-activations' std to {_fmt(abs(cfg.gamma))}"
    if cfg.bn != "none" and cfg.bn_mode == "eval":
        return "bn", (
            f"batch norm's running statistics, after {cfg.bn_warmup} warm-up "
            f"batch{'es' if cfg.bn_warmup > 1 else ''}, do not undo the init ({facts.gain_text()})"
        )
    if cfg.bias < 0 and ACTIVATIONS[cfg.activation].can_die and abs(cfg.bias) > layer.pre.std:
        return "bias", (
            f"the bias b = {cfg.bias:g} holds the pre-activations below 0 "
            f"(their spread from x @ W is only {_fmt(layer.pre.std)} at layer {layer.index})"
        )
    if facts.weights == "small":
        return "weights", f"the init is too small ({facts.gain_text()})"
    return "", ""


def _trend(result: SimResult, start: int) -> float:
    """The std's geometric change per layer: the statistic the findings quote (a sigmoid's rms is
    mostly its mean of 0.5, and would hold while the std falls)."""
    std = [layer.act.std for layer in result.layers[start:]]
    return float(np.exp(np.log(max(std[-1], 1e-300) / max(std[0], 1e-300)) / (len(std) - 1)))


def _drift_is_readable(result: SimResult, per_layer: float) -> bool:
    """A per-layer drift is read only beyond sampling noise.

    Each layer's std comes from width x batch values, a relative error of about
    1/sqrt(2 n) that compounds over the layers; in a few hundred values (a 10-unit output
    layer, a tiny net) it alone can look like a drift. Mixed widths: the narrowest sets it.
    """
    widths = result.config.sizes[1:]
    if len(widths) < 2:
        return False
    noise = math.sqrt(len(widths) / (2.0 * min(widths) * result.config.batch))
    return abs(math.log(per_layer)) * (len(widths) - 1) > DRIFT_NOISE_MULTIPLE * noise


def _all_off_finding(facts: _Facts, layer: LayerResult) -> Finding:
    """Every ReLU of a layer outputs 0 on the whole batch: name the cause, not the init's scale."""
    cfg = facts.cfg
    text = (
        f"Every unit of layer {layer.index} outputs 0 for all {cfg.batch} examples of this batch, so nothing "
        "reaches the layers above and no gradient comes back through it."
    )
    key, cause = _cause_of_small(facts, layer)
    if key in ("bias", "bn"):
        text += f" Cause: {cause}."
    elif _narrowest(cfg) <= NARROW_WIDTH:
        text += (
            f" In a net this narrow ({_narrowest(cfg)} units) a few unlucky units are the whole layer; "
            "the init's scale is not the cause."
        )
    elif key:
        text += f" Cause: {cause}."
    return Finding("error", text)


def _signal_finding(facts: _Facts, start: int, gradients: str) -> Finding:
    """Collapse, fading, growth or a steady scale, with its cause; `start` skips layers the input set."""
    result = facts.result
    layers = result.layers
    # Against a unit-scale reference at most: a tanh net cannot carry a signal of 1000 and
    # does not "collapse" when its inputs are huge (saturation is reported instead).
    ref = max(min(result.input.rms, 1.0), 1e-300)
    for layer in layers:
        if layer.act.rms < COLLAPSE_RATIO * ref:
            if ACTIVATIONS[facts.cfg.activation].can_die and _nan_to_zero(layer.frac_dead) == 1.0:
                return _all_off_finding(facts, layer)
            _, cause = _cause_of_small(facts, layer)
            return Finding(
                "error",
                f"Activations collapse toward 0 by layer {layer.index} (std {_fmt(layer.act.std)})"
                + (f": {cause}." if cause else "." + _narrow_text(facts))
                + gradients,
            )
    if len(layers) - start < 2:
        return Finding("ok", f"One layer: activation std {_fmt(layers[-1].act.std)}.")
    per_layer = _trend(result, start)
    first, last = layers[start], layers[-1]
    total = per_layer ** (last.index - first.index)
    spread = f"std {_fmt(first.act.std)} at layer {first.index}, {_fmt(last.act.std)} at layer {last.index}"
    if per_layer < FADE_PER_LAYER or total < 1 / COMPOUND_TOTAL:
        _, cause = _cause_of_small(facts, last)
        cause = cause or _compounding_cause(facts, per_layer)
        return Finding(
            "warn",
            f"The signal fades with depth, by a factor of about {per_layer:.2f} per layer ({spread})"
            + (f": {cause}." if cause else ".")
            + _deeper_text(facts)
            + gradients,
        )
    if per_layer > GROW_PER_LAYER or total > COMPOUND_TOTAL:
        _, cause = _cause_of_large(facts, last)
        cause = cause or _compounding_cause(facts, per_layer)
        return Finding(
            "warn",
            f"The signal grows with depth, by a factor of about {per_layer:.2f} per layer ({spread})"
            + (f": {cause}." if cause else ".")
            + _deeper_text(facts)
            + gradients,
        )
    holds = _within(total, 1.0)
    if not holds and _drift_is_readable(result, per_layer):
        # Xavier's tanh halves its std over the lecture's 6 layers: "holds" would overstate it.
        shown = last.index - first.index + 1
        deep = _deeper(facts)
        if deep is not None and deep.overflow_layer is None and _within(deep.layers[-1].act.std, last.act.std):
            # A sigmoid's std drops over the first layers, then stays: a level reached, not a drift.
            return Finding(
                "ok",
                f"{SETTLES} ({spread}), then holds: measured on a {DEEPER}-layer net of this kind, "
                f"std {_fmt(deep.layers[-1].act.std)} at layer {DEEPER}.",
            )
        cause = _compounding_cause(facts, per_layer)
        # A gain corrects weights off their activation's scale; at the right scale a narrow net still
        # drifts (finite width), and no remedy is claimed.
        remedy = ", and a gain would correct the drift" if facts.weights != "fit" else ""
        remedy = f", but {cause}" if cause else remedy
        return Finding(
            "ok",
            f"{SLOW_DRIFT}, by a factor of {per_layer:.2f} per layer ({spread}): over these {shown} layers it "
            f"neither collapses to 0 nor blows up{remedy}." + _deeper_text(facts),
        )
    if not holds:
        # A visible difference, but within what a few values per layer scatter by: no trend is claimed.
        widths = result.config.sizes[1:]
        whose = "each layer's" if len(set(widths)) == 1 else "its narrowest layer's"
        values = f"{whose} {min(widths)} units × {result.config.batch} examples"
        return Finding(
            "ok", f"{HOLDS} as far as {values} can tell ({spread}, a difference within their sampling noise)."
        )
    return Finding("ok", f"{HOLDS} ({spread}).")


def _narrowest(cfg: SimConfig) -> int:
    """The fewest units of any layer: where chance can silence or shrink a whole layer."""
    return min(cfg.sizes[1:])


def _narrow_text(facts: _Facts) -> str:
    """Why a narrow net's signal can vanish with no cause in its init: few units, chance."""
    width = _narrowest(facts.cfg)
    if width > NARROW_WIDTH or facts.weights != "fit":
        return ""
    return (
        f" In a net this narrow ({width} units) each layer's scale is the product of few random terms and "
        "wanders by chance: the init's scale is not the cause."
    )


def _within(a: float, b: float) -> bool:
    """a and b within HOLD_TOTAL of each other."""
    return b > 0 and 1 / HOLD_TOTAL <= a / b <= HOLD_TOTAL


def _compounding_cause(facts: _Facts, per_layer: float) -> str:
    """A gain a few percent off the scale that keeps the signal, compounded: named only where
    PyTorch's gain is that scale exactly and the std moves the way the difference says."""
    cfg = facts.cfg
    if not facts.random_weights or cfg.bn != "none" or cfg.activation not in EXACT_GAIN:
        return ""
    ratio = facts.gain / facts.neutral
    if abs(math.log(ratio)) < 0.005 or (ratio > 1) != (per_layer > 1):
        return ""
    text = (
        f"σ√Din = {_fmt(facts.gain)} is {abs(ratio - 1):.1%} {'above' if ratio > 1 else 'below'} PyTorch's gain "
        f"for {cfg.activation} ({_fmt(facts.neutral)}), and that difference compounds layer after layer"
    )
    if cfg.activation == "leaky_relu" and cfg.init.startswith("kaiming") and cfg.gain is None:
        text += (
            f"; Kaiming's default √2 is ReLU's gain, a leaky ReLU of slope {cfg.slope:g} keeps its scale with "
            f"√(2/(1 + {cfg.slope:g}²)) = {facts.neutral:.4g}: set gain g = {facts.neutral:.4g}"
        )
    return text


def _saturation_finding(facts: _Facts, flow: str, ratio: float, weight_grads: str) -> tuple[Finding, str] | None:
    """Saturated units: what their local gradients are, and what that does to the gradients here."""
    result = facts.result
    worst = max(result.layers, key=lambda layer: _nan_to_zero(layer.frac_saturated))
    frac = _nan_to_zero(worst.frac_saturated)
    if frac < SATURATED_WARN:
        return None
    tanh = facts.cfg.activation == "tanh"
    if tanh:
        bound, local = "|tanh| > 0.99", "1 − tanh² is below 0.02"
    else:
        bound, local = "within 0.01 of 0 or 1", "σ(1 − σ) is below 0.01"
    key, cause = _cause_of_large(facts, worst)
    text = (
        f"{percent(frac)} of layer {worst.index}'s units are saturated ({bound}), where the local gradient "
        f"φ′(z) = {local} (layer mean {_fmt(worst.dphi.mean)})."
    )
    if cause:
        # Before the gradients' sentence, which names its own cause: the input can saturate layer 1
        # while small weights shrink the gradient, and a cause read after both would deny the second.
        text += f" Cause of the saturation: {cause}."
    if flow:
        # The lecture's "local gradients are zero, so no learning" holds only if the gradients do shrink here.
        text += (" Yet in this net " if ratio >= 1 else " In this net ") + f"{flow}.{weight_grads}"
    return Finding("error" if frac > 0.3 else "warn", text), key


def _inactive_finding(facts: _Facts) -> Finding | None:
    """ReLUs that output 0 for every example of the batch: off for this batch, not dead for every input."""
    result = facts.result
    worst = max(result.layers, key=lambda layer: _nan_to_zero(layer.frac_dead))
    frac = _nan_to_zero(worst.frac_dead)
    if frac < INACTIVE_WARN:
        return None
    cfg = facts.cfg
    key, cause = _cause_of_small(facts, worst)
    text = (
        f"{percent(frac)} of layer {worst.index}'s ReLUs output 0 for all {cfg.batch} examples of this batch, so no "
        "gradient passes them for it."
    )
    if key in ("bias", "bn"):
        return Finding("warn", text + f" Cause: {cause}.")
    if _narrowest(cfg) <= NARROW_WIDTH and worst.fan_out <= NARROW_WIDTH:
        why = f"in a layer of {worst.fan_out} units, a few negative on every example can be much of the layer"
    else:
        why = f"deep ReLU nets make the examples alike, so a unit can be negative on all {cfg.batch} of them"
    return Finding("info", text + f" That is this batch, not every input: {why}.")


def _zero_weights_finding(facts: _Facts) -> Finding:
    """W = 0: every unit computes act(b) whatever the input; nothing flows back through W."""
    cfg, layers = facts.cfg, facts.result.layers
    act = ACTIVATIONS[cfg.activation]
    value = float(act.fn(np.array([cfg.bias]), cfg.slope)[0])
    moving = [layer.index for layer in layers if _nan_to_zero(layer.weight_grad_std) > 0]
    grads = (
        "every weight gradient is 0"
        if not moving
        else f"every weight gradient is 0 except layer {moving[-1]}'s"
        if moving == [layers[-1].index]
        else "most weight gradients are 0"
    )
    text = (
        f"W = 0: every pre-activation equals the bias b = {cfg.bias:g} whatever the input, so every activation "
        f"is {act.label}({cfg.bias:g}) = {value:g} and no input reaches the output. No gradient flows back "
        f"through W = 0 either: {grads}. The units of every layer below the top are identical and get "
        "identical gradients, so their symmetry is never broken."
    )
    if act.can_die and cfg.bias <= 0:
        text += f" Every ReLU is dead for every input (z = b = {cfg.bias:g} ≤ 0)."
    return Finding("error", text)


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


def _overflow_finding(facts: _Facts) -> Finding:
    result, cfg = facts.result, facts.cfg
    text = (
        f"Overflow at layer {result.overflow_layer}: values reached inf or NaN. The histograms show the finite "
        "part of that layer; later layers and the backward pass are not computed."
    )
    peak = max(abs(result.input.min), abs(result.input.max))
    if not math.isfinite(peak) or peak > 1e100:
        text += (
            f" Cause: the input itself (mean {cfg.in_mean:g}, std {cfg.in_std:g}) is near the largest float, "
            "so the sums x @ W overflow whatever the weights."
        )
    elif facts.weights == "large" or (not facts.random_weights and cfg.scale != 0):
        grown = [layer.act.rms for layer in result.layers[:-1]]
        per_layer = (grown[-1] / grown[0]) ** (1 / (len(grown) - 1)) if len(grown) > 1 and grown[0] > 0 else 0
        measured = f" (measured: ×{_fmt(per_layer)} per layer)" if per_layer > 1 else ""
        init = facts.gain_text() if facts.random_weights else f"constant c = {cfg.scale:g}"
        text += f" Cause: the initialization is far too large for this depth ({init}){measured}."
    return Finding("error", text)


def _batchnorm_findings(cfg: SimConfig) -> list[Finding]:
    findings = []
    # A batch of one has no variance to normalize by: the blocked-signal finding says what happens.
    if cfg.bn != "none" and cfg.bn_mode == "train" and cfg.batch > 1:
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
    return findings


def diagnose(result: SimResult, measure: Measure | None = simulate) -> list[Finding]:
    """Findings, most important first, in words a student can act on.

    `measure` runs the extra nets some findings quote (a deeper net, the same net with a
    standard init), each only when its estimated work is within EXTRA_SECONDS; pass a
    cached runner from a page, or None to quote only this result.
    """
    cfg = result.config
    facts = _facts(result, measure)
    if result.overflow_layer is not None:
        return [_overflow_finding(facts)]
    findings = _batchnorm_findings(cfg)
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
    spec = INITIALIZERS[cfg.init]
    if spec.family == "constant" and spec.param(1, 1, cfg.scale, cfg.gain, cfg.mode) == 0.0:
        return [*findings, _zero_weights_finding(facts)]
    if spec.family == "constant":
        findings.append(
            Finding(
                "error",
                "Every unit in a layer computes the same value (constant init): their gradients are "
                "identical too, so the units can never become different. Symmetry is never broken.",
            )
        )
    flow = _gradient_flow(facts)
    flow_text = flow[0] + _gradient_cause(facts, flow[1]) if flow else ""
    needs_reference = facts.random_weights and cfg.bn == "none"
    problems = _any_saturated(result.layers)
    collapsed = any(layer.act.rms < COLLAPSE_RATIO * min(result.input.rms, 1.0) for layer in result.layers)
    reference = _reference(facts) if needs_reference and (problems or collapsed) else None
    weight_grads = _weight_gradients(facts, reference)

    saturation = _saturation_finding(facts, flow_text, flow[1] if flow else 1.0, weight_grads)
    # Layer 1's scale set by the input: the trend with depth is read from layer 2 on.
    start = 1 if saturation and saturation[1] == "input" and len(result.layers) > 2 else 0
    said = f" In this net {flow_text}.{weight_grads}" if flow_text and not saturation else ""
    signal = _signal_finding(facts, start, said if collapsed else "")
    extras = [f for f in (saturation[0] if saturation else None, _inactive_finding(facts)) if f]
    if flow and not saturation and not collapsed and (flow[1] < VANISH or flow[1] > EXPLODE):
        extras.append(Finding("error", flow_text[0].upper() + flow_text[1:] + "." + weight_grads))
    if signal.level == "ok" and any(f.level == "error" for f in extras):
        # A steady scale is no comfort when the units are saturated: lead with the problem, and
        # do not let the scale read as reassurance.
        text = signal.text
        if saturation:
            text = (
                text.replace(HOLDS, "The activation std stays level")
                .replace(SLOW_DRIFT, "The activation std drifts slowly")
                .replace(SETTLES, "The activation std settles over the first layers")
            )
            # Only where the saturated units are in the layers the trend is read from: the input's
            # saturating layer 1 does not hold layers 2 on.
            if _any_saturated(result.layers[start:]):
                text += " Saturated units pinned near their limits keep it there: this is not a healthy signal."
        return [*findings, *extras, Finding("info", text)]
    return [*findings, signal, *extras]
