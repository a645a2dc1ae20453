"""The training lab's run state in the session: the step shown, play, and the kept runs.

The settings are widgets bound to the URL. The step shown and the kept runs are owned by the
run controls (play, step, reset, keep): they write `step` and `keep` into the URL and nothing
else, so the address bar always holds the view, and opening it rebuilds the same runs (a run
is a function of its config and step count).
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from engine.train.checkpoints import Checkpoint, RunStore
from engine.train.trainer import TrainConfig, estimate_cost, steps_within
from ui.training_params import MAX_KEPT, PARAM_BY_KEY, address_values, decode_kept, differing, encode_kept
from ui.urlparams import send_url, set_own

PLAYING = "_training_playing"
# What the page last sent: the address without `step`, every step sent with it, and the last.
_SENT_STEPS = "_training_steps_sent"
TICK_SECONDS = 0.5  # how often a playing run is advanced and redrawn
TICK_WORK = 0.3  # estimated seconds of training per tick (the estimate is a little slow)
TICKS_PER_RUN = 8  # a run plays in at least this many ticks, so it can be watched
CATCH_UP_QUIETLY = 1.0  # estimated seconds of training above which a progress bar shows


@st.cache_resource(show_spinner=False)
def run_store() -> RunStore:
    """The process's checkpoints of recent runs, shared by sessions (runs are deterministic)."""
    return RunStore()


def requested_step() -> int:
    """The step the address asks for. Play's timer reruns carry the address the browser showed
    when it sent them, and under load that can be one the page has since moved on from: a step
    this page sent before its last, with the same settings, means the browser is behind (its
    address never goes back to one by itself: same-page addresses replace each other in
    history). The page's last step is then put back in Streamlit's copy of the URL."""
    raw = st.query_params.get("step")
    sent = st.session_state.get(_SENT_STEPS)
    if sent is not None:
        rest, steps, last = sent
        if raw != last and raw in steps and _address_without_step() == rest:
            set_own("step", last)
            raw = last
    return PARAM_BY_KEY["step"].default if raw is None else PARAM_BY_KEY["step"].parse(raw)


def set_step(step: int) -> None:
    """The step to show (absent at step 0, the default); send_address puts it in the browser."""
    raw = str(step) if step > 0 else None
    set_own("step", raw)
    _note_step(raw)


def _note_step(raw: str | None) -> None:
    """Note a step the page shows and sends, with the rest of the address it goes with."""
    rest = _address_without_step()
    earlier = st.session_state.get(_SENT_STEPS)
    steps = earlier[1] | {raw} if earlier is not None and earlier[0] == rest else frozenset({raw})
    st.session_state[_SENT_STEPS] = (rest, steps, raw)


def _address_without_step() -> dict[str, str]:
    return {key: value for key, value in st.query_params.to_dict().items() if key != "step"}


def send_address(values: dict[str, Any], view: dict[str, str | None]) -> None:
    """Send the browser the whole address of what this run shows: the settings' widget values,
    the view's (`layer`, `sweep`, compare mode's), and the step and kept runs this page owns.

    Sent by every run, paused or playing: the last run's address is the one the browser keeps,
    whatever an earlier, interrupted run sent (see ui.urlparams.send_url).
    """
    requested_step()  # the browser's step, or the page's last if the browser is behind
    own = {key: st.query_params.get(key) for key in ("step", "keep")}
    send_url({**address_values(values), **view, **own})
    _note_step(own["step"])


def is_playing() -> bool:
    return bool(st.session_state.get(PLAYING, False))


def play(steps: int) -> None:
    """Start playing; a finished run starts again from step 0."""
    if requested_step() >= steps:
        set_step(0)
    st.session_state[PLAYING] = True


def pause() -> None:
    st.session_state[PLAYING] = False


def page_opened() -> None:
    """The page was just opened (a link, the navigation, Back): paused, and the address as it
    comes is the view to show (the page's earlier addresses are no longer ones the browser is
    behind on: a sidebar click to the bare page opens step 0)."""
    pause()
    st.session_state.pop(_SENT_STEPS, None)


def step_once(steps: int, every: int) -> None:
    """One record interval further (a new point on every chart), paused."""
    st.session_state[PLAYING] = False
    set_step(min(steps, requested_step() + every))


def reset() -> None:
    st.session_state[PLAYING] = False
    set_step(0)


def tick_steps(cfg: TrainConfig) -> int:
    """Steps one tick of play trains: about TICK_WORK seconds, and at most 1/TICKS_PER_RUN of the run."""
    return max(1, min(steps_within(cfg, TICK_WORK), math.ceil(cfg.steps / TICKS_PER_RUN)))


def kept_runs() -> list[dict[str, Any]]:
    raw = st.query_params.get("keep")
    return decode_kept(raw) if raw else []


def keep(values: dict[str, Any]) -> None:
    """Add the run shown (its settings and step) to the kept runs; the oldest goes beyond MAX_KEPT."""
    run = {**differing(values), "step": requested_step()}
    runs = [r for r in kept_runs() if r != run] + [run]
    set_own("keep", encode_kept(runs[-MAX_KEPT:]))


def forget_kept() -> None:
    set_own("keep", None)


def trained(cfg: TrainConfig, step: int, what: str) -> Checkpoint:
    """The run of cfg at `step`, with a progress bar when training to it takes more than about a second."""
    store = run_store()
    remaining = step - store.resume_step(cfg, step)
    if estimate_cost(cfg).seconds_per_step * remaining <= CATCH_UP_QUIETLY:
        return store.state_at(cfg, step)
    bar = st.progress(0.0, text=f"Training {what} to step {step:,}…")

    def report(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Training {what} to step {step:,}: {done:,} of {total:,} steps")

    checkpoint = store.state_at(cfg, step, chunk=max(1, steps_within(cfg, 0.25)), progress=report)
    bar.empty()
    return checkpoint
