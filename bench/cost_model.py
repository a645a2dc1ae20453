"""The work budget's cost model against measured times, for both paths and several shapes.

The budget refuses settings estimated above 2 s; this prints estimate and measurement
side by side (median of 3) so the model's constants can be checked on any machine.

    python bench/cost_model.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import median_seconds
from engine import SimConfig, estimate_cost, simulate
from engine.runtime import tune_runtime

CASES = [
    ("tanh gaussian 6x4096 N=16", SimConfig()),
    ("tanh gaussian 100x16384 N=16", SimConfig(sizes=SimConfig.sizes_from(100, 16384))),
    (
        "relu kaiming 200x1024 N=256",
        SimConfig(activation="relu", init="kaiming_normal", sizes=SimConfig.sizes_from(200, 1024), batch=256),
    ),
    ("tanh gaussian 10x500 N=1000", SimConfig(sizes=SimConfig.sizes_from(10, 500), batch=1000)),
    ("tanh gaussian 20x2048 N=1024", SimConfig(sizes=SimConfig.sizes_from(20, 2048), batch=1024)),
    ("tanh glorot_uniform 6x4096 N=16", SimConfig(init="glorot_uniform")),
    (
        "tanh glorot_uniform 20x2048 N=256",
        SimConfig(init="glorot_uniform", sizes=SimConfig.sizes_from(20, 2048), batch=256),
    ),
    ("tanh orthogonal 50x8192 N=32", SimConfig(init="orthogonal", sizes=SimConfig.sizes_from(50, 8192), batch=32)),
    ("BN eval, 20 warm-up, 6x4096 N=16", SimConfig(bn="before", bn_mode="eval", bn_warmup=20)),
    (
        "gelu xavier 100x4096 N=64",
        SimConfig(activation="gelu", init="xavier", sizes=SimConfig.sizes_from(100, 4096), batch=64),
    ),
]


def main() -> None:
    tune_runtime()  # as app.py does
    simulate(SimConfig(sizes=(64, 64), batch=4))  # warm up
    print(f"{'case':<36} {'path':<15} {'estimate s':>10} {'measured s':>10} {'ratio':>6}")
    for name, cfg in CASES:
        cost = estimate_cost(cfg)
        measured = median_seconds(lambda cfg=cfg: simulate(cfg))
        paths = "/".join(sorted(set(cost.paths)))
        print(f"{name:<36} {paths:<15} {cost.seconds:10.2f} {measured:10.2f} {cost.seconds / measured:6.2f}")


if __name__ == "__main__":
    main()
