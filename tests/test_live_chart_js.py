"""The live chart's browser side (ui/live_chart.js) in Chromium, with a stand-in for Plotly.

Streamlit can hand the component a superseded run's data after a newer run's, and draws
take time: the chart must end on the newest figure whatever the order. (bench/load.py
once caught a session left showing its previous view.)
"""

import base64
import json

import pytest

from ui.live_chart import _JS

pytestmark = pytest.mark.browser

# Plotly stand-in: records each react call's title and finishes it only when told.
SETUP = """async (moduleUrl) => {
  document.body.innerHTML = '<div id="host"><div class="initlab-live-chart"></div></div>';
  window.Plotly = {
    drawn: [], finish: [],
    react(target, data, layout) {
      this.drawn.push(layout.title);
      return new Promise((resolve) => this.finish.push(resolve));
    },
    Plots: { resize() {} },
    purge() {},
  };
  window.render = (await import(moduleUrl)).default;
  window.send = (epoch, revision, title) => window.render({
    parentElement: document.getElementById('host'),
    data: { epoch, revision, figure: JSON.stringify({ data: [], layout: { title } }), config: {}, minWidth: 800 },
  });
  window.settle = () => new Promise((resolve) => setTimeout(resolve, 0));
}"""


@pytest.fixture
def chart(browser):
    page = browser.new_page()
    module = "data:text/javascript;base64," + base64.b64encode(_JS.encode()).decode()
    page.evaluate(SETUP, module)
    yield page
    page.close()


def drawn(page) -> list[str]:
    return page.evaluate("async () => { await window.settle(); return window.Plotly.drawn; }")


def finish_draw(page) -> None:
    page.evaluate("async () => { window.Plotly.finish.shift()(); await window.settle(); }")


def test_a_superseded_runs_data_arriving_late_is_not_drawn(chart):
    chart.evaluate("() => { send('session', 2, 'newer'); }")
    finish_draw(chart)
    chart.evaluate("() => { send('session', 1, 'older'); }")
    assert drawn(chart) == ["newer"]


def test_draws_run_one_at_a_time_and_end_on_the_newest_figure(chart):
    chart.evaluate("() => { send('session', 1, 'first'); }")
    assert drawn(chart) == ["first"]
    chart.evaluate("() => { send('session', 2, 'second'); send('session', 3, 'third'); }")
    assert drawn(chart) == ["first"]  # the first draw has not finished
    finish_draw(chart)
    assert drawn(chart) == ["first", "third"]  # the second was overtaken while it waited


def test_an_unchanged_figure_is_not_drawn_again(chart):
    chart.evaluate("() => { send('session', 1, 'same'); }")
    finish_draw(chart)
    chart.evaluate("() => { send('session', 2, 'same'); }")
    assert drawn(chart) == ["same"]


def test_a_new_session_starts_its_own_revisions(chart):
    chart.evaluate("() => { send('old session', 9, 'before'); }")
    finish_draw(chart)
    chart.evaluate("() => { send('new session', 1, 'after'); }")
    assert drawn(chart) == ["before", "after"]


def test_the_figure_box_takes_the_figures_height(chart):
    figure = json.dumps({"data": [], "layout": {"title": "tall", "height": 777}})
    chart.evaluate(
        "(figure) => render({parentElement: document.getElementById('host'),"
        " data: {epoch: 'session', revision: 1, figure, config: {}}})",
        figure,
    )
    assert drawn(chart) == ["tall"]
    assert chart.evaluate("() => document.querySelector('.initlab-live-chart').style.height") == "777px"
