"""Activation functions paired with their derivatives, keyed by the names the UI shows."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


@dataclass(frozen=True)
class Activation:
    """An elementwise nonlinearity: value, derivative and how to plot it.

    `hist_range` is the natural x-range of a bounded function's histograms (tanh's
    [-1, 1]), so panels compare across layers and across settings; None for unbounded
    functions, whose histograms get a range fitted to the data. A unit counts as
    saturated within `saturation_margin` of an asymptote at the ends of that range
    (None where the function cannot saturate). `can_die` marks functions whose units can be
    exactly zero for every input (ReLU). `grad_from_output` gives f'(z) from
    a = f(z) where that is possible, so the backward pass need not recompute f.
    """

    name: str
    label: str
    fn: Callable[[Array, float], Array]
    grad: Callable[[Array, float], Array]
    hist_range: tuple[float, float] | None
    saturation_margin: float | None = None
    can_die: bool = False
    grad_from_output: Callable[[Array, float], Array] | None = None
    cost: float = 1.0  # elementwise work relative to tanh, for the work budget


def _tanh(z: Array, _: float) -> Array:
    return np.tanh(z)


def _tanh_grad(z: Array, _: float) -> Array:
    return 1.0 - np.tanh(z) ** 2


def _sigmoid(z: Array, _: float) -> Array:
    # Split by sign so exp never overflows.
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _sigmoid_grad(z: Array, slope: float) -> Array:
    s = _sigmoid(z, slope)
    return s * (1.0 - s)


def _relu(z: Array, _: float) -> Array:
    return np.maximum(z, 0.0)


def _relu_grad(z: Array, _: float) -> Array:
    return (z > 0).astype(z.dtype)


def _leaky(z: Array, slope: float) -> Array:
    return np.where(z > 0, z, slope * z)


def _leaky_grad(z: Array, slope: float) -> Array:
    return np.where(z > 0, 1.0, slope)


def _linear(z: Array, _: float) -> Array:
    return z.copy()


def _linear_grad(z: Array, _: float) -> Array:
    return np.ones_like(z)


def _elu(z: Array, _: float) -> Array:
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))


def _elu_grad(z: Array, _: float) -> Array:
    return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0)))


def _selu(z: Array, _: float) -> Array:
    return _SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def _selu_grad(z: Array, _: float) -> Array:
    return _SELU_SCALE * np.where(z > 0, 1.0, _SELU_ALPHA * np.exp(np.minimum(z, 0.0)))


def _gelu_inner(z: Array) -> Array:
    return _SQRT_2_OVER_PI * (z + 0.044715 * z**3)


def _gelu(z: Array, _: float) -> Array:
    """GELU, tanh approximation (as in PyTorch's approximate='tanh')."""
    return 0.5 * z * (1.0 + np.tanh(_gelu_inner(z)))


def _gelu_grad(z: Array, _: float) -> Array:
    t = np.tanh(_gelu_inner(z))
    # Capped so that (1 - t^2) * dinner is 0, not 0 * inf = NaN, where z^2 would overflow (t = +-1 there);
    # at the dtype's own largest value: 1e300 overflows float32 (to inf, the NaN again).
    cap = np.finfo(z.dtype).max if np.issubdtype(z.dtype, np.floating) else 1e300
    dinner = _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * np.minimum(z * z, cap))
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t**2) * dinner


def _tanh_grad_out(a: Array, _: float) -> Array:
    out = np.multiply(a, a)
    np.subtract(1.0, out, out=out)
    return out


def _sigmoid_grad_out(a: Array, _: float) -> Array:
    return a * (1.0 - a)


def _positive_part_grad_out(a: Array, slope: float) -> Array:
    return np.where(a > 0, 1.0, slope)


def _elu_grad_out(a: Array, _: float) -> Array:
    return np.where(a > 0, 1.0, a + 1.0)


def _selu_grad_out(a: Array, _: float) -> Array:
    return np.where(a > 0, _SELU_SCALE, a + _SELU_SCALE * _SELU_ALPHA)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("tanh", "tanh", _tanh, _tanh_grad, (-1.0, 1.0), 0.01, grad_from_output=_tanh_grad_out),
        Activation(
            "relu",
            "ReLU",
            _relu,
            _relu_grad,
            None,
            can_die=True,
            grad_from_output=lambda a, _: _positive_part_grad_out(a, 0.0),
        ),
        Activation("leaky_relu", "Leaky ReLU", _leaky, _leaky_grad, None, grad_from_output=_positive_part_grad_out),
        Activation("sigmoid", "sigmoid", _sigmoid, _sigmoid_grad, (0.0, 1.0), 0.01, grad_from_output=_sigmoid_grad_out),
        Activation("linear", "linear (identity)", _linear, _linear_grad, None, grad_from_output=_linear_grad),
        Activation("elu", "ELU", _elu, _elu_grad, None, grad_from_output=_elu_grad_out, cost=1.5),
        Activation("selu", "SELU", _selu, _selu_grad, None, grad_from_output=_selu_grad_out, cost=1.5),
        Activation("gelu", "GELU (tanh approx.)", _gelu, _gelu_grad, None, cost=5.5),
    )
}
