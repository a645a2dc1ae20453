"""The activation lab's chart: drawn through ui.live_chart, with st.plotly_chart as the fallback."""

import json
from importlib.resources import files

from tests.app_support import chart_figures, page_path, run_page
from ui import live_chart


def test_the_served_plotly_js_is_the_installed_packages_own():
    assert live_chart.plotly_js_served()
    shipped = (files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    assert live_chart.SERVED_PLOTLY.read_bytes() == shipped


def test_the_lab_draws_its_figure_through_the_live_chart():
    at = run_page(page_path("activations"))
    assert not at.get("plotly_chart")
    (figure,) = chart_figures(at)
    assert figure["layout"]["title"]["subtitle"]["text"] == "tanh · gaussian σ=0.01 · 6×4096 · N=16 · seed 0"


def test_static_serving_off_means_no_served_plotly_js(monkeypatch):
    monkeypatch.setattr(live_chart.st, "get_option", lambda name: False)
    assert live_chart.plotly_js_served.__wrapped__() is False


def test_an_unwritable_static_folder_means_no_served_plotly_js(monkeypatch, tmp_path):
    blocker = tmp_path / "checkout"
    blocker.write_text("a file where the folder would go")
    monkeypatch.setattr(live_chart, "SERVED_PLOTLY", blocker / "static" / "plotly.min.js")
    assert live_chart.plotly_js_served.__wrapped__() is False


def test_without_a_served_plotly_js_the_lab_falls_back_to_st_plotly_chart(monkeypatch):
    monkeypatch.setattr(live_chart, "plotly_js_served", lambda: False)
    at = run_page(page_path("activations"))
    assert not at.exception
    live = [e for e in at.get("bidi_component") if e.proto.component_name == "initlab_live_chart"]
    assert len(at.get("plotly_chart")) == 1 and not live
    # The same mode bar as the live chart: only "save as PNG".
    assert json.loads(at.get("plotly_chart")[0].proto.config)["modeBarButtons"] == [["toImage"]]
    assert chart_figures(at)[0]["layout"]["title"]["subtitle"]["text"].startswith("tanh · gaussian")


def test_each_chart_asks_for_the_smallest_plotly_bundle_that_draws_it():
    def bundles(page: str, **query) -> list[str]:
        at = run_page(page_path(page), **query)
        components = [e for e in at.get("bidi_component") if e.proto.component_name == "initlab_live_chart"]
        return [json.loads(e.proto.json)["bundle"] for e in components]

    assert bundles("activations") == ["basic"]  # lines and markers only
    # The preprocessing lab's clouds: SVG up to 2,000 points a panel, WebGL (scattergl) above.
    assert bundles("preprocessing")[0] == "basic"
    assert bundles("preprocessing", n="5000")[0] == "full"
    assert bundles("batchnorm")[0] == "cartesian"  # heatmaps


def test_bundle_for_picks_the_smallest_bundle_with_every_trace_type():
    assert live_chart.bundle_for({"data": [{"type": "scatter"}, {}]}) == "basic"  # a trace without type is scatter
    assert live_chart.bundle_for({"data": [{"type": "bar"}, {"type": "heatmap"}]}) == "cartesian"
    assert live_chart.bundle_for({"data": [{"type": "scatter"}, {"type": "scattergl"}]}) == "full"


def test_the_partial_bundles_are_served_beside_the_full_one():
    assert live_chart.plotly_js_served()
    for bundle in live_chart.PARTIAL_BUNDLES:
        assert live_chart.served(bundle).read_bytes() == live_chart.vendored(bundle).read_bytes()
        assert live_chart.served(bundle).parent == live_chart.SERVED_PLOTLY.parent
