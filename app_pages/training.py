"""Training: watch the initialization decide whether the net learns, live."""

import streamlit as st

from engine.train.trainer import BUDGET_SECONDS, config_problems, estimate_cost
from ui import first_view, widgets
from ui.compare import compare_address, open_lab
from ui.page_run import end_page
from ui.toolbar import view_toolbar
from ui.training_controls import LAB, first_view_values, lab_controls
from ui.training_params import (
    ALL_PARAMS,
    PARAM_BY_KEY,
    PRESET_SET,
    budget_fixes,
    build_config,
    view_query,
)
from ui.training_run import (
    TICK_SECONDS,
    is_playing,
    page_opened,
    pause,
    play,
    requested_step,
    reset,
    run_store,
    send_address,
    set_step,
    step_once,
    tick_steps,
)
from ui.training_text import EXPERIMENTS, LECTURE_LINKS
from ui.training_view import (
    compared_token,
    counters,
    curves,
    diagnoses,
    layer_charts,
    regions,
    run_summary,
    runs_table,
    shown_runs,
    sweep_view,
    view_address,
)
from ui.urlparams import offer_views, warn_corrected

st.title("Training")
st.caption(
    "Train a small fully connected net in your browser session and watch what the initialization does to "
    "learning: loss curves, every layer's statistics over the steps, and the lecture's claims as experiments."
)

# Play pressed during the first view can come with the run that completes it: that run counts
# as the page just opened, but must not stop the play.
completing = first_view.completes("training")
opened, values, compared = open_lab(
    "training", ALL_PARAMS, LAB, PRESET_SET.expand_url_preset, lab_controls, first_view_values
)
if opened and not completing:
    page_opened()
view_toolbar("training")

cfg = build_config(values)
problems = config_problems(cfg)
if problems:
    st.error("Cannot train: " + "; ".join(problems) + ".")
    end_page()
cost = estimate_cost(cfg)
if not cost.within_budget:
    st.error(
        f"This run would take about {cost.seconds:,.0f} s ({cfg.steps:,} steps of about "
        f"{cost.seconds_per_step * 1000:.1f} ms) and {cost.bytes / 2**20:,.0f} MiB, over the work budget "
        f"of {BUDGET_SECONDS:.0f} s and 1 GiB.",
        icon=":material/timer:",
    )
    offer_views((label, f"training?{view_query(values, **changes)}") for label, changes in budget_fixes(values))
    end_page()

if compared is not None:
    b_cfg = build_config(compared)
    b_problems = config_problems(b_cfg)
    if b_problems:
        st.error("Cannot train setting B: " + "; ".join(b_problems) + ".")
        end_page()
    b_cost = estimate_cost(b_cfg)
    if cost.seconds + b_cost.seconds > BUDGET_SECONDS:
        st.error(
            f"A and B together would take about {cost.seconds + b_cost.seconds:,.0f} s to train, over the work "
            f"budget of {BUDGET_SECONDS:.0f} s: give B (or A) fewer steps or a smaller net.",
            icon=":material/timer:",
        )
        end_page()

if requested_step() > cfg.steps:
    warn_corrected(
        # "step 300 is shown" was wrong for a run that diverges before it (it stops there).
        f"The link asks for step {requested_step():,}, beyond this run's {cfg.steps:,} steps: "
        "the run is shown at its end."
    )
    set_step(cfg.steps)
if values["preset"] in EXPERIMENTS:
    st.markdown(EXPERIMENTS[values["preset"]])

buttons = st.columns(3)
if is_playing():
    buttons[0].button("Pause", icon=":material/pause:", on_click=pause, type="primary", width="stretch")
else:
    play_args = (cfg.steps,)
    buttons[0].button(
        "Play", icon=":material/play_arrow:", on_click=play, args=play_args, type="primary", width="stretch"
    )
buttons[1].button(
    f"+{cfg.record_every}",
    icon=":material/skip_next:",
    on_click=step_once,
    args=(cfg.steps, cfg.record_every),
    width="stretch",
    help=f"Train {cfg.record_every} more steps: one more point on every chart.",
)
buttons[2].button("Reset", icon=":material/restart_alt:", on_click=reset, width="stretch", help="Back to step 0.")
st.caption(
    f"Play trains about {tick_steps(cfg):,} steps every {TICK_SECONDS:g} s. The address bar holds the step "
    "shown: a link opens the run trained to it."
)


@st.fragment(run_every=TICK_SECONDS if is_playing() else None)
def live_view() -> None:
    """The run at the step shown; while playing, each tick first trains it a few steps further."""
    if first_view.follows("training"):
        st.rerun()  # the curves' report reran only this fragment: the controls come with the whole page
    step, finished = min(requested_step(), cfg.steps), False
    if is_playing():
        state = run_store().state_at(cfg, min(cfg.steps, step + tick_steps(cfg))).state
        step, finished = state.step, state.step >= cfg.steps or state.diverged_at is not None
        set_step(step)
    runs = shown_runs(cfg, step, values, compared)
    if compared is None and runs[0].state.step < step:
        # A diverged run stops where it diverged: the address says the step shown, not one asked
        # beyond it (by a link or a Step press on the stopped run).
        step = runs[0].state.step
        set_step(step)
    # Before a rerun too: a rerun starts from the address sent.
    send_address(values, {**view_address(cfg), **compare_address(LAB, compared)})
    if finished:
        pause()
        st.rerun()
    state = runs[0].state
    token = f"{run_summary(cfg)} · step {state.step:,}"  # a diverged run stopped before the step asked
    counters(runs, compared is not None)
    diagnoses(runs, compared is not None)
    curves(runs, token if compared is None else compared_token(cfg, step, runs))
    if first_view.showing():
        return  # the rest comes with the controls, once the chart is on screen (ui.first_view)
    if compared is not None:
        st.caption("The charts below follow setting A.")
    if state.data.x_train.shape[1] == 2:
        regions(state, token)
    layer_charts(state, token)
    st.subheader("Runs")
    runs_table(runs, values)


live_view()
first_view.stop_if_showing()

st.header("Sweeps", anchor="sweeps")
sweep = widgets.choice(PARAM_BY_KEY["sweep"], "Run a sweep", radio=True)
sweep_view(sweep, cfg.seed)

st.header("The lecture's experiments", anchor="experiments")
st.markdown(LECTURE_LINKS)
