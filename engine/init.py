"""Weight initializers as a registry, with fan-in/fan-out rules and PyTorch's gains.

Shapes follow the lecture: dense weights are (Din, Dout), so `x @ W` maps a
batch (N, Din) to (N, Dout). Conv weights follow PyTorch: (out, in, kh, kw),
with fan_in = in * kh * kw and fan_out = out * kh * kw.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

FAN_MODES = ("fan_in", "fan_out")
# Large draws are split into this many row blocks, each from its own child stream,
# and filled by two threads (NumPy releases the GIL while filling). The block count
# is fixed so the numbers do not depend on the machine's core count.
_DRAW_BLOCKS = 4
_THREADED_DRAW_MIN = 1 << 20


def fan_in_fan_out(shape: tuple[int, ...]) -> tuple[int, int]:
    """Return (fan_in, fan_out) for a dense (Din, Dout) or conv (out, in, kh, kw) shape."""
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    if len(shape) >= 3:
        receptive = math.prod(shape[2:])
        return int(shape[1]) * receptive, int(shape[0]) * receptive
    raise ValueError(f"need a dense (Din, Dout) or conv (out, in, kh, kw) shape, got {shape}")


def calculate_gain(activation: str, slope: float = 0.01) -> float:
    """PyTorch's `torch.nn.init.calculate_gain` for the activations InitLab knows.

    ELU and GELU have no entry in PyTorch; they get 1, like `linear`.
    """
    gains = {
        "linear": 1.0,
        "sigmoid": 1.0,
        "tanh": 5.0 / 3.0,
        "relu": math.sqrt(2.0),
        "leaky_relu": math.sqrt(2.0 / (1.0 + slope**2)),
        "selu": 3.0 / 4.0,
    }
    return gains.get(activation, 1.0)


@dataclass(frozen=True)
class Initializer:
    """One initialization scheme.

    `family` says how the parameter from `param(fan_in, fan_out, scale, gain,
    mode)` is used: the std of a Gaussian ("normal"), the bound a of U(-a, a)
    ("uniform"), the value of every entry ("constant"), or the gain of an
    orthogonal matrix ("orthogonal").

    `gain` means what it means in torch.nn.init: the value PyTorch uses gives PyTorch's
    std (kaiming_normal_ has std gain / sqrt(fan)). A gain of None is the scheme's own:
    sqrt(2) for Kaiming (ReLU, as He et al. and PyTorch's default), 1 for the others.
    """

    name: str
    label: str
    family: str
    param: Callable[[int, int, float, float, str], float]
    latex: str
    uses_scale: bool = False
    uses_gain: bool = False
    uses_mode: bool = False
    default_gain: float = 1.0

    def parameter(self, fan_in: int, fan_out: int, scale: float, gain: float | None, mode: str) -> float:
        """The scheme's parameter (std, bound, value or orthogonal gain) for one layer."""
        return self.param(fan_in, fan_out, scale, self.default_gain if gain is None else gain, mode)

    def effective_std(self, fan_in: int, fan_out: int, scale: float, gain: float | None, mode: str) -> float:
        """The std of one weight entry under this scheme."""
        p = self.parameter(fan_in, fan_out, scale, gain, mode)
        if self.family == "normal":
            return p
        if self.family == "uniform":
            return p / math.sqrt(3.0)
        if self.family == "orthogonal":
            return p / math.sqrt(max(fan_in, fan_out))
        return 0.0

    @property
    def exact_sampling(self) -> bool:
        """Whether pre-activations can be sampled exactly without forming W."""
        return self.family in ("normal", "constant", "orthogonal")


def _fan(fan_in: int, fan_out: int, mode: str) -> int:
    return fan_out if mode == "fan_out" else fan_in


INITIALIZERS: dict[str, Initializer] = {
    i.name: i
    for i in (
        Initializer(
            "gaussian",
            "Gaussian, W = σ·randn (lecture)",
            "normal",
            lambda fi, fo, s, g, m: s,
            r"W \sim \sigma\,\mathcal{N}(0, 1)",
            uses_scale=True,
        ),
        Initializer(
            "xavier",
            "Xavier (lecture): 1/√Din",
            "normal",
            lambda fi, fo, s, g, m: g / math.sqrt(fi),
            r"W \sim \mathcal{N}\!\left(0, \left(\tfrac{g}{\sqrt{D_\mathrm{in}}}\right)^2\right)",
            uses_gain=True,
        ),
        Initializer(
            "kaiming_normal",
            "Kaiming/He normal: g/√fan, g = √2 for ReLU",
            "normal",
            lambda fi, fo, s, g, m: g / math.sqrt(_fan(fi, fo, m)),
            r"W \sim \mathcal{N}\!\left(0, \tfrac{g^2}{\mathrm{fan}}\right),\quad g = \sqrt{2} \text{ for ReLU}",
            uses_gain=True,
            uses_mode=True,
            default_gain=math.sqrt(2.0),
        ),
        Initializer(
            "kaiming_uniform",
            "Kaiming/He uniform: ±g·√(3/fan), g = √2 for ReLU",
            "uniform",
            lambda fi, fo, s, g, m: g * math.sqrt(3.0 / _fan(fi, fo, m)),
            r"W \sim \mathcal{U}\!\left(\pm g\sqrt{\tfrac{3}{\mathrm{fan}}}\right),\quad g = \sqrt{2} \text{ for ReLU}",
            uses_gain=True,
            uses_mode=True,
            default_gain=math.sqrt(2.0),
        ),
        Initializer(
            "glorot_normal",
            "Glorot normal: √(2/(fan_in+fan_out))",
            "normal",
            lambda fi, fo, s, g, m: g * math.sqrt(2.0 / (fi + fo)),
            r"W \sim \mathcal{N}\!\left(0, g^2\,\tfrac{2}{\mathrm{fan_{in}} + \mathrm{fan_{out}}}\right)",
            uses_gain=True,
        ),
        Initializer(
            "glorot_uniform",
            "Glorot uniform: ±√(6/(fan_in+fan_out))",
            "uniform",
            lambda fi, fo, s, g, m: g * math.sqrt(6.0 / (fi + fo)),
            r"W \sim \mathcal{U}\!\left(\pm g\sqrt{\tfrac{6}{\mathrm{fan_{in}} + \mathrm{fan_{out}}}}\right)",
            uses_gain=True,
        ),
        Initializer(
            "lecun_normal",
            "LeCun normal: 1/√fan_in",
            "normal",
            lambda fi, fo, s, g, m: g / math.sqrt(fi),
            r"W \sim \mathcal{N}\!\left(0, \tfrac{g^2}{\mathrm{fan_{in}}}\right)",
            uses_gain=True,
        ),
        Initializer(
            "orthogonal",
            "Orthogonal (QR, sign-corrected)",
            "orthogonal",
            lambda fi, fo, s, g, m: g,
            r"W = g\,Q,\quad Q^\top Q = I \text{ (or } QQ^\top = I\text{)}",
            uses_gain=True,
        ),
        Initializer(
            "uniform",
            "Uniform ±a",
            "uniform",
            lambda fi, fo, s, g, m: s,
            r"W \sim \mathcal{U}(-a, a)",
            uses_scale=True,
        ),
        Initializer(
            "pytorch_default",
            "PyTorch nn.Linear default: ±1/√fan_in",
            "uniform",
            lambda fi, fo, s, g, m: 1.0 / math.sqrt(fi),
            r"W \sim \mathcal{U}\!\left(\pm \tfrac{1}{\sqrt{\mathrm{fan_{in}}}}\right)",
        ),
        Initializer(
            "constant",
            "Constant c",
            "constant",
            lambda fi, fo, s, g, m: s,
            r"W_{ij} = c",
            uses_scale=True,
        ),
        Initializer("zeros", "Zeros", "constant", lambda fi, fo, s, g, m: 0.0, r"W = 0"),
    )
}


def orthogonal(rows: int, cols: int, rng: np.random.Generator, base: np.ndarray | None = None) -> np.ndarray:
    """A uniformly random (rows, cols) matrix with orthonormal columns or rows.

    QR of a Gaussian with the signs of R's diagonal folded into Q (without the
    sign correction Q is not Haar-distributed). `base` may pass that Gaussian in.
    """
    tall = rows >= cols
    g = base if base is not None else rng.standard_normal((rows, cols))
    q, r = np.linalg.qr(g if tall else g.T)
    q *= np.where(np.diag(r) < 0, -1.0, 1.0)
    return q if tall else q.T


def fill_random(out: np.ndarray, rng: np.random.Generator, kind: str) -> None:
    """Fill `out` with N(0, 1) ("normal") or U[0, 1) ("uniform") draws, in row blocks.

    Deterministic for a given rng state and shape, whatever the thread timing.
    """
    blocks = np.array_split(out.reshape(out.shape[0], -1), _DRAW_BLOCKS)
    children = rng.spawn(_DRAW_BLOCKS)

    def fill(i: int) -> None:
        if kind == "normal":
            children[i].standard_normal(out=blocks[i])
        else:
            children[i].random(out=blocks[i])

    if out.size < _THREADED_DRAW_MIN:
        for i in range(_DRAW_BLOCKS):
            fill(i)
        return
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(fill, range(_DRAW_BLOCKS)))


def init_weights(
    name: str,
    shape: tuple[int, ...],
    rng: np.random.Generator,
    scale: float = 0.01,
    gain: float | None = None,
    mode: str = "fan_in",
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Materialize a weight array of `shape` (dense (Din, Dout) or conv (out, in, kh, kw)).

    `out`, a float64 array of `shape`, is filled in place when given: reusing one
    buffer across layers saves the page faults of a fresh allocation per layer.
    """
    spec = INITIALIZERS[name]
    fan_in, fan_out = fan_in_fan_out(shape)
    p = spec.parameter(fan_in, fan_out, scale, gain, mode)
    w = np.empty(shape) if out is None else out
    if spec.family == "normal":
        fill_random(w, rng, "normal")
        w *= p
    elif spec.family == "uniform":
        fill_random(w, rng, "uniform")
        w *= 2.0 * p
        w -= p
    elif spec.family == "constant":
        w.fill(p)
    else:
        flat = (shape[0], math.prod(shape[1:])) if len(shape) > 2 else shape
        w[...] = (p * orthogonal(flat[0], flat[1], rng)).reshape(shape)
    return w
