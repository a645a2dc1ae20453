"""The preprocessing lab: data, experiments and page."""

import subprocess
import sys

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.data import cloud, digits, labelled_cloud, parse_csv, photo_patches
from engine.prep_lab import conditioning, constant_note, first_layer, leakage, stages
from engine.transforms import channel_means, mean_image
from tests import app_support
from tests.app_support import ROOT
from viz.preprocessing import photo_means_figure

PAGE = app_support.page_path("preprocessing")


def run_page(**query) -> AppTest:
    return app_support.run_page(PAGE, **query)


def test_cloud_has_the_requested_moments():
    x = cloud(20000, (3.0, -2.0), (2.0, 0.5), 0.6, seed=0)
    np.testing.assert_allclose(x.mean(axis=0), [3.0, -2.0], atol=0.05)
    np.testing.assert_allclose(x.std(axis=0), [2.0, 0.5], rtol=0.02)
    assert np.corrcoef(x.T)[0, 1] == pytest.approx(0.6, abs=0.02)


def test_stages_center_normalize_decorrelate_and_whiten():
    x, _ = labelled_cloud(500, (30.0, 5.0), (10.0, 1.0), 0.5, seed=0)
    panels = {p.name: p for p in stages(x)}
    assert np.all(np.abs(panels["zero-centered"].mean) < 1e-9)
    np.testing.assert_allclose(panels["normalized"].std, 1, rtol=1e-4)
    assert abs(panels["decorrelated"].cov) < 1e-9 and abs(panels["normalized"].cov) > 0.3
    np.testing.assert_allclose(panels["whitened"].std, 1, rtol=1e-3)


@pytest.mark.parametrize("source", ["cloud", "digits"])
def test_normalized_data_reaches_the_loss_threshold_in_fewer_steps(source):
    if source == "cloud":
        x, y = labelled_cloud(300, (30.0, 5.0), (10.0, 1.0), 0.5, seed=0)
    else:
        x, labels = digits()
        y = (labels >= 5).astype(float)
    result = conditioning(x, y, lr=0.5, steps=300)
    assert result.steps_normalized is not None
    assert result.steps_raw is None or result.steps_raw > result.steps_normalized


def test_for_pixels_zero_centering_alone_is_enough_at_a_rate_suited_to_their_scale():
    x, labels = digits()
    # Pixels share one scale (std about 4 after centering): lr 0.05 suits it.
    result = conditioning(x, (labels >= 5).astype(float), lr=0.05, steps=300)
    assert result.steps_centered is not None and result.steps_centered < 100
    assert result.steps_raw is None


def test_raw_loss_is_sharper_around_the_best_weights():
    x, y = labelled_cloud(300, (30.0, 5.0), (10.0, 1.0), 0.5, seed=0)
    result = conditioning(x, y, lr=0.5, steps=10)
    assert result.surface_raw.max() > 2 * result.surface_normalized.max()


def test_all_positive_inputs_saturate_the_first_layer_and_standardizing_fixes_it():
    x, _ = digits()
    result = first_layer(x, 256, seed=0)
    assert result.saturated_raw > 0.5 and result.saturated_preprocessed < 0.05


def test_leaking_the_test_set_changes_the_test_values():
    x, _ = digits()
    leak = leakage(x[:1200], x[1200:])
    assert leak.max_change > 0.1
    assert abs(leak.leaked_mean) < abs(leak.honest_mean) + 1e-12 or leak.leaked_std != leak.honest_std


def test_photo_patches_are_rgb_in_range():
    patches = photo_patches(20, 8, seed=0)
    assert patches.shape == (20, 8, 8, 3) and patches.min() >= 0 and patches.max() <= 255


def test_photo_means_figure_shows_a_patch_the_means_and_both_subtractions():
    patches = photo_patches(20, 8, seed=0)
    means = channel_means(patches)
    figure = photo_means_figure(mean_image(patches), means, patches[0], "token")
    shown = [np.asarray(trace.z) for trace in figure.data]
    np.testing.assert_array_equal(shown[0], patches[0])
    assert [img.shape for img in shown] == [(8, 8, 3)] * 4 and all(img.dtype == np.uint8 for img in shown)
    # Subtractions are stretched to the full 0..255 range, so they show.
    assert all(img.min() == 0 and img.max() == 255 for img in shown[2:])
    titles = [a.text for a in figure.layout.annotations]
    assert titles[:3] == ["a patch", "per-pixel mean image", "patch − mean image"]
    assert f"R {means[0]:.1f}" in titles[3]


@pytest.mark.parametrize(
    "data,message",
    [
        (b"a,b\n1,2\n3,x\n4,5\n", "Non-numeric values in column(s) b"),
        (b"1,2\n3,4\n", "at least 3 are needed"),
        (b"1,2\n3\n4,5\n", "different numbers of columns"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"", "empty"),
    ],
)
def test_malformed_csv_gets_a_reason(data, message):
    table = parse_csv(data)
    assert table.values is None and message in " ".join(table.errors)


def test_csv_missing_values_and_constant_columns_are_noted():
    table = parse_csv(b"x,y,z\n1,2,5\n2,,5\n3,4,5\n5,6,5\n7,8,5\n")
    assert table.values.shape == (4, 3) and table.columns == ("x", "y", "z")
    notes = " ".join(table.notes)
    assert "1 row(s) with missing" in notes and "z are constant" in notes


def test_page_renders_every_section_and_chart():
    at = run_page()
    assert not at.exception
    assert at.title[0].value == "Data preprocessing"
    assert len(at.header) == 4
    assert len(app_support.chart_specs(at)) == 5


def test_url_parameters_drive_the_page():
    at = run_page(data="digits", fx="10", fy="30")
    assert not at.exception
    assert "feature 10" in app_support.chart_specs(at)[0]
    at = run_page(off_x="200", sx="1")
    assert "mean (200" in app_support.chart_specs(at)[0]


def test_a_malformed_csv_upload_gives_an_error_not_an_exception():
    at = run_page(data="csv")
    at.file_uploader[0].set_value(("bad.csv", b"a,b\n1,hello\n2,3\n4,5\n", "text/csv"))
    at.run()
    assert not at.exception
    assert any("Non-numeric" in e.value for e in at.error)
    assert len(app_support.chart_specs(at)) == 5  # the page falls back to the digits


def test_a_good_csv_upload_is_used():
    at = run_page(data="csv")
    rows = "\n".join(f"{i},{(i * 7) % 11},{i % 3}" for i in range(50))
    at.file_uploader[0].set_value(("mine.csv", f"u,v,w\n{rows}\n".encode(), "text/csv"))
    at.run()
    assert not at.exception and not at.error
    assert "mine.csv: 50 rows" in app_support.chart_specs(at)[0]


@pytest.mark.parametrize("query,key", [({"data": "mnist"}, "data"), ({"corr": "2"}, "corr"), ({"lr": "nan"}, "lr")])
def test_bad_url_values_get_a_notice(query, key):
    at = run_page(**query)
    assert not at.exception
    assert any(f"`{key}=" in w.value for w in at.warning)


def test_the_digits_are_scikit_learns_read_without_importing_it():
    from sklearn.datasets import load_digits

    x, labels = digits()
    bunch = load_digits()
    assert np.array_equal(x, bunch.data) and np.array_equal(labels, bunch.target)
    # A fresh interpreter: the engine's digits must not pull in scikit-learn (half a second of a cold page).
    probe = "import sys; from engine.data import digits; digits(); print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_constant_note_names_each_constant_shown_feature_once_in_the_right_number():
    x = np.column_stack([np.zeros(5), np.arange(5.0), np.full(5, 3.0)])
    assert constant_note(x, 1, 1) is None  # a feature that varies
    one = constant_note(x, 0, 1)
    assert one.startswith("Feature 0 is constant") and "keeps it at 0" in one
    assert constant_note(x, 0, 0).startswith("Feature 0 is constant")  # one feature on both axes: named once
    both = constant_note(x, 0, 2)
    assert both.startswith("Features 0 and 2 are constant") and "keeps them at 0" in both and "they cannot" in both
