"""Start the app on a free loopback port and drive Debian's Chromium with Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("INITLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"

# An init script that times the app's websocket traffic (settle below): when the
# browser last sent the server something (a widget's new value, a rerun) and last heard from it.
WIRE = """(() => {
  const wire = (window.initlabWire = { lastSent: -1, lastReceived: -1 });
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (!this.initlabWatched) {
      this.initlabWatched = true;
      this.addEventListener('message', () => { wire.lastReceived = performance.now(); });
    }
    wire.lastSent = performance.now();
    return send.call(this, data);
  };
})();"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
            if resp.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


def start_app(app: str, port: int, cwd: Path = ROOT, log: int | IO = subprocess.DEVNULL) -> subprocess.Popen:
    """Start `streamlit run app` in `cwd` on loopback at `port`, its output going to `log`,
    and wait until it is healthy."""
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", proc)
    except BaseException:
        stop_app(proc)
        raise
    return proc


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.contextmanager
def running_app(app: str = "app.py") -> Iterator[str]:
    """Run `streamlit run app` on loopback; yields the base URL."""
    port = free_port()
    proc = start_app(app, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_app(proc)


@contextlib.contextmanager
def launch_browser():
    """Headless Debian Chromium under Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_for_idle(page, timeout: float = 30_000) -> None:
    """Wait until the script has run and the app is idle."""
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stApp'][data-test-script-state='running']\")",
        timeout=timeout,
    )


def wait_for_history_guard(page, timeout: float = 30_000) -> None:
    """Wait until ui/history.js is installed: it loads with the page's first run, and only then do
    links to views of the app open in the same tab."""
    page.wait_for_function("() => !!window.initlabHistory", timeout=timeout)


def wait_for_charts(page, minimum: int = 1, timeout: float = 30_000) -> None:
    """Wait until at least `minimum` Plotly charts (st.plotly_chart's or ui.live_chart's) are
    on the page and all have drawn: a live chart, the newest figure it was given (live_chart.js
    keeps a figure waiting to be drawn in `initlabPending` and marks a draw in `initlabDrawing`)."""
    page.wait_for_function(
        """(minimum) => {
            const charts = [...document.querySelectorAll("[data-testid='stPlotlyChart'], .initlab-live-chart")];
            const settled = (c) => c.querySelector('.main-svg') && !c.initlabPending && !c.initlabDrawing;
            return charts.length >= minimum && charts.every(settled);
        }""",
        arg=minimum,
        timeout=timeout,
    )


# Settled: the app is idle, every live chart has drawn its newest figure, the browser has sent
# nothing for QUIET_MS (a slider sends its value up to about 200 ms after a key press, so a
# change still on its way has been sent by then) and the server has answered what it sent last
# and been silent for 250 ms. QUIET_MS counts from the call too: a key pressed just before it
# may not have been sent yet.
QUIET_MS = 600
SETTLED = """([since, quiet]) => {
  const wire = window.initlabWire, now = performance.now();
  const idle = !!document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']");
  const drawn = [...document.querySelectorAll('.initlab-live-chart')].every(
    (chart) => chart.querySelector('.main-svg') && !chart.initlabPending && !chart.initlabDrawing);
  return idle && drawn && now - since >= quiet && now - wire.lastSent >= quiet
    && wire.lastReceived >= wire.lastSent && now - wire.lastReceived >= 250;
}"""


# What would change if a rerun were still arriving: the websocket's times, the app's state and the
# charts' titles. Settled means SETTLED held and this stayed the same STILL_MS later.
SNAPSHOT = """() => JSON.stringify([window.initlabWire, document.querySelector("[data-testid='stApp']")
  ?.getAttribute('data-test-script-state'), [...document.querySelectorAll('.gtitle, .gtitle-subtitle')]
  .map((e) => e.textContent)])"""
STILL_MS = 400


def settle(page) -> None:
    """Wait until no rerun is pending or running and the charts show the last one: SETTLED, and
    nothing changed for STILL_MS after (a loaded browser may take a moment to hand a chart the
    figure the last message brought)."""
    since = page.evaluate("() => window.initlabWire ? performance.now() : null")
    assert since is not None, "the page has no websocket timer (tests/browser_support.WIRE)"
    deadline = time.monotonic() + 60
    while True:
        page.wait_for_function(SETTLED, arg=[since, QUIET_MS], timeout=60_000, polling=50)
        before = page.evaluate(SNAPSHOT)
        time.sleep(STILL_MS / 1000)
        if page.evaluate(SNAPSHOT) == before and page.evaluate(SETTLED, [since, QUIET_MS]):
            return
        assert time.monotonic() < deadline, "the page never settled"
