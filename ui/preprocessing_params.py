"""The preprocessing lab's URL parameters."""

from __future__ import annotations

from engine.config import MAX_SEED
from ui.urlparams import Param

PARAMS: tuple[Param, ...] = (
    Param(
        "data",
        str,
        "cloud",
        "the data: a 2-D `cloud`, the 8x8 `digits`, or an uploaded file, `csv` (a CSV or a NumPy .npy array)",
        ("cloud", "digits", "csv"),
    ),
    Param("n", int, 300, "points in the cloud", lo=20, hi=5000),
    Param("off_x", float, 30.0, "cloud mean, first axis", lo=-1000.0, hi=1000.0),
    Param("off_y", float, 5.0, "cloud mean, second axis", lo=-1000.0, hi=1000.0),
    Param("sx", float, 10.0, "cloud std, first axis", lo=0.0, hi=1000.0),
    Param("sy", float, 1.0, "cloud std, second axis", lo=0.0, hi=1000.0),
    Param("corr", float, 0.5, "correlation of the cloud's axes", lo=-0.99, hi=0.99),
    # The defaults are informative pixels of the digits: an upload without fx / fy shows its first two features.
    Param("fx", int, 20, "feature (pixel or column) shown on the first axis, for digits and CSV", lo=0, hi=99),
    Param("fy", int, 43, "feature shown on the second axis", lo=0, hi=99),
    Param("lr", float, 0.5, "learning rate of the gradient-descent comparison", lo=1e-4, hi=10.0),
    Param("steps", int, 300, "gradient-descent steps", lo=10, hi=2000),
    Param("test_frac", float, 0.3, "fraction of the data held out as the test split", lo=0.05, hi=0.9),
    Param("seed", int, 0, "random seed of the cloud, the split and the first layer", lo=0, hi=MAX_SEED),
)
PARAM_BY_KEY = {p.key: p for p in PARAMS}
