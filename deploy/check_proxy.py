"""Run two InitLab replicas behind nginx on loopback and check the app works through it.

    python deploy/check_proxy.py

Needs nginx (apt-get install -y nginx) and, for the websocket check, Debian's Chromium.
Checks: health through the proxy; fresh clients are spread over both replicas; a client
keeps its replica (sticky cookie); the activation lab renders its charts in Chromium
through the proxy (so the websocket is proxied) and a control change redraws them.
Exits non-zero on the first failure. Everything runs on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser_support import free_port, launch_browser, running_app, wait_for_charts, wait_for_idle  # noqa: E402

TEMPLATE = Path(__file__).with_name("nginx.conf.template")


def fetch(url: str, cookie: str | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers.items())


@contextlib.contextmanager
def nginx(port: int, port_a: int, port_b: int):
    run_dir = Path(tempfile.mkdtemp(prefix="initlab-nginx-"))
    config = TEMPLATE.read_text()
    for key, value in {"RUN_DIR": run_dir, "PORT": port, "PORT_A": port_a, "PORT_B": port_b}.items():
        config = config.replace("{{" + key + "}}", str(value))
    (run_dir / "nginx.conf").write_text(config)
    subprocess.run(["nginx", "-t", "-c", str(run_dir / "nginx.conf")], check=True, capture_output=True)
    subprocess.run(["nginx", "-c", str(run_dir / "nginx.conf")], check=True)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run(["nginx", "-c", str(run_dir / "nginx.conf"), "-s", "stop"], check=False)
        shutil.rmtree(run_dir, ignore_errors=True)


def check(condition: bool, message: str) -> None:
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        raise SystemExit(1)


def main() -> None:
    if shutil.which("nginx") is None:
        raise SystemExit("needs nginx: apt-get install -y nginx")
    with running_app() as replica_a, running_app() as replica_b:
        port_a, port_b = (int(url.rsplit(":", 1)[1]) for url in (replica_a, replica_b))
        with nginx(free_port(), port_a, port_b) as proxy:
            status, _ = fetch(f"{proxy}/_stcore/health")
            check(status == 200, "health check through the proxy")
            routes = {fetch(f"{proxy}/_stcore/health")[1]["X-InitLab-Replica"] for _ in range(30)}
            check(routes == {"a", "b"}, f"fresh clients reach both replicas (saw {sorted(routes)})")
            kept = {fetch(f"{proxy}/_stcore/health", "initlab_route=b")[1]["X-InitLab-Replica"] for _ in range(10)}
            check(kept == {"b"}, "a client with a route cookie keeps its replica")
            with launch_browser() as browser:
                page = browser.new_page(viewport={"width": 1400, "height": 2400})
                page.goto(f"{proxy}/activations?act=relu&init=kaiming_normal")
                wait_for_idle(page)
                wait_for_charts(page)
                token = page.evaluate("() => document.querySelector('.gtitle-subtitle').textContent")
                check(token.startswith("relu · kaiming_normal"), "the lab renders through the proxy (websocket)")
                page.locator("[data-testid='stSelectbox']").filter(has_text="Activation").click()
                page.get_by_role("option", name="tanh", exact=True).click()
                page.wait_for_function(
                    "() => document.querySelector('.gtitle-subtitle').textContent.startsWith('tanh')",
                    timeout=30_000,
                )
                check(True, "a control change redraws through the proxy")
    print("proxy check passed")


if __name__ == "__main__":
    main()
