"""The pretrained net: a ConvArch trained on a large drawn task (the source: digits 0-4, drawn many times)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engine.propagate import stream
from engine.transfer.convnet import ConvArch, init_params
from engine.transfer.data import SOURCE_CLASSES, ImageSetup, drawn_task
from engine.transfer.fit import accuracy, fit, one_blas_thread

_INIT = 40


@dataclass(frozen=True)
class SourceConfig:
    """Everything that determines the pretrained net (hashable: a cache key)."""

    setup: ImageSetup = field(default_factory=ImageSetup)
    classes: tuple[int, ...] = SOURCE_CLASSES
    arch: ConvArch = field(default_factory=ConvArch)
    lr: float = 2e-3
    steps: int = 2500
    batch: int = 64
    seed: int = 0


@dataclass(frozen=True)
class SourceNet:
    """The trained source net: flat parameters, accuracy on held-out source digits, training seconds."""

    config: SourceConfig
    theta: np.ndarray
    val_accuracy: float
    losses: np.ndarray
    seconds: float


def initial_theta(cfg: SourceConfig) -> np.ndarray:
    """The source net's weights before training (what its first-layer filters started from)."""
    return init_params(cfg.arch, stream(cfg.seed, _INIT))


def train_source(cfg: SourceConfig, progress: Callable[[float], None] | None = None) -> SourceNet:
    """Train the source net from its seed; progress(fraction done) after each tenth of the steps."""
    began = time.perf_counter()
    task = drawn_task(cfg.setup, cfg.classes)
    theta = initial_theta(cfg)
    with one_blas_thread():
        run = fit(
            cfg.arch,
            theta,
            task.x_train,
            task.y_train,
            start=0,
            lr=cfg.lr,
            steps=cfg.steps,
            batch=cfg.batch,
            seed=cfg.seed,
            progress=progress,
        )
        theta = run.theta
        theta.setflags(write=False)
        val = accuracy(cfg.arch, theta, task.x_val, task.y_val)
    return SourceNet(cfg, theta, val, run.losses, time.perf_counter() - began)
