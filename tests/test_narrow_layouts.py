"""The narrow shapes of the crowded figures: panels in rows that stay apart and inside the figure."""

import functools
import math

import numpy as np
import pytest

from engine.bn_lab import batch_steps, running_statistics
from engine.data import labelled_cloud, photo_patches
from engine.prep_lab import conditioning, stages
from engine.train import TrainConfig, train
from engine.train.sweeps import SweepRun
from engine.transforms import channel_means, mean_image
from viz.batchnorm import running_figure, steps_heatmaps
from viz.common import NARROW_BELOW_PX, rows
from viz.preprocessing import conditioning_figure, image_grid, photo_means_figure, stages_figure
from viz.training import RunCurves, curves_figure, layer_time_figure, sweep_figure


@functools.cache
def figures() -> dict:
    x, y = labelled_cloud(200, (30.0, 5.0), (10.0, 1.0), 0.5, seed=0)
    patches = photo_patches(20, 8, seed=0)
    run = train(TrainConfig(hidden=(16, 16), steps=20, record_every=10))
    sweep = [SweepRun(s, bn, 0.1, 0.9, None) for bn in ("none", "before") for s in (1e-3, 1e-2, 1e-1)]
    return {
        "stages": stages_figure(stages(x), ("feature 0", "feature 1"), "token"),
        "conditioning": conditioning_figure(conditioning(x, y, 0.5, 20), "token"),
        "photos": photo_means_figure(mean_image(patches), channel_means(patches), patches[0], "token"),
        "steps": steps_heatmaps(batch_steps(8, 12, 0, 5.0, 2.0, 1.0, 0.0, 1e-5), "token"),
        "running": running_figure(running_statistics(20, 8, 0, 3.0, 2.0), "token"),
        "curves": curves_figure([RunCurves("this run", run.record, None)], 100, math.log(10), "token"),
        "layer_time": layer_time_figure(run.record, "token"),
        "sweep": sweep_figure(sweep, "scale", math.log(10), "token"),
    }


def narrow_layout(figure) -> dict:
    """The figure's layout as the browser draws it below NARROW_BELOW_PX (ui/live_chart.js)."""
    layout = figure.to_dict()["layout"]
    narrow = layout.pop("meta")["narrow"]
    assert narrow["below"] == NARROW_BELOW_PX
    return {**layout, **narrow["layout"]}


def panels(layout: dict) -> list[tuple[list[float], list[float]]]:
    """(x domain, y domain) of each panel, from its x axis and the y axis it is anchored to."""
    out = []
    for key, axis in layout.items():
        if key.startswith("xaxis") and "domain" in axis:
            y_axis = layout["yaxis" + axis["anchor"][1:]]
            out.append((axis["domain"], y_axis.get("domain", [0.0, 1.0])))
    return out


@pytest.mark.parametrize(
    "name", ["stages", "conditioning", "photos", "steps", "running", "curves", "layer_time", "sweep"]
)
def test_narrow_panels_stay_inside_the_figure_and_apart(name):
    boxes = panels(narrow_layout(figures()[name]))
    assert len(boxes) >= 2
    for (x0, x1), (y0, y1) in boxes:
        assert 0.0 <= x0 < x1 <= 1.0 and 0.0 <= y0 < y1 <= 1.0
    for i, (xa, ya) in enumerate(boxes):
        for xb, yb in boxes[i + 1 :]:
            apart_x = xa[1] <= xb[0] or xb[1] <= xa[0]
            apart_y = ya[1] <= yb[0] or yb[1] <= ya[0]
            assert apart_x or apart_y


@pytest.mark.parametrize(
    "name,row_count",
    [("stages", 2), ("conditioning", 2), ("photos", 2), ("curves", 2), ("layer_time", 2), ("sweep", 2)],
)
def test_crowded_rows_of_panels_wrap_when_narrow(name, row_count):
    figure = figures()[name]
    wide_rows = {tuple(y) for _, y in panels(figure.to_dict()["layout"])}
    narrow_rows = {tuple(y) for _, y in panels(narrow_layout(figure))}
    assert len(wide_rows) == 1 and len(narrow_rows) == row_count


def test_rows_stack_from_the_top_with_their_relative_heights():
    top, bottom = rows([2.0, 1.0], [1.0])
    assert top[1] == 1.0 and bottom[0] == 0.0
    np.testing.assert_allclose([top[1] - top[0], top[0] - bottom[1], bottom[1] - bottom[0]], [0.5, 0.25, 0.25])


def test_digit_grid_labels_sit_beside_their_row_of_images_at_any_width():
    images = np.arange(3 * 4 * 4, dtype=float).reshape(3, 4, 4)
    grid = image_grid([("first", images[:1]), ("second", images), ("third", images[:2])], "token", "title")
    z = np.asarray(grid.data[0].z, dtype=float)
    image_rows = np.flatnonzero(~np.isnan(z).all(axis=1))
    bands = np.split(image_rows, np.flatnonzero(np.diff(image_rows) > 1) + 1)
    labels = grid.layout.annotations
    assert [a.text for a in labels] == ["first", "second", "third"]
    # In data coordinates (not fractions of the plot), so they follow wherever the equal-aspect axes put the images.
    assert {(a.xref, a.yref) for a in labels} == {("x", "y")}
    assert [a.y for a in labels] == [band.mean() for band in bands]
    assert all(a.x >= z.shape[1] - 1 and a.xanchor == "left" for a in labels)
