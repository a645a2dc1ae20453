"""How long the activation lab takes to recompute its default view after a control change.

Each row changes one control of the default view (7 x 4096, batch 16) and times
what the server does for it: simulate, build the page's figure, serialize it.
Median of 3 runs; the lecture's own loop (forward only, no histograms) is timed
in the same run as a reference.

    python bench/interaction.py
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import lecture_loop, median_seconds, with_default_blas_threads
from engine import ACTIVATIONS, INITIALIZERS, SimConfig, estimate_cost, simulate
from engine.runtime import tune_runtime
from viz.activations import layer_figure

GOAL_SECONDS = 1.0


def recompute(cfg: SimConfig) -> int:
    """Simulate and serialize the page's figure; returns the payload size in bytes."""
    return len(layer_figure(simulate(cfg)).to_json())


def changes() -> list[tuple[str, dict]]:
    rows = [("activation", {"activation": name}) for name in ACTIVATIONS]
    rows += [("initializer", {"init": name}) for name in INITIALIZERS]
    rows += [("scale", {"scale": s}) for s in (0.005, 0.02, 0.05, 0.1)]
    return rows


def main() -> None:
    tune_runtime()  # as app.py does
    default = SimConfig()
    recompute(default)  # warm imports and caches once
    lecture = median_seconds(with_default_blas_threads(lecture_loop))
    print(f"lecture loop (forward only, as printed): {lecture:.3f} s\n")
    print(f"{'control':<12} {'value':<16} {'path':<9} {'seconds':>8} {'x faster':>9} {'figures kB':>11}")
    worst = 0.0
    for control, change in changes():
        cfg = replace(default, **change)
        path = "/".join(sorted(set(estimate_cost(cfg).paths)))
        size = recompute(cfg)
        seconds = median_seconds(lambda cfg=cfg: recompute(cfg))
        worst = max(worst, seconds)
        value = str(next(iter(change.values())))
        print(f"{control:<12} {value:<16} {path:<9} {seconds:8.3f} {lecture / seconds:9.1f} {size / 1000:11.1f}")
    verdict = "yes" if worst <= GOAL_SECONDS else "NO"
    print(f"\nslowest change: {worst:.3f} s; every change within {GOAL_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
