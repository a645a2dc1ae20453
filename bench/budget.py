"""The work budget at its boundaries: the largest width each expensive corner allows, its
estimated and measured time and peak memory.

    python bench/budget.py

The page refuses anything the cost model puts above 2 s or 1 GB; this checks that what it
does allow really stays near those limits (about 3 s at most) on this machine.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import estimate_cost, simulate
from engine.config import BUDGET_CORNERS, MAX_WIDTH, largest_width_within_budget
from engine.runtime import tune_runtime


def main() -> None:
    tune_runtime()  # as app.py does
    print(f"{'corner':<14} {'width':>6} {'est. s':>7} {'measured s':>11} {'est. MB':>8} {'peak MB':>8}")
    for name, cfg in BUDGET_CORNERS.items():
        width = largest_width_within_budget(cfg, MAX_WIDTH)
        inside = replace(cfg, sizes=(width,) * len(cfg.sizes))
        cost = estimate_cost(inside)
        tracemalloc.start()
        start = time.perf_counter()
        simulate(inside)
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{name:<14} {width:6d} {cost.seconds:7.2f} {seconds:11.2f} {cost.bytes / 2**20:8.0f} {peak / 2**20:8.0f}"
        )


if __name__ == "__main__":
    main()
