"""How far the mean-field prediction is from the lab's simulation as layers narrow (the basis of
engine.theory.predict.MIN_WIDTH and WANDER_RATIO).

    python bench/theory_widths.py [depth] [widths, comma-separated]

For tanh with Xavier, ReLU with Kaiming and tanh at the lecture's sigma_w2 = 0.05^2 * 2048
(scale adjusted per width), batch 64 and 8 seeds: the seed mean of the last layer's activation
std and of the first layer's gradient std against the prediction (relative error), the largest
error over the layers, and the seed-to-seed spread of the last layer's std (relative to its mean).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import SimConfig, simulate  # noqa: E402
from engine.runtime import tune_runtime  # noqa: E402
from engine.theory.predict import predict_unchecked  # noqa: E402

CASES = {
    "tanh Xavier": lambda width: {"activation": "tanh", "init": "xavier"},
    "ReLU Kaiming": lambda width: {"activation": "relu", "init": "kaiming_normal"},
    "tanh 0.05 @2048": lambda width: {
        "activation": "tanh",
        "init": "gaussian",
        "scale": 0.05 * math.sqrt(2048 / width),
    },
}


def main() -> None:
    tune_runtime()
    depth = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    widths = [int(w) for w in sys.argv[2].split(",")] if len(sys.argv) > 2 else [4, 8, 16, 32, 64, 128, 512, 2048]
    print(f"{depth} layers, batch 64, 8 seeds: seed-mean / prediction - 1")
    for name, settings in CASES.items():
        for width in widths:
            acts, grads = [], []
            for seed in range(8):
                cfg = SimConfig(sizes=SimConfig.sizes_from(depth, width), batch=64, seed=seed, **settings(width))
                run = simulate(cfg)
                acts.append([layer.act.std for layer in run.layers])
                grads.append([layer.grad.std for layer in run.layers])
            prediction = predict_unchecked(cfg)
            acts, grads = np.array(acts), np.array(grads)
            act_err = acts.mean(axis=0) / prediction.act_std - 1
            grad_err = grads.mean(axis=0) / prediction.grad_std - 1
            spread = acts[:, -1].std() / acts[:, -1].mean()
            print(
                f"{name:16s} width {width:5d}: last act std {act_err[-1]:+.3f}"
                f" (worst layer {np.abs(act_err).max():.3f}),"
                f" first grad std {grad_err[0]:+.3f}, seed spread {spread:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
