"""A small convolutional classifier over one flat parameter vector.

Layers, counted from the input: `len(channels)` conv blocks (3x3 convolution, ReLU, 2x2 max
pooling), then `len(hidden)` dense ReLU layers, then the dense output layer (the class
scores). "Depth d" is the representation after the first d layers (depth 0: the image),
the input of layer d. Training layers start..L-1 needs only the depth-`start` features, so
a net whose lower layers are frozen is trained on features computed once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from engine.transfer import layers as ops


@dataclass(frozen=True)
class ConvArch:
    """side x side one-channel images; conv blocks of `channels` filters; dense `hidden` widths; `classes` scores."""

    side: int = 12
    channels: tuple[int, ...] = (16, 32)
    hidden: tuple[int, ...] = (128,)
    classes: int = 5

    @property
    def depth(self) -> int:
        """Number of weight layers."""
        return len(self.channels) + len(self.hidden) + 1

    @property
    def n_conv(self) -> int:
        return len(self.channels)

    @cached_property
    def weight_shapes(self) -> tuple[tuple[int, int], ...]:
        """Each layer's weight matrix (rows: inputs in im2col or flattened NHWC order, columns: outputs)."""
        shapes, fan_in = [], 1
        for c in self.channels:
            shapes.append((fan_in * ops.KERNEL * ops.KERNEL, c))
            fan_in = c
        side = self.side // 2 ** len(self.channels)
        width = side * side * fan_in
        for h in (*self.hidden, self.classes):
            shapes.append((width, h))
            width = h
        return tuple(shapes)

    def feature_size(self, depth: int) -> int:
        """Numbers per example in the depth-`depth` representation."""
        if depth == 0:
            return self.side * self.side
        return self.weight_shapes[depth - 1][1] * ((self.side // 2**depth) ** 2 if depth <= self.n_conv else 1)

    @cached_property
    def slices(self) -> tuple[tuple[slice, slice], ...]:
        """(weight, bias) slices of each layer in the flat vector: layer by layer, weights then bias."""
        out, offset = [], 0
        for rows, cols in self.weight_shapes:
            w = slice(offset, offset + rows * cols)
            b = slice(w.stop, w.stop + cols)
            out.append((w, b))
            offset = b.stop
        return tuple(out)

    @property
    def size(self) -> int:
        return self.slices[-1][1].stop

    def layer_span(self, first: int) -> slice:
        """The flat vector's entries of layers first..L-1."""
        return slice(self.slices[first][0].start, self.size) if first < self.depth else slice(self.size, self.size)


def weights(arch: ConvArch, theta: np.ndarray, layer: int) -> tuple[np.ndarray, np.ndarray]:
    """Views (w (Din, Dout), b (Dout,)) of layer `layer` in theta."""
    ws, bs = arch.slices[layer]
    return theta[ws].reshape(arch.weight_shapes[layer]), theta[bs]


def first_layer_filters(arch: ConvArch, theta: np.ndarray) -> np.ndarray:
    """The first conv layer's filters as images, (F, 3, 3): what the net looks for in a 3x3 patch."""
    w, _ = weights(arch, theta, 0)
    return w.T.reshape(-1, ops.KERNEL, ops.KERNEL).copy()


def init_layers(arch: ConvArch, theta: np.ndarray, first: int, rng: np.random.Generator) -> np.ndarray:
    """Kaiming-normal weights (std sqrt(2 / fan_in)), zero biases for layers first..L-1, in place; returns theta."""
    for layer in range(first, arch.depth):
        w, b = weights(arch, theta, layer)
        w[...] = rng.standard_normal(w.shape) * math.sqrt(2.0 / w.shape[0])
        b[...] = 0.0
    return theta


def init_params(arch: ConvArch, rng: np.random.Generator, dtype: str = "float32") -> np.ndarray:
    """A fresh net: (arch.size,) flat parameters."""
    return init_layers(arch, np.zeros(arch.size, dtype), 0, rng)


def _as_input(arch: ConvArch, h: np.ndarray, layer: int) -> np.ndarray:
    """Depth-`layer` features in the shape layer `layer` takes: NHWC images for conv layers, rows for dense."""
    n = h.shape[0]
    if layer < arch.n_conv:
        side = arch.side // 2**layer
        return h.reshape(n, side, side, -1)
    return h.reshape(n, -1)


def layer_forward(arch: ConvArch, theta: np.ndarray, h: np.ndarray, layer: int) -> tuple[np.ndarray, tuple]:
    """One layer, train or eval alike (no dropout, no batch norm): depth-layer features -> depth-(layer+1)."""
    w, b = weights(arch, theta, layer)
    x = _as_input(arch, h, layer)
    if layer < arch.n_conv:
        z, conv = ops.conv3x3_forward(x, w, b)
        a, relu = ops.relu_forward(z)
        out, pool = ops.maxpool2_forward(a)
        return out, ("conv", conv, relu, pool)
    z, dense = ops.dense_forward(x, w, b)
    if layer == arch.depth - 1:
        return z, ("out", dense)
    a, relu = ops.relu_forward(z)
    return a, ("dense", dense, relu)


def layer_backward(dout: np.ndarray, cache: tuple, need_dx: bool) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Gradients of layer_forward: (dx or None, dw, db)."""
    kind = cache[0]
    if kind == "conv":
        _, conv, relu, pool = cache
        dz = ops.relu_backward(ops.maxpool2_backward(dout, pool), relu)
        return ops.conv3x3_backward(dz, conv, need_dx)
    if kind == "dense":
        _, dense, relu = cache
        return ops.dense_backward(ops.relu_backward(dout, relu), dense, need_dx)
    return ops.dense_backward(dout, cache[1], need_dx)


def features(arch: ConvArch, theta: np.ndarray, x: np.ndarray, depth: int, start: int = 0) -> np.ndarray:
    """Depth-`depth` features (N, feature_size(depth)) of the depth-`start` features x (N, feature_size(start))."""
    h = x
    for layer in range(start, depth):
        h, _ = layer_forward(arch, theta, h, layer)
    return h.reshape(h.shape[0], -1)


def scores(arch: ConvArch, theta: np.ndarray, x: np.ndarray, start: int = 0) -> np.ndarray:
    """Class scores (N, C) of depth-`start` features x."""
    return features(arch, theta, x, arch.depth, start)


def softmax_loss(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of scores z (N, C) against labels y (N,), and dL/dz."""
    shifted = z - z.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sums = exp.sum(axis=1, keepdims=True)
    n = len(y)
    loss = float(np.log(sums[:, 0]).sum() - shifted[np.arange(n), y].sum()) / n
    probs = exp / sums
    probs[np.arange(n), y] -= 1
    return loss, probs / n


def loss_and_grad(
    arch: ConvArch, theta: np.ndarray, x: np.ndarray, y: np.ndarray, start: int = 0, l2: float = 0.0
) -> tuple[float, np.ndarray]:
    """Loss of depth-`start` features x with labels y, and its gradient (arch.size,), zero below layer `start`.

    l2: 0.5 * l2 * ||W||^2 over the trained layers' weights (not biases).
    """
    h, caches = x, []
    for layer in range(start, arch.depth):
        h, cache = layer_forward(arch, theta, h, layer)
        caches.append(cache)
    loss, dout = softmax_loss(h, y)
    grad = np.zeros_like(theta)
    for layer in range(arch.depth - 1, start - 1, -1):
        dout, dw, db = layer_backward(dout, caches[layer - start], need_dx=layer > start)
        ws, bs = arch.slices[layer]
        grad[ws] = dw.reshape(-1)
        grad[bs] = db
        if l2:
            w = theta[ws]
            loss += 0.5 * l2 * float(w @ w)
            grad[ws] += l2 * w
    return loss, grad
