"""Forward/backward pairs of a small convolutional net in NHWC layout (CS231n layers.py style).

conv3x3_* is a 3x3 convolution with zero padding 1 (the output keeps the input's height and
width) written as one matrix product over im2col columns; maxpool2_* is 2x2 max pooling with
stride 2. Forward returns (out, cache); backward takes (dout, cache) and returns gradients.
"""

from __future__ import annotations

import numpy as np

KERNEL = 3


def im2col(x: np.ndarray) -> np.ndarray:
    """Every 3x3 neighbourhood of x (N, H, W, C), zero-padded: (N * H * W, 9 * C).

    Rows in NHW order; columns kernel position major (row i, column j), channel minor. Nine
    slice copies: a strided gather of all six axes at once costs several times more.
    """
    n, h, w, c = x.shape
    padded = np.zeros((n, h + 2, w + 2, c), x.dtype)
    padded[:, 1:-1, 1:-1, :] = x
    cols = np.empty((n, h, w, KERNEL * KERNEL, c), x.dtype)
    for i in range(KERNEL):
        for j in range(KERNEL):
            cols[:, :, :, i * KERNEL + j, :] = padded[:, i : i + h, j : j + w, :]
    return cols.reshape(n * h * w, KERNEL * KERNEL * c)


def col2im(cols: np.ndarray, shape: tuple[int, int, int, int]) -> np.ndarray:
    """The adjoint of im2col: sums the columns (N * H * W, 9 * C) back onto an image of shape (N, H, W, C)."""
    n, h, w, c = shape
    windows = cols.reshape(n, h, w, KERNEL * KERNEL, c)
    padded = np.zeros((n, h + 2, w + 2, c), cols.dtype)
    for i in range(KERNEL):
        for j in range(KERNEL):
            padded[:, i : i + h, j : j + w, :] += windows[:, :, :, i * KERNEL + j, :]
    return padded[:, 1:-1, 1:-1, :]


def conv3x3_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """x (N, H, W, C), w (C * 9, F) (rows in im2col's order), b (F,) -> (N, H, W, F)."""
    n, h, wd, _ = x.shape
    cols = im2col(x)
    out = cols @ w
    out += b
    return out.reshape(n, h, wd, w.shape[1]), (cols, w, x.shape)


def conv3x3_backward(
    dout: np.ndarray, cache: tuple, need_dx: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """dout (N, H, W, F) -> (dx (N, H, W, C) or None, dw (C * 9, F), db (F,))."""
    cols, w, shape = cache
    flat = dout.reshape(-1, w.shape[1])
    dw = cols.T @ flat
    db = flat.sum(axis=0)
    dx = col2im(flat @ w.T, shape) if need_dx else None
    return dx, dw, db


def _quarters(x: np.ndarray) -> tuple[np.ndarray, ...]:
    """The four corners of every 2x2 window of x (N, H, W, C), as strided views (N, H/2, W/2, C)."""
    return x[:, 0::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 0::2], x[:, 1::2, 1::2]


def maxpool2_forward(x: np.ndarray) -> tuple[np.ndarray, tuple]:
    """2x2 max pooling, stride 2: x (N, H, W, C) with even H, W -> (N, H/2, W/2, C)."""
    a, b, c, d = _quarters(x)
    out = np.maximum(np.maximum(a, b), np.maximum(c, d))
    return out, (x, out)


def maxpool2_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """dout (N, H/2, W/2, C) (or those numbers flattened per example) -> dx (N, H, W, C).

    Each window's gradient goes to its maximum; on a tie, to the first corner holding it
    (row by row), so the gradient is never counted twice.
    """
    x, out = cache
    dout = dout.reshape(out.shape)
    dx = np.zeros_like(x)
    taken = np.zeros(out.shape, bool)
    for corner, dcorner in zip(_quarters(x), _quarters(dx)):
        hit = corner == out
        hit &= ~taken
        taken |= hit
        np.multiply(dout, hit, out=dcorner)
    return dx


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """max(x, 0); the cache is the output (its sign is the derivative)."""
    out = np.maximum(x, 0)
    return out, out


def relu_backward(dout: np.ndarray, out: np.ndarray) -> np.ndarray:
    return dout * (out > 0)


def dense_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """x (N, Din) @ w (Din, Dout) + b -> (N, Dout)."""
    return x @ w + b, (x, w)


def dense_backward(
    dout: np.ndarray, cache: tuple, need_dx: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """dout (N, Dout) -> (dx (N, Din) or None, dw, db)."""
    x, w = cache
    return (dout @ w.T if need_dx else None), x.T @ dout, dout.sum(axis=0)
