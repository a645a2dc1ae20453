"""Input preprocessing of the activation lab: a batch transformed with its own statistics."""

from __future__ import annotations

import numpy as np

from engine.transforms import EPS, fit


def zero_center(x: np.ndarray) -> np.ndarray:
    """Subtract the per-feature mean: (N, D) -> (N, D)."""
    return fit("center", x).apply(x)


def standardize(x: np.ndarray) -> np.ndarray:
    """Zero-center, then divide each non-constant feature by its std (eps-guarded): (N, D) -> (N, D)."""
    return fit("standardize", x, eps=EPS).apply(x)


def pca_whiten(x: np.ndarray) -> np.ndarray:
    """Rotate onto the principal axes and scale each to unit variance: (N, D) -> (N, D).

    A batch of N examples spans at most N - 1 centred directions; the columns beyond
    the data's rank carry no signal and are returned as zeros.
    """
    white = fit("whiten", x, eps=EPS).apply(x)
    out = np.zeros(x.shape)
    out[:, : white.shape[1]] = white
    return out


PREPROCESSORS = {
    "none": lambda x: x,
    "center": zero_center,
    "standardize": standardize,
    "whiten": pca_whiten,
}

PREPROCESS_LABELS = {
    "none": "none (raw)",
    "center": "zero-center",
    "standardize": "standardize (zero mean, unit std)",
    "whiten": "PCA-whiten",
}
