"""A/B of a fresh tab's first chart: another checkout of the app against this one, side by side.

    python bench/first_load_ab.py OTHER_CHECKOUT [--this CHECKOUT] [--loads 6] [--restarts 0]
                                  [--pages activations,batchnorm,preprocessing]

Starts `streamlit run app.py` in both checkouts, loads each page once in each (untimed),
then `--loads` times per page and checkout in a new browser context (empty cache), the two
checkouts in alternating order, and prints p50 (min to max) of the first chart and of the
milestones of bench/latency.py. With `--restarts N`, also the first load after a server
start: N times per page, a new server of each checkout for each load, in alternating
order. For example, with the code before a change:

    git worktree add /tmp/before <commit> && python bench/first_load_ab.py /tmp/before
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.latency import CHART_DRAWN, first_load, percentile
from tests.browser_support import ROOT, free_port, launch_browser, start_app, stop_app

MILESTONES = ["first element", "chart element", "plotly.js requested", "first chart", "controls"]


@contextlib.contextmanager
def server(checkout: Path) -> Iterator[str]:
    port = free_port()
    proc = start_app("app.py", port, cwd=checkout)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_app(proc)


def after_start(browser, checkouts: dict[str, Path], pages: list[str], restarts: int) -> dict:
    """The first load after a server start: a new server of each checkout per load, alternating."""
    results: dict[tuple[str, str], list[dict]] = {}
    for n in range(restarts):
        for page in pages:
            order = list(checkouts) if n % 2 == 0 else list(checkouts)[::-1]
            for name in order:
                with server(checkouts[name]) as url:
                    load = first_load(browser, f"{url}/{page}", CHART_DRAWN)
                results.setdefault((page, name), []).append(load)
    return results


def print_results(title: str, results: dict) -> None:
    print(title)
    for (page, name), runs in results.items():
        cells = []
        for milestone in MILESTONES:
            times = [run[milestone] for run in runs if milestone in run]
            cells.append(f"{milestone} {percentile(times, 0.5):.0f} ({min(times):.0f} to {max(times):.0f})")
        print(f"{page:14} {name}: " + "; ".join(cells))


def main(other: Path, this: Path, loads: int, restarts: int, pages: list[str]) -> None:
    checkouts = {f"other ({other})": other, f"this ({this})": this}
    results: dict[tuple[str, str], list[dict]] = {}
    with launch_browser() as browser:
        if restarts:
            started = after_start(browser, checkouts, pages, restarts)
            print_results(f"{restarts} first loads after a server start per page and checkout; p50 ms", started)
            print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
        if loads:
            warm(browser, checkouts, pages, loads, results)
            print_results(f"{loads} fresh tabs per page and checkout on warm servers; p50 ms", results)
            print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def warm(browser, checkouts: dict[str, Path], pages: list[str], loads: int, results: dict) -> None:
    with contextlib.ExitStack() as stack:
        urls = {name: stack.enter_context(server(path)) for name, path in checkouts.items()}
        for url in urls.values():
            for page in pages:
                first_load(browser, f"{url}/{page}", CHART_DRAWN)
        for n in range(loads):
            for page in pages:
                order = list(urls) if n % 2 == 0 else list(urls)[::-1]
                for name in order:
                    load = first_load(browser, f"{urls[name]}/{page}", CHART_DRAWN)
                    results.setdefault((page, name), []).append(load)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=Path, help="another checkout of the app (variant A)")
    parser.add_argument("--this", type=Path, default=ROOT, help="the checkout B (default: this one)")
    parser.add_argument("--loads", type=int, default=6, help="fresh tabs per page on warm servers")
    parser.add_argument("--restarts", type=int, default=0, help="first loads after a server start, per page")
    parser.add_argument("--pages", default="activations,batchnorm,preprocessing")
    args = parser.parse_args()
    main(args.other.resolve(), args.this.resolve(), args.loads, args.restarts, args.pages.split(","))
