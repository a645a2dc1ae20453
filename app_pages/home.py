"""Home: what InitLab is, and a way into each lab."""

import streamlit as st

from ui.pages import LABS
from ui.urlparams import sanitize_query_params, warn_rejections

st.title("InitLab")
warn_rejections(sanitize_query_params(()), {})  # the home page has no settings: a link's extras leave
st.markdown(
    "See what happens inside a deep network at initialization and in training: how the choice of weight "
    "initialization, activation function and input preprocessing shapes the signal that flows "
    "forward and the gradient that flows back, layer by layer. It follows Stanford CS231n, "
    "*Training Neural Networks, Part 1*, and lets you go past it: up to 200 layers of up to 16,384 "
    "units, computed live within a work budget (a setting beyond it is refused with the largest "
    "width, batch or depth that fits, one click away)."
)
# Each lab's link, and beside it what it shows (wrapping in its own column: a link's label
# does not wrap, and a long one was cut at 1024 px).
for lab in LABS:
    link, text = st.columns([1, 2], gap="small", vertical_alignment="center")
    link.page_link(lab.script, label=f"**{lab.title}**", icon=lab.material_icon)
    text.markdown(lab.what)
st.markdown(
    "**Start here:** open the activation lab, pick *Lecture: tanh, W = 0.01·randn* and watch the "
    "layers collapse toward zero; switch to Xavier and they hold; switch to ReLU and Xavier fades "
    "while Kaiming holds. Every control lives in the address bar: copy it to share exactly what you see. "
    "To see two settings side by side, switch on *compare with a second setting B* in the activation or the "
    "training lab: [tanh 0.01 against 0.05](activations?compare=true&b_std=0.05), "
    "[deep tanh 0.01·randn against Xavier, trained](training?preset=tanh-0.01-sgd&compare=true&b_init=xavier&step=500)."
)
st.subheader("Lecture links")
for label, query in (
    ("tanh, W = 0.01·randn (collapses)", "preset=tanh-0.01"),
    ("tanh, W = 0.05·randn (saturates)", "preset=tanh-0.05"),
    ("tanh, Xavier (holds)", "preset=tanh-xavier"),
    ("ReLU, Xavier (fades)", "preset=relu-xavier"),
    ("ReLU, Kaiming (holds)", "preset=relu-kaiming"),
    ("zero init (no symmetry breaking)", "preset=zero-init"),
    ("tanh, W = 0.05·randn with batch norm before tanh (healthy again)", "preset=tanh-0.05&bn=before"),
):
    st.markdown(f"- [{label}](activations?{query})")
st.markdown(
    "Then train: [zero init, nothing changes](training?preset=zero-init&step=500) · "
    "[deep tanh at 0.01·randn can't learn](training?preset=tanh-0.01-sgd&step=500) · "
    "[Xavier learns](training?preset=tanh-xavier-sgd&step=500) · "
    "[batch norm rescues a tiny init](training?preset=scale-bn&step=400). "
    "Then reuse: [does a pretrained net beat training from scratch on five examples a class?](transfer)"
)
