"""Extreme but valid settings: every page renders a diagnosis, never a traceback, and the
work budget keeps what the UI allows within its time and memory limits."""

from __future__ import annotations

import io
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest

from engine import estimate_cost, simulate
from engine.config import BUDGET_BYTES, BUDGET_CORNERS, MAX_WIDTH, largest_width_within_budget
from engine.data import parse_npy
from tests.app_support import chart_figures, chart_specs, page_path, run_page

ACTIVATIONS = page_path("activations")
PREPROCESSING = page_path("preprocessing")


def boxes(at) -> str:
    """Every notice on the page, in one string."""
    return " ".join(b.value for b in (*at.error, *at.warning, *at.info, *at.success))


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"act": "relu", "init": "kaiming_normal", "gain": "10", "depth": "200"}, "explode"),
        ({"init": "zeros"}, "symmetry is never broken"),
        ({"width": "1"}, "collapse"),
        ({"batch": "1"}, "collapse"),
        ({"batch": "1", "bn": "before"}, "batch of one"),
        ({"in_mean": "3", "in_std": "0"}, "all 16 examples are identical"),
        ({"in_std": "0"}, "input is all zeros"),
        ({"act": "relu", "init": "gaussian", "std": "100", "depth": "200", "width": "64"}, "Overflow at layer"),
    ],
)
def test_extreme_activation_settings_render_with_a_diagnosis(query, expected):
    at = run_page(ACTIVATIONS, **query)
    assert not at.exception
    assert expected in boxes(at)
    assert len(chart_figures(at)) == 1 and at.dataframe


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def _upload(name: str, data: bytes):
    at = run_page(PREPROCESSING, data="csv")
    at.file_uploader[0].set_value((name, data, "application/octet-stream"))
    return at.run()


def test_nan_in_an_uploaded_csv_leaves_those_rows_out_with_a_notice():
    rows = "\n".join(f"{i},{'nan' if i % 5 == 0 else i * 2},{i % 3}" for i in range(40))
    at = _upload("holes.csv", f"a,b,c\n{rows}\n".encode())
    assert not at.exception and not at.error
    assert "8 row(s) with missing or non-finite values were left out" in boxes(at)
    assert "holes.csv: 32 rows" in chart_specs(at)[0]


def test_an_uploaded_npy_array_is_used_and_its_nan_rows_left_out():
    values = np.arange(120, dtype=float).reshape(40, 3) % 7
    values[3, 1] = np.nan
    values[9, 0] = np.inf
    at = _upload("mine.npy", _npy(values))
    assert not at.exception and not at.error
    assert "2 row(s) with missing or non-finite values were left out" in boxes(at)
    assert "mine.npy: 38 rows" in chart_specs(at)[0]


@pytest.mark.parametrize(
    "data,message",
    [
        (_npy(np.array([{"a": 1}, None], dtype=object)), "Python objects, which are never loaded"),
        (b"this is not numpy", "not a .npy file"),
        (_npy(np.array(["a", "b", "c"])), "array of numbers"),
        (_npy(np.zeros((3, 4, 5))), "1-D or 2-D"),
        (_npy(np.zeros((2, 200))), "at most 50,000 rows and 100 columns"),
        (_npy(np.zeros((0,))), "empty"),
        (_npy(np.zeros((5, 0))), "empty"),
        (_npy(np.float64(3.0)), "1-D or 2-D"),
    ],
)
def test_unusable_npy_files_are_refused_with_a_reason(data, message):
    table = parse_npy(data)
    assert table.values is None and message in table.errors[0]


def test_a_pickled_npy_upload_gets_an_error_and_the_page_keeps_working():
    at = _upload("evil.npy", _npy(np.array([print], dtype=object)))
    assert not at.exception
    assert any("never loaded" in e.value for e in at.error)
    assert chart_specs(at)  # the other sections fall back to the digits


@pytest.mark.parametrize("name", list(BUDGET_CORNERS))
def test_the_budget_boundary_is_refused_just_outside_and_fits_memory_just_inside(name):
    cfg = BUDGET_CORNERS[name]
    width = largest_width_within_budget(cfg, MAX_WIDTH)
    assert width is not None and width < MAX_WIDTH, "this corner must reach the budget below the page's width limit"
    inside = replace(cfg, sizes=(width,) * len(cfg.sizes))
    outside = replace(cfg, sizes=(width + 1,) * len(cfg.sizes))
    assert not estimate_cost(outside).within_budget

    # The page refuses the first width beyond the budget, with advice naming what fits.
    query = {
        "init": cfg.init,
        "depth": str(cfg.depth),
        "width": str(width + 1),
        "batch": str(cfg.batch),
        "bn": cfg.bn,
        "bn_mode": cfg.bn_mode,
        "bn_warmup": str(cfg.bn_warmup),
    }
    at = run_page(ACTIVATIONS, **query)
    assert not at.exception and not chart_figures(at)
    assert f"width up to {width}" in " ".join(e.value for e in at.error)

    # The last width inside runs and stays under the memory limit (NumPy reports to tracemalloc).
    tracemalloc.start()
    try:
        result = simulate(inside)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.overflow_layer is None and len(result.layers) == cfg.depth
    assert peak < BUDGET_BYTES
