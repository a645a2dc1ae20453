"""Which transfer strategy wins for which data size, measured with the engine over several seeds.

    python scripts/transfer_measure.py [--seeds 5] [--ks 1,2,5,10,20,50,all] [--shift 2] ...

1. trains the source net (digits 0-4 drawn many times) and prints its held-out accuracy;
2. tunes each strategy's learning rate (and each probe's L2) per target on the *validation*
   split, with tuning seeds that are not the reported ones;
3. reports accuracy on the *test* split for every strategy x k, mean ± sample std (ddof 1) over
   the seeds, and the paired difference reuse - scratch with its sample std.
With --check: the engine's committed settings, nothing re-tuned, on other drawings of the data
and other seeds (does the outcome depend on the luck of one drawing?).
Nothing is tuned on the test numbers, and the settings are fixed before the seeds run.
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.runtime import tune_runtime
from engine.transfer.compare import SEEDS, CompareConfig, compare, seed_spread
from engine.transfer.convnet import ConvArch
from engine.transfer.data import ALL, TARGET_KINDS, ImageSetup, pick_examples, target_task
from engine.transfer.source import SourceConfig, train_source
from engine.transfer.strategies import STRATEGIES, FeatureBank, Hyper, run_probe, run_strategy

LR_GRID = (3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
L2_GRID = (1e-3, 1e-2, 1e-1, 1.0)
TUNE_SEEDS = (100, 101, 102)
TUNE_KS = (1, 5, 20)


@contextmanager
def timed(label: str):
    """Print the block's wall-clock and CPU seconds (CPU: what it costs on a machine shared with others)."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    print(f"  {label}: {time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU")


def parse_ks(text: str) -> list[int]:
    return [ALL if k == "all" else int(k) for k in text.split(",")]


def k_label(k: int) -> str:
    return "all" if k == ALL else str(k)


def tune(bank: FeatureBank, steps: int, batch: int) -> dict[str, float]:
    """Each strategy's learning rate with the best mean val accuracy over TUNE_KS x TUNE_SEEDS."""
    best = {}
    for name, strategy in STRATEGIES.items():
        means = []
        for lr in LR_GRID:
            accs = [
                run_strategy(bank, strategy, Hyper(lr, steps, batch), pick_examples(bank.task, k, s), s).val_accuracy
                for k in TUNE_KS
                for s in TUNE_SEEDS
            ]
            means.append(float(np.mean(accs)))
        best[name] = LR_GRID[int(np.argmax(means))]
        print(f"  {name:9s} val acc per lr: " + "  ".join(f"{lr:g}:{m:.3f}" for lr, m in zip(LR_GRID, means)))
    return best


def tune_probe(bank: FeatureBank, depth: int) -> float:
    means = [
        np.mean([run_probe(bank, depth, l2, pick_examples(bank.task, k, s))[0] for k in TUNE_KS for s in TUNE_SEEDS])
        for l2 in L2_GRID
    ]
    return L2_GRID[int(np.argmax(means))]


def fmt(values: list[float]) -> str:
    return f"{np.mean(values):.3f}±{seed_spread(np.asarray(values)):.3f}"


def report(bank: FeatureBank, lrs: dict[str, float], ks: list[int], seeds: list[int], steps: int, batch: int) -> dict:
    """Test accuracy per strategy x k x seed; prints the table and the paired reuse - scratch differences."""
    acc = {name: {k: [] for k in ks} for name in STRATEGIES}
    for k in ks:
        for s in seeds:
            picked = pick_examples(bank.task, k, s)
            for name, strategy in STRATEGIES.items():
                acc[name][k].append(
                    run_strategy(bank, strategy, Hyper(lrs[name], steps, batch), picked, s).test_accuracy
                )
    header = "k".rjust(5) + "".join(name.rjust(15) for name in STRATEGIES) + "   best reuse - scratch (paired)"
    print(header)
    for k in ks:
        cells = "".join(fmt(acc[name][k]).rjust(15) for name in STRATEGIES)
        reuse = {n: np.mean(acc[n][k]) for n in STRATEGIES if n != "scratch"}
        best = max(reuse, key=reuse.get)
        diff = np.array(acc[best][k]) - np.array(acc["scratch"][k])
        last = np.array(acc["last"][k]) - np.array(acc["scratch"][k])
        gains = f"{best}: {diff.mean():+.3f}±{seed_spread(diff):.3f}; last: {last.mean():+.3f}±{seed_spread(last):.3f}"
        print(f"{k_label(k):>5s}{cells}   {gains}")
    return acc


def report_probes(bank: FeatureBank, ks: list[int], seeds: list[int]) -> None:
    arch = bank.arch
    for depth in range(arch.depth):
        l2 = tune_probe(bank, depth)
        cells = []
        for k in ks:
            cells.append(fmt([run_probe(bank, depth, l2, pick_examples(bank.task, k, s))[1] for s in seeds]))
        print(f"  probe at depth {depth} (l2 {l2:g}, {arch.feature_size(depth)} features): " + "  ".join(cells))


def check(setup_seed: int, seeds: tuple[int, ...]) -> None:
    """The engine's committed settings (nothing re-tuned) on another drawing of the data and other seeds."""
    cfg = SourceConfig(setup=ImageSetup(seed=setup_seed), seed=setup_seed)
    source = train_source(cfg)
    names = ("scratch", "last", "top2", "finetune")
    result = compare(source, CompareConfig(strategies=names, ks=(1, 2, 5, ALL), seeds=seeds))
    print(f"\n== drawing {setup_seed}, seeds {seeds}: source net {source.val_accuracy:.3f}; k = 1, 2, 5, all")
    for target in TARGET_KINDS:
        for name in names:
            cells = "  ".join(
                f"{m:.3f}±{s:.3f}" for m, s in zip(result.mean(target, name), result.spread(target, name))
            )
            print(f"  {target:9s} {name:9s} {cells}")
        for name in names[1:]:
            mean, spread = result.gain(target, name)
            print(f"  {target:9s} {name:9s} - scratch " + "  ".join(f"{m:+.3f}±{s:.3f}" for m, s in zip(mean, spread)))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--ks", default="1,2,5,10,20,50,all")
    p.add_argument("--steps", type=int, default=150, help="target training steps")
    p.add_argument("--batch", type=int, default=Hyper(1.0).batch, help="target minibatch")
    p.add_argument("--source-steps", type=int, default=SourceConfig().steps)
    p.add_argument("--copies", type=int, default=ImageSetup().source_copies)
    p.add_argument("--shift", type=float, default=2.0)
    p.add_argument("--rotation", type=float, default=15.0)
    p.add_argument("--scale", type=float, default=0.1)
    p.add_argument("--thicken", type=float, default=0.3)
    p.add_argument("--side", type=int, default=12)
    p.add_argument("--channels", default="16,32")
    p.add_argument("--hidden", default="128")
    p.add_argument("--no-probes", action="store_true")
    p.add_argument("--targets", default=",".join(TARGET_KINDS))
    p.add_argument(
        "--check",
        action="store_true",
        help="instead: the committed settings on drawings 1 and 2 (seeds 0-4) and drawing 0 with seeds 5-9",
    )
    args = p.parse_args()
    tune_runtime()
    if args.check:
        for setup_seed, seeds in ((0, (5, 6, 7, 8, 9)), (1, SEEDS), (2, SEEDS)):
            check(setup_seed, seeds)
        return
    setup = ImageSetup(
        side=args.side,
        rotation=args.rotation,
        scale=args.scale,
        shift=args.shift,
        thicken=args.thicken,
        source_copies=args.copies,
    )
    arch = ConvArch(
        args.side,
        tuple(int(c) for c in args.channels.split(",")),
        tuple(int(h) for h in args.hidden.split(",") if h),
        5,
    )
    cfg = SourceConfig(setup=setup, arch=arch, steps=args.source_steps)
    print(f"setup {setup}\narch {arch}")
    with timed("source net training"):
        source = train_source(cfg)
    print(f"source net: held-out accuracy {source.val_accuracy:.3f}")
    seeds = list(range(args.seeds))
    for kind in args.targets.split(","):
        task = target_task(setup, kind)
        bank = FeatureBank(arch, source.theta, task)
        ks = parse_ks(args.ks)
        sizes = f"pool {len(task.y_train)} ({task.per_class}+ a class), val {len(task.y_val)}, test {len(task.y_test)}"
        print(f"\n== {kind} target: {sizes}")
        with timed("tuning"):
            lrs = tune(bank, args.steps, args.batch)
        print(f"  tuned learning rates {lrs}")
        with timed("comparison (test split)"):
            report(bank, lrs, ks, seeds, args.steps, args.batch)
        if not args.no_probes:
            with timed("probes, tuning included"):
                report_probes(bank, ks, seeds)


if __name__ == "__main__":
    main()
