"""Offline classification data for the training lab, split once and preprocessed with
statistics of the training split only (engine.transforms.fit)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.data import digits, split
from engine.transforms import fit

PREPS = ("none", "center", "standardize", "whiten")
SPIRAL_POINTS_PER_CLASS = 100  # CS231n's spiral: N = 100 points per class, K = 3 classes
TWO_D_POINTS = 600  # moons and circles
MOONS_NOISE = 0.2
CIRCLES_NOISE = 0.1
CIRCLES_FACTOR = 0.5


def spiral(seed: int, per_class: int = SPIRAL_POINTS_PER_CLASS, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """CS231n's 2-D spiral, seeded: (per_class * classes, 2) points, (per_class * classes,) labels."""
    rng = np.random.default_rng(seed)
    x = np.zeros((per_class * classes, 2))
    y = np.repeat(np.arange(classes), per_class)
    for j in range(classes):
        r = np.linspace(0.0, 1.0, per_class)
        t = np.linspace(j * 4, (j + 1) * 4, per_class) + rng.standard_normal(per_class) * 0.2
        x[j * per_class : (j + 1) * per_class] = np.c_[r * np.sin(t), r * np.cos(t)]
    return x, y


def moons(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's two interleaved half circles (noise 0.2): (600, 2), (600,)."""
    from sklearn.datasets import make_moons

    return make_moons(TWO_D_POINTS, noise=MOONS_NOISE, random_state=seed)


def circles(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's two concentric circles (noise 0.1, inner radius 0.5): (600, 2), (600,)."""
    from sklearn.datasets import make_circles

    return make_circles(TWO_D_POINTS, noise=CIRCLES_NOISE, factor=CIRCLES_FACTOR, random_state=seed)


@dataclass(frozen=True)
class DataSpec:
    """A data set: its label, class count, example count, input size, and a seeded loader -> (x, y)."""

    name: str
    label: str
    classes: int
    size: int
    features: int
    load: Callable[[int], tuple[np.ndarray, np.ndarray]]


DATASETS: dict[str, DataSpec] = {
    d.name: d
    for d in (
        DataSpec("digits", "digits (8x8 images, 10 classes)", 10, 1797, 64, lambda seed: digits()),
        DataSpec("spiral", "spiral (2-D, 3 classes)", 3, 3 * SPIRAL_POINTS_PER_CLASS, 2, spiral),
        DataSpec("moons", "two moons (2-D, 2 classes)", 2, TWO_D_POINTS, 2, moons),
        DataSpec("circles", "two circles (2-D, 2 classes)", 2, TWO_D_POINTS, 2, circles),
    )
}


@dataclass(frozen=True)
class Dataset:
    """Preprocessed train and validation splits: x (N, D) in the run's dtype, y (N,) int64 labels."""

    name: str
    classes: int
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray

    @property
    def chance_loss(self) -> float:
        """ln(C): the softmax loss of uniform scores, what a net at a tiny init starts near."""
        return math.log(self.classes)


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def train_size(name: str, val_fraction: float, train_examples: int = 0) -> int:
    """How many training examples load() keeps, without loading."""
    size = DATASETS[name].size
    full = size - max(1, round(size * val_fraction))
    return min(full, train_examples) if train_examples else full


@lru_cache(maxsize=16)
def load(
    name: str, prep: str, val_fraction: float, seed: int, train_examples: int = 0, dtype: str = "float64"
) -> Dataset:
    """The data set split (seeded), preprocessed with the training split's statistics, in dtype.

    train_examples > 0 keeps only that many training examples (the first of the shuffled
    split); the preprocessing is still fitted on the whole training split, never on
    validation data. Cached: the arrays are read-only.
    """
    spec = DATASETS[name]
    x, y = spec.load(seed)
    train, val = split(len(x), val_fraction, seed)
    x_train = x[train]
    if prep != "none":
        fitted = fit(prep, x_train)
        x_train, x_val = fitted.apply(x_train), fitted.apply(x[val])
    else:
        x_val = x[val]
    if train_examples:
        train, x_train = train[:train_examples], x_train[:train_examples]
    return Dataset(
        name,
        spec.classes,
        _frozen(np.ascontiguousarray(x_train, dtype=dtype)),
        _frozen(y[train].astype(np.int64)),
        _frozen(np.ascontiguousarray(x_val, dtype=dtype)),
        _frozen(y[val].astype(np.int64)),
    )
