"""Input preprocessing applied to a batch before the first layer (batch statistics)."""

from __future__ import annotations

import numpy as np

EPS = 1e-5


def zero_center(x: np.ndarray) -> np.ndarray:
    """Subtract the per-feature mean: (N, D) -> (N, D)."""
    return x - x.mean(axis=0)


def standardize(x: np.ndarray) -> np.ndarray:
    """Zero-center, then divide each feature by its std (eps-guarded): (N, D) -> (N, D)."""
    centered = zero_center(x)
    return centered / np.sqrt(centered.var(axis=0) + EPS)


def pca_whiten(x: np.ndarray) -> np.ndarray:
    """Rotate onto the principal axes and scale each to unit variance: (N, D) -> (N, D).

    A batch of N examples spans at most N - 1 centred directions; components
    beyond the data's rank carry no signal and are returned as zeros.
    """
    centered = zero_center(x)
    n, d = centered.shape
    # SVD of the centred batch gives the eigenvectors of its covariance without forming D x D.
    _, sv, vt = np.linalg.svd(centered, full_matrices=False)
    var = sv**2 / n
    keep = var > EPS * max(var.max(initial=0.0), 1.0) * 1e-6
    rotated = centered @ vt[keep].T
    white = rotated / np.sqrt(var[keep] + EPS)
    out = np.zeros((n, d))
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
