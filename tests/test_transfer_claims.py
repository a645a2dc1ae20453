"""The transfer lab's outcomes, as the page states them, averaged over the five reported seeds.

One source net and two comparisons are shared by every test (a module fixture); the
learning rates are the ones tuned on the validation split (engine.transfer.compare.TUNED_LR),
the accuracies are on the test split. About 40 s of CPU on the reference machine.
"""

import numpy as np
import pytest

from engine.transfer.compare import SEEDS, CompareConfig, compare
from engine.transfer.data import ALL
from engine.transfer.source import SourceConfig, train_source

SMALL_KS = (1, 2, 5)
REUSE = ("last", "top2", "finetune")


@pytest.fixture(scope="module")
def source():
    return train_source(SourceConfig())


@pytest.fixture(scope="module")
def few_examples(source):
    fractions = []
    cfg = CompareConfig(strategies=("scratch", *REUSE), ks=SMALL_KS, probes=(1, 3))
    return compare(source, cfg, fractions.append), fractions


@pytest.fixture(scope="module")
def every_example(source):
    return compare(source, CompareConfig(targets=("similar",), strategies=("last", "finetune"), ks=(ALL,)))


def best_reuse_gain(comparison, target: str) -> tuple[np.ndarray, np.ndarray]:
    """Per k: the paired gain over scratch (mean, std over seeds) of the reuse strategy with the best mean."""
    gains = [comparison.gain(target, name) for name in REUSE]
    best = np.argmax([mean for mean, _ in gains], axis=0)
    return (
        np.array([gains[b][0][i] for i, b in enumerate(best)]),
        np.array([gains[b][1][i] for i, b in enumerate(best)]),
    )


def test_the_source_net_recognizes_its_own_held_out_digits(source):
    assert source.val_accuracy > 0.9


def test_on_the_similar_target_reuse_beats_scratch_with_few_examples_by_more_than_the_spread(few_examples):
    comparison, _ = few_examples
    mean, spread = best_reuse_gain(comparison, "similar")
    assert np.all(mean > spread)
    assert np.all(mean > 0.05)
    last, last_spread = comparison.gain("similar", "last")
    assert np.all(last[:2] > np.maximum(last_spread[:2], 0.05))  # at 1 and 2 a class, the lecture's "last layer only"


def test_on_the_different_target_reuse_helps_less_than_on_the_similar_one(few_examples):
    comparison, _ = few_examples
    similar, _ = best_reuse_gain(comparison, "similar")
    different, _ = best_reuse_gain(comparison, "different")
    assert np.all(different < similar - 0.05)


def test_with_every_example_fine_tuning_everything_beats_the_last_layer_alone(every_example):
    finetune, last = every_example.mean("similar", "finetune"), every_example.mean("similar", "last")
    assert finetune[0] >= last[0]


def test_probes_find_higher_features_better_for_the_similar_target_and_lower_ones_for_the_different(few_examples):
    """The top features are specific to the source: a probe on them gains on the similar target, loses on the other."""
    comparison, _ = few_examples
    assert np.all(comparison.mean("similar", "probe3") > comparison.mean("similar", "probe1"))
    assert comparison.mean("different", "probe1")[-1] > comparison.mean("different", "probe3")[-1]


def test_every_seed_is_run_and_the_progress_reaches_one(few_examples):
    comparison, fractions = few_examples
    assert comparison.accuracy[("similar", "scratch")].shape == (len(SMALL_KS), len(SEEDS))
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
