"""Shared fixtures: a running app and a Chromium browser for the browser tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, WIRE, launch_browser, running_app

# CI sets this: there a missing browser is a failure, not a skip.
REQUIRE_BROWSER = os.environ.get("INITLAB_REQUIRE_BROWSER") == "1"


def _browser_missing_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Debian's Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    return None


BROWSER_FIXTURES = {"app_url", "browser", "page"}
# The browser tests in two groups of about equal time, each with its own server and browser.
SECOND_BROWSER_GROUP = {
    "test_browser.py",
    "test_first_view_browser.py",
    "test_layout_browser.py",
    "test_plotly_bundles.py",
    "test_transfer_browser.py",  # after test_layout_browser.py: the full comparison it opens is computed
}


def _uses_the_browser(item: pytest.Item) -> bool:
    params = item.callspec.params if hasattr(item, "callspec") else {}
    return bool(BROWSER_FIXTURES & (set(getattr(item, "fixturenames", ())) - set(params)))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (pyproject.toml: two workers, --dist loadgroup), the browser tests run in
    two groups, each in one worker with its own server and browser, one test after another as they
    would alone (their waits are for one app's reruns); the AppTest and engine tests fill the gaps.
    xdist hands out the largest groups first, so the two start together."""
    for item in items:
        if _uses_the_browser(item):
            group = "browser-2" if item.path.name in SECOND_BROWSER_GROUP else "browser-1"
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def app_url():
    reason = _browser_missing_reason()
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"browser tests are required here: {reason}")
        pytest.skip(reason)
    with running_app() as base:
        yield base


@pytest.fixture(scope="session")
def browser(app_url):
    with launch_browser() as b:
        yield b


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(WIRE)
    page = context.new_page()
    yield page
    context.close()
