"""Every experiment preset of the training lab, trained for seeds 0 to 2: the outcomes the page's texts state.

    python scripts/training_presets.py [preset ...]

Prints, per preset and seed: the final loss on the whole training split (inf: diverged),
training and validation accuracy, the step of divergence, and the seconds the run took.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.runtime import tune_runtime
from engine.train import evaluate, train
from ui.training_params import PRESET_SET, PRESETS, build_config

SEEDS = (0, 1, 2)


def outcome(cfg, seed: int) -> str:
    start = time.perf_counter()
    state = train(replace(cfg, seed=seed))
    if state.diverged_at is not None:
        return f"diverged at step {state.diverged_at}"
    loss, train_acc = evaluate(state, "train")
    _, val_acc = evaluate(state, "val")
    return f"loss {loss:.3f} train {train_acc:.0%} val {val_acc:.0%} ({time.perf_counter() - start:.1f} s)"


if __name__ == "__main__":
    tune_runtime()
    for name in sys.argv[1:] or [name for name in PRESETS if name != "custom"]:
        cfg = build_config(PRESET_SET.values(name))
        print(f"{name:<16}", " | ".join(outcome(cfg, seed) for seed in SEEDS), flush=True)
