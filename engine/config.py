"""The simulation config, its limits, and the cost model behind the work budget."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from engine.activations import ACTIVATIONS
from engine.init import FAN_MODES, INITIALIZERS
from engine.preprocess import PREPROCESSORS

MAX_DEPTH = 200
MAX_WIDTH = 16384
MAX_BATCH = 1024
MAX_SEED = 2**32 - 1
PATHS = ("auto", "exact", "explicit")
BN_PLACEMENTS = ("none", "before", "after")
BN_MODES = ("train", "eval")
BN_CONVENTIONS = ("pytorch", "cs231n")
BN_EPS = 1e-5
MAX_WARMUP = 200

# Seconds per unit of work on the 2-core reference machine, fitted with bench/cost_model.py
# (which prints estimate and measurement side by side) and kept a little on the slow side:
# the budget must refuse what would feel stuck, not what is merely close.
SEC_PER_FLOP = 1.0 / 18e9
SEC_PER_NORMAL = 1.0e-8  # one standard normal, drawn in a single thread
SEC_PER_BULK_DRAW = {"normal": 7e-9, "uniform": 3e-9, "orthogonal": 7e-9}  # weight matrices, two threads
SEC_PER_QR_FLOP = 1.0 / 4e9
SEC_PER_ELEMENT = 1.6e-8  # activation, derivative and three histograms, per unit and example
BUDGET_SECONDS = 2.0
BUDGET_BYTES = 1 << 30


@dataclass(frozen=True)
class SimConfig:
    """Everything that determines a simulation; hashable, so pages can cache on it.

    `sizes` lists every layer width including the input, like the lecture's
    `dims`: (4096,) * 7 is six weight layers on a 4096-dimensional input.
    """

    activation: str = "tanh"
    init: str = "gaussian"
    scale: float = 0.01
    gain: float | None = None  # None: the initializer's own (engine.init.Initializer.default_gain)
    mode: str = "fan_in"
    sizes: tuple[int, ...] = (4096,) * 7
    batch: int = 16
    bias: float = 0.0
    in_mean: float = 0.0
    in_std: float = 1.0
    prep: str = "none"
    seed: int = 0
    slope: float = 0.01
    path: str = "auto"
    bn: str = "none"
    gamma: float = 1.0
    beta: float = 0.0
    bn_mode: str = "train"
    bn_warmup: int = 20
    bn_conv: str = "pytorch"

    @property
    def stacked_batches(self) -> int:
        """Batches run through the same weights: the warm-up ones first in BN eval mode."""
        return self.bn_warmup + 1 if self.bn != "none" and self.bn_mode == "eval" else 1

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    @staticmethod
    def sizes_from(depth: int, width: int) -> tuple[int, ...]:
        """The lecture's `dims = [width] * (depth + 1)`."""
        return (int(width),) * (int(depth) + 1)


def config_problems(cfg: SimConfig) -> list[str]:
    """Everything wrong with cfg, in words a user can act on (empty when valid)."""
    problems = []
    if cfg.activation not in ACTIVATIONS:
        problems.append(f"unknown activation {cfg.activation!r}")
    if cfg.init not in INITIALIZERS:
        problems.append(f"unknown initializer {cfg.init!r}")
    if cfg.mode not in FAN_MODES:
        problems.append(f"mode must be one of {FAN_MODES}")
    if cfg.prep not in PREPROCESSORS:
        problems.append(f"unknown preprocessing {cfg.prep!r}")
    if cfg.bn not in BN_PLACEMENTS:
        problems.append(f"bn must be one of {BN_PLACEMENTS}")
    if cfg.bn_mode not in BN_MODES or cfg.bn_conv not in BN_CONVENTIONS:
        problems.append(f"bn_mode must be one of {BN_MODES} and bn_conv one of {BN_CONVENTIONS}")
    if not 1 <= cfg.bn_warmup <= MAX_WARMUP:
        problems.append(f"bn_warmup must be 1..{MAX_WARMUP}")
    if cfg.bn != "none" and cfg.bn_mode == "eval" and cfg.bn_conv == "pytorch" and cfg.batch < 2:
        problems.append(
            "batch norm in eval mode with the PyTorch convention needs batches of at least 2: its running "
            "variance is the unbiased batch variance, undefined for one example (PyTorch refuses with "
            "'Expected more than 1 value per channel when training'). Use a batch of 2 or more, or the "
            "cs231n convention (biased variance)."
        )
    if cfg.path not in PATHS:
        problems.append(f"path must be one of {PATHS}")
    if not 1 <= cfg.depth <= MAX_DEPTH:
        problems.append(f"depth must be 1..{MAX_DEPTH} layers (got {cfg.depth})")
    if any(not 1 <= d <= MAX_WIDTH for d in cfg.sizes):
        problems.append(f"every layer size must be 1..{MAX_WIDTH}")
    if not 1 <= cfg.batch <= MAX_BATCH:
        problems.append(f"batch must be 1..{MAX_BATCH}")
    if not 0 <= cfg.seed <= MAX_SEED:
        problems.append(f"seed must be 0..{MAX_SEED}")
    for name in ("scale", "gain", "bias", "in_mean", "in_std", "slope", "gamma", "beta"):
        value = getattr(cfg, name)
        if value is not None and not math.isfinite(value):
            problems.append(f"{name} must be a finite number")
    if cfg.in_std < 0:
        problems.append("input std must be >= 0")
    if cfg.prep == "whiten" and cfg.sizes and 1 <= cfg.batch <= cfg.sizes[0]:
        problems.append(
            f"PCA whitening with batch statistics needs more examples than input features (batch {cfg.batch}, "
            f"input width {cfg.sizes[0]}): a batch of N spans at most N - 1 centred directions, so the other "
            "inputs would be zeros and the input energy would shrink to about N/D, a collapse the init did not "
            "cause. Use a batch larger than the input width, or 'standardize' (for these independent inputs of "
            "equal variance, whitening is standardizing up to a rotation)"
        )
    if cfg.scale < 0 and cfg.init != "constant":
        problems.append("std / bound must be >= 0 (only a constant init may be negative)")
    return problems


@dataclass(frozen=True)
class Cost:
    """Estimated seconds and peak bytes of a simulation, and the path per layer."""

    seconds: float
    bytes: int
    paths: tuple[str, ...]

    @property
    def within_budget(self) -> bool:
        return self.seconds <= BUDGET_SECONDS and self.bytes <= BUDGET_BYTES


def _flop_seconds(flops: float, n: int) -> float:
    """Matrix products run faster per flop as the batch grows (BLAS gets bigger blocks)."""
    return SEC_PER_FLOP * flops * min(1.0, math.sqrt(32.0 / n))


def _elementwise_seconds(n: int, din: int, dout: int, activation: str, bn: str = "none") -> float:
    per_element = ACTIVATIONS[activation].cost + (0.0 if bn == "none" else 1.0)
    return SEC_PER_ELEMENT * per_element * n * (din + dout)


def _explicit_seconds(n: int, din: int, dout: int, family: str, activation: str, bn: str = "none") -> float:
    elementwise = _elementwise_seconds(n, din, dout, activation, bn)
    if family == "constant":
        return elementwise
    draws = 2 * din * dout  # drawn again for the backward pass instead of kept
    flops = 4 * n * din * dout + 2 * min(n * n * (din + dout), n * din * dout)  # passes, then dW's statistics
    seconds = SEC_PER_BULK_DRAW[family] * draws + _flop_seconds(flops, n) + elementwise
    if family == "orthogonal":
        big, small = max(din, dout), min(din, dout)
        seconds += 2 * SEC_PER_QR_FLOP * 2 * big * small**2
    return seconds


def _exact_seconds(n: int, din: int, dout: int, family: str, activation: str, bn: str = "none") -> float:
    r = min(n, din)
    flops = 10 * n * r * din + 6 * n * r * dout + 2 * n**3
    draws = r * dout + n * din
    if family == "orthogonal":
        draws *= 3  # Gaussian frames: one forward, two backward
        flops += 8 * r * r * (din + dout)  # their QR decompositions
    return _flop_seconds(flops, n) + SEC_PER_NORMAL * draws + _elementwise_seconds(n, din, dout, activation, bn)


def layer_path(cfg: SimConfig, din: int, dout: int) -> str:
    """Which path layer (din -> dout) runs: 'exact' or 'explicit'."""
    spec = INITIALIZERS[cfg.init]
    if spec.family == "constant" or not spec.exact_sampling or cfg.path == "explicit":
        return "explicit"
    if cfg.path == "exact":
        return "exact"
    n = cfg.batch * cfg.stacked_batches
    explicit = _explicit_seconds(n, din, dout, spec.family, cfg.activation)
    exact = _exact_seconds(n, din, dout, spec.family, cfg.activation)
    return "exact" if exact < explicit else "explicit"


def estimate_cost(cfg: SimConfig) -> Cost:
    """Cost model of the path each layer will take (fixed costs ignored)."""
    family = INITIALIZERS[cfg.init].family
    n = cfg.batch * cfg.stacked_batches
    seconds, widest_weights, paths = 0.0, 0, []
    for din, dout in zip(cfg.sizes[:-1], cfg.sizes[1:]):
        path = layer_path(cfg, din, dout)
        paths.append(path)
        if path == "exact":
            seconds += _exact_seconds(n, din, dout, family, cfg.activation, cfg.bn)
        else:
            seconds += _explicit_seconds(n, din, dout, family, cfg.activation, cfg.bn)
            if family != "constant":
                widest_weights = max(widest_weights, din * dout)
    # One array per layer kept for the backward pass (two with batch norm after the activation).
    kept = n * sum(cfg.sizes) * (2 if cfg.bn == "after" else 1)
    working = 8 * n * max(cfg.sizes)  # a few layer-sized temporaries
    weight_temporaries = 3 * widest_weights  # W plus the draw and product that make it
    total_bytes = 8 * (kept + working + weight_temporaries)
    return Cost(seconds, total_bytes, tuple(paths))


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.0f} hours"


def largest_within_budget(make: Callable[[int], SimConfig], upper: int) -> int | None:
    """The largest v in [1, upper] with make(v) within budget (cost grows with v), or None."""
    if not estimate_cost(make(1)).within_budget:
        return None
    lo, hi = 1, upper
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if estimate_cost(make(mid)).within_budget:
            lo = mid
        else:
            hi = mid - 1
    return lo


def largest_width_within_budget(cfg: SimConfig, upper: int) -> int | None:
    """The largest width in [1, upper] of cfg's uniform net within budget, or None."""
    return largest_within_budget(lambda w: replace(cfg, sizes=(w,) * len(cfg.sizes)), upper)


# The page's most expensive corners, where the budget binds below the width limit: explicit
# weights (a uniform init cannot be sampled exactly), the exact path at full depth, and batch
# norm in eval mode with warm-up batches. Tested and timed at their boundaries.
BUDGET_CORNERS = {
    "explicit": SimConfig(init="glorot_uniform", sizes=SimConfig.sizes_from(12, 64)),
    "exact, deep": SimConfig(init="xavier", sizes=SimConfig.sizes_from(200, 64), batch=64),
    "bn eval": SimConfig(sizes=SimConfig.sizes_from(20, 64), batch=64, bn="before", bn_mode="eval", bn_warmup=50),
}


@dataclass(frozen=True)
class Suggestion:
    """A setting within the budget that changes one of width, batch or depth: `sizes` is the net it gives."""

    what: str  # "width", "batch" or "depth"
    value: int
    sizes: tuple[int, ...]

    def describe(self) -> str:
        return f"{self.what} up to {self.value}"


def budget_suggestions(cfg: SimConfig) -> list[Suggestion]:
    """What would fit the budget, changing one of width, batch or depth at a time."""
    suggestions = []
    if len(set(cfg.sizes)) == 1:
        width = largest_width_within_budget(cfg, cfg.sizes[0])
        if width is not None:
            suggestions.append(Suggestion("width", width, (width,) * len(cfg.sizes)))
    batch = largest_within_budget(lambda n: replace(cfg, batch=n), cfg.batch)
    if batch is not None:
        suggestions.append(Suggestion("batch", batch, cfg.sizes))
    depth = largest_within_budget(lambda d: replace(cfg, sizes=cfg.sizes[: d + 1]), cfg.depth)
    if depth is not None:
        suggestions.append(Suggestion("depth", depth, cfg.sizes[: depth + 1]))
    return suggestions


def budget_advice(cfg: SimConfig, cost: Cost) -> str:
    """Sentences saying why cfg is refused and what to reduce."""
    over = []
    if cost.seconds > BUDGET_SECONDS:
        over.append(f"about {_duration(cost.seconds)} of work (limit {BUDGET_SECONDS:.0f} s)")
    if cost.bytes > BUDGET_BYTES:
        over.append(f"about {cost.bytes / 2**30:.1f} GB of memory (limit 1 GB)")
    advice = f"This setting needs {' and '.join(over)}."
    suggestions = budget_suggestions(cfg)
    if suggestions:
        advice += (
            " Within the limits, keeping everything else: " + ", or ".join(s.describe() for s in suggestions) + "."
        )
    if INITIALIZERS[cfg.init].family == "uniform":
        advice += " A Gaussian initializer is sampled exactly and costs far less."
    return advice
