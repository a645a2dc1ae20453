"""The app's pages: one table that the navigation (app.py) and the home page's list both read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabPage:
    """A page of the app: its script is app_pages/<url_path>.py (home's address is the app's root)."""

    url_path: str
    title: str
    icon: str  # a Material Symbols name
    what: str = ""  # what it shows, for the home page's list

    @property
    def script(self) -> str:
        return f"app_pages/{self.url_path}.py"

    @property
    def material_icon(self) -> str:
        return f":material/{self.icon}:"


HOME = LabPage("home", "InitLab", "home")
LABS = (
    LabPage(
        "tour",
        "Lecture tour",
        "school",
        "The lecture in order, zero init to transfer learning, each claim with its live figure",
    ),
    LabPage(
        "activations",
        "Activation statistics",
        "bar_chart",
        "The lecture's experiments, per-layer histograms of activations and gradients",
    ),
    LabPage(
        "preprocessing",
        "Data preprocessing",
        "scatter_plot",
        "Centering, normalizing, PCA and whitening, and what each does downstream",
    ),
    LabPage(
        "batchnorm",
        "Batch normalization",
        "tune",
        "The transform step by step, robustness to init, train vs test mode",
    ),
    LabPage(
        "training",
        "Training",
        "play_circle",
        "Train a net live and watch the init decide whether it learns; the lecture's claims as runs",
    ),
    LabPage(
        "theory",
        "Signal propagation",
        "functions",
        "The theory behind the histograms: the order-to-chaos phase diagram, correlations through depth, "
        "Jacobian spectra",
    ),
    LabPage(
        "transfer",
        "Transfer learning",
        "swap_horiz",
        "Reuse a pretrained net's features; which strategy wins for which data size",
    ),
)
