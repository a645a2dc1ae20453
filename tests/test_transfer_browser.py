"""Browser: the transfer lab opened cold draws its charts."""

from __future__ import annotations

import pytest

from engine.transfer import STRATEGIES, SourceConfig
from engine.transfer.artifact import load_source
from tests.browser_support import wait_for_charts, wait_for_idle

pytestmark = pytest.mark.browser

TITLES = """() => [...document.querySelectorAll('.initlab-live-chart')]
    .map(g => g.layout && g.layout.title ? g.layout.title.text : '')"""


def test_the_transfer_lab_opened_cold_draws_the_comparison_the_filters_and_the_learning_curve(page, app_url):
    page.goto(f"{app_url}/transfer?seeds=2")
    wait_for_idle(page, timeout=120_000)
    wait_for_charts(page, minimum=3, timeout=60_000)
    titles = page.evaluate(TITLES)
    assert titles[0] == "Target accuracy against examples per class"
    assert titles[1].startswith("First-layer filters")
    assert titles[-1] == "Learning curve on the target"
    accuracy = load_source(SourceConfig()).val_accuracy
    assert page.get_by_test_id("stMetricValue").first.inner_text() == f"{accuracy:.1%}"


# Every text of an SVG drawn inline: inside the image, and apart from the others. The page's web
# font is not loaded here, as it is not where a downloaded image is drawn (a PNG export draws its
# SVG as an image, which cannot load web fonts).
SVG_TEXTS = """() => {
  const svg = document.querySelector('svg').getBoundingClientRect();
  const boxes = [...document.querySelectorAll('svg text')].filter((e) => e.textContent.trim())
    .map((e) => [e.getBoundingClientRect(), e.textContent]).filter(([r]) => r.width > 0);
  const apart = (a, b) =>
    a.right <= b.left + 0.5 || b.right <= a.left + 0.5 || a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5;
  const hits = [];
  boxes.forEach(([a, ta], i) => boxes.slice(i + 1).forEach(([b, tb]) => { if (!apart(a, b)) hits.push([ta, tb]); }));
  const cut = boxes.filter(([r]) => r.left < svg.left - 1 || r.right > svg.right + 1 || r.bottom > svg.bottom + 1)
    .map(([, text]) => text);
  return { texts: boxes.map(([, text]) => text), hits, cut };
}"""


def test_the_downloaded_comparison_holds_its_whole_legend_on_a_laptop(browser, app_url, tmp_path):
    laptop = browser.new_page(viewport={"width": 1024, "height": 768}, accept_downloads=True)
    laptop.goto(f"{app_url}/transfer?seeds=2&full=true")
    wait_for_idle(laptop, timeout=300_000)
    wait_for_charts(laptop, minimum=3, timeout=60_000)
    with laptop.expect_download(timeout=30_000) as download:
        laptop.get_by_role("button", name="Download SVG").click()
    assert download.value.suggested_filename == "initlab-transfer-target-accuracy-against-examples-per-class.svg"
    saved = tmp_path / "accuracy.svg"
    download.value.save_as(saved)
    # Laid out and drawn in one font: an image (a PNG export draws the SVG as one) cannot load the page's.
    assert "Source Sans" not in saved.read_text()
    viewer = browser.new_page(viewport={"width": 1024, "height": 768})
    viewer.set_content(saved.read_text())
    drawn = viewer.evaluate(SVG_TEXTS)
    assert {s.label for s in STRATEGIES.values()} <= set(drawn["texts"])
    assert drawn["cut"] == [] and drawn["hits"] == []
    viewer.close()
    laptop.close()
