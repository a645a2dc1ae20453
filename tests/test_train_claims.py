"""The lecture's claims as the training lab will show them, pinned as outcomes.

Each setting here is one that scripts/training_claims.py measured over several seeds, and
each outcome held for every seed there; one seed is enough to pin it.
"""

import math
from dataclasses import replace

from engine.train.sweeps import LR_BASE, SCALE_BASE, run_outcome, weight_scale_sweep
from engine.train.trainer import TrainConfig, evaluate, train

LN10 = math.log(10)
SYMMETRY = TrainConfig(hidden=(128,), activation="tanh", optimizer="sgd", lr=0.1, steps=500, record_every=50)
DEEP_TANH = TrainConfig(hidden=(128,) * 10, activation="tanh", steps=500, record_every=50)


def final_loss(state) -> float:
    return math.inf if state.diverged_at is not None else evaluate(state, "train")[0]


def hidden_spread(state) -> float:
    return max(w.unit_spread for w in state.record.points[-1].weights[:-1])


def test_zero_init_plateaus_at_ln10_and_constant_init_keeps_units_identical():
    zeros = train(replace(SYMMETRY, init="zeros"))
    assert abs(final_loss(zeros) - LN10) < 0.01 * LN10
    assert hidden_spread(zeros) == 0.0
    constant = train(replace(SYMMETRY, init="constant", scale=0.01))
    assert hidden_spread(constant) < 1e-6 and final_loss(constant) > 1.0  # one unit's worth of features
    tiny = train(replace(SYMMETRY, init="gaussian", scale=0.01))
    assert hidden_spread(tiny) > 0.5 and final_loss(tiny) < 0.2


def test_deep_tanh_at_0_01_randn_stays_at_ln10_with_sgd_but_xavier_learns():
    """10 x 128 tanh, 500 steps: the lecture's vanishing activations, and the init that fixes them."""
    small = replace(DEEP_TANH, init="gaussian", scale=0.01)
    assert abs(final_loss(train(replace(small, optimizer="sgd", lr=0.1))) - LN10) < 0.01 * LN10
    assert final_loss(train(replace(DEEP_TANH, init="xavier", optimizer="sgd", lr=0.1))) < 0.1


def test_batch_norm_trains_at_9_of_12_weight_scales_and_no_batch_norm_at_most_5():
    """Experiment 3: 8 tanh layers of 64, W = scale * randn for 12 scales 1e-4..1, momentum, 400 steps."""
    runs = weight_scale_sweep(SCALE_BASE)
    with_bn = sum(r.trained(LN10) for r in runs if r.bn == "before")
    without = sum(r.trained(LN10) for r in runs if r.bn == "none")
    assert with_bn >= 9 and without <= 5


def test_batch_norm_trains_at_a_learning_rate_ten_times_what_plain_sgd_survives():
    """Experiment 4 at two of its rates: 7 ReLU layers of 64, Kaiming, SGD, 300 steps."""
    assert run_outcome(replace(LR_BASE, lr=10**-0.5), 10**-0.5).trained(LN10)
    assert not run_outcome(replace(LR_BASE, lr=10**0.5), 10**0.5).trained(LN10)
    assert run_outcome(replace(LR_BASE, lr=10**0.5, bn="before"), 10**0.5).trained(LN10)


def test_loss_at_a_small_init_is_ln_c_and_20_examples_are_fitted_exactly():
    first = train(TrainConfig(init="gaussian", scale=0.01, steps=1, record_every=1)).record.points[0]
    assert abs(first.train_loss - LN10) < 0.01 * LN10
    few = train(TrainConfig(train_examples=20, batch=20, optimizer="sgd", lr=0.1, steps=300, record_every=10))
    assert evaluate(few, "train")[1] == 1.0


def test_deep_relu_with_the_lectures_xavier_is_slow_at_20_layers_and_stalls_at_30_where_kaiming_learns():
    """He et al. (2015): width 64, SGD with momentum lr 0.01, 600 steps (seeds 0-2 agree, docs/training.md)."""
    relu = TrainConfig(optimizer="momentum", lr=0.01, steps=600, record_every=100)
    at_20 = replace(relu, hidden=(64,) * 20)
    xavier, kaiming = (final_loss(train(replace(at_20, init=init))) for init in ("xavier", "kaiming_normal"))
    assert xavier >= 5 * kaiming and kaiming < 0.1
    stalled = final_loss(train(replace(relu, hidden=(64,) * 30, init="xavier")))
    assert abs(stalled - LN10) < 0.01 * LN10
