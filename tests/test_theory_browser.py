"""Browser: the signal-propagation page opens cold with its charts, and its setting moves the phase diagram's mark."""

from __future__ import annotations

import pytest

from tests.browser_support import wait_for_charts, wait_for_idle

pytestmark = pytest.mark.browser

# Where the phase diagram's "this setting" star is drawn, in data coordinates (log10 σ_w², σ_b²).
STAR = """() => {
    const gd = [...document.querySelectorAll('.initlab-live-chart')].find(
        g => g.layout && g.layout.title && g.layout.title.text.startsWith('Phase diagram'));
    if (!gd) return null;
    const star = gd._fullData.find(t => t.text && String(t.text[0]).startsWith('this setting'));
    return star ? [star.x[0], star.y[0]] : null;
}"""
TITLES = "() => [...document.querySelectorAll('.initlab-live-chart')].map(g => g.layout && g.layout.title.text)"


def test_the_page_opens_cold_with_every_chart_and_a_typed_setting_moves_the_mark(page, app_url):
    page.goto(f"{app_url}/theory?act=tanh&sw2=2.5&sb2=0.3")
    wait_for_idle(page)
    wait_for_charts(page, 4)
    assert page.get_by_test_id("stException").count() == 0
    titles = page.evaluate(TITLES)
    assert [t.split(":")[0].split(" (")[0] for t in titles] == [
        "Phase diagram",
        "Correlation of two inputs",
        "Singular values of the input-output Jacobian",
        "Activations and gradients per layer",
    ]
    x, y = page.evaluate(STAR)
    assert 10**x == pytest.approx(2.5) and y == pytest.approx(0.3)
    box = page.get_by_label("σ_b² (bias variance)")
    box.fill("0.1")
    box.press("Enter")
    moved = f"() => {{ const s = ({STAR})(); return s && Math.abs(s[1] - 0.1) < 1e-9; }}"
    page.wait_for_function(moved, timeout=60_000)
    wait_for_idle(page)
    assert "sb2=0.1" in page.url and page.get_by_test_id("stException").count() == 0
