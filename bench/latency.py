"""Latency in Chromium: a fresh tab's first chart, and every kind of change, beside floors.

    python bench/latency.py [--changes 12] [--loads 4] [--restarts 2] [--only TEXT]

`--changes 0` or `--loads 0` leaves that part out; `--only activation` measures only the
lab views whose name has that text, beside the floors of their kinds of change.

First load: from opening a page's URL in a fresh tab (a new browser context: empty cache,
as for a first visit) to its first chart drawn (for the plain floor, its text shown),
timed in the page from navigation start. Twice: the first load after the server starts
(a new server per load, `--restarts` per view), and fresh tabs on a warm server (`--loads`
per view, after one untimed load). Views: each lab, the plain floor (one slider, one text,
bench/floor_app.py) and the floor with the activation lab's figure (one slider and that
figure, bench/chart_floor_app.py). The same loads record when the frontend came up, the
websocket opened, the first element and plotly.js arrived, to show where the time goes.

Changes: for every kind of change (a slider key, a select box option, the Preset box, a
number typed, a toggle, a radio) on each lab (the training lab at step 0 among them),
`--changes` changes timed from the action (key press, click, Enter) to the new view on
screen (polled every animation frame), beside the same kind of widget on three floors: with
a text, with the activation lab's own figure computed before any change, and with that figure
and inert elements of the kinds and number the lab draws around it (`&elements=lab`: what
Streamlit and the browser cost for such a page, without the lab's own logic). The pages of
one kind are measured side by side, a few changes each in turn. Prints p50 and p95 per
view and their ratios to both floors.

The activation lab's compare mode (`compare=true`, two settings drawn) is measured beside
its single view for a slider key, a select box option and a number typed.

Then, for the activation lab's depth slider, where the time goes: the same changes run
through AppTest (the page's script alone, no browser).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streamlit.testing.v1 import AppTest

from bench.interactions import (
    ACTIVATION_COMPARE,
    ACTIVATION_LAB,
    ALL_SUBTITLES_HAVE,
    BATCHNORM_LAB,
    COMPARE_VIEW,
    FIGURE_FLOOR,
    FLOOR_WIDGET,
    PLAIN_FLOOR,
    PREPROCESSING_LAB,
    TRAINING_LAB,
    Change,
    floor_kind,
    slider,
)
from engine.runtime import tune_runtime
from tests.app_support import chart_already_drawn, page_path
from tests.browser_support import launch_browser, running_app, wait_for_charts, wait_for_idle

FIGURE_FLOOR_NAME = "floor: widget + the lab's figure"
ELEMENTS_FLOOR_NAME = "floor: widget + the lab's figure and elements"
PLAIN_FLOOR_NAME = "floor: widget + text"
PLAIN_FLOOR_APP = "bench/floor_app.py"
GOAL_P50, GOAL_P95 = 2.0, 2.5  # the activation lab against the floor with its figure

# ---- first load ----------------------------------------------------------------------

# The page's first chart (the top one) drawn.
CHART_DRAWN = (
    "() => !!document.querySelector('.initlab-live-chart, [data-testid=stPlotlyChart]')?.querySelector('.main-svg')"
)
FLOOR_SHOWN = (
    "() => [...document.querySelectorAll('[data-testid=stMarkdownContainer] p')].some(p => p.textContent === 'token 0')"
)
# (name, app, path, JS true once the first chart is drawn)
LOAD_VIEWS = [
    ("floor: slider + text", "bench/floor_app.py", "", FLOOR_SHOWN),
    ("floor: slider + the lab's figure", "bench/chart_floor_app.py", "?figure=lab", CHART_DRAWN),
    ("activation lab", "app.py", "activations", CHART_DRAWN),
    ("batch-norm lab", "app.py", "batchnorm", CHART_DRAWN),
    ("preprocessing lab", "app.py", "preprocessing", CHART_DRAWN),
    ("training lab", "app.py", "training", CHART_DRAWN),
]
# Runs in the page before Streamlit's own scripts: the time of each milestone since navigation start.
CONTROLS = "[data-testid=stSlider], [data-testid=stSelectbox], [data-testid=stNumberInput]"
MILESTONES = """(done) => {
    const marks = {};
    window.initlabMarks = marks;
    const mark = (name) => { if (!(name in marks)) marks[name] = performance.now(); };
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
        constructor(...args) { super(...args); this.addEventListener('open', () => mark('websocket open')); }
    };
    const poll = () => {
        if (document.querySelector("[data-testid='stApp']")) mark('frontend up');
        if (document.querySelector("[data-testid='stMain'] :is([data-testid='stHeading'], [data-testid='stSlider'])")) {
            mark('first element');
        }
        if (document.querySelector('.initlab-live-chart')) mark('chart element');
        // A lab's controls come after its first chart in a fresh tab (ui/first_view.py).
        if (document.querySelector(CONTROLS)) mark('controls');
        if (window.Plotly) mark('plotly.js run');
        if (done()) mark('first chart');
        if ('first chart' in marks && 'controls' in marks) return;
        requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
}"""
PLOTLY_FETCH = """() => performance.getEntriesByType('resource').filter(r => r.name.includes('plotly'))
    .map(r => ({'plotly.js requested': r.startTime, 'plotly.js downloaded': r.responseEnd}))[0] ?? {}"""
MILESTONE_ORDER = [
    "frontend up",
    "websocket open",
    "first element",
    "chart element",
    "plotly.js requested",
    "plotly.js downloaded",
    "plotly.js run",
    "first chart",
    "controls",
]


def first_load(browser, url: str, done: str) -> dict[str, float]:
    """Milestones (ms since navigation start) of one load of `url` in a fresh browser context."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        context.add_init_script(f"const CONTROLS = {CONTROLS!r};\n({MILESTONES})({done})")
        page = context.new_page()
        page.goto(url, wait_until="commit")
        page.wait_for_function(
            "() => ['first chart', 'controls'].every(m => m in (window.initlabMarks ?? {}))", timeout=120_000
        )
        return {**page.evaluate("window.initlabMarks"), **page.evaluate(PLOTLY_FETCH)}
    finally:
        context.close()


def loads_after_start(browser, restarts: int, views: list) -> dict[str, list[dict]]:
    """The first load after the server starts: a new server for every load, views in turn."""
    results: dict[str, list[dict]] = {view[0]: [] for view in views}
    for _ in range(restarts):
        for name, app, path, done in views:
            with running_app(app) as base:
                results[name].append(first_load(browser, f"{base}/{path}", done))
    return results


def loads_warm(browser, urls: dict[str, str], loads: int, views: list) -> dict[str, list[dict]]:
    """Fresh tabs on a server that has served the page before, views in turn."""
    for _name, app, path, done in views:
        first_load(browser, f"{urls[app]}/{path}", done)
    results: dict[str, list[dict]] = {view[0]: [] for view in views}
    for _ in range(loads):
        for name, app, path, done in views:
            results[name].append(first_load(browser, f"{urls[app]}/{path}", done))
    return results


def print_loads(after_start: dict[str, list[dict]], warm: dict[str, list[dict]]) -> None:
    def chart(runs: list[dict]) -> list[float]:
        return [run["first chart"] for run in runs]

    floors = [LOAD_VIEWS[0][0], LOAD_VIEWS[1][0]]
    print("First chart of a fresh tab (empty cache), ms from navigation start: p50 (min to max)\n")
    print(f"{'view':<34} {'first load after start':>24} {'/floor':>7} {'fresh tab, warm server':>24} {'/floor':>7}")
    for name in warm:
        cells = []
        for results in (after_start, warm):
            times = chart(results[name])
            if not times:  # that kind of load was not asked for (--restarts 0 or --loads 0)
                cells += [f"{'-':>24}", f"{'-':>7}"]
                continue
            ratio = percentile(times, 0.5) / percentile(chart(results[floors[0]]), 0.5)
            cells.append(f"{percentile(times, 0.5):>8.0f} ({min(times):.0f} to {max(times):.0f})".rjust(24))
            cells.append(f"{ratio:7.2f}")
        print(f"{name:<34} {' '.join(cells)}")
    lab = chart(warm["activation lab"])
    print(
        f"\nactivation lab / floor with its figure, warm p50: "
        f"{percentile(lab, 0.5) / percentile(chart(warm[floors[1]]), 0.5):.2f}"
    )
    print("\nWhere a fresh tab's time goes on a warm server: p50 of each milestone, ms from navigation start\n")
    print(f"{'view':<34}" + "".join(f"{m:>22}" for m in MILESTONE_ORDER))
    for name, runs in warm.items():
        cells = []
        for milestone in MILESTONE_ORDER:
            times = [run[milestone] for run in runs if milestone in run]
            cells.append(f"{percentile(times, 0.5):22.0f}" if times else f"{'':22}")
        print(f"{name:<34}" + "".join(cells))


# ---- changes -------------------------------------------------------------------------


def change_views(changes: int) -> list[tuple[str, str, str, Change]]:
    """(name, app, path, change) for every kind of change: floors, then the labs."""
    views = []
    for kind, widget in FLOOR_WIDGET.items():
        if kind == "preset":
            continue  # a select box: measured as one
        views.append((f"{PLAIN_FLOOR_NAME} [{kind}]", PLAIN_FLOOR_APP, f"?widget={widget}", PLAIN_FLOOR[kind]))
        path = f"?figure=lab&widget={widget}&precompute={changes}"
        views.append((f"{FIGURE_FLOOR_NAME} [{kind}]", "bench/chart_floor_app.py", path, FIGURE_FLOOR[kind]))
        elements = (f"{ELEMENTS_FLOOR_NAME} [{kind}]", "bench/chart_floor_app.py", f"{path}&elements=lab")
        views.append((*elements, FIGURE_FLOOR[kind]))
    depth_line = slider("depth (weight layers)", lambda n: f"· {6 + n}×4096 ·", ALL_SUBTITLES_HAVE)
    line_floor = "floor: slider + a one-line chart [slider key]"
    views.append((line_floor, "bench/chart_floor_app.py", "?figure=line", depth_line))
    views.append(("activation lab, its figure a line [slider key]", "bench/lab_line_app.py", "", depth_line))
    for lab, path, changes in (
        ("activation lab", "activations", ACTIVATION_LAB),
        ("activation lab, compare mode", COMPARE_VIEW, ACTIVATION_COMPARE),
        ("batch-norm lab", "batchnorm", BATCHNORM_LAB),
        ("preprocessing lab", "preprocessing", PREPROCESSING_LAB),
        ("training lab", "training", TRAINING_LAB),
    ):
        views += [(f"{lab} [{change.kind}]", "app.py", path, change) for change in changes]
    return views


def apply(page, change: Change, n: int) -> float:
    """Make change n; ms from its action to its view on screen."""
    if change.before is not None:
        apply(page, change.before, n)
    action = change.drive(page, change.label, change.value(n))
    start = time.perf_counter()
    action()
    page.wait_for_function(change.check, arg=change.shown(n), polling="raf", timeout=60_000)
    elapsed = 1000 * (time.perf_counter() - start)
    wait_for_idle(page)
    return elapsed


SETTLE_MS = 1_500


def open_view(browser, url: str, charts: bool):
    """A tab on url, settled: its first run done, its charts drawn, its lazy chunks, fonts and
    plotly.js fetched, and a moment more, so that the first timed change does not pay for the load."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    # The floor with the lab's figure simulates every figure it can show on its first run.
    wait_for_idle(page, timeout=180_000)
    if charts:
        wait_for_charts(page, timeout=180_000)
    page.wait_for_load_state("networkidle", timeout=60_000)
    page.wait_for_timeout(SETTLE_MS)
    wait_for_idle(page, timeout=60_000)
    return page


def measure_kind(browser, urls: dict[str, str], views: list, changes: int, turn: int = 5) -> dict[str, list[float]]:
    """The views of one kind of change side by side: `turn` changes on each page in turn."""
    pages = {name: open_view(browser, f"{urls[app]}/{path}", app != PLAIN_FLOOR_APP) for name, app, path, _ in views}
    results: dict[str, list[float]] = {name: [] for name in pages}
    for first in range(1, changes + 1, turn):
        for name, _app, _path, change in views:
            for n in range(first, min(first + turn, changes + 1)):
                try:
                    results[name].append(apply(pages[name], change, n))
                except Exception as error:
                    pages[name].screenshot(path="latency-failure.png")
                    raise RuntimeError(f"{name}, change {n}: see latency-failure.png") from error
    for page in pages.values():
        page.close()
    return results


def kind_of(name: str) -> str:
    return name.rsplit("[", 1)[1].rstrip("]")


def print_changes(results: dict[str, list[float]], changes: int) -> None:
    print(f"\n{changes} changes per view; ms from the action (key, click, Enter) to the new view on screen\n")
    header = f"{'view [kind of change]':<58} {'p50':>6} {'p95':>6} {'p50/floor':>10} {'p95/floor':>10}"
    print(header + f" {'p50/fig floor':>14} {'p95/fig floor':>14}")
    for kind in FLOOR_WIDGET:
        floors = (PLAIN_FLOOR_NAME, FIGURE_FLOOR_NAME)
        plain, figure = (results.get(f"{floor} [{floor_kind(kind)}]") for floor in floors)
        rows = [name for name in results if kind_of(name) == kind]
        if kind == "preset" and rows:
            rows = [f"{floor} [select]" for floor in (PLAIN_FLOOR_NAME, FIGURE_FLOOR_NAME, ELEMENTS_FLOOR_NAME)] + rows
        for name in rows:
            times = results[name]
            cells = [f"{percentile(times, 0.5):6.0f}", f"{percentile(times, 0.95):6.0f}"]
            for floor, width in ((plain, 10), (figure, 14)):
                for q in (0.5, 0.95):
                    cells.append(f"{percentile(times, q) / percentile(floor, q):{width}.2f}" if floor else " " * width)
            print(f"{name:<58} {' '.join(cells)}")
        if rows:
            print()
    for kind in FLOOR_WIDGET:
        lab = results.get(f"activation lab [{kind}]")
        figure = results.get(f"{FIGURE_FLOOR_NAME} [{floor_kind(kind)}]")
        if lab and figure:
            p50, p95 = (percentile(lab, q) / percentile(figure, q) for q in (0.5, 0.95))
            met = "met" if p50 <= GOAL_P50 and p95 <= GOAL_P95 else "not met"
            print(f"goal, activation lab [{kind}] vs the floor with its figure: p50 {p50:.2f}x, p95 {p95:.2f}x: {met}")
        elements = results.get(f"{ELEMENTS_FLOOR_NAME} [{floor_kind(kind)}]")
        if lab and figure and elements:
            own, streamlit = (percentile(lab, 0.5) / percentile(elements, 0.5), percentile(elements, 0.5))
            print(
                f"  of which Streamlit's for the lab's elements: that floor {streamlit / percentile(figure, 0.5):.2f}x "
                f"the floor with the figure; the lab {own:.2f}x that floor (p50)"
            )


def server_share(changes: int) -> tuple[list[float], list[float]]:
    """(script-run ms, simulation ms) of the activation lab for depth 6 -> 6 + changes, without a browser."""
    tune_runtime()  # as app.py does
    # AppTest outside a server logs "missing ScriptRunContext" notices; they say nothing here.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    at = chart_already_drawn(AppTest.from_file(page_path("activations"), default_timeout=60)).run()
    runs, simulations = [], []
    for n in range(1, changes + 1):
        at.slider(key="depth").set_value(6 + n)
        start = time.perf_counter()
        at.run()
        runs.append(1000 * (time.perf_counter() - start))
        caption = next(c.value for c in at.caption if "computed by" in c.value)
        simulations.append(float(re.search(r"in (\d+) ms", caption).group(1)))
    return runs, simulations


# ---- main ----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextlib.contextmanager
def servers(apps: list[str]) -> Iterator[dict[str, str]]:
    with contextlib.ExitStack() as stack:
        yield {app: stack.enter_context(running_app(app)) for app in dict.fromkeys(apps)}


def main(args: argparse.Namespace) -> None:
    with launch_browser() as browser:
        if args.loads:
            views = [view for view in LOAD_VIEWS if args.only in view[0] or view[0].startswith("floor")]
            after_start = loads_after_start(browser, args.restarts, views)
            with servers([view[1] for view in views]) as urls:
                warm = loads_warm(browser, urls, args.loads, views)
            print_loads(after_start, warm)
        if args.changes:
            views = change_views(args.changes)
            labs = [view for view in views if args.only in view[0] and not view[0].startswith("floor")]
            kinds = {floor_kind(kind_of(view[0])) for view in labs}
            floors = [v for v in views if v[0].startswith("floor") and floor_kind(kind_of(v[0])) in kinds]
            chosen = [v for v in views if v in labs or v in floors]
            results: dict[str, list[float]] = {}
            with servers([view[1] for view in chosen]) as urls:
                for kind in dict.fromkeys(floor_kind(kind_of(view[0])) for view in chosen):
                    group = [view for view in chosen if floor_kind(kind_of(view[0])) == kind]
                    results |= measure_kind(browser, urls, group, args.changes)
            print_changes(results, args.changes)
    if args.changes and "activation lab [slider key]" in results:
        lab = results["activation lab [slider key]"]
        runs, simulations = server_share(args.changes)
        print("\nactivation lab, the same depth changes: where the time goes (p50 ms)")
        print(f"  key press to chart on screen, in Chromium (above)        {percentile(lab, 0.5):6.0f}")
        print(f"  the page's script on the server (AppTest, no browser)   {percentile(runs, 0.5):6.0f}")
        print(f"    of which the simulation (the page's caption)          {percentile(simulations, 0.5):6.0f}")
        rest = percentile(lab, 0.5) - percentile(runs, 0.5)
        print(f"  the rest: websocket and the browser drawing the page    {rest:6.0f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("changes_given", nargs="?", type=int, help="the same as --changes (older usage)")
    parser.add_argument("--changes", type=int, default=12, help="changes per view and kind (0: none)")
    parser.add_argument("--loads", type=int, default=4, help="fresh tabs per view on a warm server (0: no loads)")
    parser.add_argument("--restarts", type=int, default=2, help="first loads after a server start, per view")
    parser.add_argument("--only", default="", help="only the labs' views whose name has this text (floors always)")
    args = parser.parse_args()
    if args.changes_given is not None:
        args.changes = args.changes_given
    return args


if __name__ == "__main__":
    main(parse_args())
