"""Kinds of change a user makes, driven in Chromium, and the views bench/latency.py times them on.

A change is prepared (a select box opened, a number typed), then one action is timed (the
option clicked, Enter pressed) until the page shows what the change must show. Where the
lab caches simulations, an untimed change of the seed comes first, so that the timed
change computes its view instead of finding it in the cache.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from ui import batchnorm_params
from ui.activation_params import PRESETS
from ui.training_params import PRESETS as TRAINING_PRESETS

Action = Callable[[], Any]

# Checks: JavaScript functions of what the change must show, true once it is on screen.
ALL_SUBTITLES_HAVE = """(text) => {
    const subtitles = [...document.querySelectorAll('.gtitle-subtitle')].map(e => e.textContent);
    return subtitles.length > 0 && subtitles.every(s => s.includes(text));
}"""
MAIN_SUBTITLE_HAS = "(text) => document.querySelector('.gtitle-subtitle')?.textContent.includes(text) ?? false"
SOME_SUBTITLE_HAS = """(text) => [...document.querySelectorAll('.gtitle-subtitle')]
    .some(e => e.textContent.includes(text))"""
FLOOR_TEXT_IS = """(text) => [...document.querySelectorAll('[data-testid=stMarkdownContainer] p')]
    .some(p => p.textContent === text)"""
PRE_ACTIVATIONS_SHOWN = """(shown) => [...document.querySelectorAll('.initlab-live-chart text')]
    .some(t => t.textContent.startsWith('Pre-activations')) === shown"""


def press_slider_key(page, label: str, _value: Any) -> Action:
    # Visible ones only: in compare mode setting B's controls wait, hidden, in the sidebar's other tab.
    thumb = page.locator("[data-testid='stSlider']:visible").filter(has_text=label).locator("input[type='range']")
    thumb.focus()
    return lambda: page.keyboard.press("ArrowRight")


def pick_option(page, label: str, value: Any) -> Action:
    box = page.locator("[data-testid='stSelectbox']:visible").filter(has_text=label)
    option = page.get_by_role("option", name=str(value), exact=True)
    # Right after a rerun a click can focus the box without opening it: click again.
    for _ in range(5):
        box.click()
        with contextlib.suppress(PlaywrightTimeout):
            option.wait_for(timeout=2_000)
            return option.click
    raise RuntimeError(f"the {label!r} box did not open")


def type_number(page, label: str, value: Any) -> Action:
    box = page.locator("[data-testid='stNumberInput']:visible").filter(has_text=label).locator("input")
    box.fill(str(value))
    return lambda: box.press("Enter")


def flip_toggle(page, label: str, _value: Any) -> Action:
    return page.locator("[data-testid='stCheckbox']").filter(has_text=label).locator("label").click


def pick_radio(page, label: str, value: Any) -> Action:
    radio = page.locator("[data-testid='stRadio']").filter(has_text=label)
    return radio.get_by_text(str(value), exact=True).click


@dataclass(frozen=True)
class Change:
    """One kind of change of one widget: what n-th change sets and what it must show."""

    kind: str
    drive: Callable[[Any, str, Any], Action]
    label: str
    value: Callable[[int], Any]
    shown: Callable[[int], Any]
    check: str
    before: Change | None = None  # an untimed change before each timed one


def alternate(*values: Any) -> Callable[[int], Any]:
    return lambda n: values[n % len(values)]


def odd(n: int) -> bool:
    return n % 2 == 1


def new_seed(check: str) -> Change:
    """An untimed seed change before each timed change: the lab's caches miss."""
    return Change("number typed", type_number, "seed", lambda n: 1000 + n, lambda n: f"seed {1000 + n}", check)


def slider(label: str, token: Callable[[int], str], check: str) -> Change:
    return Change("slider key", press_slider_key, label, lambda n: n, token, check)


def seed_typed(check: str) -> Change:
    return Change("number typed", type_number, "seed", lambda n: n, lambda n: f"seed {n}", check)


# The presets' views differ in their activation and initializer; "tanh-0.01-2016" is left
# out (a 10 x 500 net with a batch of 1000 is another size of work), so is "custom".
PRESET_CYCLE = ("tanh-0.05", "tanh-xavier", "relu-xavier", "relu-kaiming", "zero-init", "tanh-0.01")
PRESET_SHOWS = {
    "tanh-0.05": "tanh · gaussian σ=0.05 ·",
    "tanh-xavier": "tanh · xavier ·",
    "relu-xavier": "relu · xavier ·",
    "relu-kaiming": "relu · kaiming_normal ·",
    "zero-init": "tanh · zeros ·",
    "tanh-0.01": "tanh · gaussian σ=0.01 ·",
}
preset_of = alternate(*PRESET_CYCLE)

ACTIVATION_LAB = [
    slider("depth (weight layers)", lambda n: f"· {6 + n}×4096 ·", ALL_SUBTITLES_HAVE),
    Change(
        "select",
        pick_option,
        "Activation",
        alternate("tanh", "relu"),
        lambda n: f"{alternate('tanh', 'relu')(n)} ·",
        ALL_SUBTITLES_HAVE,
        before=new_seed(ALL_SUBTITLES_HAVE),
    ),
    Change(
        "preset",
        pick_option,
        "Preset",
        lambda n: PRESETS[preset_of(n - 1)].label,  # the box lists the presets by label
        lambda n: PRESET_SHOWS[preset_of(n - 1)],
        ALL_SUBTITLES_HAVE,
    ),
    seed_typed(ALL_SUBTITLES_HAVE),
    Change("toggle", flip_toggle, "show pre-activations", odd, odd, PRE_ACTIVATIONS_SHOWN),
]
BN_DEPTH = batchnorm_params.PARAM_BY_KEY["depth"].default
BATCHNORM_LAB = [
    slider("examples N", lambda n: f"N={8 + n} ·", MAIN_SUBTITLE_HAS),
    Change(
        "radio",
        pick_radio,
        "activation",
        alternate("tanh", "relu"),
        lambda n: f"{alternate('tanh', 'relu')(n)} · {BN_DEPTH} layers",
        SOME_SUBTITLE_HAS,
        before=new_seed(MAIN_SUBTITLE_HAS),
    ),
    seed_typed(MAIN_SUBTITLE_HAS),
]
PREPROCESSING_LAB = [
    slider("points", lambda n: f"cloud of {300 + n}:", MAIN_SUBTITLE_HAS),
    Change(
        "select",
        pick_option,
        "data",
        alternate("cloud", "digits"),
        lambda n: "cloud of" if n % 2 == 0 else "8x8 digits",
        MAIN_SUBTITLE_HAS,
        before=new_seed(MAIN_SUBTITLE_HAS),
    ),
    seed_typed(MAIN_SUBTITLE_HAS),
]

# The training lab at step 0 (its default view: the run's first record, no training): its
# top chart's subtitle names the run. Its defaults are relu and adam, so the select and
# the radio start on the other value; a new seed first makes the run new.
TRAINING_PRESET_SHOWS = {"small-random": "hidden tanh) · gaussian ·", "default": "hidden relu) · kaiming_normal ·"}
TRAINING_LAB = [
    slider("depth (weight layers)", lambda n: f"· depth {4 + n} (", MAIN_SUBTITLE_HAS),
    Change(
        "select",
        pick_option,
        "Activation",
        alternate("relu", "tanh"),
        lambda n: f"hidden {alternate('relu', 'tanh')(n)})",
        MAIN_SUBTITLE_HAS,
        before=Change(
            "number typed", type_number, "seed", lambda n: 1000 + n, lambda n: f"seed {1000 + n} ·", MAIN_SUBTITLE_HAS
        ),
    ),
    Change(
        "preset",
        pick_option,
        "Experiment",  # the training lab's preset box
        lambda n: TRAINING_PRESETS[alternate("default", "small-random")(n)].label,
        lambda n: TRAINING_PRESET_SHOWS[alternate("default", "small-random")(n)],
        MAIN_SUBTITLE_HAS,
    ),
    Change("number typed", type_number, "seed", lambda n: n, lambda n: f"seed {n} ·", MAIN_SUBTITLE_HAS),
    Change(
        "radio",
        pick_radio,
        "Optimizer",
        alternate("adam", "sgd"),
        lambda n: f"· {alternate('adam', 'sgd')(n)} lr",
        MAIN_SUBTITLE_HAS,
        before=Change(
            "number typed", type_number, "seed", lambda n: 2000 + n, lambda n: f"seed {2000 + n} ·", MAIN_SUBTITLE_HAS
        ),
    ),
]

# The floors: one widget of each kind, with a text (bench/floor_app.py) or with the
# activation lab's own figure, computed before any change (bench/chart_floor_app.py).
PLAIN_FLOOR = {
    "slider key": Change("slider key", press_slider_key, "value", lambda n: n, lambda n: f"token {n}", FLOOR_TEXT_IS),
    "select": Change(
        "select",
        pick_option,
        "value",
        lambda n: f"option {n % 10}",
        lambda n: f"token option {n % 10}",
        FLOOR_TEXT_IS,
    ),
    "number typed": Change("number typed", type_number, "value", lambda n: n, lambda n: f"token {n}", FLOOR_TEXT_IS),
    "toggle": Change(
        "toggle", flip_toggle, "value", lambda n: n % 2 == 1, lambda n: f"token {n % 2 == 1}", FLOOR_TEXT_IS
    ),
    "radio": Change(
        "radio", pick_radio, "value", alternate("a", "b"), lambda n: f"token {alternate('a', 'b')(n)}", FLOOR_TEXT_IS
    ),
}
FIGURE_FLOOR = {
    "slider key": ACTIVATION_LAB[0],
    "select": Change(
        "select",
        pick_option,
        "Activation",
        alternate("tanh", "relu"),
        lambda n: f"{alternate('tanh', 'relu')(n)} ·",
        ALL_SUBTITLES_HAVE,
    ),
    "number typed": seed_typed(ALL_SUBTITLES_HAVE),
    "toggle": ACTIVATION_LAB[4],
    "radio": Change(
        "radio",
        pick_radio,
        "Activation",
        alternate("tanh", "relu"),
        lambda n: f"{alternate('tanh', 'relu')(n)} ·",
        ALL_SUBTITLES_HAVE,
    ),
}
# Compare mode (`compare=true`, B with a σ of its own): A's controls, B following A's depth,
# activation and seed, so that every change redraws both settings.
COMPARE_VIEW = "activations?compare=true&b_std=0.05"
ACTIVATION_COMPARE = [ACTIVATION_LAB[0], ACTIVATION_LAB[1], ACTIVATION_LAB[3]]
# A preset box is a select box: its floors are the select box's.
FLOOR_WIDGET = {"slider key": "slider", "select": "select", "preset": "select", "number typed": "number"}
FLOOR_WIDGET |= {"toggle": "toggle", "radio": "radio"}


def floor_kind(kind: str) -> str:
    """The kind of change whose floors a kind is measured beside."""
    return "select" if kind == "preset" else kind
