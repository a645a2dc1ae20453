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


def test_a_page_that_needs_a_larger_bundle_after_one_that_did_not_draws_every_chart(page, app_url):
    page.goto(f"{app_url}/activations")
    wait_for_idle(page)
    wait_for_charts(page)
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Data preprocessing").click()
    wait_for_idle(page)
    wait_for_charts(page, minimum=5)
    # The digits' images are heatmaps, which the cartesian bundle draws.
    assert page.evaluate(PLOTLY_SCRIPTS) == ["plotly-basic.min.js", "plotly-cartesian.min.js"]
    assert "cloud of 300" in page.evaluate(SUBTITLES)[0]


def test_a_cloud_of_thousands_of_points_is_drawn_with_webgl_by_the_full_bundle(page, app_url):
    page.goto(f"{app_url}/preprocessing?n=5000")
    wait_for_idle(page)
    wait_for_charts(page, minimum=5)
    assert "plotly.min.js" in page.evaluate(PLOTLY_SCRIPTS)
    assert page.locator(".initlab-live-chart").first.locator("canvas").count() > 0
    assert "cloud of 5000" in page.evaluate(SUBTITLES)[0]
