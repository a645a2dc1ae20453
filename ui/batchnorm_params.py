"""The batch-norm lab's URL parameters."""

from __future__ import annotations

from engine.config import MAX_SEED
from ui.urlparams import Param

PARAMS: tuple[Param, ...] = (
    Param("rows", int, 8, "examples in the step-by-step batch (N)", lo=1, hi=64),
    Param("features", int, 4, "features of the step-by-step batch (D)", lo=1, hi=12),
    Param("x_mean", float, 5.0, "mean around which the features' offsets spread", lo=-1000.0, hi=1000.0),
    Param("x_std", float, 2.0, "typical std of a feature (each gets 0.5x to 1.5x of it)", lo=0.0, hi=1000.0),
    Param("gamma", float, 1.0, "scale γ", lo=-100.0, hi=100.0),
    Param("beta", float, 0.0, "shift β", lo=-100.0, hi=100.0),
    Param("eps", float, 1e-5, "ε added to the variance", lo=0.0, hi=10.0),
    Param("seed", int, 0, "random seed of every experiment on the page", lo=0, hi=MAX_SEED),
    Param("act", str, "tanh", "activation of the robustness sweep", ("tanh", "relu")),
    Param("depth", int, 10, "layers of the robustness sweep (width 256, batch 64)", lo=1, hi=50),
    Param("warmup", int, 100, "warm-up steps for the running statistics", lo=1, hi=1000),
    Param("wbatch", int, 16, "batch size during warm-up", lo=2, hi=256),
)
PARAM_BY_KEY = {p.key: p for p in PARAMS}
