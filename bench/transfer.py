"""The transfer lab's costs: the source net, one full comparison per target, the default view, the
layer-by-layer experiment, and a linear probe, in wall-clock and CPU seconds.

    python bench/transfer.py [--skip-layerwise]

CPU seconds are what a computation costs on a machine shared with others (this one often
runs four jobs on two cores); wall-clock seconds are what a user would wait here today.
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.runtime import tune_runtime  # noqa: E402
from engine.transfer.compare import DEFAULT_VIEW, CompareConfig, compare  # noqa: E402
from engine.transfer.data import source_task, target_task  # noqa: E402
from engine.transfer.layerwise import LayerwiseConfig, layerwise  # noqa: E402
from engine.transfer.source import SourceConfig, train_source  # noqa: E402


@contextmanager
def timed(label: str):
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    print(f"{label:55s} {time.perf_counter() - wall:7.1f} s wall {time.process_time() - cpu:7.1f} s CPU", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--skip-layerwise", action="store_true")
    args = p.parse_args()
    tune_runtime()
    cfg = SourceConfig()
    with timed("drawing the tasks (source 20 x 750 digits, targets)"):
        source_task(cfg.setup)
        target_task(cfg.setup, "similar")
        target_task(cfg.setup, "different")
    with timed(f"source net, {cfg.steps} steps"):
        source = train_source(cfg)
    with timed("default view (similar; scratch, last; k 1, 5; 5 seeds)"):
        compare(source, DEFAULT_VIEW)
    with timed("  the same with fine-tune all"):
        compare(source, replace(DEFAULT_VIEW, strategies=("scratch", "last", "finetune")))
    for target in ("similar", "different"):
        with timed(f"full comparison, {target} (5 strategies x 7 k x 5 seeds)"):
            compare(source, CompareConfig(targets=(target,)))
        with timed(f"linear probes at 4 depths x 7 k x 5 seeds, {target}"):
            compare(source, CompareConfig(targets=(target,), strategies=(), probes=(0, 1, 2, 3)))
    if not args.skip_layerwise:
        with timed("layer by layer: base B + 4 variants x 3 depths"):
            result = layerwise(source, LayerwiseConfig())
        print(f"  base A {result.base_a:.3f}, base B {result.base_b:.3f}")
        for variant, accuracy in result.accuracy.items():
            print(f"  {variant:5s} " + "  ".join(f"{a:.3f}" for a in accuracy))


if __name__ == "__main__":
    main()
