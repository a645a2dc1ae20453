"""The experiments of the preprocessing lab (pure NumPy; the page draws them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.linear import fit_logistic, gradient_descent, logistic_loss, loss_surface, steps_to_stay_below
from engine.stats import Summary, summarize
from engine.transforms import fit

STAGES = ("original", "zero-centered", "normalized", "decorrelated", "whitened")


@dataclass(frozen=True)
class Panel:
    """One stage of the classic figure: 2-D points and their statistics."""

    name: str
    points: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    cov: float


def stages(x: np.ndarray, fx: int = 0, fy: int = 1) -> list[Panel]:
    """Original, centered, standardized (features fx, fy), then PCA and whitened (components 1 and 2).

    Transforms are fitted on all features of x; D = 1 data repeats its single feature.
    """
    pick = [fx, fy] if x.shape[1] > 1 else [0, 0]
    arrays = {
        "original": x[:, pick],
        "zero-centered": fit("center", x).apply(x)[:, pick],
        "normalized": fit("standardize", x).apply(x)[:, pick],
        "decorrelated": _two(fit("pca", x).apply(x)),
        "whitened": _two(fit("whiten", x).apply(x)),
    }
    return [_panel(name, arrays[name]) for name in STAGES]


@dataclass(frozen=True)
class FeaturePick:
    """The two features the stages show, with what the reader should be told about the choice."""

    fx: int
    fy: int
    warning: str | None = None  # the reader's own choice could not be followed
    info: str | None = None  # nothing is wrong, but the picture needs a word


def pick_features(count: int, chosen: tuple[int | None, int | None], default: tuple[int, int] = (0, 1)) -> FeaturePick:
    """The features to plot among `count`: each axis the reader's chosen feature (None: not chosen)
    or the default one; the first two when one of those does not exist. Only a chosen feature
    that does not exist is worth a warning: defaults suit one data set (the digits' pixels 20 and 43).
    """
    missing = _missing(count, chosen)
    if count == 1:
        note = (
            "The data has 1 feature, so there is no second axis: the first three panels plot feature 0 against "
            "itself, the last two its principal component against 0."
        )
        return FeaturePick(0, 0, missing, note)
    fx, fy = (pick if pick is not None else fallback for pick, fallback in zip(chosen, default))
    if missing:
        # An axis whose feature exists keeps it; the other takes the first feature apart from it.
        if (fx < count) != (fy < count):
            kept, axis = (fx, "y") if fx < count else (fy, "x")
            other = 1 if kept == 0 else 0
            fx, fy = (kept, other) if axis == "y" else (other, kept)
            return FeaturePick(fx, fy, f"{missing} Feature {other} is shown on the {axis} axis instead.")
        return FeaturePick(0, 1, f"{missing} Features 0 and 1 are shown instead.")
    return FeaturePick(fx, fy) if max(fx, fy) < count else FeaturePick(0, 1)


def constant_note(x: np.ndarray, fx: int, fy: int) -> str | None:
    """A sentence naming the shown features that are constant in `x` (a cloud of std 0, a
    constant column), which no stage can bring to std 1; None when both vary."""
    constant = [str(j) for j in dict.fromkeys((fx, fy)) if np.ptp(x[:, j]) == 0]
    if not constant:
        return None
    one = len(constant) == 1
    return (
        f"Feature{'' if one else 's'} {' and '.join(constant)} {'is' if one else 'are'} constant in this data "
        f"(std 0): every stage keeps {'it' if one else 'them'} at 0 after centring, so {'it' if one else 'they'} "
        "cannot reach std 1 or variance 1."
    )


def _missing(count: int, chosen: tuple[int | None, int | None]) -> str | None:
    """A sentence naming the chosen features that do not exist among `count`, or None."""
    absent = sorted({f for f in chosen if f is not None and f >= count})
    if not absent:
        return None
    listed = " and ".join(str(f) for f in absent)
    which = f"feature {listed} does" if len(absent) == 1 else f"features {listed} do"
    features = "1 feature (0)" if count == 1 else f"{count} features (0 to {count - 1})"
    return f"The data has {features}: {which} not exist."


def _two(values: np.ndarray) -> np.ndarray:
    out = np.zeros((values.shape[0], 2))
    out[:, : min(2, values.shape[1])] = values[:, :2]
    return out


def _panel(name: str, points: np.ndarray) -> Panel:
    cov = np.cov(points.T, bias=True)
    return Panel(name, points, points.mean(axis=0), points.std(axis=0), float(cov[0, 1]))


@dataclass(frozen=True)
class Conditioning:
    """The loss around a good solution and gradient descent, on raw and on standardized data."""

    t: np.ndarray
    dims: tuple[int, int]
    surface_raw: np.ndarray
    surface_normalized: np.ndarray
    losses_raw: np.ndarray
    losses_centered: np.ndarray
    losses_normalized: np.ndarray
    threshold: float
    steps_raw: int | None
    steps_centered: int | None
    steps_normalized: int | None


def conditioning(x: np.ndarray, y: np.ndarray, lr: float, steps: int, span: float = 0.2) -> Conditioning:
    """Logistic regression on x (raw) and on x standardized, with the same learning rate.

    Both problems have the same best loss (standardizing is an affine change of the features
    a linear classifier can absorb); the threshold is 10% above it. steps_* count the steps
    until each curve stays at or below it (None: it does not within `steps`).
    """
    fitted = fit("standardize", x)
    xs = fitted.apply(x)
    w_s, b_s = fit_logistic(xs, y)
    # The same classifier in raw coordinates: w_raw = w_s / std, b_raw = b_s - w_raw . mean.
    w_raw = w_s / fitted.std
    b_raw = b_s - float(w_raw @ fitted.mean)
    best = logistic_loss(w_s, b_s, xs, y)
    # The two most influential weights; with one feature, the same weight twice.
    order = np.argsort(-np.abs(w_s))
    dims = (int(order[0]), int(order[min(1, len(order) - 1)]))
    t, surface_raw = loss_surface(x, y, w_raw, b_raw, dims, span)
    _, surface_norm = loss_surface(xs, y, w_s, b_s, dims, span)
    with np.errstate(all="ignore"):
        raw = gradient_descent(x, y, lr, steps)
        centered = gradient_descent(fit("center", x).apply(x), y, lr, steps)
        normalized = gradient_descent(xs, y, lr, steps)
    threshold = 1.1 * best
    return Conditioning(
        t=t,
        dims=dims,
        surface_raw=surface_raw,
        surface_normalized=surface_norm,
        losses_raw=raw,
        losses_centered=centered,
        losses_normalized=normalized,
        threshold=threshold,
        steps_raw=steps_to_stay_below(raw, threshold),
        steps_centered=steps_to_stay_below(centered, threshold),
        steps_normalized=steps_to_stay_below(normalized, threshold),
    )


@dataclass(frozen=True)
class FirstLayer:
    """First-layer pre-activations of a tanh layer (Xavier weights) on raw and preprocessed inputs."""

    raw: Summary
    preprocessed: Summary
    saturated_raw: float
    saturated_preprocessed: float


def first_layer(x: np.ndarray, width: int, seed: int, kind: str = "standardize") -> FirstLayer:
    """z = x @ W with W ~ N(0, 1/D), for x raw and x preprocessed (fitted on x)."""
    w = np.random.default_rng(seed).standard_normal((x.shape[1], width)) / np.sqrt(x.shape[1])
    preprocessed = fit(kind, x).apply(x)
    z_raw, z_pre = x @ w, preprocessed @ w[: preprocessed.shape[1]]
    return FirstLayer(
        summarize(z_raw, -6.0, 6.0),
        summarize(z_pre, -6.0, 6.0),
        float(np.mean(np.abs(np.tanh(z_raw)) > 0.99)),
        float(np.mean(np.abs(np.tanh(z_pre)) > 0.99)),
    )


@dataclass(frozen=True)
class Leak:
    """The training-statistics rule, as numbers: test data standardized honestly and with a leak."""

    honest_mean: float
    honest_std: float
    leaked_mean: float
    leaked_std: float
    max_change: float


def leakage(train: np.ndarray, test: np.ndarray) -> Leak:
    """Standardize test with statistics of train only, and of train + test (the leak)."""
    honest = fit("standardize", train).apply(test)
    leaked = fit("standardize", np.concatenate([train, test])).apply(test)
    return Leak(
        float(honest.mean()),
        float(honest.std(axis=0).mean()),
        float(leaked.mean()),
        float(leaked.std(axis=0).mean()),
        float(np.abs(honest - leaked).max()),
    )


def eigen_images(images: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The leading principal components of flattened images, as images, and their variance share."""
    flat = images.reshape(len(images), -1)
    fitted = fit("pca", flat, keep=count)
    share = fitted.variances / np.var(flat - flat.mean(axis=0), axis=0).sum()
    return fitted.components.reshape(count, *images.shape[1:]), share


def zca_whitened(images: np.ndarray, eps: float = 0.1) -> np.ndarray:
    """ZCA-whitened images (PCA-whiten, then rotate back so they still look like images)."""
    flat = images.reshape(len(images), -1)
    fitted = fit("whiten", flat, eps=eps)
    return (fitted.apply(flat) @ fitted.components).reshape(images.shape)
