"""Plain-language diagnosis of a training run at its current step: what a student reads first.

Each finding quotes the number from the run's record that shows it, and names a cause only
when the record proves it; otherwise it states what it sees and stops there. Findings come
most important first (the root cause before its consequences). The thresholds below were
measured on the runs of scripts/training_claims.py (see tests/test_train_diagnose.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.activations import ACTIVATIONS
from engine.diagnose import WEIGHT_BAND, Finding, percent
from engine.init import INITIALIZERS, calculate_gain
from engine.train.net import BN_EPS
from engine.train.optim import OPTIMIZERS
from engine.train.record import RecordPoint
from engine.train.trainer import TrainState, advance, compute_dtype

SYMMETRIC_SPREAD = 1e-6  # unit spread below this: the units of a layer are identical
PLATEAU_BAND = 0.01  # "at ln C": within 1% of it
PLATEAU_TAIL = 0.25  # ... over the last quarter of the steps trained
PLATEAU_MIN_STEPS = 100
PLATEAU_MIN_POINTS = 2
CHANCE_MARGIN = 0.1  # validation accuracy within this of 1/C: nothing learned
ACT_VANISH = 1e-2  # a hidden layer's activation rms below this x the input's rms
GRAD_VANISH = 1e-3  # layer 1's gradient std below this x the top hidden layer's
RATIO_GOOD = 1e-3  # CS231n: update / weight "somewhere around 0.001"
RATIO_HIGH = 1e-2
RATIO_LOW = 1e-5
RATIO_SLOW = 1e-4  # ten times below the rule of thumb: a loss still falling falls slowly
ADAM_MOVING = 1e-4  # Adam still moves a layer whose update ratio is at least this
STILL = 0.01  # the minibatch loss changed by less than 1% over the last quarter: not moving
LOSS_ROSE_FACTOR, LOSS_ROSE_ABS = 2.0, 0.05  # risen: twice its minimum and 0.05 above it
DEAD_WARN = 0.5
SATURATED_WARN = 0.5
SATURATED_CAUSE = 0.9
FIT_ACC = 0.99
ACC_GAP = 0.1
VAL_RISE_ABS, VAL_RISE_REL = 0.05, 0.05
LEARNED = 0.5  # minibatch loss below half of ln C: the net learned (as SweepRun.trained)
INIT_NEAR = 1.05  # initial loss within 5% of ln C: the lecture's sanity check passes
INIT_FAR = 3.0  # initial loss above 3 ln C: confidently wrong scores
INPUT_LARGE = 3.0  # input rms above this: the data is not standardized


def _num(x: float) -> str:
    """A number in 2 or 3 significant digits, in exponent form when tiny or huge."""
    if not math.isfinite(x):
        return str(x)
    return f"{x:.2g}" if x != 0 and (abs(x) < 1e-2 or abs(x) >= 1e4) else f"{x:.3g}"


def _loss(x: float) -> str:
    """A loss value: three decimals in the usual range (ln 10 = 2.303), else as _num."""
    return f"{x:.3f}" if math.isfinite(x) and 0.1 <= x < 1000 else _num(x)


def _z(x: float) -> float:
    return 0.0 if math.isnan(x) else x


def _rms(a: np.ndarray) -> float:
    a64 = a.astype(np.float64, copy=False).reshape(-1)
    return math.sqrt(float(a64 @ a64) / a64.size) if a64.size else 0.0


def accuracy(frac: float) -> str:
    """An accuracy as the training lab's counters and diagnoses both show it (one decimal): a
    diagnosis that said 8% beside a counter's 7.8% read as two different numbers."""
    return f"{frac:.1%}"


@dataclass(frozen=True)
class _Run:
    """What every finding reads, computed once."""

    state: TrainState
    points: tuple[RecordPoint, ...]
    sizes: tuple[int, ...]
    input_rms: float

    @property
    def cfg(self):
        return self.state.config

    @property
    def classes(self) -> int:
        return self.sizes[-1]

    @property
    def chance(self) -> float:
        return math.log(self.classes)

    @property
    def last(self) -> RecordPoint:
        return self.points[-1]

    @property
    def ln_c(self) -> str:
        return f"ln {self.classes} = {self.chance:.3f}"

    @property
    def optimizer(self) -> str:
        return f"{OPTIMIZERS[self.cfg.optimizer].label}, lr {self.cfg.lr:g}"

    def data_loss(self, point: RecordPoint) -> float:
        """The point's training loss without the L2 term (0.5 l2 ||W||^2 from the recorded rms)."""
        if not self.cfg.l2:
            return point.train_loss
        counts = [a * b for a, b in zip(self.sizes[:-1], self.sizes[1:])]
        return point.train_loss - 0.5 * self.cfg.l2 * sum(w.rms**2 * n for w, n in zip(point.weights, counts))


def _facts(state: TrainState, points: tuple[RecordPoint, ...]) -> _Run:
    return _Run(state, points, state.net.arch.sizes, _rms(state.data.x_train))


def _median_ratio(point: RecordPoint) -> float:
    """Median ||step|| / ||W|| over the weight layers that are not all 0 (nan when none is)."""
    ratios = [w.update_ratio for w in point.weights if w.rms > 0 and math.isfinite(w.update_ratio)]
    return float(np.median(ratios)) if ratios else math.nan


def _init_scale(run: _Run, rms: list[float]) -> tuple[str, str]:
    """('small', 'large' or 'fit', words) for initial weights of rms (per weight layer); ('', '') for a constant init.

    Without batch norm the hidden layers set the signal's scale (sigma * sqrt(Din) against
    PyTorch's gain for the activation, as in the activation lab); with it, only the output layer does.
    """
    cfg, sizes = run.cfg, run.sizes
    if INITIALIZERS[cfg.init].family == "constant":
        return "", ""
    if cfg.bn == "none" and len(sizes) > 2:
        gains = [r * math.sqrt(d) for r, d in zip(rms[:-1], sizes[:-2])]
        neutral, whose = calculate_gain(cfg.activation, cfg.slope), f"PyTorch's gain for {cfg.activation}"
    else:
        gains, neutral, whose = [rms[-1] * math.sqrt(sizes[-2])], 1.0, "about 1 keeps the output layer's scale"
    gain = math.exp(sum(math.log(max(g, 1e-300)) for g in gains) / len(gains))
    words = f"σ√Din = {_num(gain)}; {whose}" + (f" is {neutral:.3g}" if whose.startswith("PyTorch") else "")
    if gain < neutral / WEIGHT_BAND:
        return "small", words
    return ("large" if gain > neutral * WEIGHT_BAND else "fit"), words


def _loss_rose(run: _Run) -> tuple[float, int] | None:
    """(minimum minibatch loss, its step) when the latest one has risen clearly above it, else None."""
    losses = [run.data_loss(p) for p in run.points]
    i = int(np.argmin(losses))
    now = losses[-1]
    if now > LOSS_ROSE_FACTOR * losses[i] and now - losses[i] > LOSS_ROSE_ABS:
        return losses[i], run.points[i].step
    return None


def _largest_ratio(run: _Run) -> tuple[float, int]:
    """The largest median update ratio over the record points, and its step."""
    medians = [(_median_ratio(p), p.step) for p in run.points]
    finite = [m for m in medians if math.isfinite(m[0])]
    return max(finite) if finite else (math.nan, 0)


# --- divergence ------------------------------------------------------------------------------------


def _normalize(v: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    return (v - v.mean(axis=0)) / np.sqrt(v.var(axis=0) + BN_EPS) * gamma + beta


def _first_pass(state: TrainState) -> tuple[list[float], int | None, float]:
    """The initial weights' forward pass on the first batch of training examples, in float64.

    Returns (activation rms per hidden layer up to the overflow, the 1-based layer whose values
    pass the run's largest float (depth: the class scores; None: none does), the largest |value| seen).
    """
    cfg, net = state.config, state.net
    arch, p = net.arch, net.views(state.params)
    limit = float(np.finfo(compute_dtype(cfg)).max)
    fn = ACTIVATIONS[cfg.activation].fn
    h = state.data.x_train[: cfg.batch].astype(np.float64)
    rms, peak = [], 0.0
    with np.errstate(all="ignore"):
        for layer in range(arch.depth):
            z = h @ p.w[layer].astype(np.float64)
            if p.b[layer] is not None:
                z += p.b[layer]
            if layer == arch.depth - 1:
                h = z
            else:
                if arch.bn == "before" and arch.has_bn(layer):
                    z = _normalize(z, p.gamma[layer], p.beta[layer])
                h = fn(z, cfg.slope)
                if arch.bn == "after" and arch.has_bn(layer):
                    h = _normalize(h, p.gamma[layer], p.beta[layer])
            top = max(float(np.max(np.abs(z))), float(np.max(np.abs(h))))
            peak = top if not math.isfinite(top) else max(peak, top)
            if not math.isfinite(top) or top > limit:
                return rms, layer + 1, peak
            if layer < arch.depth - 1:
                rms.append(_rms(h))
    return rms, None, peak


def _overflow_at_start(state: TrainState, run: _Run) -> str:
    """Why the first pass with the initial weights overflowed, as far as a float64 replay shows."""
    cfg = state.config
    net = state.net
    rms_w = [_rms(w) for w in net.views(state.params).w]
    scale, words = _init_scale(run, rms_w)
    rms, layer, peak = _first_pass(state)
    depth = net.arch.depth
    where = "the class scores" if layer == depth else f"layer {layer}"
    limit = float(np.finfo(compute_dtype(cfg)).max)
    if layer is None:
        text = (
            f" Replayed in float64, the forward pass stays within {compute_dtype(cfg)} (values up to {_num(peak)}), "
            "so it is the gradient that overflowed."
        )
    else:
        grown = f"the activations' rms is {_num(rms[0])} at layer 1 and " if rms and layer > 1 else ""
        reach = "overflow" if not math.isfinite(peak) else f"reach {_num(peak)}"
        text = (
            f" With the initial weights {grown}the values {reach} at {where}, "
            f"past the largest {compute_dtype(cfg)} number ({_num(limit)})."
        )
    if run.input_rms > INPUT_LARGE and scale != "large":
        text += f" Cause: the inputs are large (rms {_num(run.input_rms)}): standardize them."
    elif scale == "large":
        text += f" Cause: the init is far too large ({words}): its outputs overflow."
    return text


def _divergence(state: TrainState, run: _Run, ahead: bool = False) -> Finding:
    """Why the run stopped; ahead: said at step 0 of a run whose first step will overflow."""
    n = state.diverged_at
    if n == 0:
        if ahead:
            text = (
                "The first step will fail: the very first pass, with the initial weights, gives a loss or gradient "
                "of inf or NaN. That happens before any update, so the learning rate plays no part."
            )
        else:
            text = (
                "The run stopped at step 0: the very first pass, with the initial weights, gave a loss or gradient "
                "of inf or NaN. That was before any update, so the learning rate played no part."
            )
        return Finding("error", text + _overflow_at_start(state, run))
    text = (
        # The trainer stops on the gradient's squared norm: it overflows while every entry is finite.
        f"The run stopped at step {n}: the loss, or the gradient's norm, became inf or NaN (too large for "
        f"{compute_dtype(run.cfg)}), so training cannot go on."
    )
    first = run.points[0]
    start_loss = run.data_loss(first)
    ratio0 = _median_ratio(first)
    losses = [run.data_loss(p) for p in run.points]
    low = int(np.argmin(losses))
    grew = state.last_loss > LOSS_ROSE_FACTOR * losses[low] and state.last_loss - losses[low] > LOSS_ROSE_ABS
    largest, at = _largest_ratio(run)
    if start_loss > INIT_FAR * run.chance:
        scale, words = _init_scale(run, [w.rms for w in first.weights])
        text += (
            f" Already at step 0 the loss was {_loss(start_loss)}, far above {run.ln_c} (uniform guesses):"
            " the initial scores and their gradients were huge"
        )
        if math.isfinite(ratio0):
            text += f", and the first update changed the weights by {_num(ratio0)}× their size (median over layers)"
        text += "."
        if scale == "large":
            text += f" Cause: the init is far too large ({words})."
        elif run.input_rms > INPUT_LARGE:
            text += f" Cause: the inputs are large (rms {_num(run.input_rms)}): standardize them."
    elif grew and largest > RATIO_HIGH:
        text += (
            f" Before that the loss grew from {_loss(losses[low])} (step {run.points[low].step}) to "
            f"{_loss(state.last_loss)} (step {n - 1}), and the updates reached "
            f"{_num(largest)}× the weights' size (the median over layers, at step {at}; about 0.001 is healthy). "
            f"Cause: the learning rate ({run.optimizer}) is too high, the usual cause of divergence: "
            "each update overshoots, the loss grows, and the numbers overflow."
        )
    elif grew:
        text += f" Before that the loss grew from {_loss(losses[low])} to {_loss(state.last_loss)} (step {n - 1})."
    return Finding("error", text)


# --- symmetry and the plateau ----------------------------------------------------------------------


def _identical_layers(run: _Run, point: RecordPoint) -> list[int]:
    """1-based hidden layers (wider than one unit) whose units all have the same incoming weights."""
    widths = run.sizes[1:-1]
    return [
        i + 1
        for i, (w, width) in enumerate(zip(point.weights[:-1], widths))
        if width > 1 and w.unit_spread < SYMMETRIC_SPREAD
    ]


def _layers_words(layers: list[int]) -> str:
    if len(layers) == 1:
        return f"layer {layers[0]}"
    if layers == list(range(layers[0], layers[-1] + 1)):
        return f"layers {layers[0]}–{layers[-1]}"
    return "layers " + ", ".join(str(k) for k in layers[:-1]) + f" and {layers[-1]}"


def _symmetry(run: _Run, point: RecordPoint, at_start: bool) -> Finding | None:
    layers = _identical_layers(run, point)
    if not layers:
        return None
    spread = max(point.weights[k - 1].unit_spread for k in layers)
    widths = {run.sizes[k] for k in layers}
    n = f"{widths.pop()} " if len(widths) == 1 else ""
    have = "start with" if at_start else "have"
    if len(layers) == 1:
        text = (
            f"All {n}units of layer {layers[0]} {have} the same incoming weights (spread {_num(spread)}): "
            "they compute the same function, so the layer acts as one unit"
        )
    else:
        text = (
            f"In each of {_layers_words(layers)}, all {n}units {have} the same incoming weights (largest spread "
            f"{_num(spread)}): they compute the same function, so each layer acts as one unit"
        )
    if INITIALIZERS[run.cfg.init].family == "constant":
        text += "; zero or constant init never breaks this symmetry (identical units get identical gradients)."
    else:
        text += "."
    zero = [k for k in layers if point.weights[k - 1].rms == 0]
    if zero and not at_start:
        text += f" Their weights are still exactly 0 after {run.state.step} steps."
    return Finding("error", text)


def _tail(run: _Run) -> list[RecordPoint]:
    """The record points of the last PLATEAU_TAIL of the steps trained (point 0 excluded)."""
    last = run.last.step
    return [p for p in run.points if p.step > 0 and p.step >= (1 - PLATEAU_TAIL) * last]


def _is_plateau(run: _Run) -> bool:
    tail = _tail(run)
    if run.last.step < PLATEAU_MIN_STEPS or len(tail) < PLATEAU_MIN_POINTS:
        return False
    return all(_at_chance(run, p) for p in tail)


def _at_chance(run: _Run, point: RecordPoint) -> bool:
    """Whether the point's losses are within the plateau band of ln C and its accuracy at chance."""
    band = PLATEAU_BAND * run.chance
    return (
        abs(run.data_loss(point) - run.chance) <= band
        and abs(point.val_loss - run.chance) <= band
        and point.val_acc <= 1 / run.classes + CHANCE_MARGIN
    )


def _plateau_span(run: _Run) -> list[RecordPoint]:
    """The points of a plateau (point 0 excluded): the tail and every point before it that was at chance too."""
    trained = [p for p in run.points if p.step > 0]
    start = len(trained)
    while start > 0 and _at_chance(run, trained[start - 1]):
        start -= 1
    return trained[start:]


def _vanished_layer(run: _Run, point: RecordPoint) -> int | None:
    """The 1-based hidden layer with the smallest activations, if they have all but vanished."""
    if not point.hidden:
        return None
    rms = [a.act.rms for a in point.hidden]
    k = int(np.argmin(rms))
    return k + 1 if rms[k] < ACT_VANISH * run.input_rms else None


def _gradient_ratio(point: RecordPoint) -> float:
    """Layer 1's back-propagated gradient std relative to the top hidden layer's (nan with < 2 hidden layers)."""
    if len(point.hidden) < 2 or not point.hidden[-1].grad.std > 0:
        return math.nan
    return point.hidden[0].grad.std / point.hidden[-1].grad.std


def _signal_reaches_every_layer(run: _Run, point: RecordPoint) -> bool:
    """No layer's activations vanished, no gradient vanished on its way down, no layer all dead:
    small updates are then the learning rate's, not a blocked signal's."""
    vanished = _vanished_layer(run, point) is not None or _gradient_ratio(point) < GRAD_VANISH
    return not vanished and _dead_layer(point) is None


def _dead_layer(point: RecordPoint) -> int | None:
    """The first 1-based hidden layer whose every ReLU is 0 for the whole minibatch."""
    return next((i + 1 for i, a in enumerate(point.hidden) if _z(a.frac_dead) >= 1.0), None)


def _died_after_large_updates(run: _Run, layer: int) -> str:
    """Words on how layer's ReLUs came to be off, if the record shows they were on at step 0."""
    before = _z(run.points[0].hidden[layer - 1].frac_dead)
    if before >= DEAD_WARN:
        return ""
    text = f" They were active at step 0 ({percent(before)} off then) and died during training"
    largest, at = _largest_ratio(run)
    if largest > RATIO_HIGH:
        text += (
            f", after updates of {_num(largest)}× the weights' size at step {at} (the median over layers, at its "
            "largest in the run; about 0.001 is healthy): a learning rate this high is the usual way ReLUs die"
        )
    return text + "."


def _plateau(run: _Run, symmetry: Finding | None) -> tuple[Finding, str] | None:
    """The loss stuck at ln C, with the cause the record proves: (finding, cause key)."""
    if not _is_plateau(run):
        return None
    span = _plateau_span(run)
    losses = [run.data_loss(p) for p in span]
    last = run.last
    from_start = span[0] is next(p for p in run.points if p.step > 0)
    since = f"through all {last.step:,} steps" if from_start else f"since step {span[0].step:,}"
    text = (
        f"The loss has stayed at {run.ln_c}, what uniform guesses score, {since} "
        f"(minibatch loss {_loss(min(losses))}..{_loss(max(losses))}, validation accuracy "
        f"{accuracy(last.val_acc)}): the net has learned nothing."
    )
    ratio = _median_ratio(last)
    moves = (
        f" each step changes the weights by about {_num(ratio)} of their size (median over layers; about 0.001 is "
        "healthy)"
        if math.isfinite(ratio)
        else ""
    )
    grad = _gradient_ratio(last)
    top = len(last.hidden)
    if symmetry is not None:
        if last.weights[0].rms == 0:
            return Finding(
                "error",
                text + " Cause: layer 1's weights are still exactly 0, so the input never reaches the rest of the "
                "net: every example gets the same scores.",
            ), "symmetry"
        return Finding("error", text + " Cause: the identical units above: each layer computes one feature."), (
            "symmetry"
        )
    dead = _dead_layer(last)
    if dead is not None:
        text += (
            f" Cause: every ReLU of layer {dead} outputs 0 for all {run.cfg.batch} examples of the last minibatch: "
            "no signal passes it, and no gradient comes back through it."
        )
        return Finding("error", text + _died_after_large_updates(run, dead)), "dead"
    vanished = _vanished_layer(run, last)
    if vanished is not None:
        text += (
            f" Cause: the activations vanish with depth: std {_num(last.hidden[0].act.std)} at layer 1, "
            f"{_num(last.hidden[vanished - 1].act.std)} at layer {vanished} (the input's rms is "
            f"{_num(run.input_rms)}). A weight's gradient is its input activation times the gradient arriving at "
            "its layer, so near-zero activations give near-zero weight gradients"
        )
        if grad < GRAD_VANISH:
            text += f", and the gradient arriving at layer 1 is only {_num(grad)}× the one at layer {top}"
        text += (":" + moves + ".") if moves else "."
        start = run.points[0]
        scale, words = _init_scale(run, [w.rms for w in start.weights])
        if _vanished_layer(run, start) is not None and scale == "small":
            text += f" They were already this small at step 0: the init is too small for this depth ({words})."
        return Finding("error", text), "vanishing"
    saturated = max(range(top), key=lambda i: _z(last.hidden[i].frac_saturated), default=None)
    frac = _z(last.hidden[saturated].frac_saturated) if saturated is not None else 0.0
    if frac >= SATURATED_CAUSE and (grad < GRAD_VANISH or ratio < RATIO_LOW):
        text += (
            f" Cause: {percent(frac)} of layer {saturated + 1}'s units are saturated, where almost no gradient "
            f"passes:{moves}."
        )
        return Finding("error", text), "saturated"
    if grad < GRAD_VANISH:
        text += (
            f" Cause: the gradient vanishes on its way down: at layer 1 it is {_num(grad)}× its size at layer {top} "
            f"(std {_num(last.hidden[0].grad.std)} against {_num(last.hidden[-1].grad.std)}), so the lower layers "
            "barely learn."
        )
        return Finding("error", text), "gradient"
    if ratio < RATIO_LOW:
        text += f" Cause: the updates are tiny:{moves}: the learning rate ({run.optimizer}) is too small."
        return Finding("error", text), "lr"
    return Finding("error", text), ""


# --- the rest at the latest point ------------------------------------------------------------------


def _update_ratio(run: _Run, cause: str) -> Finding | None:
    """The update/weight ratio far from CS231n's ~1e-3, and what the record says about the learning rate."""
    last = run.last
    ratio = _median_ratio(last)
    if not math.isfinite(ratio) or last.step == 0:
        return None
    measured = f"each step changes the weights by about {_num(ratio)} of their size (median over layers at step "
    measured += f"{last.step}; CS231n's rule of thumb is about 0.001)"
    if ratio > RATIO_HIGH:
        rose = _loss_rose(run)
        if rose is not None:
            return Finding(
                "warn",
                f"Updates are too large: {measured}, and the minibatch loss has risen from {_loss(rose[0])} "
                f"(step {rose[1]}) to {_loss(run.data_loss(last))}: the learning rate ({run.optimizer}) is likely "
                "too high.",
            )
        return Finding("info", f"Updates are large: {measured}, though the minibatch loss has not risen.")
    if ratio < RATIO_LOW and not cause:
        tail = _tail(run)
        if len(tail) < PLATEAU_MIN_POINTS or run.data_loss(last) < LEARNED * run.chance:
            return None
        first, now = run.data_loss(tail[0]), run.data_loss(last)
        if abs(now - first) < STILL * first and _signal_reaches_every_layer(run, last):
            return Finding(
                "warn",
                f"Updates are tiny: {measured}, and the minibatch loss moved by only "
                f"{abs(now - first) / first:.1%} from step {tail[0].step} to {last.step}: the learning rate "
                f"({run.optimizer}) is too small.",
            )
    return None


def _dead(run: _Run, cause: str) -> Finding | None:
    last = run.last
    if not last.hidden or cause == "dead":
        return None
    # A layer whose incoming weights are all 0 outputs 0 because of them (the symmetry finding says
    # so), not because its units died: "a dead ReLU" would name the wrong cause.
    weighted = [i for i in range(len(last.hidden)) if last.weights[i].rms > 0]
    worst = max(weighted, key=lambda i: _z(last.hidden[i].frac_dead), default=None)
    frac = _z(last.hidden[worst].frac_dead) if worst is not None else 0.0
    if frac <= DEAD_WARN:
        return None
    text = (
        f"{percent(frac)} of layer {worst + 1}'s ReLUs output 0 for every example of the last minibatch "
        f"({run.cfg.batch} examples): a unit that stays off gets no gradient and stops learning (a dead ReLU)."
    )
    return Finding("warn", text + _died_after_large_updates(run, worst + 1))


def _saturated(run: _Run, cause: str) -> Finding | None:
    last = run.last
    if not last.hidden or cause == "saturated":
        return None
    worst = max(range(len(last.hidden)), key=lambda i: _z(last.hidden[i].frac_saturated))
    frac = _z(last.hidden[worst].frac_saturated)
    if frac <= SATURATED_WARN:
        return None
    if run.cfg.activation == "tanh":
        bound, local = "|tanh| > 0.99", "1 − tanh² is below 0.02"
    else:
        bound, local = "within 0.01 of 0 or 1", "σ(1 − σ) is below 0.01"
    return Finding(
        "warn",
        f"{percent(frac)} of layer {worst + 1}'s units are saturated ({bound}) on the last minibatch: there the "
        f"local gradient {local}, so little gradient passes them.",
    )


def _overfitting(run: _Run) -> Finding | None:
    last = run.last
    vals = [p.val_loss for p in run.points]
    i = int(np.nanargmin(vals)) if np.isfinite(vals).any() else None
    if i is None or last.train_acc < FIT_ACC or last.val_acc > last.train_acc - ACC_GAP:
        return None
    low = vals[i]
    if last.val_loss - low < max(VAL_RISE_ABS, VAL_RISE_REL * low):
        return None
    n = run.state.data.y_train.size
    return Finding(
        "warn",
        f"Overfitting: {accuracy(last.train_acc)} accuracy on the training minibatches but "
        f"{accuracy(last.val_acc)} on "
        f"validation, and the validation loss has risen from {_loss(low)} (step {run.points[i].step}) to "
        f"{_loss(last.val_loss)} while the minibatch loss fell to {_loss(run.data_loss(last))}: the net is memorizing "
        f"its {n} training examples rather than learning what carries over to new ones.",
    )


def _adam_note(run: _Run) -> Finding | None:
    """Adam keeps full-size steps where the gradient has vanished: shown when the record has both."""
    last = run.last
    grad = _gradient_ratio(last)
    ratio = last.weights[0].update_ratio
    if run.cfg.optimizer != "adam" or not grad < GRAD_VANISH or not ratio >= ADAM_MOVING:
        return None
    return Finding(
        "info",
        f"The gradient has all but vanished at layer 1 ({_num(grad)}× the one at layer {len(last.hidden)}: std "
        f"{_num(last.hidden[0].grad.std)} against {_num(last.hidden[-1].grad.std)}), yet each step changes layer 1's "
        f"weights by {_num(ratio)} of their size. Adam divides every step by the gradient's running size, so its "
        "steps stay about the learning rate however small the gradient; plain SGD's steps shrink with the gradient.",
    )


def _healthy(run: _Run) -> Finding | None:
    last = run.last
    start, now = run.data_loss(run.points[0]), run.data_loss(last)
    fell = (
        f"the minibatch loss fell from {_loss(start)} at step 0 to {_loss(now)} at step {last.step} "
        f"(validation accuracy {accuracy(last.val_acc)})"
    )
    if not now < start:
        return None
    if now < LEARNED * run.chance:
        return Finding("ok", f"Learning: {fell}.")
    return _slow(run, fell)


def _slow(run: _Run, fell: str) -> Finding | None:
    """A loss still falling, far from learned, under updates ten times below the rule of thumb
    (CS231n's babysitting: the learning rate is probably too low). Said only where the signal
    reaches every layer, so that the small updates are the learning rate's."""
    last = run.last
    ratio = _median_ratio(last)
    if not ratio < RATIO_SLOW or not _signal_reaches_every_layer(run, last):
        return None
    return Finding(
        "info",
        f"Learning slowly: {fell}, and each step changes the weights by about {_num(ratio)} of their size "
        f"(median over layers; CS231n's rule of thumb is about 0.001): the learning rate ({run.optimizer}) is "
        "probably too low, and a larger one would get there in fewer steps.",
    )


# --- step 0 ----------------------------------------------------------------------------------------


def _initial_loss(run: _Run, point: RecordPoint) -> Finding:
    loss = run.data_loss(point)
    head = f"Loss at initialization: {_loss(loss)} on the first minibatch; uniform guesses score {run.ln_c}"
    if loss <= INIT_NEAR * run.chance:
        return Finding("ok", head + ": the lecture's sanity check (small initial scores) passes.")
    if loss <= INIT_FAR * run.chance:
        return Finding("info", head + ". The initial class scores are moderate, not tiny.")
    text = head + (
        ". Far above: the initial class scores are large, so the net starts out confidently wrong on most examples."
    )
    scale, words = _init_scale(run, [w.rms for w in point.weights])
    if scale == "large":
        text += f" Cause: the init is too large ({words})."
    elif run.input_rms > INPUT_LARGE:
        text += f" Cause: the inputs are large (rms {_num(run.input_rms)}): standardize them."
    return Finding("warn", text)


def _at_start(state: TrainState) -> list[Finding]:
    """Step 0: what the initial weights show on the trainer's first minibatch (one probe step, not kept)."""
    probe = advance(state, 1)
    if probe.diverged_at == 0:
        return [_divergence(probe, _facts(probe, ()), ahead=True)]
    run = _facts(probe, probe.record.points)
    point = run.points[0]
    return [f for f in (_symmetry(run, point, at_start=True), _initial_loss(run, point)) if f is not None]


def diagnose_run(state: TrainState) -> list[Finding]:
    """Findings on a run at its current step, most important first, in words a student can act on.

    At step 0 (nothing trained) the initial weights are judged on the trainer's first minibatch
    (one probe step, whose result is not kept). A diverged run gets one finding, on why it stopped.
    """
    if state.diverged_at is not None:
        return [_divergence(state, _facts(state, state.record.points))]
    if not state.record.points:
        return _at_start(state)
    run = _facts(state, state.record.points)
    symmetry = _symmetry(run, run.last, at_start=False)
    plateau = _plateau(run, symmetry)
    cause = plateau[1] if plateau else ""
    findings = [f for f in (symmetry, plateau[0] if plateau else None) if f is not None]
    ratio = _update_ratio(run, cause)
    findings += [
        f
        for f in (
            ratio if ratio and ratio.level == "warn" else None,
            _dead(run, cause),
            _saturated(run, cause),
            _overfitting(run),
            _adam_note(run),
            ratio if ratio and ratio.level == "info" else None,
        )
        if f is not None
    ]
    if not any(f.level in ("warn", "error") for f in findings):
        healthy = _healthy(run)
        if healthy is not None:
            findings.insert(0, healthy)
    return findings
