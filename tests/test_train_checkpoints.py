"""The run store behind the training lab: a run at a step is the same however it was reached."""

from dataclasses import replace

import numpy as np

from engine.train.checkpoints import RunStore
from engine.train.trainer import TrainConfig, train

SMALL = TrainConfig(hidden=(32, 32), steps=120, record_every=10)


def test_a_run_reached_in_chunks_and_from_checkpoints_equals_one_straight_run():
    store = RunStore()
    seen = []
    store.state_at(SMALL, 40, chunk=15, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(15, 40), (30, 40), (40, 40)]
    assert store.resume_step(SMALL, 100) == 40
    resumed = store.state_at(SMALL, 100).state
    straight = train(SMALL, 100)
    assert resumed.step == 100
    np.testing.assert_array_equal(resumed.params, straight.params)
    assert [p.step for p in resumed.record.points] == [p.step for p in straight.record.points]
    assert resumed.record.points[-1].val_loss == straight.record.points[-1].val_loss


def test_an_earlier_step_is_trained_from_an_earlier_checkpoint_not_rewound():
    store = RunStore()
    store.state_at(SMALL, 100)
    assert store.resume_step(SMALL, 50) == 0  # step 0 is kept; 100 is beyond 50
    np.testing.assert_array_equal(store.state_at(SMALL, 50).state.params, train(SMALL, 50).params)


def test_a_diverged_run_stops_at_its_divergence_and_earlier_steps_stay_reachable():
    exploding = replace(SMALL, optimizer="sgd", lr=10.0)
    store = RunStore()
    late = store.state_at(exploding, 120).state
    assert late.diverged_at is not None and late.step == late.diverged_at < 120
    early = store.state_at(exploding, late.step - 1).state
    assert early.diverged_at is None and early.step == late.step - 1


def test_the_store_forgets_the_least_recently_used_run_beyond_its_byte_bound():
    one = RunStore().state_at(SMALL, 10)
    store = RunStore(max_bytes=3 * one.nbytes)  # room for one run's step 0 and step 10, not two runs
    store.state_at(SMALL, 10)
    other = replace(SMALL, seed=1)
    store.state_at(other, 10)
    assert store.resume_step(other, 10) == 10
    assert store.resume_step(SMALL, 10) == 0  # forgotten: it would train again from scratch
    assert store.nbytes <= 3 * one.nbytes
