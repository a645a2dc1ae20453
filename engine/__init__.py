"""InitLab's engine: pure NumPy simulation of deep nets at initialization.

from engine import SimConfig, simulate
result = simulate(SimConfig(activation="tanh", init="gaussian", scale=0.01))
"""

from engine.activations import ACTIVATIONS
from engine.config import SimConfig, config_problems, estimate_cost
from engine.init import INITIALIZERS, calculate_gain, fan_in_fan_out, init_weights
from engine.propagate import LayerResult, RawRun, SimResult, forward_activations, raw_run, simulate

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "LayerResult",
    "RawRun",
    "SimConfig",
    "SimResult",
    "calculate_gain",
    "config_problems",
    "estimate_cost",
    "fan_in_fan_out",
    "forward_activations",
    "init_weights",
    "raw_run",
    "simulate",
]
