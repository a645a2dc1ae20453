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

# An init script that times the app's websocket traffic (tests/test_state_browser.settle): when the
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
