"""How transferable are features, layer by layer (Yosinski et al. 2014, scaled down).

Two base nets of the same architecture: A trained on digits 0-4 (the source net), B on
digits 5-9, both drawn many times. For n = 1..L-1, a new net takes the first n layers of
A (AnB) or of B (BnB), re-initializes the rest and trains them on B; frozen copied layers,
or all layers fine-tuned ("+"). Accuracy on B's held-out digits against n, with the base
B net as the reference: BnB below B means co-adapted neighbouring layers were split; AnB
below BnB means the copied layers were specific to A; fine-tuning recovers both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from engine.propagate import stream
from engine.transfer.convnet import init_layers
from engine.transfer.data import TARGET_CLASSES, drawn_task
from engine.transfer.fit import accuracy, fit, one_blas_thread
from engine.transfer.source import SourceConfig, SourceNet, train_source
from engine.transfer.strategies import FINE_TUNE_FACTOR, FeatureBank

VARIANTS = ("BnB", "BnB+", "AnB", "AnB+")
_INIT = 60


@dataclass(frozen=True)
class LayerwiseConfig:
    """The base nets' config (A's; B's differs only in its classes) and the transferred nets' training steps."""

    base: SourceConfig = field(default_factory=SourceConfig)
    steps: int = 500
    seed: int = 0


@dataclass(frozen=True)
class Layerwise:
    """accuracy[variant]: (L-1,) accuracy on B's held-out digits for n = 1..L-1 copied layers; base_b: B's own."""

    config: LayerwiseConfig
    base_a: float
    base_b: float
    accuracy: dict[str, np.ndarray]


def _transfer(donor: SourceNet, n: int, fine_tune: bool, bank: FeatureBank, cfg: LayerwiseConfig) -> float:
    """Copy donor's first n layers, re-initialize the rest, train on B; accuracy on B's held-out digits."""
    arch, base = donor.config.arch, cfg.base
    theta = donor.theta.copy()
    init_layers(arch, theta, n, stream(cfg.seed, _INIT, n))
    start = 0 if fine_tune else n
    task = bank.task
    result = fit(
        arch,
        theta,
        bank.at("train", start),
        task.y_train,
        start=start,
        lr=base.lr,
        steps=cfg.steps,
        batch=base.batch,
        seed=cfg.seed,
        lower_lr=base.lr * FINE_TUNE_FACTOR if fine_tune else None,
        split=n,
    )
    return accuracy(arch, result.theta, bank.at("val", start), task.y_val, start)


def layerwise(source: SourceNet, cfg: LayerwiseConfig, progress: Callable[[float], None] | None = None) -> Layerwise:
    """Train base B, then the four variants for every n; progress(fraction done) along the way."""
    with one_blas_thread():
        return _layerwise(source, cfg, progress)


def _layerwise(source: SourceNet, cfg: LayerwiseConfig, progress: Callable[[float], None] | None) -> Layerwise:
    b_cfg = replace(cfg.base, classes=TARGET_CLASSES)
    base_b = train_source(b_cfg, None if progress is None else lambda f: progress(0.3 * f))
    task = drawn_task(b_cfg.setup, b_cfg.classes)
    arch = b_cfg.arch
    banks = {"A": FeatureBank(arch, source.theta, task), "B": FeatureBank(arch, base_b.theta, task)}
    donors = {"A": source, "B": base_b}
    ns = range(1, arch.depth)
    out = {v: np.zeros(len(ns)) for v in VARIANTS}
    jobs, done = len(VARIANTS) * len(ns), 0
    for i, n in enumerate(ns):
        for variant in VARIANTS:
            donor = variant[0]
            out[variant][i] = _transfer(donors[donor], n, variant.endswith("+"), banks[donor], cfg)
            done += 1
            if progress is not None:
                progress(0.3 + 0.7 * done / jobs)
    for values in out.values():
        values.setflags(write=False)
    return Layerwise(cfg, source.val_accuracy, base_b.val_accuracy, out)
