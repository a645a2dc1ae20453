"""The comparison the page draws: accuracy of every strategy and linear probe x examples per class x seed.

Each strategy's learning rate was tuned per target on the validation split with seeds that
are not the reported ones (scripts/transfer_measure.py, docs/transfer.md); the accuracies
here are on the test split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from engine.transfer.data import ALL, TARGET_KINDS, pick_examples, target_task
from engine.transfer.fit import one_blas_thread
from engine.transfer.source import SourceNet
from engine.transfer.strategies import STRATEGIES, FeatureBank, Hyper, StrategyRun, run_probe, run_strategy

KS = (1, 2, 5, 10, 20, 50, ALL)
SEEDS = (0, 1, 2, 3, 4)
MAX_SEEDS = 10
MAX_SEED = 2**32 - 1
MAX_K = 1000  # more than the pool holds: the same as ALL
MAX_STEPS = 1000
# Tuned on the validation split (docs/transfer.md): learning rate per target and strategy, L2 per probe depth.
TUNED_LR: dict[str, dict[str, float]] = {
    "similar": {"scratch": 3e-3, "last": 1e-2, "top2": 3e-3, "top3": 1e-2, "finetune": 3e-2},
    "different": {"scratch": 3e-3, "last": 3e-2, "top2": 3e-3, "top3": 1e-3, "finetune": 3e-2},
}
TUNED_PROBE_L2: dict[str, tuple[float, ...]] = {
    "similar": (0.1, 1e-3, 1e-3, 0.1),
    "different": (0.1, 1e-3, 0.1, 0.1),
}
TARGET_STEPS = 150


@dataclass(frozen=True)
class CompareConfig:
    """Which targets, strategies, probe depths, examples per class (ALL = every one) and seeds to run."""

    targets: tuple[str, ...] = TARGET_KINDS
    strategies: tuple[str, ...] = tuple(STRATEGIES)
    probes: tuple[int, ...] = ()
    ks: tuple[int, ...] = KS
    seeds: tuple[int, ...] = SEEDS
    steps: int = TARGET_STEPS


def seed_spread(values: np.ndarray) -> np.ndarray:
    """The spread over seeds (the last axis): the sample standard deviation (ddof 1). The population std
    (ddof 0) understates the seed-to-seed spread of a few seeds by √((n - 1) / n), 0.71 with two. A single
    seed has no spread: zeros (the texts say so)."""
    if values.shape[-1] < 2:
        return np.zeros(values.shape[:-1])
    return values.std(axis=-1, ddof=1)


@dataclass(frozen=True)
class Comparison:
    """Test accuracy (len(ks), len(seeds)) per (target, strategy name) and per (target, "probe<depth>")."""

    config: CompareConfig
    accuracy: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)

    def mean(self, target: str, method: str) -> np.ndarray:
        """Mean over seeds, (len(ks),)."""
        return self.accuracy[(target, method)].mean(axis=1)

    def spread(self, target: str, method: str) -> np.ndarray:
        """Sample standard deviation over seeds, (len(ks),); see seed_spread."""
        return seed_spread(self.accuracy[(target, method)])

    def gain(self, target: str, method: str, baseline: str = "scratch") -> tuple[np.ndarray, np.ndarray]:
        """Paired difference method - baseline per k (same seed, same examples): mean and sample std over seeds."""
        diff = self.accuracy[(target, method)] - self.accuracy[(target, baseline)]
        return diff.mean(axis=1), seed_spread(diff)

    def first_seeds(self, n: int) -> Comparison:
        """The same comparison over its first n seeds only: each seed's runs depend on that seed alone."""
        config = replace(self.config, seeds=self.config.seeds[:n])
        return Comparison(config, {key: values[:, :n] for key, values in self.accuracy.items()})

    def winner(self, target: str, k: int) -> tuple[str, float]:
        """The strategy with the best mean accuracy at k, and that accuracy."""
        i = self.config.ks.index(k)
        means = {s: float(self.mean(target, s)[i]) for s in self.config.strategies}
        best = max(means, key=means.get)
        return best, means[best]


# What the page can show at once when the source net exists (about a second of CPU): the
# lecture's small-data question, on the similar target.
DEFAULT_VIEW = CompareConfig(targets=("similar",), strategies=("scratch", "last"), ks=(1, 5))


def probe_name(depth: int) -> str:
    return f"probe{depth}"


def config_problems(cfg: CompareConfig, depth: int = 4) -> list[str]:
    """Everything wrong with cfg, in words a user can act on (empty when valid); depth: the net's weight layers."""
    problems = [
        f"unknown target {t!r} (one of {', '.join(TARGET_KINDS)})" for t in cfg.targets if t not in TARGET_KINDS
    ]
    problems += [
        f"unknown strategy {s!r} (one of {', '.join(STRATEGIES)})" for s in cfg.strategies if s not in STRATEGIES
    ]
    problems += [f"probe depth {d} is not 0..{depth - 1}" for d in cfg.probes if not 0 <= d < depth]
    problems += [f"examples per class must be 1..{MAX_K} or all (got {k})" for k in cfg.ks if not 0 <= k <= MAX_K]
    if not 1 <= len(cfg.seeds) <= MAX_SEEDS or any(not 0 <= s <= MAX_SEED for s in cfg.seeds):
        problems.append(f"1..{MAX_SEEDS} seeds, each 0..{MAX_SEED}")
    if not 1 <= cfg.steps <= MAX_STEPS:
        problems.append(f"steps must be 1..{MAX_STEPS}")
    return problems


def single_run(
    source: SourceNet, target: str, strategy: str, k: int, seed: int, steps: int = TARGET_STEPS
) -> StrategyRun:
    """One strategy on one target, k examples per class, one seed (a learning curve: .losses (steps,))."""
    bank = FeatureBank(source.config.arch, source.theta, target_task(source.config.setup, target))
    hyper = Hyper(TUNED_LR[target][strategy], steps)
    with one_blas_thread():
        return run_strategy(bank, STRATEGIES[strategy], hyper, pick_examples(bank.task, k, seed), seed)


def compare(source: SourceNet, cfg: CompareConfig, progress: Callable[[float], None] | None = None) -> Comparison:
    """Run every (target, method, k, seed) of cfg from the source net; progress(fraction done) after each.

    Raises ValueError on an invalid cfg (config_problems says why).
    """
    problems = config_problems(cfg, source.config.arch.depth)
    if problems:
        raise ValueError("; ".join(problems))
    with one_blas_thread():
        return _compare(source, cfg, progress)


def _compare(source: SourceNet, cfg: CompareConfig, progress: Callable[[float], None] | None) -> Comparison:
    arch = source.config.arch
    jobs = len(cfg.targets) * (len(cfg.strategies) + len(cfg.probes)) * len(cfg.ks) * len(cfg.seeds)
    done = 0
    accuracy = {}
    for target in cfg.targets:
        bank = FeatureBank(arch, source.theta, target_task(source.config.setup, target))
        table = {m: np.zeros((len(cfg.ks), len(cfg.seeds))) for m in (*cfg.strategies, *map(probe_name, cfg.probes))}
        for i, k in enumerate(cfg.ks):
            for j, seed in enumerate(cfg.seeds):
                picked = pick_examples(bank.task, k, seed)
                for name in cfg.strategies:
                    hyper = Hyper(TUNED_LR[target][name], cfg.steps)
                    table[name][i, j] = run_strategy(bank, STRATEGIES[name], hyper, picked, seed).test_accuracy
                for depth in cfg.probes:
                    l2 = TUNED_PROBE_L2[target][depth]
                    table[probe_name(depth)][i, j] = run_probe(bank, depth, l2, picked)[1]
                done += len(cfg.strategies) + len(cfg.probes)
                if progress is not None:
                    progress(done / jobs)
        for method, values in table.items():
            values.setflags(write=False)
            accuracy[(target, method)] = values
    return Comparison(cfg, accuracy)
