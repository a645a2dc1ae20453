"""A fully connected classifier: forward/backward pairs (CS231n layers.py style) over one flat
parameter vector, softmax cross-entropy and L2.

Every parameter is a view into one flat vector (weights first, then biases, gammas and
betas), and so is every gradient: the optimizer then updates the whole net in a few
vector operations, and L2 acts on `flat[:n_weights]`. Backward functions write their
gradients into the views they are given and return them. Matrix products and batch
norm write into buffers of a `Workspace`, reused from step to step; the code is the same
in float32 (the app) and float64 (the gradient check).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from engine.activations import ACTIVATIONS
from engine.batchnorm import RunningStats, batchnorm_forward_eval

BN_PLACEMENTS = ("none", "before", "after")
BN_EPS = 1e-5
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


@dataclass(frozen=True)
class Architecture:
    """sizes = (D_in, H_1, ..., H_{L-1}, C): L weight layers, the last one gives the class scores.

    bn: batch norm "before" the activation (on x @ W, which then has no bias: beta takes
    its place), "after" it, or "none". The output layer never has batch norm.
    """

    sizes: tuple[int, ...]
    activation: str = "relu"
    slope: float = 0.01
    bn: str = "none"

    @property
    def depth(self) -> int:
        """Number of weight layers."""
        return len(self.sizes) - 1

    def has_bn(self, layer: int) -> bool:
        """Whether hidden layer `layer` (0-based) is batch-normalized."""
        return self.bn != "none" and layer < self.depth - 1

    def has_bias(self, layer: int) -> bool:
        return not (self.bn == "before" and layer < self.depth - 1)


@dataclass(frozen=True)
class Params:
    """Per-layer views into a flat vector: w[l] (D_l, D_l+1); b, gamma, beta (D_l+1,) or None."""

    w: tuple[np.ndarray, ...]
    b: tuple[np.ndarray | None, ...]
    gamma: tuple[np.ndarray | None, ...]
    beta: tuple[np.ndarray | None, ...]


@dataclass(frozen=True)
class Net:
    """An architecture and where each of its parameters sits in the flat vector."""

    arch: Architecture
    w: tuple[slice, ...]
    b: tuple[slice | None, ...]
    gamma: tuple[slice | None, ...]
    beta: tuple[slice | None, ...]
    size: int
    n_weights: int

    def views(self, flat: np.ndarray) -> Params:
        """Params viewing flat (size,); writing to a view writes to flat."""
        shapes = list(zip(self.arch.sizes[:-1], self.arch.sizes[1:]))
        return Params(
            tuple(flat[s].reshape(shape) for s, shape in zip(self.w, shapes)),
            tuple(None if s is None else flat[s] for s in self.b),
            tuple(None if s is None else flat[s] for s in self.gamma),
            tuple(None if s is None else flat[s] for s in self.beta),
        )


def build_net(arch: Architecture) -> Net:
    """Lay out arch's parameters: every weight matrix first, then biases, gammas, betas."""
    offset = 0

    def take(n: int) -> slice:
        nonlocal offset
        offset += n
        return slice(offset - n, offset)

    outs = arch.sizes[1:]
    w = tuple(take(din * dout) for din, dout in zip(arch.sizes[:-1], outs))
    n_weights = offset
    b = tuple(take(d) if arch.has_bias(i) else None for i, d in enumerate(outs))
    gamma = tuple(take(d) if arch.has_bn(i) else None for i, d in enumerate(outs))
    beta = tuple(take(d) if arch.has_bn(i) else None for i, d in enumerate(outs))
    return Net(arch, w, b, gamma, beta, offset, n_weights)


@dataclass
class Workspace:
    """Buffers reused from step to step, keyed by purpose, layer and shape (mutable on purpose)."""

    buffers: dict = field(default_factory=dict)

    def get(self, key: tuple, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        full = (key, shape, np.dtype(dtype))
        buf = self.buffers.get(full)
        if buf is None:
            buf = self.buffers[full] = np.empty(shape, dtype)
        return buf

    def zeros(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """A read-only array of zeros: np.maximum(z, zeros) runs about 3x faster than np.maximum(z, 0)."""
        full = (("zeros",), shape, np.dtype(dtype))
        buf = self.buffers.get(full)
        if buf is None:
            buf = self.buffers[full] = np.zeros(shape, dtype)
            buf.setflags(write=False)
        return buf


def dense_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, out: np.ndarray) -> tuple[np.ndarray, tuple]:
    """z = x @ w + b into out: x (N, Din), w (Din, Dout) -> z (N, Dout).

    np.dot rather than np.matmul: the same BLAS call (same bits) for half the overhead
    of the generalized ufunc, which a small net pays eleven times a step.
    """
    np.dot(x, w, out=out)
    if b is not None:
        out += b
    return out, (x, w)


def dense_backward(
    dz: np.ndarray, cache: tuple, dw: np.ndarray, db: np.ndarray | None, dx: np.ndarray | None
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray | None]:
    """dz (N, Dout) -> dx (N, Din) (skipped when dx is None: the first layer), dw, db, written in place."""
    x, w = cache
    np.dot(x.T, dz, out=dw)
    if db is not None:
        np.add.reduce(dz, axis=0, out=db)  # np.sum's own reduction, without its Python wrapper
    if dx is not None:
        np.dot(dz, w.T, out=dx)
    return dx, dw, db


def batchnorm_train_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, x_hat: np.ndarray, out: np.ndarray
) -> tuple[np.ndarray, tuple]:
    """Train mode into buffers: x (N, D) -> gamma * x_hat + beta (N, D); the cache keeps the batch moments.

    Same values as engine.batchnorm.batchnorm_forward_train, without its temporaries.
    """
    mean = x.mean(axis=0)
    np.subtract(x, mean, out=x_hat)
    np.multiply(x_hat, x_hat, out=out)
    var = out.mean(axis=0)
    inv_std = 1.0 / np.sqrt(var + x.dtype.type(BN_EPS))
    x_hat *= inv_std
    np.multiply(x_hat, gamma, out=out)
    out += beta
    return out, (x_hat, inv_std, gamma, mean, var)


def batchnorm_train_backward(
    dy: np.ndarray, cache: tuple, dgamma: np.ndarray, dbeta: np.ndarray, dx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Closed-form backward (engine.batchnorm.batchnorm_backward) into buffers: dy (N, D) -> dx, dgamma, dbeta."""
    x_hat, inv_std, gamma, _, _ = cache
    n = dy.shape[0]
    np.add.reduce(dy, axis=0, out=dbeta)
    np.multiply(dy, x_hat, out=dx)
    np.add.reduce(dx, axis=0, out=dgamma)
    np.multiply(x_hat, dgamma, out=dx)
    dx -= n * dy
    dx += dbeta
    dx *= -(gamma * inv_std) / n
    return dx, dgamma, dbeta


def batchnorm_eval_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, running: RunningStats) -> np.ndarray:
    """Eval mode with running statistics (engine.batchnorm), in x's dtype: (N, D) -> (N, D)."""
    y, _ = batchnorm_forward_eval(x, gamma, beta, running, BN_EPS)
    return y.astype(x.dtype, copy=False)


def _output(z: np.ndarray, ws: Workspace | None, layer: int) -> np.ndarray:
    """Where hidden layer `layer`'s activation goes: the workspace's buffer, or a new array."""
    return np.empty_like(z) if ws is None else ws.get(("act", layer), z.shape, z.dtype)


def _tanh_forward(z: np.ndarray, slope: float, ws: Workspace | None, layer: int) -> np.ndarray:
    return np.tanh(z, out=_output(z, ws, layer))


def _relu_forward(z: np.ndarray, slope: float, ws: Workspace | None, layer: int) -> np.ndarray:
    """max(z, 0); with a workspace, in place over z (ReLU's derivative needs only the output, and one
    buffer fewer per layer keeps the step's working set smaller), against an array of zeros (np.maximum
    with a scalar 0 takes a slower loop)."""
    if ws is None:
        return np.maximum(z, 0.0)
    return np.maximum(z, ws.zeros(z.shape, z.dtype), out=z)


def _leaky_forward(z: np.ndarray, slope: float, ws: Workspace | None, layer: int) -> np.ndarray:
    """max(z, slope * z): the registry's where(z > 0, z, slope * z) value for value when 0 <= slope <= 1."""
    if not 0.0 <= slope <= 1.0:
        return ACTIVATIONS["leaky_relu"].fn(z, slope)
    out = _output(z, ws, layer)
    np.multiply(z, z.dtype.type(slope), out=out)
    return np.maximum(z, out, out=out)


def _positive_part_backward(da: np.ndarray, a: np.ndarray, pre: np.ndarray, slope: float, out: np.ndarray):
    """ReLU's derivative (1 where a > 0, else 0) applied to da without a float64 temporary."""
    return np.multiply(da, a > 0, out=out)


def _leaky_backward(da: np.ndarray, a: np.ndarray, pre: np.ndarray, slope: float, out: np.ndarray):
    """Leaky ReLU's derivative (1 where a > 0, else slope) applied to da in da's dtype."""
    np.multiply(da, da.dtype.type(slope), out=out)
    np.copyto(out, da, where=a > 0)
    return out


def _tanh_backward(da: np.ndarray, a: np.ndarray, pre: np.ndarray, slope: float, out: np.ndarray):
    """tanh's derivative 1 - a^2 applied to da in place."""
    np.multiply(a, a, out=out)
    np.subtract(1, out, out=out)
    out *= da
    return out


def _gelu_tanh(z: np.ndarray) -> np.ndarray:
    """tanh of GELU's inner sqrt(2/pi) (z + 0.044715 z^3), with z * z * z: NumPy's z**3 calls pow, 100x slower."""
    cube = z * z
    cube *= z
    cube *= z.dtype.type(0.044715)
    cube += z
    cube *= z.dtype.type(_SQRT_2_OVER_PI)
    return np.tanh(cube, out=cube)


def _gelu_forward(z: np.ndarray, slope: float, ws: Workspace | None, layer: int) -> np.ndarray:
    t = _gelu_tanh(z)
    t += 1
    t *= z
    t *= z.dtype.type(0.5)
    return t


def _gelu_backward(da: np.ndarray, a: np.ndarray, pre: np.ndarray, slope: float, out: np.ndarray):
    """GELU's derivative 0.5 (1 + t) + 0.5 z (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 z^2), times da."""
    t = _gelu_tanh(pre)
    inner = pre * pre
    # Capped where z^2 overflows (t = +-1 there), so that (1 - t^2) * inner is 0, not 0 * inf = NaN.
    np.minimum(inner, np.finfo(pre.dtype).max, out=inner)
    inner *= pre.dtype.type(3 * 0.044715)
    inner += 1
    inner *= pre.dtype.type(_SQRT_2_OVER_PI)
    np.multiply(t, t, out=out)
    np.subtract(1, out, out=out)
    out *= inner
    out *= pre
    out += t
    out += 1
    out *= pre.dtype.type(0.5)
    out *= da
    return out


def _sigmoid_forward(z: np.ndarray, slope: float, ws: Workspace | None, layer: int) -> np.ndarray:
    """1 / (1 + exp(-z)) as (1 + tanh(z / 2)) / 2: no overflow, no masks."""
    out = _output(z, ws, layer)
    np.multiply(z, z.dtype.type(0.5), out=out)
    np.tanh(out, out=out)
    out += 1
    out *= z.dtype.type(0.5)
    return out


# The registry's functions and derivatives for the common activations, written in the
# buffer and dtype of the pass; tests/test_train_net.py checks them against engine.activations.
_FAST_FORWARD = {
    "relu": _relu_forward,
    "leaky_relu": _leaky_forward,
    "tanh": _tanh_forward,
    "gelu": _gelu_forward,
    "sigmoid": _sigmoid_forward,
}
_FAST_BACKWARD = {
    "relu": _positive_part_backward,
    "leaky_relu": _leaky_backward,
    "tanh": _tanh_backward,
    "gelu": _gelu_backward,
}


def activation_forward(z: np.ndarray, arch: Architecture, ws: Workspace | None = None, layer: int = 0) -> np.ndarray:
    """a = f(z) from the registry (or its faster twin above): (N, D) -> (N, D) in z's dtype.

    With a workspace, the faster twins write into its buffer for hidden layer `layer`, and
    ReLU into z itself (z is then lost: only activations whose backward reads the output alone
    do that).
    """
    fast = _FAST_FORWARD.get(arch.activation)
    return fast(z, arch.slope, ws, layer) if fast is not None else ACTIVATIONS[arch.activation].fn(z, arch.slope)


def activation_backward(da: np.ndarray, a: np.ndarray, pre: np.ndarray, arch: Architecture, out: np.ndarray):
    """dL/d(pre) = da * f'(pre) into out, f' taken from the output a where the registry allows."""
    fast = _FAST_BACKWARD.get(arch.activation)
    if fast is not None:
        return fast(da, a, pre, arch.slope, out)
    act = ACTIVATIONS[arch.activation]
    deriv = act.grad_from_output(a, arch.slope) if act.grad_from_output else act.grad(pre, arch.slope)
    return np.multiply(da, deriv, out=out)


class HiddenCache(NamedTuple):
    """One hidden layer's forward pass: what its backward pass and the record need (a tuple: cheap to make)."""

    dense: tuple
    pre: np.ndarray  # the activation's input
    a: np.ndarray  # the activation's output
    bn: tuple | None  # batch norm's cache in train mode


def _batchnorm_forward(v: np.ndarray, layer: int, p: Params, ws: Workspace) -> tuple[np.ndarray, tuple]:
    """Train-mode batch norm of hidden layer `layer`'s v (N, D) into the workspace's buffers."""
    xhat, y = ws.get(("xhat", layer), v.shape, v.dtype), ws.get(("y", layer), v.shape, v.dtype)
    return batchnorm_train_forward(v, p.gamma[layer], p.beta[layer], xhat, y)


def hidden_forward(
    x: np.ndarray, layer: int, p: Params, arch: Architecture, ws: Workspace
) -> tuple[np.ndarray, HiddenCache]:
    """Train mode: dense, then activation with batch norm before or after it. (N, D_l) -> (N, D_l+1)."""
    w = p.w[layer]
    z, dense = dense_forward(x, w, p.b[layer], ws.get(("z", layer), (x.shape[0], w.shape[1]), x.dtype))
    bn = None
    pre = z
    if arch.bn == "before" and arch.has_bn(layer):
        pre, bn = _batchnorm_forward(z, layer, p, ws)
    a = activation_forward(pre, arch, ws, layer)
    out = a
    if arch.bn == "after" and arch.has_bn(layer):
        out, bn = _batchnorm_forward(a, layer, p, ws)
    return out, HiddenCache(dense, pre, a, bn)


def hidden_backward(dout: np.ndarray, cache: HiddenCache, layer: int, g: Params, arch: Architecture, ws: Workspace):
    """dL/d(layer output) (N, D_l+1) -> dL/d(layer input) (N, D_l), or None for the first layer.

    The layer's parameter gradients are written into g's views.
    """
    dtype, shape = dout.dtype, dout.shape
    da = dout
    if arch.bn == "after" and arch.has_bn(layer):
        da, _, _ = batchnorm_train_backward(
            dout, cache.bn, g.gamma[layer], g.beta[layer], ws.get(("dbn", layer), shape, dtype)
        )
    dz = activation_backward(da, cache.a, cache.pre, arch, ws.get(("dact", layer), shape, dtype))
    if arch.bn == "before" and arch.has_bn(layer):
        dz, _, _ = batchnorm_train_backward(
            dz, cache.bn, g.gamma[layer], g.beta[layer], ws.get(("dbn", layer), shape, dtype)
        )
    dx = ws.get(("dx", layer), cache.dense[0].shape, dtype) if layer > 0 else None
    dx, _, _ = dense_backward(dz, cache.dense, g.w[layer], g.b[layer], dx)
    return dx


@lru_cache(maxsize=16)
def _row_starts(n: int, c: int) -> np.ndarray:
    """The flat index of each row's first entry in an (n, c) array (read-only)."""
    starts = np.arange(0, n * c, c)
    starts.setflags(write=False)
    return starts


def softmax_loss(scores: np.ndarray, y: np.ndarray, out: np.ndarray | None = None) -> tuple[float, int, np.ndarray]:
    """Mean softmax cross-entropy of scores (N, C) with labels y (N,): (loss, correct count, dscores (N, C)).

    dscores is written into out (scores itself may be given) or a new array. The row
    maxima are read at the argmax (NumPy's max along a short last axis is 3x slower).
    """
    n, c = scores.shape
    starts = _row_starts(n, c)
    top = scores.reshape(-1).take(starts + scores.argmax(axis=1))
    shifted = np.subtract(scores, top[:, None], out=out)
    flat = shifted.reshape(-1)  # a view: shifted is C-contiguous (a new array, or a buffer of the workspace)
    labels = starts + y
    picked = flat.take(labels)
    correct = int(np.count_nonzero(shifted.argmax(axis=1) == y))
    exp = np.exp(shifted, out=shifted)
    sums = np.add.reduce(exp, axis=1)
    loss = float(np.log(sums).sum() - picked.sum()) / n
    exp /= sums[:, None]
    flat[labels] -= 1
    exp /= n
    return loss, correct, exp


@dataclass(frozen=True)
class Pass:
    """One training-mode forward and backward pass over a batch.

    outputs[l] and grads[l]: hidden layer l's activations f(.) (N, H_l) and dL/d(its output),
    the gradient arriving from above; moments[l]: batch norm's batch (mean, biased var) or None.
    """

    loss: float
    correct: int
    outputs: tuple[np.ndarray, ...]
    grads: tuple[np.ndarray, ...]
    moments: tuple[tuple[np.ndarray, np.ndarray] | None, ...]


def l2_penalty(theta: np.ndarray, grad: np.ndarray, n_weights: int, l2: float) -> float:
    """0.5 * l2 * ||W||^2 over every weight (not biases, gammas, betas); adds l2 * W to grad."""
    weights = theta[:n_weights]
    penalty = 0.5 * l2 * float(weights @ weights)
    grad[:n_weights] += weights.dtype.type(l2) * weights
    return penalty


def loss_and_grad(
    net: Net,
    theta: np.ndarray,
    grad: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    l2: float,
    ws: Workspace,
    views: tuple[Params, Params] | None = None,
) -> Pass:
    """Loss of batch x (N, D_in), labels y (N,), in train mode; the gradient wrt theta is written into grad.

    views: (net.views(theta), net.views(grad)) when the caller keeps them from step to step.
    """
    arch = net.arch
    p, g = views or (net.views(theta), net.views(grad))
    caches = []
    h = x
    for layer in range(arch.depth - 1):
        h, cache = hidden_forward(h, layer, p, arch, ws)
        caches.append(cache)
    last = arch.depth - 1
    scores, dense = dense_forward(h, p.w[last], p.b[last], ws.get(("z", last), (x.shape[0], arch.sizes[-1]), x.dtype))
    loss, correct, dscores = softmax_loss(scores, y, out=scores)
    dx = ws.get(("dx", last), h.shape, x.dtype) if last > 0 else None
    dout, _, _ = dense_backward(dscores, dense, g.w[last], g.b[last], dx)
    grads = [dout] if last > 0 else []
    for layer in range(arch.depth - 2, -1, -1):
        dout = hidden_backward(dout, caches[layer], layer, g, arch, ws)
        if layer > 0:
            grads.append(dout)
    if l2:
        loss += l2_penalty(theta, grad, net.n_weights, l2)
    return Pass(
        loss,
        correct,
        tuple(c.a for c in caches),
        tuple(reversed(grads)),
        tuple((c.bn[3], c.bn[4]) if c.bn is not None else None for c in caches),
    )


def predict(net: Net, theta: np.ndarray, x: np.ndarray, running: tuple[RunningStats | None, ...]) -> np.ndarray:
    """Class scores (N, C) in eval mode: batch norm normalizes with the running statistics."""
    arch = net.arch
    p = net.views(theta)
    h = x
    for layer in range(arch.depth - 1):
        h = h @ p.w[layer]
        if p.b[layer] is not None:
            h += p.b[layer]
        if arch.bn == "before" and arch.has_bn(layer):
            h = batchnorm_eval_forward(h, p.gamma[layer], p.beta[layer], running[layer])
        h = activation_forward(h, arch)
        if arch.bn == "after" and arch.has_bn(layer):
            h = batchnorm_eval_forward(h, p.gamma[layer], p.beta[layer], running[layer])
    return h @ p.w[-1] + p.b[-1]


def evaluate_loss(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean softmax loss, accuracy) of scores (N, C) against labels y (N,); inf/NaN stay as they are."""
    with np.errstate(all="ignore"):
        loss, correct, _ = softmax_loss(scores, y)
    return loss, correct / len(y)


def chance_loss(classes: int) -> float:
    """ln(C), the loss of uniform scores."""
    return math.log(classes)
