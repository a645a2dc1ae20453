"""The preprocessing lab's data: uploads it refuses, which features it shows, and what it claims about descent."""

import numpy as np
import pytest

from engine.linear import steps_to_stay_below
from engine.prep_lab import conditioning


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
