"""The training diagnosis on real runs: it names the cause the record proves, or says nothing.

The settings are scripts/training_claims.py's (zero init, deep tanh at 0.01 randn, the default
net, the 20-example overfit) or close to them, all at seed 0. The findings pinned for zero init,
deep tanh with SGD, the default net, SGD at lr 10 (divergence at step 4), the huge and the large
init and the step-0 checks held for seeds 0-4 alike. Where an outcome depends on the seed (the
overfit's validation loss, the dead ReLUs of LR_BASE at lr 1, the large Adam updates), the test
first checks the record shows what the finding needs, so it pins the rule, not the seed.
"""

import math
import re
from dataclasses import replace

import numpy as np
import pytest

from engine.diagnose import Finding, percent
from engine.train.diagnose import diagnose_run
from engine.train.sweeps import LR_BASE
from engine.train.trainer import TrainConfig, evaluate, init_state, train

SYMMETRY = TrainConfig(hidden=(128,), activation="tanh", optimizer="sgd", lr=0.1, steps=500, record_every=50)
DEEP_TANH = TrainConfig(hidden=(128,) * 10, activation="tanh", steps=500, record_every=50)
DEEP_TANH_SGD = replace(DEEP_TANH, init="gaussian", scale=0.01, optimizer="sgd", lr=0.1)
HEALTHY = TrainConfig(steps=300)  # the default net: Kaiming, ReLU, Adam lr 1e-3
OVERFIT = TrainConfig(train_examples=20, batch=20, optimizer="sgd", lr=0.1, steps=300, record_every=10)
ALARMS = (
    "stopped",
    "same incoming weights",
    "learned nothing",
    "Updates are",
    "ReLUs output 0",
    "saturated",
    "Overfitting",
    "too high",
    "too small",
    "too large",
)


def words(findings: list[Finding]) -> str:
    return " ".join(f.text for f in findings)


@pytest.fixture(scope="module")
def healthy():
    return train(HEALTHY)


def test_zero_init_names_the_unbroken_symmetry_first_then_the_plateau():
    state = train(replace(SYMMETRY, init="zeros"))
    findings = diagnose_run(state)
    symmetry, plateau = findings[:2]
    assert symmetry.level == "error"
    assert symmetry.text.startswith("All 128 units of layer 1 have the same incoming weights (spread 0)")
    assert "zero or constant init never breaks this symmetry" in symmetry.text
    assert "still exactly 0 after 500 steps" in symmetry.text
    assert plateau.text.startswith("The loss has stayed at ln 10 = 2.303")
    assert "learned nothing" in plateau.text and "layer 1's weights are still exactly 0" in plateau.text
    assert "Learning" not in words(findings)


def test_zero_init_of_a_relu_net_blames_the_zero_weights_not_dead_relus():
    # The lab's default net (3 hidden ReLU layers) with zero init: every hidden unit outputs 0
    # because its weights are 0; "100% of layer 1's ReLUs output 0 … (a dead ReLU)" named a
    # cause that is not there.
    state = train(TrainConfig(init="zeros", steps=300))
    text = words(diagnose_run(state))
    assert state.record.points[-1].hidden[0].frac_dead == 1.0  # what the dead-ReLU rule reads
    assert "same incoming weights" in text and "still exactly 0" in text
    assert "ReLUs output 0" not in text and "dead ReLU" not in text


def test_constant_init_names_symmetry_but_no_plateau_it_does_not_have():
    state = train(replace(SYMMETRY, init="constant", scale=0.01))
    assert evaluate(state, "train")[0] < 2.0  # one unit's worth of features does learn something
    text = words(diagnose_run(state))
    assert "All 128 units of layer 1 have the same incoming weights" in text
    assert "constant init never breaks this symmetry" in text
    assert "learned nothing" not in text and "still exactly 0" not in text


def test_deep_tanh_at_0_01_randn_with_sgd_names_the_plateau_and_vanishing_activations_not_symmetry():
    state = train(DEEP_TANH_SGD)
    findings = diagnose_run(state)
    text = words(findings)
    assert findings[0].text.startswith("The loss has stayed at ln 10 = 2.303")
    # Every recorded loss after step 0 is within 1% of ln 10: the finding says for how long, as the intro does
    # (it said "since step 380", the start of the window it checks).
    trained = [p for p in state.record.points if p.step > 0]
    assert all(abs(p.train_loss - math.log(10)) < 0.01 * math.log(10) for p in trained)
    assert "stayed at ln 10 = 2.303, what uniform guesses score, through all 500 steps" in findings[0].text
    assert "Cause: the activations vanish with depth" in findings[0].text
    smallest = min(range(10), key=lambda i: state.record.points[-1].hidden[i].act.rms)
    quoted = re.search(r", ([0-9.e+-]+) at layer (\d+) \(the input's rms", findings[0].text)
    assert int(quoted.group(2)) == smallest + 1
    assert float(quoted.group(1)) == pytest.approx(state.record.points[-1].hidden[smallest].act.std, rel=0.05)
    assert "already this small at step 0: the init is too small" in text
    assert "same incoming weights" not in text and "learning rate" not in text


def test_adam_on_the_same_net_gets_a_note_only_when_the_record_shows_tiny_gradients_and_normal_steps():
    adam = train(replace(DEEP_TANH, init="gaussian", scale=0.01), 50)
    last = adam.record.points[-1]
    assert last.hidden[0].grad.std < 1e-3 * last.hidden[-1].grad.std and last.weights[0].update_ratio > 1e-4
    note = next(f for f in diagnose_run(adam) if "Adam divides every step" in f.text)
    assert note.level == "info" and "all but vanished at layer 1" in note.text
    sgd = train(DEEP_TANH_SGD, 50)
    assert "Adam" not in words(diagnose_run(sgd))


def test_the_default_net_is_learning_and_raises_no_alarm(healthy):
    findings = diagnose_run(healthy)
    start = healthy.record.points[0].train_loss
    assert findings[0].level == "ok"
    assert findings[0].text.startswith(f"Learning: the minibatch loss fell from {start:.3f} at step 0")
    assert all(f.level in ("ok", "info") for f in findings)
    text = words(findings)
    assert not [alarm for alarm in ALARMS if alarm in text], text


def test_sgd_at_lr_10_names_the_divergence_step_and_the_learning_rate():
    state = train(replace(HEALTHY, optimizer="sgd", lr=10.0))
    assert state.diverged_at == 4
    (finding,) = diagnose_run(state)
    assert finding.level == "error"
    assert finding.text.startswith("The run stopped at step 4: the loss, or the gradient's norm, became inf or NaN")
    assert f"the loss grew from {state.record.points[0].train_loss:.3f} (step 0)" in finding.text
    assert "Cause: the learning rate (SGD, lr 10) is too high" in finding.text
    assert "init" not in finding.text
    # The update size quoted is the run's largest median over layers, with its step, and says so.
    medians = [(float(np.median([w.update_ratio for w in p.weights])), p.step) for p in state.record.points]
    largest, at = max(m for m in medians if math.isfinite(m[0]))
    quoted = re.search(
        r"the updates reached ([0-9.e+-]+)× the weights' size \(the median over layers, at step (\d+);", finding.text
    )
    assert float(quoted.group(1)) == pytest.approx(largest, rel=0.01) and int(quoted.group(2)) == at


def test_a_huge_init_that_overflows_at_step_0_blames_the_init_not_the_learning_rate():
    cfg = replace(HEALTHY, init="gaussian", scale=1e10, optimizer="sgd", lr=10.0)
    state = train(cfg)
    assert state.diverged_at == 0
    (finding,) = diagnose_run(state)
    assert "before any update, so the learning rate played no part" in finding.text
    assert "at the class scores, past the largest float32 number" in finding.text
    assert "Cause: the init is far too large" in finding.text
    assert "too high" not in finding.text and "learning rate (" not in finding.text
    # Said ahead of time at step 0, in the future tense.
    (ahead,) = diagnose_run(init_state(cfg))
    assert ahead.text.startswith("The first step will fail") and "Cause: the init is far too large" in ahead.text


def test_a_large_init_that_diverges_after_some_steps_blames_the_init():
    state = train(replace(HEALTHY, init="gaussian", scale=1.0, optimizer="sgd", lr=0.1))
    assert state.diverged_at is not None and state.diverged_at > 0
    (finding,) = diagnose_run(state)
    assert "Already at step 0 the loss was" in finding.text and "Cause: the init is far too large" in finding.text
    assert "learning rate" not in finding.text


def test_overfitting_is_named_when_the_validation_numbers_show_it():
    state = train(OVERFIT)
    points = state.record.points
    low = min(p.val_loss for p in points)
    last = points[-1]
    # Seed 0's numbers first: 100% on the training minibatches, 50% on validation, validation loss 2.14 -> 2.34.
    assert last.train_acc == 1.0 and last.val_acc < 0.6 and last.val_loss - low > 0.15
    findings = diagnose_run(state)
    overfit = next(f for f in findings if f.text.startswith("Overfitting"))
    assert overfit.level == "warn" and "memorizing its 20 training examples" in overfit.text
    assert f"risen from {low:.3f}" in overfit.text
    assert not any(f.level == "ok" for f in findings)


def test_no_overfitting_where_the_validation_loss_has_not_risen():
    """Seed 4 of the same setting: 100% on training, 63% on validation, but the validation loss only rose 0.008."""
    state = train(replace(OVERFIT, seed=4))
    points = state.record.points
    assert points[-1].val_loss - min(p.val_loss for p in points) < 0.05
    assert "Overfitting" not in words(diagnose_run(state))


def test_a_tiny_learning_rate_is_named_from_tiny_updates_and_a_loss_that_does_not_move():
    state = train(replace(HEALTHY, optimizer="sgd", lr=1e-5))
    (finding,) = diagnose_run(state)
    assert finding.level == "warn" and finding.text.startswith("Updates are tiny")
    assert "the learning rate (SGD, lr 1e-05) is too small" in finding.text
    # Ten times larger it learns slowly but steadily: no claim.
    assert "too small" not in words(diagnose_run(train(replace(HEALTHY, optimizer="sgd", lr=1e-4))))


def first_run(cfg: TrainConfig, shows, seeds: range = range(30)):
    """The first seed's run of cfg that shows the phenomenon `shows` (a predicate on the state).

    Which seeds do depends on the CPU's float32 rounding (seed 0 on one machine, 11 on an AMD EPYC
    for the run below): the diagnosis is pinned on a run that shows it, wherever that is.
    """
    for seed in seeds:
        state = train(replace(cfg, seed=seed))
        if shows(state):
            return state
    raise AssertionError(f"no seed in {seeds} shows it")


def test_a_loss_falling_slowly_under_small_updates_names_the_low_learning_rate():
    # The lab's experiment "lr-too-low" (SGD at 1e-3): the loss falls, from 3.1 to 1.2 by step 500,
    # but is far from learned, and the page said nothing at all.
    slow = train(TrainConfig(optimizer="sgd", lr=1e-3, steps=500))
    findings = diagnose_run(slow)
    assert findings[0].level == "info" and findings[0].text.startswith("Learning slowly: the minibatch loss fell")
    ratio = float(re.search(r"by about ([0-9.e+-]+) of their size", findings[0].text).group(1))
    assert ratio < 1e-4 and "learning rate (SGD, lr 0.001) is probably too low" in findings[0].text
    # Ten times the rate learns within the same steps: no such finding.
    faster = diagnose_run(train(TrainConfig(optimizer="sgd", lr=1e-2, steps=500)))
    assert not any("slowly" in f.text for f in faster)


def test_relus_killed_by_a_high_learning_rate_are_the_named_cause_of_the_plateau():
    # 7 x 64 ReLU, Kaiming, SGD lr 1: most seeds diverge; some kill layer 7 instead.
    state = first_run(
        replace(LR_BASE, lr=1.0),
        lambda s: s.diverged_at is None and s.record.points[-1].hidden[6].frac_dead == 1.0,
    )
    (finding,) = diagnose_run(state)
    assert "learned nothing" in finding.text
    assert "Cause: every ReLU of layer 7 outputs 0 for all 64 examples of the last minibatch" in finding.text
    assert "active at step 0" in finding.text and "a learning rate this high" in finding.text


def median_ratio(state) -> float:
    return float(np.median([w.update_ratio for w in state.record.points[-1].weights]))


def test_large_updates_blame_the_learning_rate_only_when_the_loss_has_risen():
    def rose(state) -> bool:
        losses = [p.train_loss for p in state.record.points]
        return median_ratio(state) > 1e-2 and losses[-1] > 2 * min(losses)  # e.g. 0.015, and 0.106 -> 0.48

    state = first_run(replace(HEALTHY, lr=0.03), rose, range(10))
    high = diagnose_run(state)
    assert high[0].text.startswith("Updates are too large") and "(Adam, lr 0.03) is likely too high" in high[0].text

    # Deep tanh with Adam at 1e-3: ratios above 1e-2 too, but the loss keeps falling (and a smaller lr is slower).
    def falling(state) -> bool:
        losses = [p.train_loss for p in state.record.points]
        return median_ratio(state) > 1e-2 and losses[-1] == min(losses)  # e.g. 0.013 or 0.024

    steady = first_run(replace(DEEP_TANH, init="gaussian", scale=0.01), falling, range(10))
    large = next(f for f in diagnose_run(steady) if f.text.startswith("Updates are large"))
    assert large.level == "info" and "too high" not in words(diagnose_run(steady))


def test_step_0_judges_the_initial_loss_against_ln_c():
    small = diagnose_run(init_state(replace(HEALTHY, init="gaussian", scale=0.01)))
    assert small[-1].level == "ok" and "sanity check (small initial scores) passes" in small[-1].text
    large = diagnose_run(init_state(replace(HEALTHY, init="gaussian", scale=0.3)))
    assert large[-1].level == "warn" and "Far above" in large[-1].text
    assert "Cause: the init is too large" in large[-1].text
    kaiming = diagnose_run(init_state(HEALTHY))
    first = train(HEALTHY, 1).record.points[0].train_loss
    assert kaiming[-1].text.startswith(f"Loss at initialization: {first:.3f}") and kaiming[-1].level == "info"
    zeros = diagnose_run(init_state(replace(SYMMETRY, init="zeros")))
    assert zeros[0].text.startswith("All 128 units of layer 1 start with the same incoming weights")


def test_the_initial_loss_leaves_out_the_l2_term():
    """L2 0.5 adds about 200 to the default net's first loss; the sanity check is about the data loss."""
    plain = diagnose_run(init_state(HEALTHY))[-1].text
    with_l2 = diagnose_run(init_state(replace(HEALTHY, l2=0.5)))[-1].text
    assert train(replace(HEALTHY, l2=0.5), 1).record.points[0].train_loss > 100
    number = re.compile(r"Loss at initialization: ([0-9.]+)")
    assert float(number.search(with_l2).group(1)) == pytest.approx(float(number.search(plain).group(1)), abs=2e-3)
    assert "Far above" not in with_l2


def test_findings_quote_finite_numbers(healthy):
    for state in (healthy, train(replace(SYMMETRY, init="zeros"))):
        for f in diagnose_run(state):
            assert "nan" not in f.text and "inf " not in f.text


def test_tiny_updates_from_vanished_activations_are_not_blamed_on_the_learning_rate():
    """90 steps of the deep tanh net: too early for the plateau, and the updates are tiny because the
    activations vanished, not because lr 0.1 is small."""
    state = train(replace(DEEP_TANH_SGD, steps=90, record_every=10))
    assert state.record.points[-1].weights[0].update_ratio < 1e-5
    assert "learning rate" not in words(diagnose_run(state))


def test_a_divergence_without_growing_loss_or_large_updates_names_no_cause(healthy):
    """The same record, stopped by a non-finite value that nothing in it foretold: no cause is named."""
    stopped = replace(healthy, diverged_at=healthy.step)
    (finding,) = diagnose_run(stopped)
    assert finding.text.startswith(f"The run stopped at step {healthy.step}")
    assert "Cause" not in finding.text and "learning rate" not in finding.text


@pytest.mark.parametrize(
    "accuracy,words",
    [
        (0.997, "99.7%"),
        (0.99996, ">99.9%"),
        (1.0, "100%"),
        (0.5, "50%"),
        (0.004, "0.4%"),
        (0.00001, "<0.1%"),
        (0.0, "0%"),
    ],
)
def test_a_percentage_is_never_rounded_to_all_or_none(accuracy, words):
    # A trial read "validation accuracy 100%" beside a table's 99.7%; fractions of saturated or
    # dead units are worded alike.
    assert percent(accuracy) == words
