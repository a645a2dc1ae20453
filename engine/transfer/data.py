"""The transfer lab's tasks: scikit-learn's 8x8 digits drawn onto a larger canvas, offline.

Every image is a digit placed on a side x side canvas with a random rotation, scale, shift
and, sometimes, a thicker stroke: the same kind of variation as photos of objects at any
place and size. The source task (digits 0-4) is made large by drawing each of its training
digits many times, each time differently; the targets are digits 5-9, new classes drawn
the same way (*similar*), or the same target images under one fixed pixel permutation
(*different*: what a convolution learned about neighbouring pixels no longer applies).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import ndimage

from engine.data import digits
from engine.propagate import stream

DIGIT_SIDE = 8
SOURCE_CLASSES = (0, 1, 2, 3, 4)
TARGET_CLASSES = (5, 6, 7, 8, 9)
TARGET_KINDS = ("similar", "different")
ALL = 0  # as k: every training example of every class
_SOURCE_SPLIT, _SOURCE_DRAW, _TARGET_SPLIT, _TARGET_DRAW, _PERMUTATION, _PICK = range(20, 26)


@dataclass(frozen=True)
class ImageSetup:
    """How digits are drawn and how many: the canvas, the variation, the sizes of the splits.

    source_copies: how many differently drawn versions of each source training digit;
    source_val: source digits held out for the source net's own validation accuracy;
    target_val: target images for tuning learning rates; target_test: target images whose
    accuracy is reported; the remaining target images form the pool the k examples per class
    are drawn from.
    """

    side: int = 12
    rotation: float = 15.0  # degrees, uniform in +-rotation
    scale: float = 0.1  # relative, uniform in 1 +- scale
    shift: float = 2.0  # pixels, uniform in +-shift along each axis
    thicken: float = 0.3  # probability of a 2x2 grey dilation (a thicker stroke)
    source_copies: int = 20
    source_val: int = 150
    target_val: int = 150
    target_test: int = 250
    seed: int = 0


@dataclass(frozen=True)
class Task:
    """Images (N, side * side) float32 in 0..1 and labels (N,) 0..C-1: train (or pool), val, test."""

    name: str
    classes: int
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def per_class(self) -> int:
        """The most training examples every class has (the "all" of examples per class)."""
        return int(np.bincount(self.y_train, minlength=self.classes).min())


def draw(images: np.ndarray, setup: ImageSetup, rng: np.random.Generator) -> np.ndarray:
    """Each 8x8 image (N, 8, 8) in 0..1 drawn once on the canvas with fresh random variation: (N, side * side)."""
    side = setup.side
    out = np.zeros((len(images), side, side), np.float32)
    centre_in = np.full(2, (DIGIT_SIDE - 1) / 2)
    centre_out = np.full(2, (side - 1) / 2)
    angles = np.deg2rad(rng.uniform(-setup.rotation, setup.rotation, len(images)))
    scales = rng.uniform(1 - setup.scale, 1 + setup.scale, len(images))
    shifts = rng.uniform(-setup.shift, setup.shift, (len(images), 2))
    thick = rng.random(len(images)) < setup.thicken
    for i, image in enumerate(images):
        cos, sin = math.cos(angles[i]), math.sin(angles[i])
        back = np.array([[cos, -sin], [sin, cos]]) / scales[i]  # output pixel -> input pixel
        offset = centre_in - back @ (centre_out + shifts[i])
        drawn = ndimage.affine_transform(image, back, offset=offset, output_shape=(side, side), order=1)
        out[i] = ndimage.grey_dilation(drawn, size=(2, 2)) if thick[i] else drawn
    return out.reshape(len(images), side * side)


def _read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    for a in arrays:
        a.setflags(write=False)
    return arrays


def _digits_of(classes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 digits of those classes in 0..1, (N, 8, 8), with labels renumbered 0..len(classes)-1."""
    x, y = digits()
    keep = np.isin(y, classes)
    labels = np.searchsorted(np.array(classes), y[keep])
    return (x[keep] / 16.0).reshape(-1, DIGIT_SIDE, DIGIT_SIDE), labels


@lru_cache(maxsize=4)
def drawn_task(setup: ImageSetup, classes: tuple[int, ...] = SOURCE_CLASSES) -> Task:
    """A large task: source_copies drawings of every training digit of `classes`, one of each held-out one.

    The source task is digits 0-4; the layer-by-layer experiment also draws digits 5-9 this way.
    Its val and test splits are the same held-out digits.
    """
    images, labels = _digits_of(classes)
    order = stream(setup.seed, _SOURCE_SPLIT).permutation(len(labels))
    val, train = order[: setup.source_val], order[setup.source_val :]
    rng = stream(setup.seed, _SOURCE_DRAW)
    x_val = draw(images[val], setup, rng)
    many = np.repeat(train, setup.source_copies)
    x_train = draw(images[many], setup, rng)
    x_train, y_train, x_val, y_val = _read_only(x_train, labels[many], x_val, labels[val])
    name = "digits " + ", ".join(map(str, classes))
    return Task(name, len(classes), x_train, y_train, x_val, y_val, x_val, y_val)


def source_task(setup: ImageSetup) -> Task:
    """Digits 0-4, drawn source_copies times each."""
    return drawn_task(setup, SOURCE_CLASSES)


@lru_cache(maxsize=2)
def _target_images(setup: ImageSetup) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Digits 5-9 drawn once each, (N, side * side), labels, and a shuffled order of them."""
    images, labels = _digits_of(TARGET_CLASSES)
    x = draw(images, setup, stream(setup.seed, _TARGET_DRAW))
    return x, labels, stream(setup.seed, _TARGET_SPLIT).permutation(len(labels))


def pixel_permutation(setup: ImageSetup) -> np.ndarray:
    """The different target's fixed shuffle of the canvas's pixels, (side * side,)."""
    return stream(setup.seed, _PERMUTATION).permutation(setup.side * setup.side)


@lru_cache(maxsize=4)
def target_task(setup: ImageSetup, kind: str) -> Task:
    """Digits 5-9 as they are ("similar") or pixel-permuted ("different"): pool, val and test splits."""
    if kind not in TARGET_KINDS:
        raise ValueError(f"target kind must be one of {', '.join(TARGET_KINDS)} (got {kind!r})")
    x, y, order = _target_images(setup)
    if kind == "different":
        x = x[:, pixel_permutation(setup)]
    test, val = order[: setup.target_test], order[setup.target_test : setup.target_test + setup.target_val]
    pool = order[setup.target_test + setup.target_val :]
    arrays = _read_only(x[pool], y[pool], x[val], y[val], x[test], y[test])
    return Task(kind, len(TARGET_CLASSES), *arrays)


def pick_examples(task: Task, k: int, seed: int) -> np.ndarray:
    """Indices into task's training split of k examples of each class (all of them for k = ALL), seeded."""
    rng = stream(seed, _PICK, k)
    chosen = []
    for c in range(task.classes):
        members = np.flatnonzero(task.y_train == c)
        chosen.append(members if k == ALL or k >= len(members) else rng.choice(members, k, replace=False))
    return np.sort(np.concatenate(chosen))
