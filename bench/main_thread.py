"""Where the browser's time goes: Chromium's main thread per slider change, from a trace.

    python bench/main_thread.py [changes]

Records a Chrome trace while the depth slider moves `changes` times (default 8) on the
activation lab, and on the floor with the lab's own figure precomputed
(bench/chart_floor_app.py), with and without inert stand-ins for the lab's other elements,
and prints each one's main-thread time per change by kind of work side by side: React
(Streamlit's rendering of the page's elements), microtasks (where the live chart's
Plotly.react runs), style, layout and paint. The floor with the lab's elements against the
floor with its figure is what Streamlit costs for that many elements; the lab against the
floor with its elements is what the lab's own content (its controls' logic, table, texts)
costs the browser on top.
"""

from __future__ import annotations

import collections
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser_support import launch_browser, running_app, wait_for_charts, wait_for_idle

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink"]
KINDS = {
    "RunMicrotasks": "microtasks (Plotly.react)",
    "UpdateLayoutTree": "style",
    "Layout": "layout",
    "PrePaint": "paint",
    "Paint": "paint",
    "Layerize": "paint",
    "Commit": "paint",
    "MinorGC": "garbage collection",
    "MajorGC": "garbage collection",
}
VIEWS = [
    ("app.py", "activations", "activation lab"),
    ("bench/chart_floor_app.py", "?figure=lab&precompute=20&elements=lab", "floor with its elements"),
    ("bench/chart_floor_app.py", "?figure=lab&precompute=20", "floor with its figure"),
]
SUBTITLE_HAS = "(t) => [...document.querySelectorAll('.gtitle-subtitle')].every(s => s.textContent.includes(t))"


def move_depth(page, first: int, count: int) -> None:
    slider = page.locator("[data-testid='stSlider']").filter(has_text="depth (weight layers)")
    for depth in range(first, first + count):
        slider.locator("input[type='range']").focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(SUBTITLE_HAS, arg=f"· {depth + 1}×4096 ·", polling="raf")
        wait_for_idle(page)


def main_thread_ms(trace: dict, changes: int) -> collections.Counter:
    """Milliseconds per change on the renderer's main thread, by kind of work."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    threads = collections.Counter((e["pid"], e["tid"]) for e in events if e.get("name") == "RunTask")
    main = threads.most_common(1)[0][0]
    totals: collections.Counter = collections.Counter()
    for event in events:
        if (event.get("pid"), event.get("tid")) != main or event.get("ph") != "X":
            continue
        ms = event.get("dur", 0) / 1000 / changes
        name = event["name"]
        if name == "RunTask":
            totals["all tasks"] += ms
        elif name == "FunctionCall" and "react-dom" in event.get("args", {}).get("data", {}).get("url", ""):
            totals["React (Streamlit's elements)"] += ms
        elif name in KINDS:
            totals[KINDS[name]] += ms
    return totals


def measure(app: str, path: str, changes: int) -> collections.Counter:
    with running_app(app) as url, launch_browser() as browser, tempfile.TemporaryDirectory() as tmp:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/{path}")
        wait_for_idle(page)
        wait_for_charts(page)
        move_depth(page, 6, 2)  # warm up: the chart's first redraws load and compile more
        trace_path = Path(tmp) / "trace.json"
        browser.start_tracing(page=page, path=str(trace_path), categories=CATEGORIES)
        move_depth(page, 8, changes)
        browser.stop_tracing()
        return main_thread_ms(json.loads(trace_path.read_text()), changes)


def main(changes: int) -> None:
    results = {name: measure(app, path, changes) for app, path, name in VIEWS}
    kinds = ["all tasks", "React (Streamlit's elements)", *dict.fromkeys(KINDS.values())]
    print(f"Chromium main thread, ms per depth change ({changes} changes, traced)\n")
    print(f"{'':32}" + "".join(f"{name:>24}" for name in results))
    for kind in kinds:
        print(f"{kind:32}" + "".join(f"{totals[kind]:24.1f}" for totals in results.values()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
