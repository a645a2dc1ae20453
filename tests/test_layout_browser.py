"""Browser: the labs fit a 1024 x 768 laptop with the sidebar open and a 1280 x 720 screen.

A crowded figure carries a narrow shape that the live chart draws in a narrow column.
"""

import base64

import pytest

from ui.live_chart import _JS

pytestmark = pytest.mark.browser


# The live chart's browser side with a stand-in for Plotly that records what each draw got.
STAND_IN = """async (moduleUrl) => {
  document.body.innerHTML = '<div id="host" style="width: 700px"><div class="initlab-live-chart"></div></div>';
  window.Plotly = {
    drawn: [],
    react(target, data, layout) {
      this.drawn.push({ title: layout.title, height: layout.height, text: data[0].text, meta: 'meta' in layout });
      return Promise.resolve();
    },
    Plots: { resize() {} },
    purge() {},
  };
  const render = (await import(moduleUrl)).default;
  const narrow = { below: 800, layout: { title: 'narrow', height: 600 }, data: [{ text: 'short' }] };
  const figure = { data: [{ text: 'long' }], layout: { title: 'wide', height: 400, meta: { narrow } } };
  render({
    parentElement: document.getElementById('host'),
    data: { epoch: 'session', revision: 1, figure: JSON.stringify(figure), config: {}, minWidth: 560 },
  });
}"""


@pytest.fixture
def stand_in(browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.evaluate(STAND_IN, "data:text/javascript;base64," + base64.b64encode(_JS.encode()).decode())
    yield page
    page.close()


def draws(page, count: int) -> list[dict]:
    page.wait_for_function("(n) => window.Plotly.drawn.length >= n", arg=count, timeout=10_000)
    return page.evaluate("() => window.Plotly.drawn")


def test_a_figure_is_drawn_in_its_narrow_shape_below_its_width_and_changes_shape_with_its_column(stand_in):
    (first,) = draws(stand_in, 1)
    assert first == {"title": "narrow", "height": 600, "text": "short", "meta": False}
    assert stand_in.evaluate("() => document.querySelector('.initlab-live-chart').style.height") == "600px"
    stand_in.evaluate("() => { document.getElementById('host').style.width = '900px'; }")
    assert draws(stand_in, 2)[1] == {"title": "wide", "height": 400, "text": "long", "meta": False}
    stand_in.evaluate("() => { document.getElementById('host').style.width = '600px'; }")
    assert draws(stand_in, 3)[2]["title"] == "narrow"
