"""A/B of every kind of change on one lab: another checkout of the app against this one, side by side.

    python bench/changes_ab.py OTHER_CHECKOUT [--this CHECKOUT] [--changes 12] [--page activations]
                               [--kinds "select,preset"]

Starts `streamlit run app.py` in both checkouts and opens the lab in one tab on each. For
each kind of change of the lab (bench/interactions.py: a slider key, a select option, the
Preset box, a number typed, a toggle, a radio), makes `--changes` changes on each tab, a
few on one and then a few on the other, the first of the two alternating, and prints p50
and p95 (ms from the action to the new view on screen) and this checkout's over the
other's. The two servers share the machine's cores: what one gains, the load takes from
both alike. For example, with the code before a change:

    mkdir /tmp/before && git archive <commit> | tar -x -C /tmp/before
    python bench/changes_ab.py /tmp/before
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.first_load_ab import server
from bench.interactions import ACTIVATION_LAB, BATCHNORM_LAB, PREPROCESSING_LAB, TRAINING_LAB, Change
from bench.latency import apply, open_view, percentile
from tests.browser_support import ROOT, launch_browser

LAB_CHANGES = {
    "activations": ACTIVATION_LAB,
    "batchnorm": BATCHNORM_LAB,
    "preprocessing": PREPROCESSING_LAB,
    "training": TRAINING_LAB,
}


def measure(browser, urls: dict[str, str], page: str, change: Change, changes: int, turn: int) -> dict[str, list]:
    """`changes` changes of one kind on each checkout's tab, `turn` at a time, alternating which goes first."""
    tabs = {name: open_view(browser, f"{url}/{page}", charts=True) for name, url in urls.items()}
    times: dict[str, list[float]] = {name: [] for name in urls}
    for round_, first in enumerate(range(1, changes + 1, turn)):
        order = list(urls) if round_ % 2 == 0 else list(urls)[::-1]
        for name in order:
            for n in range(first, min(first + turn, changes + 1)):
                times[name].append(apply(tabs[name], change, n))
    for tab in tabs.values():
        tab.close()
    return times


def main(other: Path, this: Path, page: str, kinds: list[str] | None, changes: int, turn: int) -> None:
    lab = [change for change in LAB_CHANGES[page] if kinds is None or change.kind in kinds]
    rows = []
    with launch_browser() as browser, server(other) as other_url, server(this) as this_url:
        urls = {"other": other_url, "this": this_url}
        for change in lab:
            rows.append((change.kind, measure(browser, urls, page, change, changes, turn)))
    print(f"{page}: {changes} changes per kind and checkout; other = {other}, this = {this}")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    columns = [f"{'other p50':>10}", f"{'this p50':>9}", f"{'this/other':>11}"]
    columns += [f"{'other p95':>10}", f"{'this p95':>9}", f"{'this/other':>11}"]
    print(f"{'kind of change':<16} " + " ".join(columns))
    for kind, times in rows:
        cells = []
        for q in (0.5, 0.95):
            a, b = (percentile(times[name], q) for name in ("other", "this"))
            cells += [f"{a:10.0f}", f"{b:9.0f}", f"{b / a:11.2f}"]
        print(f"{kind:<16} " + " ".join(cells))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=Path, help="another checkout of the app (variant A)")
    parser.add_argument("--this", type=Path, default=ROOT, help="the checkout B (default: this one)")
    parser.add_argument("--changes", type=int, default=12)
    parser.add_argument("--turn", type=int, default=3, help="changes on one tab before the other's turn")
    parser.add_argument("--page", default="activations", choices=sorted(LAB_CHANGES))
    parser.add_argument("--kinds", default=None, help="comma-separated kinds of change (default: all of the lab's)")
    args = parser.parse_args()
    kinds = args.kinds.split(",") if args.kinds else None
    main(args.other.resolve(), args.this.resolve(), args.page, kinds, args.changes, args.turn)
