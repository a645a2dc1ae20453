"""Where one change's time goes, phase by phase, from the websocket's point of view.

    python bench/wire_split.py [changes]

For the select-box floor with the activation lab's figure and for the activation lab's Preset
box, Activation box and typed seed, makes `changes` changes (default 10) and splits each, in
the page's own clock, into: the action (click, Enter) to the page's message to the server;
that message to the first answer; the first answer to the chart's message (the server sending
what comes before the chart in the page); the chart's message to the start of Plotly.react
(the browser rendering what came with it); Plotly.react itself; and its end to the new view
on screen. Prints each view's medians side by side: the columns where the lab exceeds the
floor are what its other elements cost, on the server and in the browser.
"""

from __future__ import annotations

import itertools
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.interactions import ACTIVATION_LAB, FIGURE_FLOOR, Change
from bench.latency import apply
from tests.browser_support import launch_browser, running_app, wait_for_charts, wait_for_idle

# Timestamps in the page: the action's first event, each message sent and received (with its
# size: the chart's message is the only one over 40 kB), and each Plotly.react's start and end.
RECORD = """(() => {
  const log = (window.initlabSplit = []);
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (!this.initlabSplitWatched) {
      this.initlabSplitWatched = true;
      this.addEventListener('message', (e) => {
        log.push(['received', performance.now(), e.data.byteLength ?? e.data.size ?? 0]);
      });
    }
    log.push(['sent', performance.now()]);
    return send.call(this, data);
  };
  for (const type of ['pointerdown', 'keydown']) {
    window.addEventListener(type, () => log.push(['action', performance.now()]), true);
  }
})();"""
WRAP_PLOTLY = """() => {
  for (const Plotly of Object.values(window.initlabPlotly.loaded)) {
    if (Plotly.initlabSplitWrapped) continue;
    Plotly.initlabSplitWrapped = true;
    const react = Plotly.react;
    Plotly.react = function (...args) {
      window.initlabSplit.push(['react', performance.now()]);
      const drawn = react.apply(this, args);
      window.initlabSplit.push(['reacted', performance.now()]);
      return drawn;
    };
  }
}"""
SHOWN = """async ([check, arg]) => {
  const shown = eval(check);
  while (!shown(arg)) await new Promise((resolve) => requestAnimationFrame(resolve));
  return performance.now();
}"""
CHART_BYTES = 40_000
PHASES = (
    "action → sent",
    "sent → 1st answer",
    "1st answer → chart's message",
    "chart's message → Plotly.react",
    "Plotly.react",
    "→ on screen",
    "all",
)
VIEWS = (
    ("floor: select + the lab's figure", "bench/chart_floor_app.py", "?figure=lab&widget=select&precompute={n}"),
    ("activation lab [preset]", "app.py", "activations"),
    ("activation lab [select]", "app.py", "activations"),
    ("activation lab [number typed]", "app.py", "activations"),
)
CHANGES = {
    "floor: select + the lab's figure": FIGURE_FLOOR["select"],
    "activation lab [preset]": ACTIVATION_LAB[2],
    "activation lab [select]": ACTIVATION_LAB[1],
    "activation lab [number typed]": ACTIVATION_LAB[3],
}


def phases(log: list, shown: float) -> tuple[float, ...]:
    """One change's phases (ms) from the page's log."""
    first = {}
    for kind, at, *_ in log:
        first.setdefault(kind, at)
    chart = next(at for kind, at, *size in log if kind == "received" and size and size[0] > CHART_BYTES)
    action = first.get("action", first["sent"])
    marks = (action, first["sent"], first["received"], chart, first["react"], first["reacted"], shown)
    return (*(later - earlier for earlier, later in itertools.pairwise(marks)), shown - action)


def make_change(page, change: Change, n: int) -> tuple[float, ...]:
    if change.before is not None:
        apply(page, change.before, n)  # untimed here: its own view settles first
    action = change.drive(page, change.label, change.value(n))
    page.evaluate("window.initlabSplit.length = 0")
    action()
    shown = page.evaluate(SHOWN, [change.check, change.shown(n)])
    wait_for_idle(page)
    page.wait_for_timeout(300)
    return phases(page.evaluate("window.initlabSplit"), shown)


def measure(browser, url: str, change: Change, changes: int) -> list[tuple[float, ...]]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(RECORD)
    page = context.new_page()
    page.goto(url)
    wait_for_idle(page, timeout=180_000)
    wait_for_charts(page, timeout=180_000)
    page.wait_for_timeout(1500)
    page.evaluate(WRAP_PLOTLY)
    rows = [make_change(page, change, n) for n in range(1, changes + 1)]
    context.close()
    return rows


def main(changes: int) -> None:
    medians = {}
    with launch_browser() as browser:
        for name, app, path in VIEWS:
            with running_app(app) as base:
                rows = measure(browser, f"{base}/{path.format(n=changes)}", CHANGES[name], changes)
            medians[name] = [statistics.median(column) for column in zip(*rows)]
    print(f"median ms of {changes} changes per view, in the page's clock\n")
    print(f"{'phase':<34}" + "".join(f"{name[:30]:>32}" for name in medians))
    for i, phase in enumerate(PHASES):
        print(f"{phase:<34}" + "".join(f"{values[i]:32.0f}" for values in medians.values()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
