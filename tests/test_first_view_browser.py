"""A tab's first view in Chromium: the top chart, drawn before the controls come, stays where it
is when they and the rest of the page come (ui.first_view)."""

from __future__ import annotations

import pytest

from tests.browser_support import wait_for_charts, wait_for_idle

# Every frame from the page's start: where the top chart is once drawn, and whether the
# sidebar's controls have come.
TRACK_TOP_CHART = """
window.initlabTops = [];
const track = () => {
  const chart = document.querySelector(".initlab-live-chart");
  if (chart?.querySelector(".main-svg")) {
    const controls = document.querySelectorAll("[data-testid='stSidebar'] input").length > 0;
    window.initlabTops.push([chart.getBoundingClientRect().top + window.scrollY, controls]);
  }
  requestAnimationFrame(track);
};
requestAnimationFrame(track);
"""


# A wide screen, and a laptop or projector with the sidebar open, where the toolbar has the least room.
@pytest.mark.parametrize("width,height", [(1400, 1000), (1024, 768)])
@pytest.mark.parametrize("lab", ["activations", "batchnorm", "preprocessing", "training"])
def test_the_first_chart_stays_put_when_the_controls_come(browser, app_url, lab, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.add_init_script(script=TRACK_TOP_CHART)
    page.goto(f"{app_url}/{lab}")
    page.wait_for_function("() => window.initlabTops.some(([, controls]) => controls)", timeout=60_000)
    wait_for_idle(page)
    wait_for_charts(page)
    page.wait_for_timeout(2000)  # the toolbar lists the figures 1.5 s after its run (ui/toolbar.js)
    tops = page.evaluate("window.initlabTops")
    page.close()
    before = [top for top, controls in tops if not controls]
    assert before, "the chart was never on screen before the controls: no first view"
    moved = max(top for top, _ in tops) - min(top for top, _ in tops)
    assert moved <= 2, f"the top chart moved by {moved:.0f} px as the page completed (first at {before[0]:.0f} px)"
