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


def _uses_the_browser(item: pytest.Item) -> bool:
    params = item.callspec.params if hasattr(item, "callspec") else {}  # a test's parameter may be named `page`
    return bool(BROWSER_FIXTURES & (set(getattr(item, "fixturenames", ())) - set(params)))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (pyproject.toml: two workers, --dist loadgroup), the browser tests run in
    one worker with one server and one browser, one after another as they would alone (their waits
    are timed for one app's reruns), while the other worker runs the AppTest and engine tests beside
    them. (Two browser groups at once loaded the machine enough to fail timing-sensitive tests.)"""
    for item in items:
        if _uses_the_browser(item):
            item.add_marker(pytest.mark.xdist_group("browser"))


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
