"""The trainer: a frozen config validated in one place, a run state advanced k steps at a time.

advance(state, k) returns a new state and leaves the old one as it was: it copies the
parameters and optimizer moments once, then updates the copies in place for k steps.
Minibatches come from a random stream keyed by (seed, epoch), so the state needs no
generator of its own: the step count is its random state. A run is therefore a function
of the config and the step count: training to step S in one call or in chunks gives
the same state, bit for bit on one machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from threadpoolctl import ThreadpoolController

from engine.activations import ACTIVATIONS
from engine.batchnorm import CONVENTIONS, RunningStats, blend_running_stats, initial_running_stats
from engine.init import FAN_MODES, INITIALIZERS, init_weights
from engine.propagate import stream
from engine.train.data import DATASETS, PREPS, Dataset, load, train_size
from engine.train.net import (
    BN_PLACEMENTS,
    Architecture,
    Net,
    Pass,
    Workspace,
    build_net,
    evaluate_loss,
    loss_and_grad,
    predict,
)
from engine.train.optim import OPTIMIZERS, initial_moments, working_moments
from engine.train.record import Record, RecordPoint, hidden_activity, weight_summary

DTYPES = ("float32", "float64")
MAX_HIDDEN_LAYERS = 40
MAX_WIDTH = 1024
MAX_BATCH = 1024
MAX_STEPS = 100_000
MAX_RECORD_EVERY = 1000
MAX_LR = 10.0
MAX_L2 = 1.0
MAX_SEED = 2**32 - 1
_INIT, _BATCHES = 10, 11  # stream keys: per-layer weights, per-epoch minibatch order


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run; hashable, so pages can cache on it.

    hidden: the hidden layer widths (the input size and the class count come from the
    data). init, scale, gain, mode and slope mean what they mean in the activation lab,
    for every weight layer; biases start at 0, batch norm's gamma at 1 and beta at 0.
    train_examples > 0 trains on only that many examples. steps: the run's planned
    length (what the work budget is checked against). record_every: the first record
    interval (it doubles as the record thins).
    """

    dataset: str = "digits"
    prep: str = "standardize"
    val_fraction: float = 0.2
    train_examples: int = 0
    hidden: tuple[int, ...] = (128, 128, 128)
    activation: str = "relu"
    init: str = "kaiming_normal"
    scale: float = 0.01
    gain: float | None = None  # PyTorch's gain; None: the initializer's own (√2 for Kaiming)
    mode: str = "fan_in"
    slope: float = 0.01
    bn: str = "none"
    bn_conv: str = "pytorch"
    optimizer: str = "adam"
    lr: float = 1e-3
    l2: float = 0.0
    batch: int = 64
    steps: int = 1000
    record_every: int = 50
    dtype: str = "float32"
    seed: int = 0

    @property
    def n_train(self) -> int:
        """Training examples the run uses."""
        return train_size(self.dataset, self.val_fraction, self.train_examples)

    @property
    def architecture(self) -> Architecture:
        data = DATASETS[self.dataset]
        return Architecture((data.features, *self.hidden, data.classes), self.activation, self.slope, self.bn)


def _finite_problems(cfg: TrainConfig) -> list[str]:
    names = ("scale", "gain", "slope", "lr", "l2", "val_fraction")
    values = {name: getattr(cfg, name) for name in names}
    return [f"{name} must be a finite number" for name, v in values.items() if v is not None and not math.isfinite(v)]


def _choice_problems(cfg: TrainConfig) -> list[str]:
    choices = {
        "dataset": DATASETS,
        "prep": PREPS,
        "activation": ACTIVATIONS,
        "init": INITIALIZERS,
        "mode": FAN_MODES,
        "bn": BN_PLACEMENTS,
        "bn_conv": CONVENTIONS,
        "optimizer": OPTIMIZERS,
        "dtype": DTYPES,
    }
    return [
        f"{name} must be one of {', '.join(allowed)} (got {getattr(cfg, name)!r})"
        for name, allowed in choices.items()
        if getattr(cfg, name) not in allowed
    ]


def _range_problems(cfg: TrainConfig) -> list[str]:
    problems = []
    if not 0.05 <= cfg.val_fraction <= 0.5:
        problems.append("val_fraction must be 0.05..0.5")
    if len(cfg.hidden) > MAX_HIDDEN_LAYERS or any(not 1 <= h <= MAX_WIDTH for h in cfg.hidden):
        problems.append(f"at most {MAX_HIDDEN_LAYERS} hidden layers, each 1..{MAX_WIDTH} wide")
    if not 0 < cfg.lr <= MAX_LR:
        problems.append(f"the learning rate must be in (0, {MAX_LR:g}]")
    if not 0 <= cfg.l2 <= MAX_L2:
        problems.append(f"L2 must be 0..{MAX_L2:g}")
    if cfg.scale < 0 and cfg.init != "constant":
        problems.append("std / bound must be >= 0 (only a constant init may be negative)")
    if not 0 <= cfg.steps <= MAX_STEPS:
        problems.append(f"steps must be 0..{MAX_STEPS}")
    if not 1 <= cfg.record_every <= MAX_RECORD_EVERY:
        problems.append(f"record_every must be 1..{MAX_RECORD_EVERY}")
    if not 0 <= cfg.seed <= MAX_SEED:
        problems.append(f"seed must be 0..{MAX_SEED}")
    if cfg.train_examples < 0:
        problems.append("train_examples must be >= 0 (0: the whole training split)")
    return problems


def config_problems(cfg: TrainConfig) -> list[str]:
    """Everything wrong with cfg, in words a user can act on (empty when valid)."""
    problems = _finite_problems(cfg) + _choice_problems(cfg)
    if problems:
        return problems
    problems = _range_problems(cfg)
    if problems:
        return problems
    n = cfg.n_train
    low = 2 if cfg.bn != "none" else 1
    if not low <= cfg.batch <= min(MAX_BATCH, n):
        why = " (batch norm needs 2)" if low == 2 else ""
        problems.append(f"batch must be {low}..{min(MAX_BATCH, n)}, the training examples in use{why}")
    return problems


# Seconds per unit of work on the 2-core reference machine (one BLAS thread), fitted to 19
# nets timed in CPU time and kept a little slow; bench/training.py prints the estimate
# beside the measurement for five of them (docs/performance.md, "Training").
SEC_PER_FLOP = 1.0 / 90e9  # float32 matrix products (about 85 GFLOP/s at 64 x 128 x 128), overhead included
SEC_PER_ELEMENT = 1e-9  # activation, derivative and bias, per unit and example, times the activation's cost
SEC_PER_BN_ELEMENT = 3.5e-9  # batch norm's forward and backward, per unit and example
# Per parameter, the update and the gradient's norm: while the optimizer's vectors stay in
# the cache (the first CACHED_PARAMS float32 parameters), and beyond (memory-bound).
SEC_PER_PARAM = {"sgd": (0.6e-9, 2e-9), "momentum": (1e-9, 3e-9), "adam": (1.8e-9, 4.5e-9)}
CACHED_PARAMS = 250_000
SEC_PER_LAYER = 1e-5  # NumPy call overhead of one layer's forward and backward
SEC_PER_BN_LAYER = 3e-5  # and of its batch norm
SEC_PER_STEP = 2e-5  # minibatch gathering, softmax loss, checks
SEC_PER_RECORDED_ELEMENT = 3.5e-8  # summaries, percentiles and histograms per activation and gradient entry
SEC_PER_RECORDED_LAYER = 7e-5  # a record point's NumPy call overhead per layer
BUDGET_SECONDS = 30.0
BUDGET_BYTES = 1 << 30


@dataclass(frozen=True)
class TrainCost:
    """Estimated seconds per step, for the config's planned steps, and peak bytes."""

    seconds_per_step: float
    seconds: float
    bytes: int

    @property
    def within_budget(self) -> bool:
        return self.seconds <= BUDGET_SECONDS and self.bytes <= BUDGET_BYTES


def estimate_cost(cfg: TrainConfig) -> TrainCost:
    """Cost model of a run of cfg.steps steps, records included (validation at every point)."""
    arch = cfg.architecture
    pairs = list(zip(arch.sizes[:-1], arch.sizes[1:]))
    macs = sum(a * b for a, b in pairs)
    units = sum(cfg.hidden)
    n, n_val = cfg.batch, DATASETS[cfg.dataset].size - cfg.n_train
    normalized = cfg.bn != "none"
    per_element = SEC_PER_ELEMENT * ACTIVATIONS[cfg.activation].cost + (SEC_PER_BN_ELEMENT if normalized else 0.0)
    per_layer = SEC_PER_LAYER * arch.depth + (SEC_PER_BN_LAYER * len(cfg.hidden) if normalized else 0.0)
    cached, beyond = SEC_PER_PARAM[cfg.optimizer]
    in_cache = CACHED_PARAMS * 4 // np.dtype(compute_dtype(cfg)).itemsize
    updates = cached * min(macs, in_cache) + beyond * max(0, macs - in_cache)
    step = SEC_PER_FLOP * 6 * n * macs + per_element * n * units + updates + per_layer + SEC_PER_STEP
    record = SEC_PER_FLOP * 2 * n_val * macs + SEC_PER_RECORDED_ELEMENT * 2 * n * units
    record += SEC_PER_RECORDED_LAYER * arch.depth
    per_step = step + record / cfg.record_every
    itemsize = np.dtype(compute_dtype(cfg)).itemsize
    vectors = 2 + OPTIMIZERS[cfg.optimizer].moments  # params, gradient, moments and scratch
    buffers = 12 * n * units + 4 * n_val * max(arch.sizes)
    total_bytes = itemsize * (vectors * (macs + 4 * units) + buffers + DATASETS[cfg.dataset].size * arch.sizes[0])
    return TrainCost(per_step, per_step * cfg.steps, int(total_bytes))


def steps_within(cfg: TrainConfig, seconds: float) -> int:
    """How many steps fit in about `seconds` (at least 1): the chunk for one tick of live play."""
    return max(1, int(seconds / estimate_cost(cfg).seconds_per_step))


@dataclass(frozen=True)
class TrainState:
    """A run after `step` updates. Arrays are read-only: advance() works on copies.

    params: the flat parameter vector (see engine.train.net); moments: the optimizer's
    kept vectors; running: batch norm's running statistics per hidden layer (None without);
    window: (loss sum, accuracy sum, minibatches) since the last record point;
    diverged_at: the step whose loss or gradient was no longer finite (the run stops there,
    with the weights that produced it); last_loss: the latest minibatch loss.
    """

    config: TrainConfig
    step: int
    params: np.ndarray
    moments: tuple[np.ndarray, ...]
    running: tuple[RunningStats | None, ...]
    record: Record
    window: tuple[float, float, int] = (0.0, 0.0, 0)
    diverged_at: int | None = None
    last_loss: float = math.nan

    @property
    def net(self) -> Net:
        return net_for(self.config)

    @property
    def data(self) -> Dataset:
        return data_for(self.config)


def compute_dtype(cfg: TrainConfig) -> str:
    """The dtype a run computes in: the config's, except float64 for a symmetric init (constant or
    zeros). Its experiment is that the units of a layer stay identical, and float32 matrix products
    do not keep identical columns identical on every CPU (OpenBLAS's sgemm on an AMD EPYC rounds
    columns 0-7 and 8+ of one product differently, 4e-6 apart): in float32 the rounding breaks the
    symmetry there and the run learns after a few hundred steps. float64's products keep it."""
    return "float64" if INITIALIZERS[cfg.init].family == "constant" else cfg.dtype


def data_for(cfg: TrainConfig) -> Dataset:
    """The config's data, split and preprocessed (cached)."""
    return load(cfg.dataset, cfg.prep, cfg.val_fraction, cfg.seed, cfg.train_examples, compute_dtype(cfg))


def net_for(cfg: TrainConfig) -> Net:
    """The config's net layout, with the input size of its (preprocessed) data."""
    arch = cfg.architecture
    features = data_for(cfg).x_train.shape[1]  # whitening may keep fewer components than features
    return _build(Architecture((features, *arch.sizes[1:]), arch.activation, arch.slope, arch.bn))


@lru_cache(maxsize=64)
def _build(arch: Architecture) -> Net:
    return build_net(arch)


def _read_only(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def init_state(cfg: TrainConfig) -> TrainState:
    """Step 0: weights drawn per layer from the seed, biases 0, gamma 1, beta 0, empty record."""
    problems = config_problems(cfg)
    if problems:
        raise ValueError("; ".join(problems))
    net = net_for(cfg)
    theta = np.zeros(net.size, compute_dtype(cfg))
    p = net.views(theta)
    for layer, w in enumerate(p.w):
        rng = stream(cfg.seed, _INIT, layer)
        w[...] = init_weights(cfg.init, w.shape, rng, cfg.scale, cfg.gain, cfg.mode)
    for gamma in p.gamma:
        if gamma is not None:
            gamma.fill(1.0)
    convention = CONVENTIONS[cfg.bn_conv]
    running = tuple(
        initial_running_stats(d, convention) if net.arch.has_bn(i) else None for i, d in enumerate(net.arch.sizes[1:])
    )
    moments = tuple(_read_only(m) for m in initial_moments(cfg.optimizer, net.size, theta.dtype))
    return TrainState(cfg, 0, _read_only(theta), moments, running, Record(cfg.record_every))


class _Run:
    """The working copy advance() updates in place (never shared, never returned)."""

    def __init__(self, state: TrainState):
        cfg = self.cfg = state.config
        self.net, self.data = state.net, state.data
        self.theta = state.params.copy()
        self.grad = np.empty_like(self.theta)
        self.views = (self.net.views(self.theta), self.net.views(self.grad))
        self.moments = working_moments(cfg.optimizer, state.moments, self.theta.size, self.theta.dtype)
        self.running = list(state.running)
        self.record = state.record
        self.loss_sum, self.acc_sum, self.count = state.window
        self.step = state.step
        self.diverged_at = state.diverged_at
        self.last_loss = state.last_loss
        self.ws = Workspace()
        self.convention = CONVENTIONS[cfg.bn_conv]
        self.update = OPTIMIZERS[cfg.optimizer].update
        self.normalized = cfg.bn != "none"
        self.per_epoch = len(self.data.y_train) // cfg.batch
        self.epoch, self.order = -1, None
        self.x = np.empty((cfg.batch, self.data.x_train.shape[1]), self.theta.dtype)
        self.y = np.empty(cfg.batch, self.data.y_train.dtype)

    def batch(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Minibatch t: a slice of its epoch's permutation (the remainder of each epoch is not used)."""
        epoch, j = divmod(t, self.per_epoch)
        if epoch != self.epoch:
            self.epoch = epoch
            self.order = stream(self.cfg.seed, _BATCHES, epoch).permutation(len(self.data.y_train))
        idx = self.order[j * self.cfg.batch : (j + 1) * self.cfg.batch]
        # mode="clip": the indices are a permutation's, always in range; "raise" would gather into a temporary first.
        self.data.x_train.take(idx, axis=0, out=self.x, mode="clip")
        self.data.y_train.take(idx, out=self.y, mode="clip")
        return self.x, self.y

    def validate(self) -> tuple[float, float]:
        """Loss and accuracy on the validation split (called inside advance()'s np.errstate)."""
        return evaluate_loss(predict(self.net, self.theta, self.data.x_val, tuple(self.running)), self.data.y_val)

    def gradient(self, x: np.ndarray, y: np.ndarray) -> Pass | None:
        """The pass over minibatch (x, y) with the gradient in self.grad; None when loss or gradient is not finite."""
        ps = loss_and_grad(self.net, self.theta, self.grad, x, y, self.cfg.l2, self.ws, self.views)
        grad_sq = float(self.grad @ self.grad)  # inf or NaN if any entry is (or the norm overflows)
        return ps if math.isfinite(ps.loss) and math.isfinite(grad_sq) else None

    def update_running(self, ps: Pass, n: int) -> None:
        for i, moments in enumerate(ps.moments):
            if moments is not None:
                self.running[i] = blend_running_stats(self.running[i], *moments, n, self.convention)

    def append(self, step: int, window: int, loss: float, acc: float, val: tuple[float, float], layers: tuple):
        self.record = self.record.append(RecordPoint(step, window, loss, acc, *val, *layers))

    def advance(self) -> bool:
        """One update; False when the run has diverged (then nothing changed but diverged_at)."""
        t, cfg = self.step, self.cfg
        x, y = self.batch(t)
        ps = self.gradient(x, y)
        if ps is None:
            self.diverged_at = t
            return False
        if self.normalized:
            self.update_running(ps, len(y))
        first, closes = t == 0 and not self.record.points, (t + 1) % self.record.every == 0
        if first or closes:  # statistics of this minibatch and of the weights before the update
            activity = hidden_activity(ps.outputs, ps.grads, cfg.activation)
            before = [weight_summary(w) for w in self.views[0].w]
            val0 = self.validate() if first else None
        step = self.update(self.theta, self.grad, self.moments, t + 1, cfg.lr)
        if first or closes:
            layers = (activity, tuple(summary.after(s) for summary, s in zip(before, self.net.views(step).w)))
        acc = ps.correct / len(y)
        if first:
            self.append(0, 1, ps.loss, acc, val0, layers)
        self.loss_sum, self.acc_sum, self.count = self.loss_sum + ps.loss, self.acc_sum + acc, self.count + 1
        self.step, self.last_loss = t + 1, ps.loss
        if closes:
            mean_loss, mean_acc = self.loss_sum / self.count, self.acc_sum / self.count
            self.append(t + 1, self.count, mean_loss, mean_acc, self.validate(), layers)
            self.loss_sum, self.acc_sum, self.count = 0.0, 0.0, 0
        return True

    def state(self) -> TrainState:
        kept = OPTIMIZERS[self.cfg.optimizer].kept
        return TrainState(
            self.cfg,
            self.step,
            _read_only(self.theta),
            tuple(_read_only(m) for m in self.moments[:kept]),
            tuple(self.running),
            self.record,
            (self.loss_sum, self.acc_sum, self.count),
            self.diverged_at,
            self.last_loss,
        )


@lru_cache(maxsize=1)
def _blas():
    return ThreadpoolController().select(user_api="blas")


def advance(state: TrainState, k: int) -> TrainState:
    """The run k steps further (fewer if it diverges); state itself is left unchanged.

    BLAS runs on one thread meanwhile: for these small products a second thread only
    waits, and on a busy machine two spinning threads made a run 50x slower.
    """
    if k <= 0 or state.diverged_at is not None:
        return state
    run = _Run(state)
    # Non-finite values are data here (the run stops at them): no warnings, and one
    # np.errstate for the k steps rather than one per step.
    with _blas().limit(limits=1), np.errstate(all="ignore"):
        for _ in range(k):
            if not run.advance():
                break
    return run.state()


def train(cfg: TrainConfig, steps: int | None = None) -> TrainState:
    """The run of cfg from step 0 to `steps` (default cfg.steps)."""
    return advance(init_state(cfg), cfg.steps if steps is None else steps)


def evaluate(state: TrainState, split: str = "val") -> tuple[float, float]:
    """(loss, accuracy) of the state's weights on the whole "train" or "val" split, batch norm in eval mode.

    The loss includes no L2 term. Non-finite values come back as they are.
    """
    data = state.data
    x, y = (data.x_train, data.y_train) if split == "train" else (data.x_val, data.y_val)
    with np.errstate(all="ignore"), _blas().limit(limits=1):
        return evaluate_loss(predict(state.net, state.params, x, state.running), y)
