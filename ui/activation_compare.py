"""The activation lab's compare mode: controls of A and B, and the view of both (ui/compare.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from engine import SimResult, config_problems, estimate_cost
from engine.config import SimConfig, budget_advice
from engine.report import layer_rows
from engine.theory.predict import Prediction
from ui.activation_controls import own_controls, setting_controls, view_controls
from ui.activation_params import (
    COMPARISONS,
    CONTROL_KEYS,
    PARAM_BY_KEY,
    PRESET_SET,
    VIEW_KEYS,
    address_values,
    applies,
    build_config,
    effective_values,
)
from ui.compare import (
    CompareLab,
    compare_address,
    compare_controls,
    describe_differences,
    start_values,
)
from ui.live_chart import live_chart
from ui.simulation import LEVEL_BOX, findings_of, run_simulation
from ui.theory_overlay import mean_field, overlay_caption
from ui.urlparams import send_url
from viz.activations import LAYER_FIGURE_MIN_WIDTH, layer_spec

SETTINGS = ("A", "B")


LAB = CompareLab(PARAM_BY_KEY, CONTROL_KEYS, applies, effective_values, own_controls, setting_controls, COMPARISONS)


def lab_controls(opened: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The sidebar: the compare switch, A's controls (and B's in a second tab), the view switches.

    Returns A's values (with the view's) and B's values (None without compare mode).
    """
    with st.sidebar:
        values, compared = compare_controls(LAB, opened)
        st.divider()
        values.update(view_controls())
    return values, compared


def first_view_values() -> dict[str, Any] | None:
    """The values the controls will start from, as lab_controls returns them, for a tab's first
    view (ui.first_view); None in compare mode or for a setting the page cannot simulate (the
    page then opens whole, with its message)."""
    values = start_values(LAB, PRESET_SET, VIEW_KEYS)
    if values is None:
        return None
    cfg = build_config(values)
    return None if config_problems(cfg) or not estimate_cost(cfg).within_budget else values


def send_view_address(values: dict[str, Any], compared: dict[str, Any] | None) -> None:
    """The whole address of the view (compared None: not comparing), sent by every run.

    A run that writes a control (a preset, an answer to a request from before it) sends an address
    made from its request's, which the browser may receive after later key presses have changed
    it: the last run's address must be the one the browser keeps, as in the training lab.
    """
    send_url({**address_values(values), **compare_address(LAB, compared)})


def _simulable(name: str, cfg: SimConfig) -> bool:
    """Whether setting `name` can be simulated within the budget; else says why."""
    problems = config_problems(cfg)
    if problems:
        st.error(f"Cannot simulate setting {name}: " + "; ".join(problems) + ".")
        return False
    cost = estimate_cost(cfg)
    if not cost.within_budget:
        st.error(f"Setting {name}: {budget_advice(cfg, cost)}", icon=":material/timer:")
        return False
    return True


def show_comparison(values: dict[str, Any], compared: dict[str, Any]) -> None:
    """A and B: the shared figure, each one's diagnosis, and the per-layer table with ratios."""
    configs = (build_config(values), build_config(compared))
    if not all(_simulable(name, cfg) for name, cfg in zip(SETTINGS, configs)):
        return
    (result_a, sec_a), (result_b, sec_b) = (run_simulation(cfg) for cfg in configs)
    changed = describe_differences(LAB, values, compared)
    st.caption(
        f"**B differs from A in:** {changed or 'nothing yet: change a control in the sidebar tab *Setting B*'}. "
        f"Computed in {sec_a * 1000:.0f} + {sec_b * 1000:.0f} ms. The address bar holds this exact view."
    )
    predictions = [mean_field(cfg) if values["theory"] else None for cfg in configs]
    drawn = [p if isinstance(p, Prediction) else None for p in predictions]
    spec = layer_spec(
        result_a,
        values["pre"],
        values["logy"],
        values["dphi"],
        drawn[0],
        compared=result_b,
        compared_prediction=drawn[1],
    )
    live_chart(spec, key="layers", min_width=LAYER_FIGURE_MIN_WIDTH)
    # The diagnoses under the figure here, not above it: the contrast is the picture, and two
    # diagnoses side by side would push it below the fold of a projector.
    for column, name, result in zip(st.columns(2), SETTINGS, (result_a, result_b)):
        with column:
            st.markdown(f"**Setting {name}**")
            for finding in findings_of(result):
                LEVEL_BOX[finding.level](finding.text)
    for name, cfg, prediction in zip(SETTINGS, configs, predictions):
        if prediction is not None:
            st.caption(f"**{name}.** {overlay_caption(cfg, prediction)}")
    st.subheader("Per-layer statistics, A and B")
    comparison_table(result_a, result_b)


def layer_columns(floats: Iterable[str]) -> dict[str, Any]:
    """Column settings of a per-layer table: the layer number pinned (the table scrolls sideways at
    laptop widths and each row must still say its layer), four significant digits."""
    return {
        "layer": st.column_config.NumberColumn(pinned=True),
        **{column: st.column_config.NumberColumn(format="%.4g") for column in floats},
    }


# Each statistic of A beside B's; a ratio B / A where both are scales (a ratio of means near 0 is noise).
TABLE_COLUMNS = (("act_std", True), ("act_mean", False), ("grad_std", True), ("weight_grad_std", True))


def comparison_table(result_a: SimResult, result_b: SimResult) -> None:
    """Per layer: A's and B's activation and gradient statistics side by side, and B / A."""
    import pandas as pd  # after the chart is sent, as in the single view

    both = pd.merge(
        pd.DataFrame(layer_rows(result_a)),
        pd.DataFrame(layer_rows(result_b)),
        on="layer",
        how="outer",
        suffixes=(" A", " B"),
    )
    table = pd.DataFrame({"layer": both["layer"]})
    for column, ratio in TABLE_COLUMNS:
        table[f"{column} A"] = both[f"{column} A"]
        table[f"{column} B"] = both[f"{column} B"]
        if ratio:
            table[f"{column} B/A"] = both[f"{column} B"] / both[f"{column} A"]
    shown = table.dropna(axis=1, how="all")
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(shown), 400),
        column_config=layer_columns(shown.select_dtypes("float").columns),
    )
    st.download_button(
        "Download CSV",
        lambda: table.to_csv(index=False),  # written when clicked, as the lab's own table
        file_name="initlab_layers_a_b.csv",
        mime="text/csv",
        on_click="ignore",
    )
