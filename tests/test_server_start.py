"""A fresh clone of the repository starts its server without warnings."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.browser_support import ROOT, free_port, start_app, stop_app


def tracked_files() -> list[str]:
    """The files a fresh clone has (this checkout's tracked files, as they are now)."""
    try:
        listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: there is no clone to reproduce")
    return [name for name in listing.decode().split("\0") if name and (ROOT / name).is_file()]


def clone_into(target: Path) -> None:
    for name in tracked_files():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)


def server_log(checkout: Path) -> str:
    """Everything the server prints from its start until it says where it listens."""
    log_path = checkout.parent / "server.log"
    with log_path.open("w") as log:
        proc = start_app("app.py", free_port(), cwd=checkout, log=log)
        try:
            # Streamlit prints its start-up warnings before the address it serves on.
            deadline = time.monotonic() + 30
            while "URL:" not in log_path.read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            stop_app(proc)
    return log_path.read_text()


def test_a_fresh_clone_starts_without_a_static_folder_warning(tmp_path):
    checkout = tmp_path / "initlab"
    clone_into(checkout)
    # The folder plotly.js is copied into exists before any page has run.
    assert (checkout / "static").is_dir()
    assert not (checkout / "static" / "plotly.min.js").exists()
    log = server_log(checkout)
    assert "URL:" in log
    assert "WARNING" not in log, log
