"""Many users at once: N browser sessions against one server on loopback.

    python bench/load.py [changes] [N ...]        # default: 5 changes, N = 1 5 10 20

Every session opens the same link (the activation lab's lecture view, as a classroom
would), types its own seed, then moves the depth slider `changes` times. After each change
it waits for the redrawn figure and reads its subtitle: it must name this session's seed and
depth. A subtitle naming another session's seed is a cross-session mix-up; a timeout or a
page error is an error. Prints, per N, p50/p95 latency (key press to the session's own new
subtitle), errors, mix-ups, the server's peak resident memory (VmHWM) and the server's CPU
time per completed change (page loads included). A fresh server per
N, every wait bounded (180 s), so the run stops by itself.

Browsers and server share this machine's cores: the latencies are those of the whole system.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, IDLE, free_port, start_app, stop_app

WAIT_MS = 180_000
BASE_SEED = 1000
SUBTITLE = "() => document.querySelector('.gtitle-subtitle')?.textContent || ''"
SEED_IN_TOKEN = re.compile(r"seed (\d+)")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    mixups: list[str] = field(default_factory=list)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """The process's resident-memory high-water mark (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def wait_idle(page) -> None:
    await page.wait_for_selector(IDLE, timeout=WAIT_MS)
    await page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stApp'][data-test-script-state='running']\")",
        timeout=WAIT_MS,
    )


async def check_token(page, expected: str, seed: int, tally: Tally, started: float) -> None:
    """Wait for this session's token; classify whatever else shows up."""
    try:
        await page.wait_for_function(f"(e) => ({SUBTITLE})().includes(e)", arg=expected, polling="raf", timeout=WAIT_MS)
        tally.latencies.append(1000 * (time.perf_counter() - started))
    except Exception as error:  # a timeout here is what the tally counts, not a crash
        shown = await page.evaluate(SUBTITLE)
        seeds = {int(s) for s in SEED_IN_TOKEN.findall(shown)}
        if seeds and seed not in seeds:
            tally.mixups.append(f"session seed {seed} saw: {shown}")
        else:
            tally.errors.append(f"seed {seed}, waiting for {expected!r}: {type(error).__name__}; shows {shown!r}")


async def session(browser, base: str, index: int, changes: int, tally: Tally) -> None:
    seed = BASE_SEED + index
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT_MS)  # twenty tabs on two cores draw slowly; that is not an error
    page = await context.new_page()
    page.on("pageerror", lambda error: tally.errors.append(f"seed {seed}: page error {error}"))
    try:
        await page.goto(f"{base}/activations", timeout=WAIT_MS)
        await wait_idle(page)
        seed_box = page.locator("[data-testid='stNumberInput']").filter(has_text="seed").locator("input")
        await seed_box.fill(str(seed))
        started = time.perf_counter()
        await seed_box.press("Enter")
        await check_token(page, f"6×4096 · N=16 · seed {seed}", seed, tally, started)
        slider = page.locator("[data-testid='stSlider']").filter(has_text="depth").locator("input[type='range']")
        for depth in range(7, 7 + changes):
            await wait_idle(page)
            await slider.focus()
            started = time.perf_counter()
            await page.keyboard.press("ArrowRight")
            await check_token(page, f"{depth}×4096 · N=16 · seed {seed}", seed, tally, started)
    except Exception as error:  # anything else that stops a session is an error of the run
        tally.errors.append(f"seed {seed}: {type(error).__name__}: {error}")
    finally:
        await context.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run_level(n: int, changes: int) -> tuple[Tally, float, float, float]:
    from playwright.async_api import async_playwright

    port = free_port()
    server = start_app("app.py", port)
    tally = Tally()
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            start, cpu_start = time.perf_counter(), cpu_seconds(server.pid)
            base = f"http://127.0.0.1:{port}"
            await asyncio.gather(*(session(browser, base, i, changes, tally) for i in range(n)))
            wall, cpu = time.perf_counter() - start, cpu_seconds(server.pid) - cpu_start
            await browser.close()
        return tally, peak_rss_mb(server.pid), wall, cpu
    finally:
        stop_app(server)


def main(changes: int, levels: list[int]) -> None:
    print(f"{changes + 1} changes per session (its seed, then the depth slider {changes} times)\n")
    header = f"{'N':>3} {'changes':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'mix-ups':>8}"
    print(f"{header} {'server peak MB':>15} {'server CPU ms/change':>21} {'wall s':>7}")
    problems = []
    for n in levels:
        tally, peak, wall, cpu = asyncio.run(run_level(n, changes))
        done = len(tally.latencies)
        p50, p95 = percentile(tally.latencies, 0.5), percentile(tally.latencies, 0.95)
        print(
            f"{n:3d} {done:8d} {p50:8.0f} {p95:8.0f} {len(tally.errors):7d} {len(tally.mixups):8d} "
            f"{peak:15.0f} {1000 * cpu / max(done, 1):21.0f} {wall:7.1f}"
        )
        problems += tally.errors + tally.mixups
    for problem in problems[:10]:
        print("  ", problem)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(args[0] if args else 5, args[1:] or [1, 5, 10, 20])
