"""The transfer lab's URL parameters."""

from __future__ import annotations

from engine.config import MAX_SEED
from engine.transfer import ALL, KS, STRATEGIES, TARGET_KINDS
from ui.urlparams import Param

K_CHOICES = tuple("all" if k == ALL else str(k) for k in KS)

PARAMS: tuple[Param, ...] = (
    Param("target", str, "similar", "target of the accuracy chart and the learning curve", TARGET_KINDS),
    Param(
        "full", bool, False, "all five strategies at every k on both targets (about a minute per target the first time)"
    ),
    Param("seeds", int, 5, "seeds per strategy and k (the spread is over them)", lo=2, hi=10),
    Param("probes", bool, False, "linear probes on the source net's features at each depth, both targets"),
    Param("layerwise", bool, False, "the layer-by-layer experiment (AnB, BnB; about a minute the first time)"),
    Param("strategy", str, "last", "strategy of the learning curve", tuple(STRATEGIES)),
    Param("k", str, "5", "examples per class of the learning curve and the probe chart", K_CHOICES),
    Param("seed", int, 0, "seed of the learning curve", lo=0, hi=MAX_SEED),
)
PARAM_BY_KEY = {p.key: p for p in PARAMS}


def k_value(choice: str) -> int:
    """'5' -> 5, 'all' -> ALL."""
    return ALL if choice == "all" else int(choice)
