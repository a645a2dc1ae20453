"""Browser: the training lab plays like TensorFlow Playground, and pauses."""

from __future__ import annotations

import re
import time
import urllib.parse

import pytest

from tests.browser_support import wait_for_charts, wait_for_idle

pytestmark = pytest.mark.browser

# The loss chart's subtitle ends with the step shown; the counter shows "step / steps".
CURVES_STEP = """() => {
    const titles = [...document.querySelectorAll('.gtitle-subtitle')].map(e => e.textContent);
    const m = titles.map(t => t.match(/step ([0-9,]+)$/)).find(Boolean);
    return m ? parseInt(m[1].replace(/,/g, '')) : -1;
}"""
LOSS_POINTS = """() => {
    const gd = [...document.querySelectorAll('.initlab-live-chart')].find(
        g => g.layout && g.layout.title && g.layout.title.text === 'Loss and accuracy');
    if (!gd) return -1;
    // _fullData: the traces as drawn, arrays decoded (gd.data may hold them base64-encoded)
    const trace = gd._fullData.find(t => (t.legendgroup || t.name) === 'this run' && t.x && t.x.length);
    return trace ? trace.x.length : -1;
}"""


def counter(page) -> int:
    text = page.get_by_test_id("stMetricValue").first.inner_text()
    return int(text.replace(",", "").strip())


def url_step(page) -> int:
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    return int(query.get("step", ["0"])[0])


def test_play_advances_the_counter_and_the_loss_curve_and_pause_stops_both(page, app_url):
    page.goto(f"{app_url}/training?steps=4000")
    wait_for_idle(page)
    wait_for_charts(page, 4)
    assert counter(page) == 0
    page.get_by_role("button", name=re.compile("Play")).click()
    page.wait_for_function(f"() => ({CURVES_STEP})() >= 1000", timeout=60_000)
    before_points = page.evaluate(LOSS_POINTS)
    page.wait_for_function(f"() => ({LOSS_POINTS})() > {before_points}", timeout=30_000)
    assert counter(page) > 0
    page.get_by_role("button", name=re.compile("Pause")).click()
    page.get_by_role("button", name=re.compile("Play")).wait_for(timeout=30_000)
    wait_for_idle(page)
    time.sleep(1.0)  # at least two ticks of play, had it gone on
    paused = counter(page)
    points = page.evaluate(LOSS_POINTS)
    time.sleep(2.0)
    assert counter(page) == paused and page.evaluate(LOSS_POINTS) == points
    assert 0 < paused < 4000
    assert url_step(page) == paused == page.evaluate(CURVES_STEP)


def test_a_paused_runs_link_opens_the_same_step_in_a_new_tab(page, browser, app_url):
    page.goto(f"{app_url}/training?steps=400&lr=0.003")
    wait_for_idle(page)
    page.get_by_role("button", name=re.compile("Play")).click()
    page.wait_for_function(f"() => ({CURVES_STEP})() === 400", timeout=60_000)  # played to the end
    page.get_by_role("button", name=re.compile("Play")).wait_for(timeout=30_000)  # and stopped there
    wait_for_idle(page)
    assert url_step(page) == counter(page) == 400
    other = browser.new_page()
    try:
        other.goto(page.url)
        wait_for_idle(other)
        wait_for_charts(other, 4)
        assert counter(other) == 400
        assert other.evaluate(LOSS_POINTS) == page.evaluate(LOSS_POINTS)
    finally:
        other.close()


def test_the_run_buttons_keep_what_the_controls_changed_in_the_address(page, app_url):
    """Streamlit's server-side copy of the URL misses what bound widgets changed since the page
    opened; a page that writes its own parameters must not put those back."""
    page.goto(f"{app_url}/training?steps=200")
    wait_for_idle(page)
    wait_for_charts(page, 4)
    slider = page.get_by_test_id("stSlider").filter(has_text="depth").locator("input[type='range']")
    slider.focus()
    for _ in range(2):
        page.keyboard.press("ArrowRight")
        time.sleep(0.3)
    wait_for_idle(page)
    page.get_by_role("button", name=re.compile(r"^\+4")).click()
    page.wait_for_function(f"() => ({CURVES_STEP})() === 4", timeout=30_000)
    wait_for_idle(page)
    time.sleep(1.0)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query.get("depth") == ["6"] and query.get("step") == ["4"]
    assert "depth 6 " in " ".join(
        page.evaluate("() => [...document.querySelectorAll('.gtitle-subtitle')].map(e => e.textContent)")
    )
