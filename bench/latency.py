"""Interaction latency in Chromium: from a key press on a slider to the redrawn chart.

    python bench/latency.py [changes]

For each view, press ArrowRight on a slider `changes` times (default 20) and time, from the
key press to the moment the new token is on screen (polled every animation frame): in every
figure's subtitle for the activation lab, in the main (first) figure's subtitle for the other
labs, in the text for the floor (a minimal page with one slider and one text). Prints p50 and
p95 per view and their ratios to the floor, all measured in one run.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser_support import launch_browser, running_app, wait_for_charts, wait_for_idle

# Each view's JS returns the texts that must all show the new token.
ALL_SUBTITLES = "() => [...document.querySelectorAll('.gtitle-subtitle')].map(e => e.textContent)"
MAIN_SUBTITLE = "() => [...document.querySelectorAll('.gtitle-subtitle')].slice(0, 1).map(e => e.textContent)"

# (name, app, path, slider label, JS returning the token texts, token after n presses)
VIEWS = [
    (
        "floor: slider + text",
        "bench/floor_app.py",
        "",
        "value",
        "() => [...document.querySelectorAll('[data-testid=stMarkdownContainer] p')].map(e => e.textContent)"
        ".filter(t => t.startsWith('token'))",
        lambda n: f"token {n}",
    ),
    (
        "activation lab, default view (depth)",
        "app.py",
        "activations",
        "depth (weight layers)",
        ALL_SUBTITLES,
        lambda n: f"· {6 + n}×4096 ·",
    ),
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
    if path:
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


def main(changes: int) -> None:
    results = {}
    with running_app("bench/floor_app.py") as floor_url, running_app() as app_url, launch_browser() as browser:
        for name, app, path, label, token_js, expected in VIEWS:
            base = floor_url if app == "bench/floor_app.py" else app_url
            results[name] = measure(browser, base, path, label, token_js, expected, changes)
    floor = results[VIEWS[0][0]]
    f50, f95 = percentile(floor, 0.5), percentile(floor, 0.95)
    print(f"{changes} slider key presses per view; milliseconds from key press to the new token on screen\n")
    print(f"{'view':<40} {'p50 ms':>8} {'p95 ms':>8} {'p50/floor':>10} {'p95/floor':>10}")
    for name, times in results.items():
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        print(f"{name:<40} {p50:8.0f} {p95:8.0f} {p50 / f50:10.2f} {p95 / f95:10.2f}")
    print(f"\nmean of all presses: {statistics.mean(t for v in results.values() for t in v):.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
