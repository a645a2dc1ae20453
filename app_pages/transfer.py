"""Transfer learning: reuse a pretrained net's features on a small target task, and see which strategy wins."""

import streamlit as st

from engine.transfer import STRATEGIES, TARGET_KINDS, VARIANTS
from ui import widgets
from ui.live_chart import live_chart
from ui.toolbar import view_toolbar
from ui.transfer_params import PARAM_BY_KEY as P
from ui.transfer_params import PARAMS, k_value
from ui.transfer_text import PLAIN_DIGITS, SETUP, advice_table, lecture_table
from ui.transfer_view import (
    BAND,
    DEPTH_NAMES,
    accuracy_token,
    comparison,
    curve_text,
    gain_sentence,
    k_axis,
    layerwise_result,
    layerwise_text,
    learning_run,
    probe_caption,
    probe_config,
    probe_lines,
    source_filters,
    source_net,
    strategy_lines,
    target_caption,
    view_config,
)
from ui.urlparams import sanitize_query_params, start_page, warn_rejections
from viz.transfer import (
    STRATEGY_COLORS,
    accuracy_figure,
    curves_figure,
    filters_figure,
    layerwise_figure,
    probes_figure,
)


def controls() -> dict:
    with st.sidebar:
        st.subheader("Comparison")
        widgets.choice(P["target"], "target", radio=True)
        widgets.toggle(P["full"], "every strategy, every k, both targets")
        widgets.slider(P["seeds"], "seeds")
        st.subheader("Features")
        widgets.toggle(P["probes"], "linear probes at each depth")
        widgets.toggle(P["layerwise"], "layer by layer (AnB / BnB)")
        st.subheader("Learning curve")
        widgets.choice(P["strategy"], "strategy")
        widgets.choice(P["k"], "examples per class k")
        widgets.number(P["seed"], "seed")
    return {key: st.session_state.get(key, param.default) for key, param in P.items()}


st.title("Transfer learning")
st.caption(
    "Take a net trained on a large data set, re-initialize its top and train it on a small one: the lecture's "
    "last topic, measured live. Which strategy wins depends on how much data you have and how similar it is."
)
start_page("transfer", PARAMS)
rejections = sanitize_query_params(PARAMS)
v = controls()
warn_rejections(rejections, v)
presenting = view_toolbar("transfer")
target, seeds = v["target"], v["seeds"]


def sidebar_hint(text: str) -> str:
    """A hint to turn something on in the sidebar; none in present mode, which hides the sidebar."""
    return "" if presenting else " " + text


st.header("1. The pretrained net", anchor="source")
source, shipped = source_net()
st.metric(
    "source net's accuracy on its own held-out digits 0-4",
    f"{source.val_accuracy:.1%}",
    help="150 digits 0-4 the source net did not train on, drawn the same way as its training images",
)
origin = (
    "loaded from engine/transfer/pretrained_source.npz, made by scripts/make_transfer_source.py from this "
    "configuration (training it here would take half a minute)"
    if shipped
    else f"trained in this server process in {source.seconds:.0f} s"
)
st.markdown(SETUP + f" The source net was {origin}.")

st.header("2. Which strategy wins for which data size", anchor="strategies")
result = comparison(source, view_config(target, v["full"], seeds), f"{target} target, every strategy at every k")
ks_x, ks_text = k_axis(result.config.ks, target)
token = accuracy_token(result, target, seeds)
live_chart(accuracy_figure(ks_x, ks_text, strategy_lines(result, target), token), key="transfer_accuracy")
st.markdown(
    f"**Last layer only − scratch** (paired by seed, mean ± sample std): {gain_sentence(result, target, 'last')}."
)
if v["full"]:
    st.markdown(f"**Fine-tune everything − scratch**: {gain_sentence(result, target, 'finetune')}.")
else:
    st.caption(
        "The default view: scratch against a new last layer at k = 1 and 5."
        + sidebar_hint(
            "Turn on *every strategy, every k, both targets* in the sidebar for all five strategies at k = 1 to "
            "all (about a minute per target the first time; quick afterwards while this server keeps the result) "
            "and the lecture's table below."
        )
    )
st.caption(target_caption(result, target))

st.header("3. The lecture's table, measured", anchor="table")
if v["full"]:
    results = {
        t: comparison(source, view_config(t, True, seeds), f"{t} target, every strategy at every k")
        for t in TARGET_KINDS
    }
    # The "very different, very little data" cell's advice is a linear classifier from different stages.
    different_probes = comparison(source, probe_config("different", seeds), "linear probes on the different target")
    st.markdown(lecture_table(results, {"different": different_probes}), unsafe_allow_html=True)
else:
    st.markdown(advice_table(), unsafe_allow_html=True)
    st.caption(
        "The lecture's advice; the full comparison on both targets measures each cell."
        + sidebar_hint("Turn on *every strategy, every k, both targets* in the sidebar.")
    )
st.markdown(PLAIN_DIGITS)

st.header("4. What the layers learned", anchor="layers")
panels, correlation, change = source_filters(source)
live_chart(filters_figure(panels, "16 filters of conv 1, in a 4 × 4 grid per panel"), key="transfer_filters")
st.caption(
    f"With 3×3 filters the first layer moves only part of the way from its initialization: the trained weights "
    f"correlate {correlation:.2f} with their starting values, the change is {change:.0%} of the initial weights' "
    "size. A 3×3 patch holds little more than an edge or a dot, so its features should be generic: the layer-by-layer "
    "experiment below tests that on one seed, comparing the source net's first layer copied to the target (AnB) "
    "with the target's own (BnB)."
)
k = k_value(v["k"])
if v["probes"]:
    probes = {t: comparison(source, probe_config(t, seeds), f"linear probes on the {t} target") for t in TARGET_KINDS}
    probe_token = f"k = {v['k']} examples per class · {seeds} seeds · {BAND}"
    live_chart(probes_figure(DEPTH_NAMES, probe_lines(probes, k), probe_token), key="transfer_probes")
    st.caption(probe_caption(probes, k))
elif not presenting:
    st.caption(
        "Turn on *linear probes at each depth* in the sidebar (seconds to a minute the first time on a server) "
        "for a linear classifier on each layer's features."
    )

st.header("5. How transferable are the features, layer by layer", anchor="layerwise")
st.markdown(
    "After Yosinski et al. (2014), scaled down: net A is the source net (digits 0-4), net B the same "
    "architecture trained on digits 5-9 drawn the same way. A new net copies the first n layers of A (**AnB**) or "
    "of B (**BnB**), re-initializes the rest and trains on B, with the copies frozen or fine-tuned (**+**)."
)
if v["layerwise"]:
    lw = layerwise_result(source)
    live_chart(
        layerwise_figure(lw.accuracy, lw.base_b, f"one seed · {', '.join(VARIANTS)} · base B dotted"),
        key="transfer_layerwise",
    )
    st.markdown(layerwise_text(lw))
elif not presenting:
    st.caption(
        "Turn on *layer by layer* in the sidebar: it trains base B and 12 nets (about half a minute of CPU, "
        "once per server)."
    )

st.header("6. Learning curve", anchor="curve")
strategy = v["strategy"]
runs = {STRATEGIES[strategy].label: (STRATEGY_COLORS[strategy], learning_run(source, target, strategy, k, v["seed"]))}
if strategy != "scratch":
    runs["train from scratch"] = (STRATEGY_COLORS["scratch"], learning_run(source, target, "scratch", k, v["seed"]))
curve_token = f"{target} target · k = {v['k']} · seed {v['seed']} · " + " · ".join(
    f"{label} test {run.test_accuracy:.1%}" for label, (_, run) in runs.items()
)
live_chart(
    curves_figure({label: (color, run.losses) for label, (color, run) in runs.items()}, curve_token),
    key="transfer_curve",
)
st.caption(curve_text(runs))
