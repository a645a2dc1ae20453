"""Preprocessing transforms fitted on a training split and applied to any split.

The lecture's rule: statistics come from the training set only, then the same
transform is applied to validation and test data. `fit` returns a frozen
`Fitted` that holds those statistics; `apply` and `inverse` never refit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = ("center", "standardize", "pca", "whiten")
EPS = 1e-5


@dataclass(frozen=True)
class Fitted:
    """A fitted transform. x (N, D) -> apply -> (N, D), or (N, k) for pca/whiten.

    components (k, D) are the covariance's eigenvectors as rows, by decreasing
    variance; variances (k,) their eigenvalues.
    """

    kind: str
    mean: np.ndarray
    std: np.ndarray | None = None  # the divisor: 1 for a feature constant in training
    components: np.ndarray | None = None
    variances: np.ndarray | None = None
    eps: float = EPS

    def apply(self, x: np.ndarray) -> np.ndarray:
        """Transform x with the fitted (training) statistics."""
        centered = x - self.mean
        if self.kind == "center":
            return centered
        if self.kind == "standardize":
            return centered / self.std
        rotated = centered @ self.components.T
        return rotated if self.kind == "pca" else rotated / np.sqrt(self.variances + self.eps)

    def inverse(self, y: np.ndarray) -> np.ndarray:
        """Map transformed values back (exact unless pca/whiten dropped components)."""
        if self.kind == "center":
            return y + self.mean
        if self.kind == "standardize":
            return y * self.std + self.mean
        rotated = y if self.kind == "pca" else y * np.sqrt(self.variances + self.eps)
        return rotated @ self.components + self.mean


def fit(kind: str, train: np.ndarray, keep: int | None = None, eps: float = EPS) -> Fitted:
    """Fit a transform on train (N, D). keep: number of principal components for pca/whiten
    (default: every component with non-zero variance)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    mean = train.mean(axis=0)
    # A feature constant in train centres to exact zeros, not to the rounding error of its mean
    # (which would pass for a tiny signal downstream).
    if train.shape[0]:
        constant = np.all(train == train[:1], axis=0)
        mean[constant] = train[0, constant]
    if kind == "center":
        return Fitted(kind, mean, eps=eps)
    if kind == "standardize":
        return Fitted(kind, mean, std=_standardize_scale(train, mean, eps), eps=eps)
    centered = train - mean
    # SVD of the centred data: the covariance's eigenvectors without forming D x D.
    _, singular, vt = np.linalg.svd(centered, full_matrices=False)
    variances = singular**2 / train.shape[0]
    rank = int(np.count_nonzero(variances > 1e-12 * max(variances.max(initial=0.0), 1e-300)))
    k = rank if keep is None else min(keep, rank)
    return Fitted(kind, mean, components=vt[:k], variances=variances[:k], eps=eps)


def _standardize_scale(train: np.ndarray, mean: np.ndarray, eps: float) -> np.ndarray:
    """Per-feature divisor (D,): sqrt(var + eps), and 1 for a feature constant in train (N, D).

    As scikit-learn's StandardScaler: a constant feature is only centred. Dividing by
    sqrt(eps) would turn any other value it takes in new data into hundreds of units.
    """
    var = train.var(axis=0)
    # scikit-learn's test: the variance is within the rounding error of a two-pass variance.
    n, machine_eps = train.shape[0], np.finfo(np.float64).eps
    constant = var <= n * machine_eps * var + (n * mean * machine_eps) ** 2
    return np.where(constant, 1.0, np.sqrt(var + eps))


def mean_image(images: np.ndarray) -> np.ndarray:
    """Per-pixel mean of (N, H, W[, C]) images: the 'mean image' subtracted in AlexNet."""
    return images.mean(axis=0)


def channel_means(images: np.ndarray) -> np.ndarray:
    """Per-channel mean of (N, H, W, C) images: the (C,) values subtracted in VGGNet."""
    return images.mean(axis=(0, 1, 2))
