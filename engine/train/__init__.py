"""The training lab's engine: a small, exact trainer for fully connected nets.

from engine.train import TrainConfig, init_state, advance
state = advance(init_state(TrainConfig()), 200)
state.record.series("val_acc")
"""

from engine.train.data import DATASETS, Dataset, load
from engine.train.net import Architecture, Net, build_net, loss_and_grad, predict
from engine.train.optim import OPTIMIZERS
from engine.train.record import Record, RecordPoint
from engine.train.sweeps import SweepRun, learning_rate_sweep, weight_scale_sweep
from engine.train.trainer import (
    TrainConfig,
    TrainCost,
    TrainState,
    advance,
    config_problems,
    estimate_cost,
    evaluate,
    init_state,
    steps_within,
    train,
)

__all__ = [
    "DATASETS",
    "OPTIMIZERS",
    "Architecture",
    "Dataset",
    "Net",
    "Record",
    "RecordPoint",
    "SweepRun",
    "TrainConfig",
    "TrainCost",
    "TrainState",
    "advance",
    "build_net",
    "config_problems",
    "estimate_cost",
    "evaluate",
    "init_state",
    "learning_rate_sweep",
    "load",
    "loss_and_grad",
    "predict",
    "steps_within",
    "train",
    "weight_scale_sweep",
]
