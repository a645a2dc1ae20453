"""Browser: the transfer lab opened cold draws its charts."""

from __future__ import annotations

import pytest

from engine.transfer import SourceConfig
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
