"""The lecture tour's Streamlit side: the step shown, its control, its lab's figure, and moving on.

The step is owned by a pagination widget bound to the URL (`/tour?step=4`). The Previous and
Next buttons and the arrow keys press its arrows in the browser (tour_keys.js), so every fast
press counts, from the step the widget shows; only before that script has loaded do the
buttons write the step on the server, once, when pressed. A step opens on its own setting:
leaving a step forgets every step's control, so a step never shows a value chosen on another
visit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from engine import config_problems, estimate_cost
from engine.config import budget_advice
from ui import widgets
from ui.activation_params import build_config
from ui.live_chart import live_chart
from ui.preprocessing_views import cloud, conditioning_view
from ui.simulation import LEVEL_BOX, findings_of, lab_figure, run_simulation
from ui.tour_steps import STEP_PARAM, STEPS, Step
from ui.transfer_view import accuracy_token, comparison, gain_sentence, k_axis, source_net, strategy_lines, view_config
from ui.urlparams import Rejection, drop_from_url
from viz.activations import LAYER_FIGURE_MIN_WIDTH
from viz.transfer import accuracy_figure

_KEYS_JS = (Path(__file__).parent / "tour_keys.js").read_text()
CONTROL_KEYS = tuple(step.control.param.key for step in STEPS)
FIGURE_KEY = "tour_figure"


def current_step() -> int:
    """The step (1-based) before its widget is drawn in this run: the session's, else the URL's, else 1."""
    if STEP_PARAM.key in st.session_state:
        return int(st.session_state[STEP_PARAM.key])
    raw = st.query_params.get(STEP_PARAM.key)
    return STEP_PARAM.default if raw is None else STEP_PARAM.parse(raw)


def stray_controls(number: int) -> list[Rejection]:
    """Controls of other steps in the URL, removed (call after validation): a link shows one step."""
    own = STEPS[number - 1].control.param.key
    found = []
    for other, step in enumerate(STEPS, 1):
        key = step.control.param.key
        raw = st.query_params.get(key)
        if key != own and raw is not None:
            drop_from_url(key)
            found.append(Rejection(key, raw, f"is the control of step {other}, not of step {number}", removed=True))
    return found


def _forget_controls() -> None:
    for key in CONTROL_KEYS:
        st.session_state.pop(key, None)
        drop_from_url(key)  # else a control seeds again from the address the page was opened with


def _go_to(number: int) -> None:
    st.session_state[STEP_PARAM.key] = number
    _forget_controls()


def navigation(number: int) -> int:
    """Previous, the steps (bound to `step` in the URL) and Next; returns the step shown."""
    before = STEPS[number - 2] if number > 1 else None
    after = STEPS[number] if number < len(STEPS) else None
    with st.container(horizontal=True, vertical_alignment="center", key="tour_nav"):
        st.button(
            f"Previous: {before.title}" if before else "Previous",
            key="tour_prev",
            icon=":material/arrow_back:",
            disabled=before is None,
            on_click=_go_to,
            args=(number - 1,),
            help="Or press ←",
        )
        shown = st.pagination(
            len(STEPS),
            default=STEP_PARAM.default,
            max_visible_pages=None,
            key=STEP_PARAM.key,
            bind="query-params",
            on_change=_forget_controls,
        )
        st.button(
            f"Next: {after.title}" if after else "End of the tour",
            key="tour_next",
            icon=":material/arrow_forward:",
            disabled=after is None,
            on_click=_go_to,
            args=(number + 1,),
            type="primary",
            help="Or press →",
        )
    return shown


def arrow_keys() -> None:
    """← and →, Previous and Next press the step widget's arrows (installed once per window;
    idle on other pages)."""
    component = st.components.v2.component("initlab_tour_keys", html="<span></span>", js=_KEYS_JS)
    with st.sidebar:
        component(key="initlab_tour_keys")


def control(step: Step) -> Any:
    """The step's one control, bound to the URL under the tour's own key: a slider, or a choice."""
    c = step.control
    if c.param.choices is not None:
        return widgets.choice(c.param, c.label, radio=True)
    return widgets.slider(c.param, c.label, step=c.step, format=c.fmt)


def links(step: Step, value: Any) -> None:
    lab = f"[Open this view in {step.lab.name}]({step.lab_link(value)})"
    st.markdown(" · ".join([lab, *(f"[{label}]({url})" for label, url in step.links)]))


def activation_view(values: dict[str, Any]) -> None:
    """The activation lab's figure and diagnosis for these lab values, through the lab's cache."""
    cfg = build_config(values)
    problems = config_problems(cfg)
    if problems:
        st.error("Cannot simulate: " + "; ".join(problems) + ".")
        return
    cost = estimate_cost(cfg)
    if not cost.within_budget:
        st.error(budget_advice(cfg, cost), icon=":material/timer:")
        return
    result, _ = run_simulation(cfg)
    figure, _ = lab_figure(result, values)
    live_chart(figure, key=FIGURE_KEY, min_width=LAYER_FIGURE_MIN_WIDTH)
    for finding in findings_of(result):
        LEVEL_BOX[finding.level](finding.text)


def preprocessing_view(values: dict[str, Any]) -> None:
    """The preprocessing lab's gradient-descent comparison for these lab values."""
    x, y, description = cloud(values)
    figure, _ = conditioning_view(x, y, values, f"{description} · seed {values['seed']}")
    live_chart(figure, key=FIGURE_KEY)


def transfer_view(values: dict[str, Any]) -> None:
    """The transfer lab's default comparison (scratch against a new last layer, k = 1 and 5) on the target."""
    target, seeds = values["target"], values["seeds"]
    source, _ = source_net()
    result = comparison(source, view_config(target, False, seeds), f"{target} target, scratch and last layer")
    ks_x, ks_text = k_axis(result.config.ks, target)
    token = accuracy_token(result, target, seeds)
    live_chart(accuracy_figure(ks_x, ks_text, strategy_lines(result, target), token), key=FIGURE_KEY)
    st.markdown(f"**Last layer only − scratch** (paired by seed): {gain_sentence(result, target, 'last')}.")


VIEWS: dict[str, Callable[[dict[str, Any]], None]] = {
    "activations": activation_view,
    "preprocessing": preprocessing_view,
    "transfer": transfer_view,
}


def show_step(number: int) -> None:
    """Step `number`: its claim, the note, its control with what to try and the links, the figure."""
    step = STEPS[number - 1]
    st.header(f"{number}. {step.title}", anchor=False)
    st.markdown(step.claim)
    if step.note:
        st.warning(step.note, icon=":material/edit_note:")
    # Present mode leaves this row out (its control is hidden): the figure comes right after the claim.
    with st.container(key="tour_try"):
        left, right = st.columns([3, 2], vertical_alignment="center")
        with right:
            value = control(step)
        with left:
            st.markdown(f"**Try this:** {step.try_this}")
            links(step, value)
    VIEWS[step.lab.path](step.lab_values(value))
