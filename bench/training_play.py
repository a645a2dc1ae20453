"""How long from pressing Play on the training lab's default view to a visible result.

    python bench/training_play.py [--rounds 3]

Starts the app, opens /training in Chromium, presses Play and times: the first redraw
after the click, the loss falling below 1.0 on the loss chart (half of ln 10: the net has
visibly learned), and the run reaching its end. The same page's load to first chart is
timed beside it, as the scale a user already waits on.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser_support import launch_browser, running_app, wait_for_charts, wait_for_idle

LATEST_LOSS = """() => {
    const gd = [...document.querySelectorAll('.initlab-live-chart')].find(
        g => g.layout && g.layout.title && g.layout.title.text === 'Loss and accuracy');
    if (!gd) return null;
    const t = gd._fullData.find(t => (t.legendgroup || t.name) === 'this run' && t.y && t.y.length);
    return t ? t.y[t.y.length - 1] : null;
}"""
STEP = """() => {
    const m = [...document.querySelectorAll('.gtitle-subtitle')]
        .map(e => e.textContent.match(/step ([0-9,]+)$/)).find(Boolean);
    return m ? parseInt(m[1].replace(/,/g, '')) : -1;
}"""


def one_round(browser, base: str) -> dict[str, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    start = time.perf_counter()
    page.goto(f"{base}/training?seed={int(start) % 1000}")  # a new seed: nothing cached
    wait_for_charts(page, 4, timeout=120_000)
    loaded = time.perf_counter() - start
    wait_for_idle(page)
    page.get_by_role("button", name=re.compile("Play")).click()
    clicked = time.perf_counter()
    page.wait_for_function(f"() => ({STEP})() > 0", timeout=60_000)
    first = time.perf_counter() - clicked
    page.wait_for_function(f"() => {{ const l = ({LATEST_LOSS})(); return l !== null && l < 1.0; }}", timeout=60_000)
    learned = time.perf_counter() - clicked
    page.wait_for_function(f"() => ({STEP})() === 1000", timeout=120_000)
    finished = time.perf_counter() - clicked
    page.close()
    return {"load": loaded, "first": first, "learned": learned, "finished": finished}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with running_app() as base, launch_browser() as browser:
        one_round(browser, base)  # warm: imports, plotly.js, the digits
        rounds = [one_round(browser, base) for _ in range(args.rounds)]
    for key, label in (
        ("load", "open /training to its charts"),
        ("first", "Play to the first redraw"),
        ("learned", "Play to a loss below 1.0 on the chart"),
        ("finished", "Play to step 1000 (the run's end)"),
    ):
        values = [r[key] for r in rounds]
        print(f"{label:<40} median {statistics.median(values):5.2f} s  ({', '.join(f'{v:.2f}' for v in values)})")
    ratio = statistics.median(r["learned"] / r["load"] for r in rounds)
    print(f"Play to a visible result / page load: {ratio:.2f}x (median of rounds)")
