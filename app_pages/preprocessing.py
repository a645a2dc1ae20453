"""Data preprocessing: centering, normalizing, decorrelating, whitening, and what each does downstream."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from engine.data import MAX_NPY_BYTES, digits, parse_csv, parse_npy, photo_patches, split
from engine.prep_lab import constant_note, eigen_images, first_layer, leakage, pick_features, stages, zca_whitened
from engine.transforms import channel_means, mean_image
from ui import first_view, widgets
from ui.controls import BoundControls
from ui.live_chart import live_chart
from ui.preprocessing_params import PARAM_BY_KEY as P
from ui.preprocessing_params import PARAMS
from ui.preprocessing_views import cloud, conditioning_view
from ui.toolbar import view_toolbar
from ui.urlparams import sanitize_query_params, start_page, warn_rejections
from viz.preprocessing import (
    first_layer_figure,
    image_grid,
    photo_means_figure,
    stages_figure,
)

FIRST_LAYER_WIDTH = 256
DIGITS = "8x8 digits (scikit-learn), label: digit ≥ 5"


@st.cache_data(max_entries=1, show_spinner=False)
def cached_digits():
    return digits()


# Sections that depend on few controls are cached as finished figures (read-only,
# shared): rebuilding them on every rerun would cost more than the rest of the page.
@st.cache_resource(max_entries=16, show_spinner=False)
def digits_view(test_frac: float, seed: int) -> tuple[go.Figure, float]:
    """The digits image grid, and the variance share of its 8 principal components."""
    images, _ = cached_digits()
    train_idx, test_idx = split(len(images), test_frac, seed)
    train_images = images[train_idx].reshape(-1, 8, 8)
    eigen, share = eigen_images(train_images, 8)
    rows = [
        ("mean image", mean_image(train_images)[None]),
        ("eigen-images", eigen),
        ("test digits", images[test_idx[:8]].reshape(-1, 8, 8)),
        ("ZCA-whitened", zca_whitened(train_images)[:8]),
    ]
    token = f"digits · {len(train_idx)} train / {len(test_idx)} test · seed {seed}"
    figure = image_grid(rows, token, "Digits: mean image, leading principal components, whitening")
    return figure, float(share.sum())


@st.cache_resource(max_entries=4, show_spinner=False)
def photos_view(seed: int) -> go.Figure:
    patches = photo_patches(600, 8, seed)
    token = f"600 random 8x8 patches of scikit-learn's sample photos · seed {seed}"
    return photo_means_figure(mean_image(patches), channel_means(patches), patches[0], token)


def controls() -> dict:
    with st.sidebar:
        data = widgets.choice(P["data"], "data")
        if data == "cloud":
            widgets.slider(P["n"], "points")
            left, right = st.columns(2)
            widgets.number(P["off_x"], "mean x", step=1.0, where=left)
            widgets.number(P["off_y"], "mean y", step=1.0, where=right)
            widgets.number(P["sx"], "std x", step=0.5, where=left)
            widgets.number(P["sy"], "std y", step=0.5, where=right)
            widgets.slider(P["corr"], "correlation")
        else:
            left, right = st.columns(2)
            widgets.number(P["fx"], "feature on x", where=left)
            widgets.number(P["fy"], "feature on y", where=right)
        st.subheader("Optimization")
        widgets.number(P["lr"], "learning rate", step=0.1, fmt="%.4f")
        widgets.slider(P["steps"], "steps")
        widgets.slider(P["test_frac"], "test fraction")
        widgets.number(P["seed"], "seed")
    return {key: st.session_state.get(key, param.default) for key, param in P.items()}


def start_values() -> dict | None:
    """The values the controls start from (the address, else the defaults), for a first view;
    None for an upload (its uploader is a control of the page itself)."""
    values = BoundControls(P).values(tuple(P))
    return None if values["data"] == "upload" else values


def load(v: dict) -> tuple[np.ndarray | None, np.ndarray | None, str]:
    """(features, binary labels or None, a description) of the chosen data."""
    if v["data"] == "cloud":
        return cloud(v)
    if v["data"] == "digits":
        x, labels = cached_digits()
        return x, (labels >= 5).astype(float), DIGITS
    return uploaded()


def uploaded() -> tuple[np.ndarray | None, np.ndarray | None, str]:
    """The uploaded file's (features, labels or None, description), or Nones with the reasons shown.

    The browser refuses a file over the uploader's limit (the page's largest, 8 MB) by itself: the
    page never hears of it, and the browser lists it beside the file the uploader holds. So a file
    the page refuses is let go of (the uploader starts afresh) and named in its reason, which then
    cannot be read as being about a later file the browser refused.
    """
    generation = st.session_state.get("_upload_generation", 0)
    upload = st.file_uploader(
        "A CSV of numeric columns (header row optional, at most 2 MB) or a NumPy .npy array (at most 8 MB)",
        type=["csv", "npy"],
        max_upload_size=MAX_NPY_BYTES >> 20,
        key=f"upload_{generation}",
    )
    st.caption("Uploaded data stays in this session: it cannot travel in a shared link.")
    for reason in st.session_state.pop("_upload_refused", []):
        st.error(reason)
    if upload is None:
        st.info("Upload a file to use your own data; the other sections below use the digits meanwhile.")
        return None, None, ""
    parse = parse_npy if upload.name.lower().endswith(".npy") else parse_csv
    table = parse(upload.getvalue())
    if table.values is None:
        st.session_state["_upload_refused"] = [f"{upload.name} was not used. {error}" for error in table.errors]
        st.session_state["_upload_generation"] = generation + 1
        st.rerun()
    for note in table.notes:
        st.warning(note)
    x = table.values
    y = (x[:, -1] > np.median(x[:, -1])).astype(float) if x.shape[1] > 1 else None
    features = x[:, :-1] if y is not None and x.shape[1] > 2 else x
    return features, y, f"{upload.name}: {len(x)} rows × {x.shape[1]} columns (label: last column above its median)"


st.title("Data preprocessing")
st.caption(
    "Zero-center, normalize, decorrelate, whiten: what each step does to the data, to a linear classifier's "
    "optimization, and to the first layer of a net. Statistics are fitted on the data shown; the digits' on their "
    "training split only (*Statistics from the training set only* shows why)."
)
start_page("preprocessing", PARAMS)
rejections = sanitize_query_params(PARAMS)
v = first_view.values_for("preprocessing", bool(rejections), start_values) or controls()
warn_rejections(rejections, v)
view_toolbar("preprocessing")
x, y, description = load(v)
if x is None:
    x, labels = cached_digits()
    y, description = (labels >= 5).astype(float), DIGITS
# The feature boxes' defaults are pixels of the digits; other data starts at its first two
# features, and only a feature the reader chose (in the URL once changed) can be missing.
chosen = (None, None) if v["data"] == "cloud" else tuple(v[k] if k in st.query_params else None for k in ("fx", "fy"))
default = (P["fx"].default, P["fy"].default) if description == DIGITS else (0, 1)
pick = pick_features(x.shape[1], chosen, default)
if pick.warning:
    st.warning(pick.warning, icon=":material/warning:")
if pick.info:
    st.info(pick.info)
fx, fy = pick.fx, pick.fy
constant = constant_note(x, fx, fy)
if constant:
    st.info(constant, icon=":material/info:")
token = f"{description} · seed {v['seed']}"

st.header("1. Original, zero-centered, normalized, decorrelated, whitened", anchor="stages")
live_chart(stages_figure(stages(x, fx, fy), (f"feature {fx}", f"feature {fy}"), token), key="stages")
first_view.stop_if_showing()
st.caption(
    "Zero-centering moves the cloud to the origin in every dimension; normalizing gives every dimension the same "
    "scale (std 1), so each contributes equally; PCA rotates onto the principal axes (covariance 0); whitening "
    "also scales each axis to variance 1 (covariance matrix = identity). A feature that is constant in the "
    "training data is only centred (scale 1, as scikit-learn's StandardScaler does)."
)

st.header("2. Why normalize: a linear classifier", anchor="optimization")
if y is None:
    st.info("This section needs a label: upload at least two columns (the last one is thresholded at its median).")
else:
    figure, c = conditioning_view(x, y, v, token)
    live_chart(figure, key="conditioning")

    def settled(step: int | None) -> str:
        if step is None:
            return "never (within the steps shown)"
        return "from the start" if step == 0 else f"after {step} step{'s' if step > 1 else ''}"

    st.caption(
        f"Far from the origin and unnormalized, a small relative change of the weights swings the decision "
        f"boundary across the data: the loss is sharp and lopsided (left). Normalized, the same classifier's loss "
        f"is gentle (middle). With the same learning rate, gradient descent gets below the dotted loss for good "
        f"{settled(c.steps_raw)} on the raw data, {settled(c.steps_centered)} zero-centered only, and "
        f"{settled(c.steps_normalized)} normalized (right): the lecture's 'less sensitive to small changes in "
        "weights; easier to optimize'. Pixels already share one scale, so for images zero-centering alone is "
        "enough at a learning rate suited to that scale (try the digits with lr 0.05); raw pixels, far from the "
        "origin, stay slow."
    )

st.header("3. Downstream: the first layer of a net", anchor="downstream")
fl = first_layer(x, FIRST_LAYER_WIDTH, v["seed"])
live_chart(first_layer_figure(fl, token + f" · tanh layer of {FIRST_LAYER_WIDTH}, Xavier"), key="first_layer")
mean, std = float(x.mean()), float(x.std())
link = f"activations?init=xavier&width=512&in_mean={mean:.3g}&in_std={std:.3g}"
st.caption(
    f"Raw inputs (mean {mean:.3g}, std {std:.3g}) push the pre-activations far from 0: {fl.saturated_raw:.0%} of "
    f"tanh units saturate. Standardized, {fl.saturated_preprocessed:.0%} do. See it through a whole net in the "
    f"activation lab: [inputs like these]({link}) and [the same, zero-centered]({link}&prep=center)."
)

st.header("4. Images", anchor="images")
digits_figure, share = digits_view(float(v["test_frac"]), v["seed"])
live_chart(digits_figure, key="digits")
st.caption(
    f"The mean image is what AlexNet-style per-pixel centering subtracts. The first 8 principal components explain "
    f"{share:.0%} of the pixel variance; whitening flattens the spectrum, so edges dominate. For images, "
    "zero-centering alone is usually enough: pixels already share a scale, and CNNs rely on spatial structure that "
    "PCA projection would scramble."
)
live_chart(photos_view(v["seed"]), key="photos")
st.caption(
    "Per-pixel mean subtraction (AlexNet) removes a whole mean image; per-channel mean subtraction (VGGNet) "
    "removes three numbers, one per colour channel. Both centre the data."
)
images, _ = cached_digits()
train_idx, test_idx = split(len(images), float(v["test_frac"]), v["seed"])
leak = leakage(images[train_idx], images[test_idx])
st.subheader("Statistics from the training set only")
st.markdown(
    f"Standardized with **training statistics only**, the test pixels have mean {leak.honest_mean:+.3f} and an "
    f"average std of {leak.honest_std:.3f}: close to, not exactly, 0 and 1, as for any new data. Fitting the mean "
    f"and std on train **and test** (a leak) gives {leak.leaked_mean:+.3f} and {leak.leaked_std:.3f} and moves "
    f"individual test values by up to **{leak.max_change:.2f}** standard units: the evaluation would no longer "
    "describe data the model has never seen."
)
