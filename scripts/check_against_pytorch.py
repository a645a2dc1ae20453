"""Check InitLab's batch norm, layer norm and gains against PyTorch (which InitLab does not need).

    pip install torch && python scripts/check_against_pytorch.py

Compares, in float64: BatchNorm1d forward and backward (dx, dgamma, dbeta) over several
training steps, its running statistics, eval mode, LayerNorm forward and backward, and
torch.nn.init.calculate_gain. Exits non-zero on the first disagreement.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.batchnorm import (
    CONVENTIONS,
    batchnorm_backward,
    batchnorm_forward_eval,
    batchnorm_forward_train,
    initial_running_stats,
    layernorm_backward,
    layernorm_forward,
    update_running_stats,
)
from engine.init import calculate_gain


def check_batchnorm(rng: np.random.Generator, steps: int = 4) -> None:
    bn = torch.nn.BatchNorm1d(5, eps=1e-5, momentum=0.1).double().train()
    with torch.no_grad():
        bn.weight.copy_(torch.from_numpy(rng.normal(size=5)))
        bn.bias.copy_(torch.from_numpy(rng.normal(size=5)))
    gamma, beta = bn.weight.detach().numpy().copy(), bn.bias.detach().numpy().copy()
    running = initial_running_stats(5, CONVENTIONS["pytorch"])
    for _ in range(steps):
        x, dy = rng.normal(2, 3, size=(7, 5)), rng.normal(size=(7, 5))
        xt = torch.from_numpy(x).requires_grad_(True)
        out = bn(xt)
        out.backward(torch.from_numpy(dy))
        y, cache = batchnorm_forward_train(x, gamma, beta)
        dx, dgamma, dbeta = batchnorm_backward(dy, cache)
        running = update_running_stats(running, x, CONVENTIONS["pytorch"])
        assert np.allclose(y, out.detach().numpy()), "BatchNorm1d forward"
        assert np.allclose(dx, xt.grad.numpy()), "BatchNorm1d dx"
        assert np.allclose(dgamma, bn.weight.grad.numpy()), "BatchNorm1d dgamma"
        assert np.allclose(dbeta, bn.bias.grad.numpy()), "BatchNorm1d dbeta"
        bn.weight.grad = bn.bias.grad = None
    assert np.allclose(running.mean, bn.running_mean.numpy()), "running_mean"
    assert np.allclose(running.var, bn.running_var.numpy()), "running_var"
    bn.eval()
    x = rng.normal(size=(3, 5))
    assert np.allclose(batchnorm_forward_eval(x, gamma, beta, running)[0], bn(torch.from_numpy(x)).detach().numpy())


def check_layernorm(rng: np.random.Generator) -> None:
    ln = torch.nn.LayerNorm(5, eps=1e-5).double()
    x, dy = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    xt = torch.from_numpy(x).requires_grad_(True)
    out = ln(xt)
    out.backward(torch.from_numpy(dy))
    y, cache = layernorm_forward(x, 1.0, 0.0)
    dx, dgamma, dbeta = layernorm_backward(dy, cache)
    assert np.allclose(y, out.detach().numpy()), "LayerNorm forward"
    assert np.allclose(dx, xt.grad.numpy()), "LayerNorm dx"
    assert np.allclose(dgamma, ln.weight.grad.numpy()) and np.allclose(dbeta, ln.bias.grad.numpy())


def check_gains() -> None:
    for name in ("linear", "sigmoid", "tanh", "relu", "selu"):
        assert np.isclose(calculate_gain(name), torch.nn.init.calculate_gain(name)), name
    assert np.isclose(calculate_gain("leaky_relu", 0.2), torch.nn.init.calculate_gain("leaky_relu", 0.2))


if __name__ == "__main__":
    generator = np.random.default_rng(0)
    check_batchnorm(generator)
    check_layernorm(generator)
    check_gains()
    print(
        f"PyTorch {torch.__version__} agrees: BatchNorm1d (train, eval, backward, running statistics), "
        "LayerNorm (forward, backward), calculate_gain"
    )
