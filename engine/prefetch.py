"""Draw the simulation's standard normals in a background thread, ahead of their use.

NumPy's Generator releases the GIL while it fills an array, so on two cores the draws
(the exact path's largest single cost) overlap with the layer arithmetic. Every draw's
stream and shape are known before the run starts (the backward pass's too), so the
thread works down the whole list without waiting for the layers: with one request in
flight at a time it sat idle whenever it was ahead, and the main thread waited for it
whenever a layer took less time than a draw. A byte budget bounds what is drawn and not
yet used. The numbers are the ones each layer would draw itself: a (rows, cols) draw's
first r rows equal an (r, cols) draw from the same stream, so results do not change.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

AHEAD_BYTES = 16 << 20


@dataclass(frozen=True)
class Draw:
    """One planned draw: `make_rng()` then standard_normal((rows, cols), dtype)."""

    key: Hashable
    make_rng: Callable[[], np.random.Generator]
    rows: int
    cols: int
    dtype: type = np.float64

    @property
    def nbytes(self) -> int:
        return self.rows * self.cols * np.dtype(self.dtype).itemsize

    def __call__(self) -> np.ndarray:
        return self.make_rng().standard_normal((self.rows, self.cols), dtype=self.dtype)


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
    """One background thread working through a plan of draws, at most `ahead_bytes` ahead.

    `take(key)` hands over a planned draw (drawing it now if it was never planned);
    draws are submitted in plan order as earlier ones are taken.
    """

    def __init__(self, plan: list[Draw], ahead_bytes: int = AHEAD_BYTES) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._plan = {draw.key: draw for draw in plan}
        self._order = [draw.key for draw in plan]
        self._submitted: dict[Hashable, Future] = {}
        self._next = 0
        self._ahead_bytes = ahead_bytes
        self._pending_bytes = 0
        self._submit_more()

    def _submit_more(self) -> None:
        while self._next < len(self._order):
            draw = self._plan.get(self._order[self._next])
            if draw is None:  # already taken out of order
                self._next += 1
                continue
            if self._submitted and self._pending_bytes + draw.nbytes > self._ahead_bytes:
                return
            self._submitted[draw.key] = self._pool.submit(draw)
            self._pending_bytes += draw.nbytes
            self._next += 1

    def take(self, key: Hashable) -> PrefetchedNormals | None:
        """The planned draw for key, or None if the plan has no such draw."""
        draw = self._plan.pop(key, None)
        if draw is None:
            return None
        future = self._submitted.pop(key, None)
        if future is None:  # taken out of order: draw it in the thread now
            future = self._pool.submit(draw)
        else:
            self._pending_bytes -= draw.nbytes
        self._submit_more()
        return PrefetchedNormals(future)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> NormalPrefetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
