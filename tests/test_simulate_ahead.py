"""The activation lab computes the net of the depth slider's next key press once its view is
complete, so that the press finds it computed (ui.simulation.simulate_ahead)."""

from __future__ import annotations

import pytest

import ui.simulation
from tests.app_support import page_path, run_page
from ui.activation_params import PARAM_BY_KEY, depths_ahead
from ui.theory_overlay import mean_field

DEFAULTS = {key: param.default for key, param in PARAM_BY_KEY.items()}
MAX_DEPTH = PARAM_BY_KEY["depth"].hi


@pytest.fixture
def simulated(monkeypatch) -> list[tuple[str, int]]:
    """(init, depth) of every net the pages simulate from now on, with empty caches."""
    ui.simulation.run_simulation.clear()
    mean_field.clear()
    calls: list[tuple[str, int]] = []
    real = ui.simulation.simulate

    def counted(cfg):
        calls.append((cfg.init, cfg.depth))
        return real(cfg)

    monkeypatch.setattr(ui.simulation, "simulate", counted)
    return calls


def near(calls: list[tuple[str, int]], depth: int) -> list[int]:
    """The depths within two layers of `depth` of the lab's own nets simulated (the diagnosis also
    measures the standard init's net and a deeper one)."""
    return [d for init, d in calls if init == "gaussian" and abs(d - depth) <= 2]


def test_each_depth_key_press_finds_its_net_computed(simulated):
    at = run_page(page_path("activations"))
    assert near(simulated, 6) == [6, 7, 5]  # the view, then one layer more and one fewer
    # (depth pressed to, the nets computed on that press: never the one shown)
    for depth, computed in ((7, [8]), (8, [9]), (7, []), (6, []), (5, [4])):
        simulated.clear()
        at.slider(key="depth").set_value(depth).run()
        assert not at.exception
        assert near(simulated, depth) == computed, depth


def test_each_depth_key_press_finds_the_net_its_diagnosis_quotes_computed(simulated):
    # The lab's tanh with 0.01·randn is diagnosed beside Xavier's net of the same shape.
    at = run_page(page_path("activations"))
    assert ("xavier", 6) in simulated and ("xavier", 7) in simulated
    for depth in (7, 8, 9):
        simulated.clear()
        at.slider(key="depth").set_value(depth).run()
        assert not at.exception
        assert any("Xavier" in box.value for kind in (at.info, at.warning, at.error) for box in kind)
        assert ("xavier", depth) not in simulated, depth  # computed on the press before
        assert ("xavier", depth + 1) in simulated, depth


def test_other_changes_compute_both_neighbours_in_the_new_setting(simulated):
    at = run_page(page_path("activations"))
    simulated.clear()
    at.selectbox(key="act").set_value("relu").run()
    assert near(simulated, 6) == [6, 7, 5]


def test_nothing_is_computed_ahead_for_explicit_sizes_or_heavy_nets(simulated, monkeypatch):
    run_page(page_path("activations"), sizes="784,512,256,10")
    assert near(simulated, 3) == [3]
    simulated.clear()
    monkeypatch.setattr(ui.simulation, "AHEAD_SECONDS", 0.0)
    run_page(page_path("activations"), depth="9")
    assert near(simulated, 9) == [9]


def test_views_ahead_stay_within_the_slider_and_change_only_the_depth():
    assert depths_ahead(DEFAULTS, None) == [{**DEFAULTS, "depth": 7}, {**DEFAULTS, "depth": 5}]
    assert [v["depth"] for v in depths_ahead({**DEFAULTS, "depth": 1}, 2)] == []
    assert [v["depth"] for v in depths_ahead({**DEFAULTS, "depth": 1}, None)] == [2]
    assert [v["depth"] for v in depths_ahead({**DEFAULTS, "depth": MAX_DEPTH}, MAX_DEPTH - 1)] == []
    assert [v["depth"] for v in depths_ahead({**DEFAULTS, "depth": 12}, 11)] == [13]
    assert [v["depth"] for v in depths_ahead({**DEFAULTS, "depth": 12}, 14)] == [11]
    assert depths_ahead({**DEFAULTS, "sizes": "10,20,10"}, None) == []
