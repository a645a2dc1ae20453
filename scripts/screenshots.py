"""Start the app, open views in Debian's Chromium, and save PNG screenshots to docs/.

python scripts/screenshots.py            # the README's screenshots
python scripts/screenshots.py tour_step.png present_tour.png   # some of them
python scripts/screenshots.py "activations?act=relu" out.png
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser_support import CHROMIUM, launch_browser, running_app, wait_for_charts, wait_for_idle

DOCS = Path(__file__).resolve().parents[1] / "docs"
VIEWS = {
    "activations_default.png": "activations",
    "activations_tanh_xavier.png": "activations?preset=tanh-xavier",
    "activations_relu_kaiming.png": "activations?preset=relu-kaiming",
    "batchnorm.png": "batchnorm",
    "preprocessing_cloud.png": "preprocessing",
    "preprocessing_digits.png": "preprocessing?data=digits",
    "activations_tanh_0.05_bn.png": "activations?preset=tanh-0.05&bn=before",
    "home.png": "",
    "training_tanh_0.01.png": "training?preset=tanh-0.01-sgd&step=500",
    "training_spiral.png": "training?preset=spiral&step=1000",
    "theory.png": "theory?sw2=3&sb2=0.3",
    "tour_step.png": "tour?step=6&kaiming_depth=50",
    "present_tour.png": "tour?step=3&view=present",
    "present_activations.png": "activations?preset=relu-xavier&view=present",
    "transfer.png": "transfer",
    "transfer_full.png": "transfer?full=true&probes=true&layerwise=true",
}
# A projector's screen: present mode is shown as a class sees it, one screen, not the whole page.
PROJECTOR = {"tour?step=3&view=present", "activations?preset=relu-xavier&view=present"}
TRANSFER = ("transfer", "transfer?full=true&probes=true&layerwise=true")
WIDTHS = {query: 1280 for query in (*PROJECTOR, "tour?step=6&kaiming_depth=50", *TRANSFER)}
CHARTS = {"": 0}  # pages without charts; every other view waits for at least one
HEIGHTS = {
    "batchnorm": 4200,
    "preprocessing": 3600,
    "preprocessing?data=digits": 3600,
    "training?preset=tanh-0.01-sgd&step=500": 3400,
    "training?preset=spiral&step=1000": 2600,
    "theory?sw2=3&sb2=0.3": 2600,
    **dict.fromkeys(PROJECTOR, 720),
    "tour?step=6&kaiming_depth=50": 2450,
    "transfer": 3080,
    "transfer?full=true&probes=true&layerwise=true": 4650,
}  # long pages: Streamlit scrolls inside its container, so show it all


def capture(views: dict[str, str], height: int = 1800) -> None:
    """Streamlit scrolls inside its own container, so the viewport height is the picture's height."""
    with running_app() as base, launch_browser() as browser:
        for name, query in views.items():
            viewport = {"width": WIDTHS.get(query, 1400), "height": HEIGHTS.get(query, height)}
            page = browser.new_page(viewport=viewport)
            page.goto(f"{base}/{query}")
            # A fresh server runs the transfer lab's full comparison once: minutes on a shared machine.
            wait_for_idle(page, timeout=900_000)
            wait_for_charts(page, minimum=CHARTS.get(query, 1), timeout=60_000)
            path = str(name if Path(name).is_absolute() else DOCS / name)
            page.screenshot(path=path, full_page=query not in PROJECTOR)
            print("saved", name)


if __name__ == "__main__":
    if not Path(CHROMIUM).exists():
        sys.exit(f"needs Debian's Chromium at {CHROMIUM}")
    if sys.argv[1:] and set(sys.argv[1:]) <= set(VIEWS):
        capture({name: VIEWS[name] for name in sys.argv[1:]})
    elif len(sys.argv) >= 3:
        height = int(sys.argv[3]) if len(sys.argv) > 3 else 1800
        capture({str(Path(sys.argv[2]).resolve()): sys.argv[1]}, height)
    else:
        DOCS.mkdir(exist_ok=True)
        capture(VIEWS)
