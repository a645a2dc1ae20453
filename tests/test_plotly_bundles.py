"""Browser: each page fetches the plotly.js bundle its charts need, once, and draws them all."""

import pytest

from tests.browser_support import wait_for_charts, wait_for_idle

pytestmark = pytest.mark.browser

PLOTLY_SCRIPTS = "() => [...document.querySelectorAll('script[src*=plotly]')].map(s => s.src.split('/').pop())"
SUBTITLES = "() => [...document.querySelectorAll('.gtitle-subtitle')].map(e => e.textContent)"


def test_the_activation_lab_draws_with_the_basic_bundle_alone(page, app_url):
    page.goto(f"{app_url}/activations")
    wait_for_idle(page)
    wait_for_charts(page)
    assert page.evaluate(PLOTLY_SCRIPTS) == ["plotly-basic.min.js"]


def test_a_page_that_needs_the_full_bundle_after_one_that_did_not_draws_every_chart(page, app_url):
    page.goto(f"{app_url}/activations")
    wait_for_idle(page)
    wait_for_charts(page)
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Data preprocessing").click()
    wait_for_idle(page)
    wait_for_charts(page, minimum=5)
    assert page.evaluate(PLOTLY_SCRIPTS) == ["plotly-basic.min.js", "plotly.min.js"]
    # The clouds of the first chart are WebGL points, which only the full bundle draws.
    assert page.locator(".initlab-live-chart").first.locator("canvas").count() > 0
    assert "cloud of 300" in page.evaluate(SUBTITLES)[0]
