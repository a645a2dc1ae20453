"""Draw the next layer's standard normals in a background thread while this layer computes.

NumPy's Generator releases the GIL while it fills an array, so on two cores the draws
(the exact path's largest single cost) overlap with the layer arithmetic. The numbers
are the ones the layer would draw itself: a (rows, cols) draw's first r rows equal an
(r, cols) draw from the same stream, so results do not change.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np


class PrefetchedNormals:
    """Stands in for a Generator inside one exact layer: serves rows of a prefetched draw."""

    def __init__(self, future: Future) -> None:
        self._future = future

    def standard_normal(self, shape: tuple[int, int], dtype: type = np.float64) -> np.ndarray:
        draw = self._future.result()
        if draw.dtype != np.dtype(dtype) or draw.shape[1] != shape[1] or draw.shape[0] < shape[0]:
            raise ValueError(f"prefetched {draw.shape} {draw.dtype} cannot serve {shape} {np.dtype(dtype)}")
        return draw[: shape[0]]


class NormalPrefetcher:
    """One background thread drawing (rows, cols) blocks of normals, one request ahead."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1)

    def request(
        self, make_rng: Callable[[], np.random.Generator], rows: int, cols: int, dtype: type = np.float64
    ) -> PrefetchedNormals:
        return PrefetchedNormals(self._pool.submit(lambda: make_rng().standard_normal((rows, cols), dtype=dtype)))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> NormalPrefetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
