"""A tab's first view in Chromium: the top chart, drawn before the controls come, stays where it
is when they and the rest of the page come (ui.first_view)."""

from __future__ import annotations

import re
import time

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


def delayed(seconds: float):
    """A route handler that holds each request back `seconds`, as a loaded machine or network can."""

    def handler(route) -> None:
        time.sleep(seconds)
        route.continue_()

    return handler


def top_chart_movement(page, url: str, first_view: bool = True) -> float:
    """Open `url` in `page` and return how far the top chart moved from its first draw until the page
    completed (its controls, the rest of the page, the toolbar's lists). `first_view`: the page
    draws its chart before its controls (ui.first_view; the signal-propagation lab has none)."""
    page.add_init_script(script=TRACK_TOP_CHART)
    page.goto(url)
    page.wait_for_function("() => window.initlabTops.some(([, controls]) => controls)", timeout=60_000)
    wait_for_idle(page)
    wait_for_charts(page)
    page.wait_for_timeout(2000)  # the toolbar lists the figures as they draw, and again 1.5 s after its run
    tops = page.evaluate("window.initlabTops")
    if first_view:
        assert any(not controls for _, controls in tops), "the chart was never on screen before the controls"
    return max(top for top, _ in tops) - min(top for top, _ in tops)


# A wide screen, and a laptop or projector with the sidebar open, where the toolbar has the least room.
@pytest.mark.parametrize("width,height", [(1400, 1000), (1024, 768)])
@pytest.mark.parametrize("lab", ["activations", "batchnorm", "preprocessing", "training"])
def test_the_first_chart_stays_put_when_the_controls_come(browser, app_url, lab, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    moved = top_chart_movement(page, f"{app_url}/{lab}")
    page.close()
    assert moved <= 2, f"the top chart moved by {moved:.0f} px as the page completed"


# Every frame: each live chart's key (its container's st-key- class), top, and whether it has drawn.
TRACK_ALL_CHARTS = """
window.initlabCharts = [];
const trackAll = () => {
  const charts = [...document.querySelectorAll(".initlab-live-chart")];
  const seen = charts.map((c) => [
    [...(c.closest("[class*='st-key-']")?.classList ?? [])].find((name) => name.startsWith("st-key-")),
    c.getBoundingClientRect().top + window.scrollY,
    !!c.querySelector(".main-svg"),
  ]);
  window.initlabCharts.push(seen);
  requestAnimationFrame(trackAll);
};
requestAnimationFrame(trackAll);
"""


def test_a_chart_drawn_later_does_not_push_down_the_charts_below_it(browser, app_url):
    """The signal-propagation lab's phase diagram needs a larger plotly.js bundle (cartesian)
    than the charts below it (basic, loaded already by the activation lab): until its bundle
    came (slow here; a trial saw the charts below drawn first) it kept a 200 px placeholder,
    then grew by 320 px and moved every chart below. Its box now takes the figure's height
    as soon as the figure arrives."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.add_init_script(script=TRACK_ALL_CHARTS)
    page.route("**/plotly-cartesian.min.js", delayed(1.5))
    page.goto(f"{app_url}/activations")
    wait_for_charts(page)
    page.evaluate("window.initlabCharts = []")
    page.get_by_test_id("stSidebarNav").locator("a").filter(has_text="Signal propagation").click()
    page.wait_for_url("**/theory**")
    wait_for_idle(page)
    wait_for_charts(page, minimum=4)
    page.wait_for_timeout(1000)
    frames = page.evaluate("window.initlabCharts")
    page.close()
    charts = ("st-key-theory_cmap", "st-key-theory_spectra", "st-key-theory_glorot")
    assert all(
        any(name == key and drawn for f in frames for name, _, drawn in f) for key in ("st-key-theory_phase", *charts)
    )
    for key in charts:
        # Its distance from the diagram's top, from its first frame on the page, drawn or still
        # waiting (what comes above the diagram moves both alike).
        gaps = [
            tops[key] - tops["st-key-theory_phase"]
            for tops in map(_tops, frames)
            if key in tops and "st-key-theory_phase" in tops
        ]
        moved = max(gaps) - min(gaps)
        assert moved <= 2, f"{key} moved by {moved:.0f} px against the phase diagram as the page's charts drew"


def _tops(frame: list) -> dict[str, float]:
    return {name: top for name, top, _ in frame}


# Every frame: the height of the toolbar's row and of each row of metrics, once it has any.
TRACK_ROWS = """
window.initlabRows = {};
const trackRows = () => {
  for (const row of document.querySelectorAll(".st-key-initlab_toolbar, [class*='st-key-initlab_metrics']")) {
    const name = [...row.classList].find((c) => c.startsWith("st-key-"));
    const height = row.getBoundingClientRect().height;
    if (height > 0) (window.initlabRows[name] ??= new Set()).add(Math.round(height));
  }
  requestAnimationFrame(trackRows);
};
requestAnimationFrame(trackRows);
"""


@pytest.mark.parametrize("lab", ["batchnorm", "training", "theory"])
def test_the_first_chart_stays_put_when_the_widgets_code_comes_late(browser, app_url, lab):
    """On a loaded machine the chart can be drawn while a widget above it (the toolbar's present
    switch, the training lab's counters, the signal-propagation lab's numbers) still waits for its
    code and shows Streamlit's skeleton, which was taller than the switch (40 px, not 32) and shorter
    than a row of metrics (40, not 76): the chart then moved when the code came. Here the code of
    those widgets comes 1.5 s late. A style sheet that sized the skeletons came with a component's
    code, on a loaded machine after the chart (CI saw 28 px): the rows above the chart must keep
    one height from their first frame, whenever the chart comes."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route(re.compile(r"/static/js/(ButtonGroup|Metric)\.[^/]*\.js$"), delayed(1.5))
    page.add_init_script(script=TRACK_ROWS)
    moved = top_chart_movement(page, f"{app_url}/{lab}", first_view=lab != "theory")
    rows = page.evaluate("Object.fromEntries(Object.entries(window.initlabRows).map(([k, v]) => [k, [...v]]))")
    page.close()
    assert moved <= 2, f"the top chart moved by {moved:.0f} px when the widgets' code came"
    assert "st-key-initlab_toolbar" in rows and any("metrics" in name for name in rows) == (lab != "batchnorm")
    for name, heights in rows.items():
        assert max(heights) - min(heights) <= 2, f"{name} was {sorted(heights)} px high as the page came"


# Every frame from the page's start: whether a refusal's notice and the sidebar's inputs are there.
TRACK_NOTICE = """
window.initlabNotice = [];
const trackNotice = () => {
  const notice = [...document.querySelectorAll("[data-testid='stAlert']")].some((a) => a.innerText.includes("=abc"));
  const controls = document.querySelectorAll("[data-testid='stSidebar'] input").length > 0;
  window.initlabNotice.push([notice, controls]);
  requestAnimationFrame(trackNotice);
};
requestAnimationFrame(trackNotice);
"""


@pytest.mark.parametrize("lab", ["activations", "training"])
def test_a_refused_values_notice_and_the_controls_never_leave_once_shown(browser, app_url, lab):
    """A link with a refused value opens whole; the reruns that send its corrected address and take
    the chart's report must not take the notice or the controls away (they went for 0.2-0.6 s)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(script=TRACK_NOTICE)
    page.goto(f"{app_url}/{lab}?seed=abc")
    page.wait_for_function(
        "() => window.initlabNotice.some(([notice, controls]) => notice && controls)", timeout=60_000
    )
    page.wait_for_function("() => !new URL(location.href).searchParams.has('seed')", timeout=30_000)
    wait_for_idle(page)
    wait_for_charts(page)
    page.wait_for_timeout(1000)
    frames = page.evaluate("window.initlabNotice")
    # From the first frame with both (a widget's code can come a moment after the notice).
    first = next(i for i, (notice, controls) in enumerate(frames) if notice and controls)
    assert all(notice for notice, _ in frames[first:]), "the notice went away after it was shown"
    assert all(controls for _, controls in frames[first:]), "the controls went away after they came"
    page.close()
