"""What the training lab draws of a run at its step: counter, diagnosis, charts, runs table."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import streamlit as st

from engine.activations import ACTIVATIONS
from engine.stats import histogram_layers
from engine.train.checkpoints import Checkpoint
from engine.train.diagnose import accuracy, diagnose_run
from engine.train.record import Record, RecordPoint
from engine.train.regions import decision_grid
from engine.train.sweeps import LR_BASE, SCALE_BASE, Progress, SweepRun, learning_rate_configs, scale_configs, sweep
from engine.train.trainer import TrainConfig, TrainState, estimate_cost, evaluate
from ui.controls import current_value
from ui.live_chart import live_chart
from ui.toolbar import metric, metrics_columns
from ui.training_params import MAX_KEPT, PARAM_BY_KEY, build_config, differing, kept_values
from ui.training_run import forget_kept, keep, kept_runs, trained
from ui.training_text import SWEEPS
from viz.training import (
    RunCurves,
    curves_figure,
    decision_figure,
    layer_time_figure,
    layers_with_histograms,
    ridge_figure,
    sweep_figure,
    update_ratio_figure,
)

LEVEL_BOX = {"ok": st.success, "info": st.info, "warn": st.warning, "error": st.error}
# Short names for a run's settings in labels; the others go by their URL key.
NAMES = {"std": "σ", "mode": "fan", "sizes": "hidden", "bn": "BN", "bn_conv": "BN stats", "l2": "L2"}


@dataclass(frozen=True)
class ShownRun:
    """A run as the page shows it: its name ("A", "kept 1"), its label in the charts' legends (the
    name and what differs from this run), what differs from the defaults, its state at the step
    shown, and its training seconds."""

    name: str
    label: str
    differs: str
    state: TrainState
    seconds: float


def describe(diff: dict[str, Any]) -> str:
    """'lr 0.01 · init xavier' for the settings in diff ('' when none)."""
    return " · ".join(f"{NAMES.get(key, key)} {_shown(value)}" for key, value in diff.items())


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def at_step(cfg: TrainConfig, step: int, what: str) -> Checkpoint:
    """The run at `step`; at step 0, the initial weights with the record point of the first minibatch.

    The record's point 0 (loss at initialization, the layers' statistics) is written by the
    first update, from the weights before it: step 0 shows those weights with that point.
    """
    if step > 0:
        return trained(cfg, step, what)
    start, first = trained(cfg, 0, what), trained(cfg, 1, what)
    record = Record(first.state.record.every, first.state.record.points[:1])
    return Checkpoint(replace(start.state, record=record), start.seconds)


def shown_runs(
    cfg: TrainConfig, step: int, values: dict[str, Any], compared: dict[str, Any] | None = None
) -> list[ShownRun]:
    """This run (A), setting B's in compare mode, and the kept ones, each at its step, labelled by
    what differs from this run."""
    current = at_step(cfg, step, "this run" if compared is None else "A")
    label = "this run" if compared is None else "A"
    runs = [ShownRun(label, label, describe(differing(values)) or "the defaults", current.state, current.seconds)]
    if compared is not None:
        b_cfg = build_config(compared)
        run_b = at_step(b_cfg, min(step, b_cfg.steps), "B")
        diff = describe(differing(compared, values))
        runs.append(
            ShownRun(
                "B",
                f"B: {diff or 'same settings'}",
                describe(differing(compared)) or "the defaults",
                run_b.state,
                run_b.seconds,
            )
        )
    for i, run in enumerate(kept_runs(), start=1):
        kept, kept_step = kept_values(run)
        kept_cfg = build_config(kept)
        checkpoint = at_step(kept_cfg, min(kept_step, kept_cfg.steps), f"kept run {i}")
        diff = describe(differing(kept, values))
        if kept_step != step:
            diff = f"{diff} · step {kept_step}" if diff else f"step {kept_step}"
        label = f"kept {i}: {diff or 'same settings'}"
        runs.append(
            ShownRun(
                f"kept {i}", label, describe(differing(kept)) or "the defaults", checkpoint.state, checkpoint.seconds
            )
        )
    return runs


def compared_token(cfg: TrainConfig, step: int, runs: list[ShownRun]) -> str:
    """The shared chart's subtitle in compare mode: A's run, the step shown, what B changes, and
    where a run stopped early (a diverged run stops before the step asked)."""
    stopped = [
        f"{name} diverged at step {run.state.diverged_at:,}"
        for name, run in zip(("A", "B"), runs[:2])
        if run.state.diverged_at is not None
    ]
    return " · ".join([run_summary(cfg), f"step {step:,}", *stopped, f"B: {runs[1].label[3:]}"])


def counters(runs: list[ShownRun], comparing: bool) -> None:
    """The run's step, losses and accuracy; in compare mode a row for A and one for B, named."""
    if not comparing:
        counter(runs[0].state)
        return
    for name, run in zip(("A", "B"), runs[:2]):
        counter(run.state, f"{name} · ")


def counter(state: TrainState, who: str = "") -> None:
    cfg = state.config
    epoch = state.step * cfg.batch / cfg.n_train
    points = state.record.points
    last = points[-1] if points else None
    cols = metrics_columns(f"run{who[:1]}", 4)
    epochs = f"epoch {epoch:.1f}: {cfg.n_train} training examples"
    metric(cols[0], f"{who}step (of {cfg.steps:,})", f"{state.step:,}", help=epochs)
    if last is None:
        return
    shown = numbers_at_step(state, last)
    if state.diverged_at is not None:
        help_text = f"not finite at step {state.diverged_at}: the run stopped"
        metric(cols[1], f"{who}minibatch loss", "diverged", help=help_text)
    else:
        steps = f"{shown.window} steps" if shown.window != 1 else "step"
        help_text = f"mean minibatch loss of the last {steps} up to step {shown.step:,}"
        metric(cols[1], f"{who}minibatch loss", f"{shown.minibatch_loss:.3g}", help=help_text)
    # "val.": "validation accuracy" was cut to "validation accur…" at 1024 px.
    held_out = f"on the held-out validation examples, at step {shown.step:,}"
    metric(cols[2], f"{who}val. loss", f"{shown.val_loss:.3g}", help=f"Validation loss {held_out}")
    metric(cols[3], f"{who}val. accuracy", accuracy(shown.val_acc), help=f"Validation accuracy {held_out}")
    if shown.step < state.step:
        # Beside "step 5" the numbers would read as step 5's; a stopped run's row stays as it is.
        whose = f"{who[:1]}'s validation" if who else "Validation"
        st.caption(f"{whose} numbers are from step {shown.step:,}, the last record point before the run stopped.")


@dataclass(frozen=True)
class StepNumbers:
    """The counter's numbers and the step they are of."""

    step: int
    window: int  # the minibatches the minibatch loss averages
    minibatch_loss: float
    val_loss: float
    val_acc: float


def numbers_at_step(state: TrainState, last: RecordPoint) -> StepNumbers:
    """The numbers of the step shown: the last record point's, or, between record points (a link's
    step, where Play stopped), the validation split evaluated now and the minibatches since that
    point. A diverged run's are its last record point's (its weights give no finite loss)."""
    loss_sum, _, count = state.window
    if state.diverged_at is not None or last.step == state.step or count == 0:
        return StepNumbers(last.step, last.window, last.train_loss, last.val_loss, last.val_acc)
    val_loss, val_acc = evaluate(state, "val")
    return StepNumbers(state.step, count, loss_sum / count, val_loss, val_acc)


def diagnoses(runs: list[ShownRun], comparing: bool) -> None:
    """The diagnosis of this run, and in compare mode of A's and B's side by side."""
    if not comparing:
        diagnosis(runs[0].state)
        return
    for column, name, run in zip(st.columns(2), ("A", "B"), runs[:2]):
        with column:
            st.markdown(f"**Setting {name}**")
            if not diagnosis(run.state):
                # Beside the other setting's findings, an empty column would read as broken.
                st.caption(f"No finding for {name} at step {run.state.step:,}.")


def diagnosis(state: TrainState) -> bool:
    """The diagnosis of the run at its step; at step 0 of the initial weights (the loss at init
    against ln C). Returns whether it had a finding to show."""
    if state.step == 0:
        state = replace(state, record=Record(state.record.every))
    findings = diagnose_run(state)
    for finding in findings:
        LEVEL_BOX[finding.level](finding.text)
    return bool(findings)


def curves(runs: list[ShownRun], token: str) -> None:
    planned = max(run.state.config.steps for run in runs)
    chance = runs[0].state.data.chance_loss
    figure = curves_figure(
        [RunCurves(run.label, run.state.record, run.state.diverged_at) for run in runs], planned, chance, token
    )
    live_chart(figure, key="train_curves")


def regions(state: TrainState, token: str) -> None:
    grid = decision_grid(state)
    figure = decision_figure(grid.xs, grid.ys, grid.classes, grid.x, grid.y, state.data.classes, token)
    live_chart(figure, key="train_regions")


def layer_charts(state: TrainState, token: str) -> None:
    record = state.record
    if not record.points:
        return
    live_chart(update_ratio_figure(record, token), key="train_ratio")
    if not state.config.hidden:
        return  # no hidden layer: softmax regression has no activations to follow
    live_chart(layer_time_figure(record, token), key="train_layers")
    available = layers_with_histograms(record)
    if not available:
        return
    layer = layer_choice(available)
    label = ACTIVATIONS[state.config.activation].label
    live_chart(ridge_figure(record, layer, label, token), key="train_ridge")


def layer_choice(available: tuple[int, ...]) -> int:
    """The hidden layer whose histograms are drawn over time (the last one unless chosen).

    Deep nets keep histograms of 12 layers spread over the depth: those are the choices.
    """
    options = ["last", *(str(i) for i in available)]
    picked = st.selectbox("Histograms over time of hidden layer", options, key="layer", bind="query-params")
    return available[-1] if picked == "last" else int(picked)


def view_address(cfg: TrainConfig) -> dict[str, str | None]:
    """The URL values of the view's widgets (`layer`, `sweep`); a layer this net does not
    histogram (one chosen for a deeper net) is forgotten first, so the last layer shows."""
    layer = current_value(PARAM_BY_KEY, "layer")
    if layer == "last":
        layer = None
    if layer is not None and int(layer) not in histogram_layers(len(cfg.hidden)):
        st.session_state.pop("layer", None)
        layer = None
    sweep = current_value(PARAM_BY_KEY, "sweep")
    return {
        "layer": None if layer is None else str(layer),
        "sweep": None if sweep == PARAM_BY_KEY["sweep"].default else sweep,
    }


def final_loss(state: TrainState) -> float:
    return math.inf if state.diverged_at is not None else evaluate(state, "train")[0]


def shown_loss(state: TrainState, loss: float) -> str:
    """A run's training loss (final_loss) as the runs table shows it: four significant digits, or
    the step at which it diverged (its loss is not finite there, and may be NaN)."""
    if state.diverged_at is not None:
        return f"diverged at step {state.diverged_at:,}"
    return f"{loss:.4g}"


def runs_table(runs: list[ShownRun], values: dict[str, Any]) -> None:
    rows = []
    for run in runs:
        _, acc = run.state.record.series("val_acc")
        rows.append(
            {
                "run": run.name,  # what differs is in the settings column: the labels said it twice
                "step": run.state.step,
                "final training loss": final_loss(run.state),
                "best validation accuracy": float(np.nanmax(acc)) if np.isfinite(acc).any() else math.nan,
                "diverged at step": run.state.diverged_at,
                "training time (s)": run.seconds,
                "settings (vs the defaults)": run.differs,  # last: the long one, after the numbers
            }
        )
    # Imported here: pandas is a heavy import (0.7 to 1.4 s in a new server process) that the
    # first charts need not wait for.
    import pandas as pd

    # The CSV's columns: full names, and no step where a run did not diverge (whole numbers, not 3.0).
    table = pd.DataFrame(rows).astype({"diverged at step": "Int64"})
    st.dataframe(
        # Short headers (their full names in the help), and a diverged run's step in its loss's cell,
        # not "Infinity" there and a column of "None" beside it: at 1024 px the table scrolled sideways.
        table.drop(columns="diverged at step").assign(
            **{
                "final training loss": [
                    shown_loss(run.state, row["final training loss"]) for run, row in zip(runs, rows)
                ]
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "settings (vs the defaults)": st.column_config.TextColumn(
                "settings", help="What differs from the defaults"
            ),
            "final training loss": st.column_config.TextColumn(
                "train loss",
                alignment="right",
                help="Training loss on the whole training split at the step shown, or the step at which "
                "it stopped being finite (the run stopped there). The CSV has every digit.",
            ),
            "best validation accuracy": st.column_config.NumberColumn(
                "best val. acc.", format="percent", help="The best validation accuracy of the recorded steps"
            ),
            "training time (s)": st.column_config.NumberColumn(
                "time (s)", format="%.2f", help="Seconds of training this run took in this server"
            ),
        },
    )
    left, middle, right = st.columns(3)
    left.download_button(
        "Download CSV",
        # Written now, not when clicked: while training, the page redraws this button twice a second and
        # a click could land on a button whose deferred file was already gone (it did nothing).
        table.to_csv(index=False),
        file_name="initlab_runs.csv",
        mime="text/csv",
        on_click="ignore",
    )
    # A sixth kept run replaces the oldest: said before the click, not found out after it.
    full = f" {MAX_KEPT} are kept: this one replaces kept 1, the oldest." if len(kept_runs()) >= MAX_KEPT else ""
    middle.button(
        "Keep this run",
        on_click=keep,
        args=(values,),
        help=f"Draw its curves beside the next runs (up to {MAX_KEPT}; the link keeps them too).{full}",
    )
    if len(runs) > 1:
        right.button("Forget kept runs", on_click=forget_kept)


def run_summary(cfg: TrainConfig) -> str:
    """'digits · depth 4 (3×128 hidden relu) · kaiming_normal · adam lr 0.001 · batch 64 · seed 0'."""
    hidden = cfg.hidden
    shape = f"{len(hidden)}×{hidden[0]}" if hidden and len(set(hidden)) == 1 else ",".join(map(str, hidden)) or "no"
    bn = "" if cfg.bn == "none" else f" · BN {cfg.bn}"
    return (
        f"{cfg.dataset} · depth {len(hidden) + 1} ({shape} hidden {cfg.activation}){bn} · {cfg.init} · "
        f"{cfg.optimizer} lr {cfg.lr:g} · batch {cfg.batch} · seed {cfg.seed}"
    )


MAX_SWEEPS_KEPT = 16
SWEEP_CONFIGS = {"scale": (scale_configs, SCALE_BASE), "lr": (learning_rate_configs, LR_BASE)}


def sweep_plan(kind: str, seed: int) -> list[tuple[TrainConfig, float]]:
    make, base = SWEEP_CONFIGS[kind]
    return make(replace(base, seed=seed))


@st.cache_resource(show_spinner=False)
def finished_sweeps() -> dict[tuple[str, int], tuple[SweepRun, ...]]:
    """Sweeps already run in this process, by (kind, seed): a sweep takes seconds, its result is small."""
    return {}


def sweep_runs(kind: str, seed: int, progress: Progress) -> tuple[SweepRun, ...]:
    """A sweep's runs, from the process's finished sweeps or run now with progress reports.

    Kept in a plain dict rather than st.cache_data: the progress bar is drawn while the sweep
    runs, and a cached function may not draw into a block made outside it.
    """
    done = finished_sweeps()
    if (kind, seed) not in done:
        if len(done) >= MAX_SWEEPS_KEPT:
            done.pop(next(iter(done)))
        done[(kind, seed)] = sweep(sweep_plan(kind, seed), progress)
    return done[(kind, seed)]


def sweep_view(kind: str, seed: int) -> None:
    """The sweep chosen in the URL: its text, a progress bar the first time, its figure and its verdict."""
    if kind == "none":
        seconds = {k: sum(estimate_cost(c).seconds for c, _ in sweep_plan(k, seed)) for k in SWEEP_CONFIGS}
        st.caption(
            f"`scale`: experiment 3, 24 runs, about {seconds['scale']:.0f} s the first time. "
            f"`lr`: experiment 4, 18 runs, about {seconds['lr']:.0f} s. Results are kept for the next visitor."
        )
        return
    st.markdown(SWEEPS[kind])
    bar = st.progress(0.0, text="Running the sweep…")

    def report(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Running the sweep: {done} of {total} runs")

    runs = sweep_runs(kind, seed, report)
    bar.empty()
    chance = math.log(10)
    figure = sweep_figure(runs, kind, chance, f"seed {seed} · {len(runs)} runs")
    live_chart(figure, key="train_sweep")
    trains = {bn: sum(r.trained(chance) for r in runs if r.bn == bn) for bn in ("none", "before")}
    per = len(runs) // 2
    if kind == "scale":
        st.markdown(
            f"Runs that train (final loss below ln 10 / 2): **{trains['before']} of {per}** scales with batch norm, "
            f"**{trains['none']} of {per}** without."
        )
    else:
        largest = {
            bn: max((r.value for r in runs if r.bn == bn and r.trained(chance)), default=math.nan) for bn in trains
        }
        st.markdown(
            f"Largest learning rate that trains: **{largest['before']:.3g}** with batch norm, "
            f"**{largest['none']:.3g}** without."
        )
