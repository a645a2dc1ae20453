"""The transfer lab's engine: reuse a pretrained conv net's features on a small target task.

from engine.transfer import SourceConfig, train_source, compare, CompareConfig
source = train_source(SourceConfig())          # digits 0-4 drawn 20 times each; about 10 s
result = compare(source, CompareConfig())      # strategies x k x seeds on both targets
result.mean("similar", "last"), result.gain("similar", "last")
"""

from engine.transfer.compare import (
    DEFAULT_VIEW,
    KS,
    SEEDS,
    TUNED_LR,
    TUNED_PROBE_L2,
    CompareConfig,
    Comparison,
    compare,
    config_problems,
    probe_name,
    seed_spread,
    single_run,
)
from engine.transfer.convnet import ConvArch, first_layer_filters, init_params
from engine.transfer.data import ALL, TARGET_KINDS, ImageSetup, Task, drawn_task, source_task, target_task
from engine.transfer.layerwise import VARIANTS, Layerwise, LayerwiseConfig, layerwise
from engine.transfer.source import SourceConfig, SourceNet, initial_theta, train_source
from engine.transfer.strategies import STRATEGIES, Strategy, StrategyRun

__all__ = [
    "ALL",
    "DEFAULT_VIEW",
    "KS",
    "SEEDS",
    "STRATEGIES",
    "TARGET_KINDS",
    "TUNED_LR",
    "TUNED_PROBE_L2",
    "VARIANTS",
    "CompareConfig",
    "Comparison",
    "ConvArch",
    "ImageSetup",
    "Layerwise",
    "LayerwiseConfig",
    "SourceConfig",
    "SourceNet",
    "Strategy",
    "StrategyRun",
    "Task",
    "compare",
    "config_problems",
    "drawn_task",
    "first_layer_filters",
    "init_params",
    "initial_theta",
    "layerwise",
    "probe_name",
    "seed_spread",
    "single_run",
    "source_task",
    "target_task",
    "train_source",
]
