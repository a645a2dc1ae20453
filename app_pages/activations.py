"""Activation statistics: the lecture's experiments, per-layer histograms, live."""

import streamlit as st

from engine import SimResult, config_problems, estimate_cost
from engine.config import budget_advice, budget_suggestions
from engine.init import INITIALIZERS
from engine.report import layer_rows
from ui import first_view
from ui.activation_compare import (
    LAB,
    first_view_values,
    lab_controls,
    layer_columns,
    send_view_address,
    show_comparison,
)
from ui.activation_params import (
    ALL_PARAMS,
    PRESET_SET,
    build_config,
    suggestion_changes,
    view_query,
)
from ui.compare import open_lab
from ui.live_chart import live_chart
from ui.page_run import end_page
from ui.simulation import LEVEL_BOX, findings_of, lab_figure, run_simulation, simulate_ahead
from ui.theory_overlay import overlay_caption
from ui.toolbar import view_toolbar
from ui.urlparams import offer_views
from viz.activations import LAYER_FIGURE_MIN_WIDTH

PATH_LABELS = {"exact": "exact sampling", "explicit": "explicit weights"}

st.title("Activation statistics")
st.caption(
    "A deep fully connected net at initialization, as in CS231n: `x = act(x @ W + b)` layer after layer. "
    "Histograms show every layer's activations on the same axis; gradients come from a standard-normal "
    "gradient on the last layer, backpropagated."
)

opened, values, compared = open_lab(
    "activations", ALL_PARAMS, LAB, PRESET_SET.expand_url_preset, lab_controls, first_view_values
)
view_toolbar("activations")
if opened and values["init"].startswith("kaiming") and values["gain"] is not None:
    st.info(
        f"`gain={values['gain']:g}` is PyTorch's gain: Kaiming's std is g/√fan, as `kaiming_normal_` with "
        "the same gain gives. Links made before December 2026 multiplied √(2/fan) by g: to see such a link's "
        f"old view, use gain={values['gain'] * 2**0.5:.4g}.",
        icon=":material/info:",
    )

send_view_address(values, compared)
if compared is not None:
    show_comparison(values, compared)
    end_page()

cfg = build_config(values)
problems = config_problems(cfg)
if problems:
    st.error("Cannot simulate: " + "; ".join(problems) + ".")
    end_page()
cost = estimate_cost(cfg)
if not cost.within_budget:
    st.error(budget_advice(cfg, cost), icon=":material/timer:")
    offer_views(
        (s.describe(), f"activations?{view_query(values, **suggestion_changes(values, s))}")
        for s in budget_suggestions(cfg)
    )
    end_page()

result, seconds = run_simulation(cfg)
paths = " and ".join(sorted({PATH_LABELS[p] for p in result.paths}))
sizes = cfg.sizes
shown_sizes = ", ".join(map(str, sizes)) if len(sizes) <= 12 else f"{sizes[0]} → … → {sizes[-1]}"
st.caption(
    f"{cfg.depth} layer{'s' * (cfg.depth != 1)} · sizes {shown_sizes} · batch {cfg.batch} · computed by **{paths}** "
    f"in {seconds * 1000:.0f} ms. The address bar holds this exact view: copy it to share."
)

# The diagnosis shows above the chart but is computed after it: it may run a deeper net or a
# standard init for comparison (through the same cache), and the chart need not wait for them.
diagnosis_slot = st.container()

# The figure carries Streamlit's look itself (viz.common.STREAMLIT_LOOK); live_chart redraws it in place.
# Sent as a spec: Plotly's validation of the figure cost more than building it.
figure, prediction = lab_figure(result, values)
live_chart(figure, key="layers", min_width=LAYER_FIGURE_MIN_WIDTH)
if prediction is not None:
    st.caption(overlay_caption(cfg, prediction))

with diagnosis_slot:
    for finding in findings_of(result):
        LEVEL_BOX[finding.level](finding.text)
first_view.stop_if_showing()


def layer_table(result: SimResult) -> None:
    """The per-layer statistics as a table, and as a CSV to download."""
    # Imported here, after the chart is sent: pandas is the page's heaviest import (0.7 to 1.4 s
    # in a new server process), and a first visit's chart need not wait for it.
    import pandas as pd

    table = pd.DataFrame(layer_rows(result))
    shown = table.dropna(axis=1, how="all")  # e.g. no saturation column for ReLU; the CSV keeps all
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(shown), 400),
        column_config=layer_columns(shown.select_dtypes("float").columns),
    )
    # Written when clicked: built on every run, the file cost a CSV, a stored media file and a
    # request from the browser per change of any control.
    st.download_button(
        "Download CSV",
        lambda: table.to_csv(index=False),
        file_name="initlab_layers.csv",
        mime="text/csv",
        on_click="ignore",
    )


st.subheader("Per-layer statistics")
layer_table(result)

st.subheader("The initializer")
spec = INITIALIZERS[cfg.init]
st.latex(spec.latex)
st.markdown(
    "For dense weights `W` of shape `(Din, Dout)`: fan_in = Din, fan_out = Dout. For a conv layer with "
    "weights `(out, in, kh, kw)`: fan_in = in·kh·kw, fan_out = out·kh·kw. "
    "Kaiming is `W = np.random.randn(Din, Dout) * np.sqrt(2 / Din)`: some write-ups print "
    "`/ np.sqrt(2 / Din)`, which divides where it must multiply."
)

# The view is complete: the net one depth key press away is computed now, not on the press.
simulate_ahead(values)
