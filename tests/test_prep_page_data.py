"""The preprocessing lab's data: uploads it refuses, which features it shows, and what it claims about descent."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.data import MAX_CSV_BYTES, MAX_NPY_BYTES
from engine.linear import steps_to_stay_below
from engine.prep_lab import conditioning, pick_features
from tests import app_support

PAGE = app_support.page_path("preprocessing")


def upload(name: str, content: bytes, **query) -> AppTest:
    at = app_support.run_page(PAGE, data="csv", **query)
    at.file_uploader[0].set_value((name, content, "text/csv"))
    return at.run()


def table(rows: int, columns: int) -> bytes:
    values = np.random.default_rng(0).normal(size=(rows, columns))
    return "\n".join(",".join(f"{v:.4f}" for v in row) for row in values).encode()


def stages_title(at: AppTest) -> str:
    return app_support.chart_figures(at)[0]["layout"]["title"]["text"]


def test_the_browser_refuses_files_over_the_pages_largest_limit_with_the_pages_number():
    at = app_support.run_page(PAGE, data="csv")
    assert at.file_uploader[0].proto.max_upload_size_mb == MAX_NPY_BYTES >> 20  # the label's "at most 8 MB"


def test_a_file_the_page_refuses_is_named_and_let_go_of():
    too_big = b"a,b,c\n" + b"1,2,3\n" * (MAX_CSV_BYTES // 6 + 1)
    at = upload("three.csv", too_big)
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("three.csv was not used.") and "the limit is 2 MB" in error.value
    assert len(app_support.chart_specs(at)) == 5  # the digits meanwhile
    # The uploader no longer holds it: a later file the browser refuses is not listed beside it,
    # and the page does not keep saying why three.csv was refused.
    at.run()
    assert not at.error
    assert any(info.value.startswith("Upload a file") for info in at.info)


def test_after_a_refused_file_a_good_one_is_used_with_no_word_of_the_refused_one():
    at = upload("bad.csv", b"a,b\n1,hello\n2,3\n4,5\n")
    assert "bad.csv was not used. Non-numeric" in at.error[0].value
    at.file_uploader[0].set_value(("good.csv", table(50, 3), "text/csv"))
    at.run()
    assert not at.exception and not at.error
    assert "good.csv: 50 rows" in app_support.chart_specs(at)[0]


def test_one_column_data_says_what_the_panels_show_instead_of_a_second_feature():
    at = upload("one.csv", table(40, 1))
    assert not at.exception and not at.warning
    (info,) = [i.value for i in at.info if "feature" in i.value]
    assert info.startswith("The data has 1 feature, so there is no second axis")
    assert "feature 0 and feature 0" in stages_title(at)


def test_data_with_few_features_shows_its_first_two_without_a_word_about_the_digits_pixels():
    at = upload("mine.csv", table(500, 4))  # three features and a label column
    assert not at.exception and not at.warning
    assert "feature 0 and feature 1" in stages_title(at)


@pytest.mark.parametrize(
    "query,named",
    [
        ({"fx": "7"}, "feature 7 does not exist. Feature 0 is shown on the x axis instead."),
        ({"fx": "7", "fy": "9"}, "features 7 and 9 do not exist. Features 0 and 1 are shown instead."),
    ],
)
def test_a_chosen_feature_that_does_not_exist_is_named(query, named):
    at = upload("mine.csv", table(500, 4), **query)
    (warning,) = at.warning
    assert warning.value == f"The data has 3 features (0 to 2): {named}"
    assert "feature 0 and feature 1" in stages_title(at)


def test_the_digits_keep_their_informative_default_pixels():
    assert "feature 20 and feature 43" in stages_title(app_support.run_page(PAGE, data="digits"))


@pytest.mark.parametrize(
    "query,named",
    [
        ({"sx": "0", "sy": "0"}, "Features 0 and 1 are constant"),  # the cloud is a point
        ({"data": "digits", "fx": "0"}, "Feature 0 is constant"),  # the digits' corner pixel is always 0
    ],
)
def test_a_constant_feature_is_named_where_normalizing_cannot_give_it_std_1(query, named):
    at = app_support.run_page(PAGE, **query)
    assert not at.exception
    assert any(named in box.value and "cannot reach std 1" in box.value for box in at.info)


def test_the_default_views_features_vary_and_get_no_such_word():
    at = app_support.run_page(PAGE)
    assert not any("constant in this data" in box.value for box in at.info)


def test_a_chosen_feature_that_exists_is_shown():
    assert pick_features(3, (2, None)) == pick_features(3, (2, 1))
    assert (pick_features(3, (2, None)).fx, pick_features(3, (2, None)).fy) == (2, 1)


def test_a_descent_that_dips_under_the_line_but_does_not_stay_there_has_not_reached_it():
    # Labels unrelated to the features: the best loss is about log 2, the start (w = 0) already under
    # 10% above it; raw features far from the origin make the same learning rate oscillate.
    rng = np.random.default_rng(0)
    x = 50 + rng.standard_normal((500, 3))
    y = (rng.random(500) < 0.5).astype(float)
    c = conditioning(x, y, 0.5, 300)
    for steps, losses in ((c.steps_raw, c.losses_raw), (c.steps_normalized, c.losses_normalized)):
        if steps is None:
            assert not losses[-1] <= c.threshold
        else:
            assert np.all(losses[steps:] <= c.threshold)
    assert np.any(c.losses_raw[1:] > c.threshold)  # the case at hand: raw oscillates above the line


@pytest.mark.parametrize(
    "losses,expected",
    [
        ([3.0, 2.0, 0.5, 0.4], 2),
        ([0.5, 3.0, 0.5, 3.0], None),  # dips under the line and leaves it again
        ([0.5, 3.0, 0.4, 0.3], 2),
        ([0.5, 0.4, 0.3], 0),
        ([0.5, np.nan, 0.4], 2),  # a diverged step is not under the line
    ],
)
def test_steps_to_stay_below_counts_until_the_curve_stays_under_the_line(losses, expected):
    assert steps_to_stay_below(np.array(losses), 1.0) == expected


@pytest.mark.parametrize(
    "chosen,shown,axis",
    [((70, None), (0, 43), "x"), ((70, 43), (0, 43), "x"), ((5, 99), (5, 0), "y"), ((0, 99), (0, 1), "y")],
)
def test_a_missing_feature_on_one_axis_leaves_the_other_axis_its_feature(chosen, shown, axis):
    pick = pick_features(64, chosen, (20, 43))
    assert (pick.fx, pick.fy) == shown
    assert f"is shown on the {axis} axis instead" in pick.warning
