"""The background draws are the numbers each layer would draw itself, whatever order they are taken in."""

from functools import partial

import numpy as np

from engine.prefetch import Draw, NormalPrefetcher


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _plan(count: int, rows: int = 4, cols: int = 1000) -> list[Draw]:
    return [Draw(k, partial(_rng, k), rows, cols, np.float32 if k % 2 else np.float64) for k in range(count)]


def test_draws_match_direct_draws_in_and_out_of_order():
    plan = _plan(6)
    order = [2, 0, 1, 5, 3, 4]  # out of order: some taken before they were submitted
    with NormalPrefetcher(plan, ahead_bytes=2 * 4 * 1000 * 8) as prefetch:
        served = {k: prefetch.take(k).standard_normal((3, 1000), plan[k].dtype) for k in order}
    for draw in plan:
        direct = _rng(draw.key).standard_normal((3, 1000), dtype=draw.dtype)
        np.testing.assert_array_equal(served[draw.key], direct)


def test_unplanned_key_and_second_take_get_nothing():
    with NormalPrefetcher(_plan(2)) as prefetch:
        assert prefetch.take("missing") is None
        assert prefetch.take(0) is not None
        assert prefetch.take(0) is None


def test_lookahead_stays_within_its_byte_budget():
    plan = _plan(10)
    budget = 3 * plan[0].nbytes
    with NormalPrefetcher(plan, ahead_bytes=budget) as prefetch:
        for draw in plan:
            assert prefetch._pending_bytes <= budget
            prefetch.take(draw.key).standard_normal((draw.rows, draw.cols), draw.dtype)


def test_a_served_draw_refuses_a_shape_it_cannot_serve():
    with NormalPrefetcher(_plan(1)) as prefetch:
        normals = prefetch.take(0)
        try:
            normals.standard_normal((5, 1000))
        except ValueError as err:
            assert "cannot serve" in str(err)
        else:
            raise AssertionError("a 4-row draw served 5 rows")
