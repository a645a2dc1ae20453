"""The lecture tour's steps: one entry each in STEPS, in the lecture's order.

A step names a lab and its setting (the lab's own values, from its presets), the one control
worth moving (a URL parameter of the tour that sets one of those values), the lecture's claim,
what to try, and, where popular write-ups of the lecture get a formula wrong, a note. The tour
page draws the lab's own figure for the setting, and links the lab on exactly that setting.
Adding a step is adding an entry here (and, for a new lab, its figure in ui/tour.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from ui import activation_params, preprocessing_params, transfer_params
from ui.urlparams import Param, url_value


@dataclass(frozen=True)
class Lab:
    """A lab the tour draws from: its URL path, the parameters of a view, and which of them apply."""

    path: str
    name: str  # as a link names it: "Open this view in {name}"
    params: dict[str, Param]
    keys: tuple[str, ...]
    effective: Callable[[dict[str, Any]], dict[str, Any]] = dict  # a value that does not apply -> its default

    def defaults(self) -> dict[str, Any]:
        return {key: self.params[key].default for key in self.keys}

    def query(self, values: dict[str, Any], explicit: set[str]) -> str:
        """The query string of a view: the `explicit` keys always, others where they differ from the defaults."""
        effective = self.effective(values)
        shown = {
            key: effective[key] for key in self.keys if key in explicit or effective[key] != self.params[key].default
        }
        return urlencode({key: url_value(value) for key, value in shown.items()})


ACTIVATIONS = Lab(
    "activations",
    "the activation lab",
    activation_params.PARAM_BY_KEY,
    (*activation_params.CONTROL_KEYS, *activation_params.VIEW_KEYS),
    activation_params.effective_values,
)
PREP_PARAMS = preprocessing_params.PARAM_BY_KEY
PREPROCESSING = Lab("preprocessing", "the preprocessing lab", PREP_PARAMS, tuple(PREP_PARAMS))
TRANSFER_PARAMS = transfer_params.PARAM_BY_KEY
TRANSFER = Lab("transfer", "the transfer lab", TRANSFER_PARAMS, tuple(TRANSFER_PARAMS))


@dataclass(frozen=True)
class Control:
    """The one control of a step: a tour URL parameter that sets the lab value `lab_key`.

    `param` holds the tour's key, bounds and default (the step's own value). `to_lab` turns the
    control's value into lab values when it is not simply `{lab_key: value}`.
    """

    param: Param
    lab_key: str
    label: str
    step: float | int
    fmt: str | None = None
    to_lab: Callable[[Any], dict[str, Any]] | None = None

    def lab_values(self, value: Any) -> dict[str, Any]:
        return self.to_lab(value) if self.to_lab else {self.lab_key: value}


@dataclass(frozen=True)
class Step:
    """One stop of the tour."""

    slug: str
    title: str
    claim: str
    lab: Lab
    setting: dict[str, Any]  # the lab's values that make the step (others take the lab's defaults)
    control: Control
    try_this: str
    note: str = ""
    links: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (label, relative URL) elsewhere

    def lab_values(self, control_value: Any) -> dict[str, Any]:
        """Every lab value of this step with its control at `control_value`."""
        return {**self.lab.defaults(), **self.setting, **self.control.lab_values(control_value)}

    def lab_link(self, control_value: Any) -> str:
        """The relative URL that opens the lab on exactly this step's view, its setting spelled out
        (a link on a slide must not depend on the lab's defaults staying what they are)."""
        explicit = set(self.setting) | set(self.control.lab_values(control_value))
        query = self.lab.query(self.lab_values(control_value), explicit)
        return f"{self.lab.path}?{query}" if query else self.lab.path


def _activations(preset: str, **extra: Any) -> dict[str, Any]:
    """The values an activation-lab preset sets (and extras)."""
    return {**activation_params.PRESETS[preset].values, **extra}


def _std(key: str, default: float, hi: float) -> Param:
    return Param(key, float, default, "σ of W = σ·randn, as the lab's `std`", lo=0.0, hi=hi)


def _constant_or_zero(c: float) -> dict[str, Any]:
    return {"init": "zeros"} if c == 0 else {"init": "constant", "std": c}


KAIMING_NOTE = (
    "Kaiming **multiplies**: `W = np.random.randn(Din, Dout) * np.sqrt(2 / Din)`. Some popular write-ups of "
    "the lecture print `/ np.sqrt(2 / Din)`, which divides where it must multiply: for Din = 4096 that is a "
    "std of about 45 instead of 0.022, and every ReLU layer multiplies the signal by about 2,000."
)
BATCHNORM_NOTE = (
    "Batch norm divides by the **standard deviation**: x̂ = (x − μ) / √(σ² + ε). Some write-ups print "
    "(x − μ) / (σ² + ε), without the root: that divides by the variance and does not give unit variance "
    "(a feature of std 10 would come out with std 0.1)."
)

STEPS: tuple[Step, ...] = (
    Step(
        "zero",
        "Zero initialization",
        "What if every weight starts at 0? Every unit of a layer then computes the same output and gets the "
        "same gradient, so the units can never become different: *no symmetry breaking*. With tanh every "
        "activation is 0, and no signal reaches the output.",
        ACTIVATIONS,
        _activations("zero-init"),
        Control(
            Param("zero_c", float, 0.0, "every weight's value c (0: the zero init)", lo=0.0, hi=0.2),
            "std",
            "every weight's value c",
            0.01,
            "%.2f",
            _constant_or_zero,
        ),
        "Set c to 0.05: the weights are no longer zero, yet every unit of a layer still computes the same "
        "value (one spike per histogram). The trouble is the symmetry, not the zero.",
        links=(("Train it: the loss stays at ln 10", "training?preset=zero-init&step=500"),),
    ),
    Step(
        "small",
        "Small random numbers",
        "Gaussian with mean 0 and std 0.01, `W = 0.01 * np.random.randn(Din, Dout)`: fine for small nets, "
        "but in a deep one the activations shrink toward zero layer after layer, and so do the gradients of "
        "the weights: *no learning*.",
        ACTIVATIONS,
        _activations("tanh-0.01"),
        Control(_std("small_std", 0.01, 0.1), "std", "weight std σ", 0.001, "%.3f"),
        "Raise σ to 0.016, about 1/√4096: the collapse stops. That value is no accident (step 4).",
        links=(("Train it: deep tanh at 0.01 stays at ln 10", "training?preset=tanh-0.01-sgd&step=500"),),
    ),
    Step(
        "large",
        "Large random numbers",
        "Increase the std to 0.05 and the activations saturate: tanh units pile up at −1 and +1, where the local "
        "gradient φ′(z) = 1 − tanh²(z) is close to 0 (the lecture: *local gradients all zero, no learning*). The "
        "green histograms show φ′; the diagnosis below says how much gradient still gets through in this net.",
        ACTIVATIONS,
        _activations("tanh-0.05", dphi=True),
        Control(_std("large_std", 0.05, 0.2), "std", "weight std σ", 0.005, "%.3f"),
        "Lower σ to 0.02: fewer units saturate and φ′ moves away from 0. Raise it to 0.2: nearly all saturate.",
        links=(("Train it: tanh at 0.3·randn", "training?preset=tanh-0.3-sgd&step=500"),),
    ),
    Step(
        "xavier",
        "Xavier initialization",
        "`W = np.random.randn(Din, Dout) / np.sqrt(Din)`: std 1/√Din keeps the variance of a layer's output "
        "equal to that of its input, and the activations are nicely scaled at every layer. For a conv layer "
        "Din = kernel_size² × input_channels.",
        ACTIVATIONS,
        _activations("tanh-xavier"),
        Control(
            Param(
                "xavier_width",
                int,
                activation_params.DEFAULT_WIDTH,
                "units per layer, as the lab's `width`",
                lo=16,
                hi=4096,
            ),
            "width",
            "width (units per layer)",
            16,
        ),
        "Make the layers narrower, say 256: the histograms stay put, because 1/√Din follows the width. "
        "A fixed σ = 0.01 would shrink the signal about sixfold per layer at that width.",
        links=(("Train it: deep tanh with Xavier learns", "training?preset=tanh-xavier-sgd&step=500"),),
    ),
    Step(
        "relu",
        "ReLU with Xavier",
        "Change from tanh to ReLU with the same init, and the activations collapse to zero again: ReLU zeroes "
        "half its inputs, so each layer halves the variance: *no learning*.",
        ACTIVATIONS,
        _activations("relu-xavier"),
        Control(Param("relu_depth", int, 6, "weight layers, as the lab's `depth`", lo=1, hi=50), "depth", "depth", 1),
        "Make the net 20 layers deep: the last layer's activations are several hundred times smaller than the first's.",
        links=(("Train it: 30 ReLU layers with Xavier stall", "training?preset=relu-xavier-30&step=600"),),
    ),
    Step(
        "kaiming",
        "Kaiming / MSRA initialization",
        "`W = np.random.randn(Din, Dout) * np.sqrt(2 / Din)`: std √(2/Din), twice Xavier's variance, makes up "
        "for the half that ReLU zeroes, and the activations are nicely scaled at every layer again.",
        ACTIVATIONS,
        _activations("relu-kaiming"),
        Control(
            Param("kaiming_depth", int, 6, "weight layers, as the lab's `depth`", lo=1, hi=50), "depth", "depth", 1
        ),
        "Make the net 50 layers deep: the scale still holds (at 20 layers Xavier had lost a factor of 700).",
        note=KAIMING_NOTE,
        links=(("Train it: 30 ReLU layers with Kaiming", "training?preset=relu-kaiming-30&step=600"),),
    ),
    Step(
        "bn",
        "Batch normalization",
        "Put a batch-norm layer after each fully connected layer, before the tanh: it makes each dimension "
        "zero-mean and unit-variance over the batch, x̂ = (x − μ) / √(σ² + ε), then scales and shifts it "
        "(γ, β). The saturated net of step 3 is healthy again: the net no longer depends on the weights' scale.",
        ACTIVATIONS,
        _activations("tanh-0.05", bn="before"),
        Control(_std("bn_std", 0.05, 1.0), "std", "weight std σ", 0.001, "%.3f"),
        "Set σ to 0.001, then to 1: with batch norm the histograms do not move. (In the lab, set batch norm "
        "to none and they collapse or saturate.)",
        note=BATCHNORM_NOTE,
        links=(
            ("The batch-norm lab: robust to the weight scale", "batchnorm#robust"),
            ("Train it: a tiny init with batch norm", "training?preset=scale-bn&step=400"),
        ),
    ),
    Step(
        "prep",
        "Data preprocessing",
        "Zero-center and normalize the data. Before, the data sit far from the origin on stretched axes, and a "
        "linear classifier's loss is very sensitive to small changes of its weights: hard to optimize. After, "
        "it is less sensitive and easier to optimize. Statistics come from the training set only.",
        PREPROCESSING,
        {key: PREP_PARAMS[key].default for key in ("data", "off_x", "off_y", "sx", "sy")},
        Control(
            Param("prep_sx", float, 10.0, "std of the cloud's first axis, as the lab's `sx`", lo=0.5, hi=20.0),
            "sx",
            "std of the first feature",
            0.5,
            "%.1f",
        ),
        "Set it to 1, the second feature's std: zero-centering alone is then enough (the middle curve reaches "
        "the dotted line). At 10 it is not, which is why the lecture also normalizes.",
        links=(("The preprocessing lab: PCA, whitening, images", "preprocessing#images"),),
    ),
    Step(
        "transfer",
        "Transfer learning",
        "Train a net on a large data set, then keep its layers, re-initialize the last one and train only that "
        "on your small data set: with very little data on a *similar* task this beats training from scratch, "
        "because the reused features already fit. Here: a conv net trained on drawn digits 0-4, reused for 5-9 "
        "with one to five examples per class.",
        TRANSFER,
        {"target": "similar"},
        Control(
            Param(
                "transfer_target",
                str,
                "similar",
                "the target task, as the lab's `target`: `similar` (new digits) or `different` (the same "
                "images under a fixed pixel permutation)",
                transfer_params.PARAM_BY_KEY["target"].choices,
            ),
            "target",
            "target task",
            1,
        ),
        "Switch to the different task: the same digits with their pixels shuffled in one fixed way. The "
        "reused features no longer fit, and a new last layer does worse than a net trained from scratch.",
        links=(("The lecture's table, measured", "transfer?full=true#table"),),
    ),
)
STEP_PARAM = Param("step", int, 1, "the tour's step, 1 to the last", lo=1, hi=len(STEPS))
PARAMS: tuple[Param, ...] = (STEP_PARAM, *(step.control.param for step in STEPS))
