"""The transfer lab in a browser: time to its charts on a fresh server, in a second tab, and on a
fresh server without the shipped source net (which then trains it), with the server's CPU seconds.

    python bench/transfer_page.py [--without-artifact]

--without-artifact moves engine/transfer/pretrained_source.npz aside for that run and puts it back.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.transfer.artifact import ARTIFACT  # noqa: E402
from tests.browser_support import free_port, launch_browser, start_app, stop_app, wait_for_charts  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/<pid>/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def open_page(browser, base: str, pid: int, label: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    cpu, wall = cpu_seconds(pid), time.perf_counter()
    page.goto(f"{base}/transfer")
    wait_for_charts(page, minimum=3, timeout=300_000)
    print(f"{label:50s} {time.perf_counter() - wall:6.1f} s wall, server {cpu_seconds(pid) - cpu:5.1f} s CPU")
    page.close()


def fresh_server(browser, label: str) -> None:
    port = free_port()
    proc = start_app("app.py", port)
    try:
        base = f"http://127.0.0.1:{port}"
        open_page(browser, base, proc.pid, f"{label}: first open")
        open_page(browser, base, proc.pid, f"{label}: a second tab")
    finally:
        stop_app(proc)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--without-artifact", action="store_true")
    args = p.parse_args()
    with launch_browser() as browser:
        fresh_server(browser, "fresh server, shipped source net")
        if args.without_artifact:
            aside = ARTIFACT.with_suffix(".aside")
            ARTIFACT.rename(aside)
            try:
                fresh_server(browser, "fresh server, source net trained")
            finally:
                aside.rename(ARTIFACT)


if __name__ == "__main__":
    main()
