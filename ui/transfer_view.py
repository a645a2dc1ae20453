"""What the transfer lab computes and shows: the source net, comparisons, probes, layer by layer, curves.

Results live in bounded stores per process, one per kind (runs are deterministic, so sessions share
them): browsing learning curves never evicts a comparison that took a minute. Progress bars are
drawn outside the stores, as in the training lab's sweeps: a cached function may not draw into a
block made outside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import streamlit as st

from engine.transfer import (
    ALL,
    KS,
    STRATEGIES,
    CompareConfig,
    Comparison,
    Layerwise,
    LayerwiseConfig,
    SourceConfig,
    SourceNet,
    StrategyRun,
    compare,
    first_layer_filters,
    initial_theta,
    layerwise,
    probe_name,
    seed_spread,
    single_run,
    target_task,
    train_source,
)
from engine.transfer.artifact import load_source
from engine.transfer.compare import MAX_SEEDS
from ui.bounded_store import BoundedStore
from ui.transfer_params import K_CHOICES
from ui.transfer_text import DEPTH_NAMES, MIN_SEEDS, few_seeds
from viz.transfer import STRATEGY_COLORS, STRATEGY_DASHES, STRATEGY_SYMBOLS, TARGET_COLORS, Line

SOURCE = SourceConfig()
DEFAULT_STRATEGIES = ("scratch", "last")
DEFAULT_KS = (1, 5)
PROBE_DEPTHS = tuple(range(SOURCE.arch.depth))
# Entries per store, each a few KiB. The default view's comparisons (seconds each) have a store of
# their own, so that moving the seeds slider never evicts a full comparison or the probes (a minute
# each): those are 2 targets x (full, probes) per seed count, 12 keep three seed counts' worth.
# Learning runs are cheap (a second) and come two per curve.
MAX_VIEWS = 24
MAX_COMPARISONS = 12
MAX_RUNS = 48
MAX_LAYERWISE = 2


@st.cache_resource(show_spinner=False)
def stores() -> dict[str, BoundedStore]:
    """The process's results, one bounded store per kind so that one kind never evicts another."""
    return {
        "views": BoundedStore(MAX_VIEWS),
        "comparisons": BoundedStore(MAX_COMPARISONS),
        "runs": BoundedStore(MAX_RUNS),
        "layerwise": BoundedStore(MAX_LAYERWISE),
    }


def results(cfg: CompareConfig) -> BoundedStore:
    """The store of comparison cfg: the default view's, or the one of the full comparisons and probes."""
    default_view = cfg.strategies == DEFAULT_STRATEGIES and cfg.ks == DEFAULT_KS and not cfg.probes
    return stores()["views" if default_view else "comparisons"]


@st.cache_resource(show_spinner=False)
def _source_slot() -> dict[str, tuple[SourceNet, bool]]:
    return {}


def _with_progress(text: str, work: Callable[[Callable[[float], None]], Any]) -> Any:
    bar = st.progress(0.0, text=text)
    value = work(lambda fraction: bar.progress(min(1.0, fraction), text=f"{text} {fraction:.0%}"))
    bar.empty()
    return value


def source_net() -> tuple[SourceNet, bool]:
    """The pretrained net and whether it came from the shipped file (else it was trained in this process)."""
    slot = _source_slot()
    if "net" not in slot:
        shipped = load_source(SOURCE)
        if shipped is not None:
            slot["net"] = (shipped, True)
        else:
            text = "Training the source net on digits 0-4 drawn 20 times each (once per server)…"
            slot["net"] = (_with_progress(text, lambda report: train_source(SOURCE, report)), False)
    return slot["net"]


def kept_with_more_seeds(store: BoundedStore, cfg: CompareConfig) -> Comparison | None:
    """cfg's comparison cut from a kept one with more seeds 0..m-1, when cfg asks for seeds 0..n-1 (n < m):
    each seed's runs depend on that seed alone, so its first n seeds are exactly cfg's runs."""
    n = len(cfg.seeds)
    if cfg.seeds != tuple(range(n)):
        return None
    for m in range(n + 1, MAX_SEEDS + 1):
        kept = store.peek(replace(cfg, seeds=tuple(range(m))))
        if kept is not None:
            return kept.first_seeds(n)
    return None


def comparison(source: SourceNet, cfg: CompareConfig, what: str) -> Comparison:
    """compare(source, cfg), from the store (or cut from a kept one with more seeds) or run now under a
    progress bar."""
    store = results(cfg)

    def make() -> Comparison:
        kept = kept_with_more_seeds(store, cfg)
        if kept is not None:
            return kept
        return _with_progress(f"Running {what}…", lambda r: compare(source, cfg, r))

    return store.get_or_make(cfg, make)


BAND = "band: ± 1 sample std over seeds"


def accuracy_token(result: Comparison, target: str, seeds: int) -> str:
    """The accuracy chart's subtitle: the view it shows."""
    return f"{target} target · {len(result.config.strategies)} strategies · {seeds} seeds · {BAND}"


def view_config(target: str, full: bool, seeds: int) -> CompareConfig:
    """The strategies x k the accuracy chart shows: the default subset, or every strategy at every k."""
    if full:
        return CompareConfig(targets=(target,), ks=KS, seeds=tuple(range(seeds)))
    return CompareConfig(targets=(target,), strategies=DEFAULT_STRATEGIES, ks=DEFAULT_KS, seeds=tuple(range(seeds)))


def probe_config(target: str, seeds: int) -> CompareConfig:
    return CompareConfig(targets=(target,), strategies=(), probes=PROBE_DEPTHS, ks=KS, seeds=tuple(range(seeds)))


def layerwise_result(source: SourceNet) -> Layerwise:
    cfg = LayerwiseConfig(base=SOURCE)
    text = "Training base B and 12 transferred nets (once per server)…"
    return stores()["layerwise"].get_or_make(cfg, lambda: _with_progress(text, lambda r: layerwise(source, cfg, r)))


def learning_run(source: SourceNet, target: str, strategy: str, k: int, seed: int) -> StrategyRun:
    key = (target, strategy, k, seed)
    return stores()["runs"].get_or_make(key, lambda: single_run(source, target, strategy, k, seed))


def k_axis(ks: tuple[int, ...], target: str) -> tuple[list[int], list[str]]:
    """Where each k sits on the log axis ('all' at the pool's examples per class) and its label."""
    pool = target_task(SOURCE.setup, target).per_class
    return [pool if k == ALL else k for k in ks], ["all" if k == ALL else str(k) for k in ks]


def strategy_lines(result: Comparison, target: str) -> list[Line]:
    return [
        Line(
            STRATEGIES[s].label,
            STRATEGY_COLORS[s],
            result.mean(target, s),
            result.spread(target, s),
            STRATEGY_DASHES[s],
            STRATEGY_SYMBOLS[s],
        )
        for s in result.config.strategies
    ]


def probe_lines(probes: dict[str, Comparison], k: int) -> list[Line]:
    """Per target: probe accuracy at each depth for k examples per class."""
    lines = []
    for target, result in probes.items():
        i = result.config.ks.index(k)
        rows = np.array([result.accuracy[(target, probe_name(d))][i] for d in PROBE_DEPTHS])
        lines.append(Line(f"{target} target", TARGET_COLORS[target], rows.mean(axis=1), seed_spread(rows)))
    return lines


def source_filters(source: SourceNet) -> tuple[dict[str, np.ndarray], float, float]:
    """The source net's first-layer filters, the same filters at initialization and the change; with the
    correlation of trained and initial weights and the change's norm relative to the initial weights'."""
    trained = first_layer_filters(SOURCE.arch, source.theta)
    initial = first_layer_filters(SOURCE.arch, initial_theta(source.config))
    panels = {
        "source net, trained": trained,
        "random init (its start)": initial,
        "trained − initial": trained - initial,
    }
    correlation = float(np.corrcoef(trained.ravel(), initial.ravel())[0, 1])
    return panels, correlation, float(np.linalg.norm(trained - initial) / np.linalg.norm(initial))


def gain_sentence(result: Comparison, target: str, method: str) -> str:
    """'k = 1: +13.0 ± 8.4, k = 5: … points' for method − scratch, paired by seed (± the sample std over seeds);
    with fewer than MIN_SEEDS seeds, why that spread cannot judge the margins."""
    mean, spread = result.gain(target, method)
    seeds = len(result.config.seeds)
    if seeds < 2:
        parts = [f"k = {K_CHOICES[KS.index(k)]}: {m * 100:+.1f}" for k, m in zip(result.config.ks, mean)]
        return ", ".join(parts) + " points (one seed: no spread)"
    parts = [
        f"k = {K_CHOICES[KS.index(k)]}: {m * 100:+.1f} ± {s * 100:.1f}"
        for k, m, s in zip(result.config.ks, mean, spread)
    ]
    caveat = f" ({few_seeds(seeds)})" if seeds < MIN_SEEDS else ""
    return ", ".join(parts) + " points" + caveat


def k_label(k: int) -> str:
    return "all" if k == ALL else str(k)


def best_reuse(result: Comparison, target: str, k: int) -> tuple[str, float, float]:
    """The reuse strategy with the largest paired gain over scratch at k: name, mean gain, its std over seeds."""
    i = result.config.ks.index(k)
    gains = {s: result.gain(target, s) for s in result.config.strategies if s != "scratch"}
    best = max(gains, key=lambda s: gains[s][0][i])
    return best, float(gains[best][0][i]), float(gains[best][1][i])


def layerwise_text(result: Layerwise) -> str:
    """What the AnB / BnB curves show, read off this result."""
    acc = result.accuracy
    anb, bnb, anb_plus = acc["AnB"], acc["BnB"], acc["AnB+"]
    last = len(anb)
    lines = [
        f"- **Specificity**: AnB goes from {anb[0]:.1%} at n = 1 to {anb[-1]:.1%} at n = {last} "
        f"(BnB {bnb[-1]:.1%}): the higher A's copied layers, the more specific they are to digits 0-4."
    ]
    dip = result.base_b - float(bnb.min())
    if dip > 0.03:  # one seed: a point or two is noise
        n = int(bnb.argmin()) + 1
        lines.append(
            f"- **Co-adaptation**: BnB drops {dip * 100:.1f} points below base B at n = {n}: layers that learned "
            "together do not relearn their partner when one side is re-initialized and the other frozen."
        )
    else:
        lines.append(
            f"- **Co-adaptation**: BnB stays within {max(dip, 0) * 100:.1f} points of base B ({result.base_b:.1%}): no "
            "clear dip in a net this small (Yosinski et al. saw one in the middle of an 8-layer net)."
        )
    lines.append(_recovery(anb[-1], anb_plus[-1], result.base_b, last))
    gap = _shown_points(bnb[0]) - _shown_points(anb[0])
    reading = (
        "a hint that the first layer is largely generic, not a measurement of how much"
        if gap <= 3
        else "on this seed A's first layer does not serve B as well as B's own"
    )
    lines.append(
        f"- **The first layer**: copied from A (AnB, n = 1) it gives {anb[0]:.1%} against B's own (BnB) "
        f"{bnb[0]:.1%}, {abs(gap):.1f} points apart. One seed, where a point or two is noise: {reading}."
    )
    return "\n".join(lines)


def _shown_points(accuracy: float) -> float:
    """An accuracy in points as the page shows it (one decimal), so a difference matches the numbers beside it."""
    return round(accuracy * 1000) / 10


def _recovery(anb: float, anb_plus: float, base_b: float, n: int) -> str:
    """How much of AnB's loss fine-tuning wins back at n, against base B."""
    if anb_plus <= anb:
        return f"- **Fine-tuning**: AnB+ {anb_plus:.1%} at n = {n} does not improve on AnB's {anb:.1%}."
    below = _shown_points(base_b) - _shown_points(anb_plus)
    if below <= 1:
        return f"- **Fine-tuning recovers**: AnB+ reaches {anb_plus:.1%} at n = {n}, within a point of base B."
    return (
        f"- **Fine-tuning recovers part of the loss**: AnB+ reaches {anb_plus:.1%} at n = {n} against AnB's "
        f"{anb:.1%}, still {below:.1f} points below base B ({base_b:.1%})."
    )


def _loss(value: float) -> str:
    """A final loss to three decimals, or to one significant digit below 0.01 (0.0002, not 0.000)."""
    return f"{value:.3f}" if value >= 0.01 else f"{value:.1g}"


def curve_text(runs: dict[str, tuple[str, StrategyRun]]) -> str:
    """What the learning curves say, read off the runs: training loss and test accuracy need not agree."""
    text = (
        "The minibatch loss is measured on the k training examples per class only; each run's test accuracy is in "
        "the subtitle."
    )
    if len(runs) < 2:
        return text
    (chosen, (_, run)), (_, (_, scratch)) = runs.items()
    loss, other_loss = _loss(run.losses[-1]), _loss(scratch.losses[-1])
    accuracy, other_accuracy = f"{run.test_accuracy:.1%}", f"{scratch.test_accuracy:.1%}"
    if loss == other_loss or accuracy == other_accuracy:
        return text
    fits_better = "'train from scratch'" if scratch.losses[-1] < run.losses[-1] else f"'{chosen}'"
    scratch_wins = scratch.test_accuracy > run.test_accuracy
    tests_better = "'train from scratch'" if scratch_wins else f"'{chosen}'"
    numbers = f"(final loss {loss} for '{chosen}', {other_loss} from scratch; test {accuracy} against {other_accuracy})"
    if fits_better == tests_better:
        return text + f" Here {fits_better} both fits its examples better and does better on the test images {numbers}."
    if not scratch_wins:
        return text + (
            f" Here training from scratch fits its examples better yet does worse on the test images {numbers}: "
            f"it memorizes a few examples, while '{chosen}' is held to features learned on thousands. The "
            "lecture's reason to reuse features on a small data set."
        )
    return text + (
        f" Here '{chosen}' fits its examples better yet does worse on the test images {numbers}: a lower "
        "training loss is not a better net."
    )


def _k_name(k: int) -> str:
    return "every example" if k == ALL else f"k = {k}"


NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


def _best_of(count: int, total: int, what: str) -> str:
    """'the better of the two shown', 'the best of all five strategies': best only over what was measured."""
    if count == 2:
        return f"the better of the two {what} shown"
    if count == total:
        return f"the best of all {NUMBER_WORDS.get(count, count)} {what}"
    return f"the best of the {NUMBER_WORDS.get(count, count)} {what} shown"


def target_caption(result: Comparison, target: str) -> str:
    """What the accuracy chart shows, read off its own numbers: the best reuse strategy shown against scratch
    at the smallest k, and the winner of those shown at the largest k (with the last layer alone where it
    falls behind); 'best' only over the strategies that ran."""
    ks = result.config.ks
    shown = result.config.strategies
    reuse = [s for s in shown if s != "scratch"]
    low, high = ks[0], ks[-1]
    scratch_low = float(result.mean(target, "scratch")[0])
    best = max(reuse, key=lambda s: float(result.mean(target, s)[0]))
    best_low = float(result.mean(target, best)[0])
    verb = "beats" if best_low > scratch_low else "does not beat"
    which = "" if len(reuse) == 1 else f"{_best_of(len(reuse), len(STRATEGIES) - 1, 'reuse strategies')}, "
    words = [
        f"{target.capitalize()} target, {_k_name(low)}: {which}{STRATEGIES[best].label} ({best_low:.1%})"
        f"{',' if which else ''} {verb} training from scratch ({scratch_low:.1%}) on the mean over "
        f"{len(result.config.seeds)} seeds."
    ]
    if len(ks) > 1:
        winner, accuracy = result.winner(target, high)
        words.append(
            f"With {_k_name(high)}, {_best_of(len(shown), len(STRATEGIES), 'strategies')} is "
            f"{STRATEGIES[winner].label} ({accuracy:.1%})."
        )
        if "last" in reuse and winner != "last":
            last = float(result.mean(target, "last")[-1])
            words.append(f"The frozen features with a new last layer reach {last:.1%} there.")
    if len(shown) < len(STRATEGIES):
        words.append("The other strategies run in the full comparison.")
    return " ".join(words)


def probe_caption(probes: dict[str, Comparison], k: int) -> str:
    """What the probe chart shows at k, read off its numbers: the best and worst depth per target."""
    words = []
    for target, result in probes.items():
        i = result.config.ks.index(k)
        means = [float(np.mean(result.accuracy[(target, probe_name(d))][i])) for d in PROBE_DEPTHS]
        best, worst = int(np.argmax(means)), int(np.argmin(means))
        words.append(
            f"on the {target} target the best of the four depths is {DEPTH_NAMES[best]} ({means[best]:.1%}), the "
            f"worst {DEPTH_NAMES[worst]} ({means[worst]:.1%})"
        )
    seeds = len(next(iter(probes.values())).config.seeds)
    caveat = f" Means on few seeds: {few_seeds(seeds)}." if seeds < MIN_SEEDS else ""
    return (
        f"A linear classifier (L-BFGS softmax on standardized, cached features) at each depth of the frozen source "
        f"net, {'every example' if k == ALL else f'{k} examples per class'}: "
        + "; ".join(words)
        + ". Where the top features win on the similar "
        "target and lose on the different one, features get more specific with depth: the lecture's 'try a linear "
        "classifier from different stages'." + caveat
    )
