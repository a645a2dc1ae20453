"""Runs kept between requests: the state of a config at a step, trained from the nearest checkpoint.

A run is a function of its config and step count (engine.train.trainer), so a page may ask
for "config c at step s" on every rerun: during live play s grows a few steps per tick, and
each request only trains from the last checkpoint on. The store is bounded by bytes (the
parameters and optimizer moments of the kept states) and forgets the least recently used
run first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from engine.train.trainer import TrainConfig, TrainState, advance, init_state

Progress = Callable[[int, int], None]
CHECKPOINTS_PER_RUN = 8


@dataclass(frozen=True)
class Checkpoint:
    """A state and the seconds of training it took to reach it from step 0."""

    state: TrainState
    seconds: float

    @property
    def nbytes(self) -> int:
        return self.state.params.nbytes + sum(m.nbytes for m in self.state.moments)


class RunStore:
    """Thread-safe, byte-bounded checkpoints of runs, keyed by config."""

    def __init__(self, max_bytes: int = 1 << 30):
        self.max_bytes = max_bytes
        self._runs: OrderedDict[TrainConfig, list[Checkpoint]] = OrderedDict()
        self._lock = threading.Lock()

    def state_at(self, cfg: TrainConfig, step: int, chunk: int = 0, progress: Progress | None = None) -> Checkpoint:
        """The run of cfg after `step` updates (fewer if it diverged), trained from the latest checkpoint before it.

        chunk > 0 trains that many steps at a time, keeping each chunk's state before calling
        progress(done, total): a caller interrupted in progress loses no finished work.
        """
        start = self._nearest(cfg, step)
        if start is None:
            began = time.perf_counter()
            state = init_state(cfg)
            start = Checkpoint(state, time.perf_counter() - began)
            self._keep(cfg, start)
        total, current = step - start.state.step, start
        while current.state.step < step and current.state.diverged_at is None:
            k = step - current.state.step if chunk <= 0 else min(chunk, step - current.state.step)
            began = time.perf_counter()
            state = advance(current.state, k)
            current = Checkpoint(state, current.seconds + time.perf_counter() - began)
            self._keep(cfg, current)
            if progress is not None:
                progress(current.state.step - start.state.step, total)
        return current

    def resume_step(self, cfg: TrainConfig, step: int) -> int:
        """The step state_at(cfg, step) would train from (0 when nothing of the run is kept)."""
        nearest = self._nearest(cfg, step)
        return 0 if nearest is None else nearest.state.step

    def _nearest(self, cfg: TrainConfig, step: int) -> Checkpoint | None:
        with self._lock:
            kept = self._runs.get(cfg)
            if not kept:
                return None
            self._runs.move_to_end(cfg)
            before = [c for c in kept if c.state.step <= step]
            return max(before, key=lambda c: c.state.step) if before else None

    def _keep(self, cfg: TrainConfig, checkpoint: Checkpoint) -> None:
        with self._lock:
            kept = [c for c in self._runs.get(cfg, []) if c.state.step != checkpoint.state.step]
            kept.append(checkpoint)
            kept.sort(key=lambda c: c.state.step)
            if len(kept) > CHECKPOINTS_PER_RUN:  # step 0 and the newest: play and catch-up only go forward
                kept = [kept[0], *kept[-(CHECKPOINTS_PER_RUN - 1) :]]
            self._runs[cfg] = kept
            self._runs.move_to_end(cfg)
            self._evict()

    def _evict(self) -> None:
        while len(self._runs) > 1 and self.nbytes > self.max_bytes:
            self._runs.popitem(last=False)

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for kept in self._runs.values() for c in kept)

    def forget(self) -> None:
        """Drop every kept run."""
        with self._lock:
            self._runs.clear()
