"""Deep-net simulation at initialization: forward, backward, per-layer summaries.

Memory stays at about one batch-sized array per layer (see _Kept): whatever else the
backward pass needs is recomputed, and explicit weights are drawn again from the
same per-layer random stream instead of being kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from engine.activations import ACTIVATIONS, Activation
from engine.batchnorm import (
    CONVENTIONS,
    batchnorm_backward,
    batchnorm_forward_eval,
    batchnorm_forward_train,
    initial_running_stats,
    update_running_stats,
)
from engine.config import BN_EPS, SimConfig, layer_path
from engine.init import INITIALIZERS, init_weights
from engine.layers import (
    ExactCache,
    GramFactor,
    dense_forward,
    exact_dense_backward,
    exact_dense_forward,
    exact_orthogonal_backward,
    exact_orthogonal_forward,
    gram_factor,
)
from engine.prefetch import Draw, NormalPrefetcher
from engine.preprocess import PREPROCESSORS
from engine.stats import Summary, histogram_layers, summarize, summarize_aligned

_INPUT, _UPSTREAM, _LAYER_FORWARD, _LAYER_BACKWARD, _WARMUP = range(5)


def stream(seed: int, *key: int) -> np.random.Generator:
    """An independent random stream per (seed, purpose, layer): same key, same numbers."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


@dataclass(frozen=True)
class LayerResult:
    """Summaries of one weight layer (1-based `index`): `pre` the activation's input z,
    `act` its output, `dphi` the local gradients f'(z), `grad` the gradients with respect
    to the layer's output (after the backward pass), `weight_grad_std` the std of dL/dW."""

    index: int
    fan_in: int
    fan_out: int
    path: str
    weight_std: float
    weight_std_measured: float
    pre: Summary
    act: Summary
    frac_saturated: float
    frac_dead: float
    grad: Summary | None = None
    weight_grad_std: float = float("nan")
    dphi: Summary | None = None


@dataclass(frozen=True)
class SimResult:
    """What `simulate` returns: input and per-layer summaries, and where overflow began."""

    config: SimConfig
    input: Summary
    layers: tuple[LayerResult, ...]
    overflow_layer: int | None

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(layer.path for layer in self.layers)


def _batch(cfg: SimConfig, rng: np.random.Generator) -> np.ndarray:
    base = rng.standard_normal((cfg.batch, cfg.sizes[0]))
    return PREPROCESSORS[cfg.prep](cfg.in_mean + cfg.in_std * base)


def make_input(cfg: SimConfig) -> np.ndarray:
    """The input batch (N, D0): in_mean + in_std * N(0, 1), then preprocessing.

    In BN eval mode the bn_warmup warm-up batches come first, each preprocessed on its
    own: (N * (bn_warmup + 1), D0), the evaluated batch in the last N rows.
    """
    evaluated = _batch(cfg, stream(cfg.seed, _INPUT))
    if cfg.stacked_batches == 1:
        return evaluated
    warmup = [_batch(cfg, stream(cfg.seed, _WARMUP, k)) for k in range(cfg.bn_warmup)]
    return np.concatenate([*warmup, evaluated])


def _weight_param(cfg: SimConfig, din: int, dout: int) -> tuple[float, float]:
    """(nominal entry std, the scheme's parameter) for layer din -> dout."""
    spec = INITIALIZERS[cfg.init]
    std = spec.effective_std(din, dout, cfg.scale, cfg.gain, cfg.mode)
    return std, spec.parameter(din, dout, cfg.scale, cfg.gain, cfg.mode)


def _layer_weights(cfg: SimConfig, index: int, din: int, dout: int, buffers: dict) -> np.ndarray:
    """Layer `index`'s explicit weights, drawn into a buffer shared by layers of equal shape."""
    rng = stream(cfg.seed, _LAYER_FORWARD, index)
    buf = buffers.get((din, dout))
    w = init_weights(cfg.init, (din, dout), rng, cfg.scale, cfg.gain, cfg.mode, out=buf)
    buffers[(din, dout)] = w
    return w


def entry_std(w: np.ndarray) -> float:
    """Std of all entries, via BLAS dot products (several times faster than w.std())."""
    flat = w.reshape(-1)
    mean = flat.sum() / flat.size
    return float(np.sqrt(max(flat @ flat / flat.size - mean**2, 0.0)))


def _constant_forward(x: np.ndarray, c: float, b: float, dout: int) -> np.ndarray:
    """x @ (c * ones(Din, Dout)) + b without forming the matrix."""
    return np.repeat(c * x.sum(axis=1, keepdims=True), dout, axis=1) + b


def _pre_activation(cfg: SimConfig, index: int, x: np.ndarray, dout: int, path: str, buffers: dict, normals=None):
    """z for layer `index`, plus what the backward pass needs and the measured weight std.

    `normals` may serve the exact Gaussian path's draw (prefetched); by default it comes
    from the layer's own stream.
    """
    din = x.shape[1]
    _, param = _weight_param(cfg, din, dout)
    family = INITIALIZERS[cfg.init].family
    if family == "constant":
        return _constant_forward(x, param, cfg.bias, dout), None, 0.0
    if path == "exact":
        rng = stream(cfg.seed, _LAYER_FORWARD, index)
        if family == "orthogonal":
            z, cache = exact_orthogonal_forward(x, dout, param, cfg.bias, rng)
        else:
            z, cache = exact_dense_forward(x, dout, param, cfg.bias, normals or rng)
        return z, cache, float("nan")
    w = _layer_weights(cfg, index, din, dout, buffers)
    z, _ = dense_forward(x, w, cfg.bias)
    return z, None, entry_std(w)


def _dead_fraction(act: Activation, a: np.ndarray) -> float:
    return float(np.mean(np.all(a <= 0, axis=0))) if act.can_die else float("nan")


def _layer_result(
    cfg: SimConfig, index: int, din: int, dout: int, path: str, z, a, measured: float, histogram: bool
) -> LayerResult:
    act = ACTIVATIONS[cfg.activation]
    if act.hist_range is None:
        summary = summarize_aligned(a, histogram=histogram, count_zeros=act.can_die)
    else:
        summary = summarize(
            a, *act.hist_range, histogram=histogram, count_zeros=act.can_die, tail_margin=act.saturation_margin
        )
    # f'(z) from the output where the function allows it: cheaper than from z.
    local = act.grad_from_output(a, cfg.slope) if act.grad_from_output else act.grad(z, cfg.slope)
    return LayerResult(
        index=index,
        fan_in=din,
        fan_out=dout,
        path=path,
        weight_std=_weight_param(cfg, din, dout)[0],
        weight_std_measured=measured,
        pre=summarize_aligned(z, histogram=histogram),
        act=summary,
        frac_saturated=summary.frac_tail,
        frac_dead=_dead_fraction(act, a),
        dphi=summarize_aligned(local, histogram=histogram, count_zeros=True),
    )


@dataclass(frozen=True)
class _Kept:
    """What the backward pass needs of one layer (the rest is recomputed).

    Without batch norm: `a` (activations) when f' can be computed from them, else `z`.
    BN before the activation: `z` holds the normalized pre-activations.
    BN after it: `z` the pre-activations and `a` the normalized outputs.
    """

    z: np.ndarray | None = None
    a: np.ndarray | None = None
    inv_std: np.ndarray | None = None  # batch norm's 1 / sqrt(var + eps) per feature


def _batchnorm(cfg: SimConfig, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batch norm of v with the config's gamma and beta: (output, inv_std of the evaluated rows).

    Train mode: statistics of the batch. Eval mode: v stacks bn_warmup warm-up batches and
    then the evaluated one; the warm-up batches are normalized with their own statistics
    and update the running statistics, which then normalize the evaluated batch.
    """
    if cfg.stacked_batches == 1:
        out, (_, inv_std, _) = batchnorm_forward_train(v, cfg.gamma, cfg.beta, BN_EPS)
        return out, inv_std
    convention = CONVENTIONS[cfg.bn_conv]
    running = initial_running_stats(v.shape[1], convention)
    out = np.empty_like(v)
    for k in range(cfg.bn_warmup):
        rows = slice(k * cfg.batch, (k + 1) * cfg.batch)
        out[rows], _ = batchnorm_forward_train(v[rows], cfg.gamma, cfg.beta, BN_EPS)
        running = update_running_stats(running, v[rows], convention)
    rows = slice(cfg.bn_warmup * cfg.batch, None)
    out[rows], (scale,) = batchnorm_forward_eval(v[rows], cfg.gamma, cfg.beta, running, BN_EPS)
    return out, scale / cfg.gamma if cfg.gamma != 0 else np.zeros_like(scale)


def _layer_forward(cfg: SimConfig, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, _Kept]:
    """(the activation's input, its output, the layer's output, what to keep) for dense output z."""
    act = ACTIVATIONS[cfg.activation]
    if cfg.bn == "before":
        z, inv_std = _batchnorm(cfg, z)
        a = act.fn(z, cfg.slope)
        return z, a, a, _Kept(z=z, inv_std=inv_std)
    a = act.fn(z, cfg.slope)
    if cfg.bn == "after":
        out, inv_std = _batchnorm(cfg, a)
        return z, a, out, _Kept(z=z, a=out, inv_std=inv_std)
    return z, a, a, _Kept(a=a) if act.grad_from_output else _Kept(z=z)


def _prefetchable(cfg: SimConfig, path: str) -> bool:
    return path == "exact" and INITIALIZERS[cfg.init].family == "normal"


def _forward(cfg: SimConfig, x: np.ndarray, buffers: dict, prefetch: NormalPrefetcher, summaries: bool = True):
    """Run the forward pass; returns (layer results, kept arrays, exact caches, overflow layer).

    Without summaries, results stay empty and every layer runs (inf/NaN carry forward).
    """
    shown = histogram_layers(cfg.depth)
    results, kept, caches = [], [], []
    overflow = None
    for index, (din, dout) in enumerate(zip(cfg.sizes[:-1], cfg.sizes[1:]), start=1):
        path = layer_path(cfg, din, dout)
        normals = prefetch.take((_LAYER_FORWARD, index))
        z, cache, measured = _pre_activation(cfg, index, x, dout, path, buffers, normals)
        pre, a, out, keep = _layer_forward(cfg, z)
        kept.append(keep)
        caches.append(cache)
        x = out
        if not summaries:
            continue
        pre, a = pre[-cfg.batch :], a[-cfg.batch :]  # summaries describe the evaluated batch
        layer = _layer_result(cfg, index, din, dout, path, pre, a, measured, index in shown)
        if layer.pre.n_finite < layer.pre.n_total or layer.act.n_finite < layer.act.n_total:
            overflow = index  # later layers would only carry inf/NaN forward
            results.append(_layer_result(cfg, index, din, dout, path, pre, a, measured, True))
            break
        results.append(layer)
    return results, kept, caches, overflow


def _input_grad(
    cfg: SimConfig,
    index: int,
    dz: np.ndarray,
    x: np.ndarray,
    cache: ExactCache | None,
    path: str,
    buffers: dict,
    dz_factor: GramFactor | None,
    normals=None,
) -> np.ndarray:
    din = x.shape[1]
    _, param = _weight_param(cfg, din, dz.shape[1])
    if INITIALIZERS[cfg.init].family == "constant":
        return np.repeat(param * dz.sum(axis=1, keepdims=True), din, axis=1)
    if path == "exact":
        rng = stream(cfg.seed, _LAYER_BACKWARD, index)
        if INITIALIZERS[cfg.init].family == "orthogonal":
            return exact_orthogonal_backward(dz, x, cache, param, rng, dz_factor)
        return exact_dense_backward(dz, x, cache, param, normals or rng, dz_factor)
    # Only dx of dense_backward: the full dW (Din, Dout) is never formed; its
    # statistics come from weight_grad_std.
    return dz @ _layer_weights(cfg, index, din, dz.shape[1], buffers).T


def weight_grad_std(
    x: np.ndarray, dz: np.ndarray, x_factor: GramFactor | None = None, dz_factor: GramFactor | None = None
) -> float:
    """Std of the entries of dW = x.T @ dz (Din, Dout) without keeping dW.

    ||dW||_F^2 = tr((x x^T)(dz dz^T)): from the factors' N x N Gram matrices when
    the exact path has them, else from whichever of the Gram matrices or dW is cheaper.
    """
    (n, din), dout = x.shape, dz.shape[1]
    count = din * dout
    # NumPy scalars, not Python floats: huge values must become inf, not raise.
    mean = (x.sum(axis=1) @ dz.sum(axis=1)) / count
    if x_factor is not None and dz_factor is not None:
        scale = np.float64(x_factor.scale) * dz_factor.scale
        sum_sq = np.sum(x_factor.gram * dz_factor.gram) * scale * scale
    elif n * (din + dout) < din * dout:
        sum_sq = np.sum((x @ x.T) * (dz @ dz.T))
    else:
        dw = x.T @ dz
        sum_sq = np.vdot(dw, dw)
    return float(np.sqrt(np.maximum(sum_sq / count - mean * mean, 0.0)))


def _layer_output(cfg: SimConfig, keep: _Kept) -> np.ndarray:
    """A layer's output (the next layer's input), from what was kept."""
    if keep.a is not None:
        return keep.a
    return ACTIVATIONS[cfg.activation].fn(keep.z, cfg.slope)


def _batchnorm_backward(cfg: SimConfig, dy: np.ndarray, y: np.ndarray, inv_std: np.ndarray) -> np.ndarray:
    """BN backward. Train mode: closed form, with x_hat recovered from the output
    y = gamma x_hat + beta. Eval mode: only the evaluated rows carry gradient, through
    the fixed affine map of the running statistics."""
    if cfg.gamma == 0.0:
        return np.zeros_like(dy)  # the output is the constant beta: nothing flows back
    if cfg.stacked_batches > 1:
        dx = np.zeros_like(dy)
        dx[-cfg.batch :] = dy[-cfg.batch :] * (cfg.gamma * inv_std)
        return dx
    x_hat = (y - cfg.beta) / cfg.gamma
    dx, _, _ = batchnorm_backward(dy, (x_hat, inv_std, np.float64(cfg.gamma)))
    return dx


def _dense_output_grad(cfg: SimConfig, keep: _Kept, da: np.ndarray) -> np.ndarray:
    """dL/dz for the dense output z of a layer, given dL/d(layer output)."""
    act = ACTIVATIONS[cfg.activation]
    if cfg.bn == "before":
        dzbn = da * act.grad(keep.z, cfg.slope)
        return _batchnorm_backward(cfg, dzbn, keep.z, keep.inv_std)
    if cfg.bn == "after":
        return _batchnorm_backward(cfg, da, keep.a, keep.inv_std) * act.grad(keep.z, cfg.slope)
    if keep.a is not None:
        return da * act.grad_from_output(keep.a, cfg.slope)
    return da * act.grad(keep.z, cfg.slope)


def _backward(
    cfg: SimConfig,
    x0: np.ndarray,
    results: list,
    kept: list,
    caches: list,
    buffers: dict,
    prefetch: NormalPrefetcher,
    upstream: np.ndarray,
    to_input: bool = False,
) -> tuple[list, np.ndarray | None]:
    """Backpropagate the upstream gradient; returns results with gradient stats, and the
    gradient with respect to the input when to_input is set."""
    rows = cfg.batch * cfg.stacked_batches
    da = upstream
    if rows > cfg.batch:  # warm-up batches (BN eval mode) get no gradient
        da = np.zeros((rows, cfg.sizes[-1]))
        da[-cfg.batch :] = upstream
    out = list(results)
    for i in range(len(kept) - 1, -1, -1):
        normals = prefetch.take((_LAYER_BACKWARD, i + 1))
        x = x0 if i == 0 else _layer_output(cfg, kept[i - 1])
        dz = _dense_output_grad(cfg, kept[i], da)
        exact = caches[i] is not None
        dz_factor = gram_factor(dz) if exact else None
        wstd = weight_grad_std(x, dz, caches[i].factor if exact else None, dz_factor)
        grad = summarize_aligned(da[-cfg.batch :], histogram=out[i].act.counts is not None)
        out[i] = replace(out[i], grad=grad, weight_grad_std=wstd)
        if i > 0 or to_input:
            da = _input_grad(cfg, i + 1, dz, x, caches[i], results[i].path, buffers, dz_factor, normals)
    return out, da if to_input else None


def draw_plan(cfg: SimConfig, to_input: bool = False) -> list[Draw]:
    """Every standard-normal draw of the exact Gaussian layers, in the order a run uses
    them: forward layers, the upstream gradient, then backward layers (the first layer's
    only when the gradient must reach the input)."""
    rows = cfg.batch * cfg.stacked_batches
    layers = list(enumerate(zip(cfg.sizes[:-1], cfg.sizes[1:]), start=1))
    exact = {index for index, (din, dout) in layers if _prefetchable(cfg, layer_path(cfg, din, dout))}
    plan = [
        Draw((_LAYER_FORWARD, index), partial(stream, cfg.seed, _LAYER_FORWARD, index), rows, dout, np.float32)
        for index, (_, dout) in layers
        if index in exact
    ]
    plan.append(Draw((_UPSTREAM,), partial(stream, cfg.seed, _UPSTREAM), cfg.batch, cfg.sizes[-1]))
    plan += [
        Draw((_LAYER_BACKWARD, index), partial(stream, cfg.seed, _LAYER_BACKWARD, index), rows, din)
        for index, (din, _) in reversed(layers)
        if index in exact and (index > 1 or to_input)
    ]
    return plan


def simulate(cfg: SimConfig) -> SimResult:
    """Simulate a deep net at initialization and summarize every layer.

    Forward: x (batch, sizes[0]) through len(sizes) - 1 layers of
    x @ W + bias and the activation. Backward: a standard-normal gradient on
    the last activations, back to the first layer. Non-finite values stop the
    forward pass at the layer where they appear (reported in overflow_layer);
    no backward pass runs then.
    """
    buffers: dict = {}
    with np.errstate(all="ignore"), NormalPrefetcher(draw_plan(cfg)) as prefetch:
        x0 = make_input(cfg)  # drawn here while the thread draws the first layer's normals
        results, kept, caches, overflow = _forward(cfg, x0, buffers, prefetch)
        if overflow is None:
            upstream = prefetch.take((_UPSTREAM,))
            upstream_draw = upstream.standard_normal((cfg.batch, cfg.sizes[-1]))
            results, _ = _backward(cfg, x0, results, kept, caches, buffers, prefetch, upstream_draw)
    return SimResult(cfg, summarize_aligned(x0[-cfg.batch :], histogram=False), tuple(results), overflow)


@dataclass(frozen=True)
class RawRun:
    """Every array of one forward and backward pass (small nets: nothing is summarized).

    input_grad is dL/dx0 for L = sum(upstream * activations[-1]).
    """

    input: np.ndarray
    activations: list[np.ndarray]
    upstream: np.ndarray
    input_grad: np.ndarray


def raw_run(cfg: SimConfig) -> RawRun:
    """The same computation as simulate, returning raw arrays instead of summaries."""
    x0 = make_input(cfg)
    with np.errstate(all="ignore"), NormalPrefetcher(draw_plan(cfg, to_input=True)) as prefetch:
        results, kept, caches, _ = _forward(cfg, x0, {}, prefetch)
        upstream = prefetch.take((_UPSTREAM,)).standard_normal((cfg.batch, cfg.sizes[-1]))
        _, input_grad = _backward(cfg, x0, results, kept, caches, {}, prefetch, upstream, True)
    rows = slice(-cfg.batch, None)  # the evaluated batch
    outputs = [_layer_output(cfg, keep)[rows] for keep in kept]
    return RawRun(x0[rows], outputs, upstream, input_grad[rows])


def forward_activations(cfg: SimConfig) -> list[np.ndarray]:
    """The raw activations of every layer, [(batch, sizes[l])], for notebooks and tests.

    The same forward pass as simulate and raw_run (batch norm included; in eval mode the
    evaluated batch's rows), without summaries or a backward pass.
    """
    x0 = make_input(cfg)
    forward_draws = [draw for draw in draw_plan(cfg) if draw.key[0] == _LAYER_FORWARD]
    with np.errstate(all="ignore"), NormalPrefetcher(forward_draws) as prefetch:
        _, kept, _, _ = _forward(cfg, x0, {}, prefetch, summaries=False)
        return [_layer_output(cfg, keep)[-cfg.batch :] for keep in kept]
