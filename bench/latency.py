"""Interaction latency in Chromium: from a key press on a slider to the redrawn chart.

    python bench/latency.py [changes]

For each view, press ArrowRight on a slider `changes` times (default 20) and time, from the
key press to the moment the new token is on screen (polled every animation frame): in every
figure's subtitle for the activation lab, in the main (first) figure's subtitle for the other
labs, in the text for the floor (a minimal page with one slider and one text). Two more
floors carry a chart drawn through the lab's live chart (bench/chart_floor_app.py): a
one-line chart, and the lab's own figure computed before any change. One more view is the
activation lab with a one-line chart in place of its figure (bench/lab_line_app.py): the
page's own work without the figure's drawing. Prints p50 and p95 per view and their ratios
to the floor, all measured in one run.

Then, for the activation lab, where the time goes: the same depth changes run through
AppTest (the page's script alone, no browser), with the simulation's own time as the
page's caption reports it. The rest is the websocket and the browser drawing the page.
"""

from __future__ import annotations

import contextlib
import logging
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streamlit.testing.v1 import AppTest

from engine.runtime import tune_runtime
from tests.app_support import page_path
from tests.browser_support import launch_browser, running_app, wait_for_charts, wait_for_idle

# Each view's JS returns the texts that must all show the new token.
ALL_SUBTITLES = "() => [...document.querySelectorAll('.gtitle-subtitle')].map(e => e.textContent)"
FLOOR_TEXT = (
    "() => [...document.querySelectorAll('[data-testid=stMarkdownContainer] p')].map(e => e.textContent)"
    ".filter(t => t.startsWith('token'))"
)
MAIN_SUBTITLE = "() => [...document.querySelectorAll('.gtitle-subtitle')].slice(0, 1).map(e => e.textContent)"


def _depth_view(name: str, app: str, path: str) -> tuple:
    """A view whose depth slider starts at the lab's 6 and whose every subtitle names the depth."""
    return (name, app, path, "depth (weight layers)", ALL_SUBTITLES, lambda n: f"· {6 + n}×4096 ·")


# (name, app, path, slider label, JS returning the token texts, token after n presses)
VIEWS = [
    (
        "floor: slider + text",
        "bench/floor_app.py",
        "",
        "value",
        FLOOR_TEXT,
        lambda n: f"token {n}",
    ),
    _depth_view("floor with a one-line Plotly chart", "bench/chart_floor_app.py", "?figure=line"),
    _depth_view("floor with the lab's figure, precomputed", "bench/chart_floor_app.py", "?figure=lab"),
    _depth_view("activation lab, default view (depth)", "app.py", "activations"),
    _depth_view("activation lab, its figure a line", "bench/lab_line_app.py", ""),
    (
        "batch-norm lab (examples N)",
        "app.py",
        "batchnorm",
        "examples N",
        MAIN_SUBTITLE,
        lambda n: f"N={8 + n} ·",
    ),
    (
        "preprocessing lab (points)",
        "app.py",
        "preprocessing",
        "points",
        MAIN_SUBTITLE,
        lambda n: f"cloud of {300 + n}:",
    ),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(browser, base: str, path: str, label: str, token_js: str, expected, changes: int) -> list[float]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{base}/{path}")
    wait_for_idle(page)
    if token_js != FLOOR_TEXT:
        wait_for_charts(page)
    slider = page.locator("[data-testid='stSlider']").filter(has_text=label).locator("input[type='range']")
    times = []
    for n in range(1, changes + 1):
        slider.focus()
        start = time.perf_counter()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            f"(expected) => {{ const t = ({token_js})(); return t.length > 0 && t.every(s => s.includes(expected)); }}",
            arg=expected(n),
            polling="raf",
            timeout=20_000,
        )
        times.append(1000 * (time.perf_counter() - start))
        wait_for_idle(page)
    page.close()
    return times


def server_share(changes: int) -> tuple[list[float], list[float]]:
    """(script-run ms, simulation ms) of the activation lab for depth 6 -> 6 + changes, without a browser."""
    tune_runtime()  # as app.py does
    # AppTest outside a server logs "missing ScriptRunContext" notices; they say nothing here.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    at = AppTest.from_file(page_path("activations"), default_timeout=60).run()
    runs, simulations = [], []
    for n in range(1, changes + 1):
        at.slider(key="depth").set_value(6 + n)
        start = time.perf_counter()
        at.run()
        runs.append(1000 * (time.perf_counter() - start))
        caption = next(c.value for c in at.caption if "computed by" in c.value)
        simulations.append(float(re.search(r"in (\d+) ms", caption).group(1)))
    return runs, simulations


def main(changes: int) -> None:
    results = {}
    with contextlib.ExitStack() as stack:
        # Every app runs from the start, so each view is measured with the others' servers idle.
        urls = {app: stack.enter_context(running_app(app)) for app in dict.fromkeys(view[1] for view in VIEWS)}
        browser = stack.enter_context(launch_browser())
        for name, app, path, label, token_js, expected in VIEWS:
            results[name] = measure(browser, urls[app], path, label, token_js, expected, changes)
    floor = results[VIEWS[0][0]]
    f50, f95 = percentile(floor, 0.5), percentile(floor, 0.95)
    print(f"{changes} slider key presses per view; milliseconds from key press to the new token on screen\n")
    print(f"{'view':<40} {'p50 ms':>8} {'p95 ms':>8} {'p50/floor':>10} {'p95/floor':>10}")
    for name, times in results.items():
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        print(f"{name:<40} {p50:8.0f} {p95:8.0f} {p50 / f50:10.2f} {p95 / f95:10.2f}")
    figure_floor = results[VIEWS[2][0]]
    lab = results[VIEWS[3][0]]
    met = percentile(lab, 0.5) <= 2 * f50 and percentile(lab, 0.95) <= 3 * f95
    print(f"\ngoal for the activation lab (p50 <= 2x, p95 <= 3x the floor): {'met' if met else 'not met'}")
    print(
        f"activation lab / floor with its figure: {percentile(lab, 0.5) / percentile(figure_floor, 0.5):.2f} p50, "
        f"{percentile(lab, 0.95) / percentile(figure_floor, 0.95):.2f} p95"
    )
    print(f"mean of all presses: {statistics.mean(t for v in results.values() for t in v):.0f} ms")

    runs, simulations = server_share(changes)
    print("\nactivation lab, the same depth changes: where the time goes (p50 ms)")
    print(f"  key press to chart on screen, in Chromium (above)        {percentile(lab, 0.5):6.0f}")
    print(f"  the page's script on the server (AppTest, no browser)   {percentile(runs, 0.5):6.0f}")
    print(f"    of which the simulation (the page's caption)          {percentile(simulations, 0.5):6.0f}")
    rest = percentile(lab, 0.5) - percentile(runs, 0.5)
    print(f"  the rest: websocket and the browser drawing the page    {rest:6.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
