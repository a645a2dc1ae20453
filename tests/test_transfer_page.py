"""AppTest: the transfer lab's page, its URL contract, and the measurements it shows."""

from __future__ import annotations

import numpy as np
import pytest

from engine.transfer import ALL, STRATEGIES, CompareConfig, Comparison, SourceConfig, compare, probe_name, single_run
from engine.transfer.artifact import load_source
from tests import app_support
from tests.app_support import chart_figures
from ui.transfer_text import lecture_table
from ui.transfer_view import BoundedStore, probe_caption, results, target_caption, view_config

TIMEOUT = 600
PAGE = app_support.page_path("transfer")
SEEDS = "2"  # the page's cheapest setting: two seeds per strategy and k


def run_page(**query):
    return app_support.run_page(PAGE, TIMEOUT, **query)


def figure(at, title: str) -> dict:
    return next(f for f in chart_figures(at) if f["layout"]["title"]["text"].startswith(title))


def lines(fig: dict) -> dict[str, list[float]]:
    """Each named trace's y values (the bands are unnamed)."""
    return {t["name"]: t["y"] for t in fig["data"] if t.get("name")}


def texts(at) -> str:
    return " ".join(box.value for box in (*at.info, *at.warning, *at.error, *at.markdown, *at.caption))


@pytest.fixture(scope="module")
def source():
    net = load_source(SourceConfig())
    assert net is not None
    return net


@pytest.fixture(scope="module")
def default_page():
    return run_page(seeds=SEEDS)


def test_the_default_view_shows_scratch_against_the_last_layer_as_the_engine_measures_them(default_page, source):
    at = default_page
    assert not at.exception
    assert at.title[0].value == "Transfer learning"
    assert at.metric[0].value == f"{source.val_accuracy:.1%}"
    expected = compare(source, view_config("similar", False, 2))
    shown = lines(figure(at, "Target accuracy"))
    assert set(shown) == {STRATEGIES["scratch"].label, STRATEGIES["last"].label}
    for name in ("scratch", "last"):
        assert np.allclose(shown[STRATEGIES[name].label], expected.mean("similar", name))
    assert any("table fills from the full comparison" in box.value for box in at.info)
    titles = [f["layout"]["title"]["text"] for f in chart_figures(at)]
    assert titles[1].startswith("First-layer filters") and titles[-1] == "Learning curve on the target"


def test_the_learning_curve_is_the_chosen_strategy_beside_scratch(default_page, source):
    shown = lines(figure(default_page, "Learning curve"))
    run = single_run(source, "similar", "last", 5, 0)
    assert np.allclose(shown[STRATEGIES["last"].label], run.losses)
    assert STRATEGIES["scratch"].label in shown


def test_a_link_opens_its_view():
    at = run_page(target="different", strategy="finetune", k="all", seed="3", seeds=SEEDS)
    assert not at.exception and not at.warning
    assert at.radio(key="target").value == "different"
    assert "different target" in figure(at, "Target accuracy")["layout"]["title"]["subtitle"]["text"]
    curve = figure(at, "Learning curve")
    assert "k = all · seed 3" in curve["layout"]["title"]["subtitle"]["text"]
    assert set(lines(curve)) == {STRATEGIES["finetune"].label, STRATEGIES["scratch"].label}


def test_bad_url_values_get_a_notice_each_and_the_defaults_are_used():
    at = run_page(target="zzz", k="3", strategy="nope", seeds="99", seed="-1", full="maybe", extra="1")
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    for key in ("target", "k", "strategy", "seeds", "seed", "full", "extra"):
        assert f"`{key}=" in notices
    assert at.radio(key="target").value == "similar"
    assert at.selectbox(key="k").value == "5"
    assert at.slider(key="seeds").value == 5
    assert len(lines(figure(at, "Target accuracy"))) == 2  # the default view, not the full comparison


def test_the_results_store_keeps_the_most_recently_used_within_its_bound():
    store = BoundedStore(2)
    made = []
    for key in ("a", "b", "a", "c", "a", "b"):
        store.get_or_make(key, lambda key=key: made.append(key) or key.upper())
    assert made == ["a", "b", "c", "b"]  # "a" kept by use; "b" dropped when "c" came, so made again
    assert len(store) == 2


def _comparison(accuracy: dict[str, list[float]]) -> Comparison:
    """A comparison on both targets at k = 1, 2, 5, all with one seed: mean accuracies given per strategy."""
    ks = (1, 2, 5, ALL)
    cfg = CompareConfig(ks=ks, seeds=(0,))
    table = {
        (t, s): np.array(values, float)[:, None] for t in ("similar", "different") for s, values in accuracy.items()
    }
    return Comparison(cfg, table)


def test_the_table_says_where_the_measurement_and_the_lecture_agree_and_where_they_part():
    # similar: last wins at k <= 5 (the advice), scratch wins with every example (not the advice)
    result = _comparison(
        {
            "scratch": [0.2, 0.3, 0.4, 0.9],
            "last": [0.5, 0.6, 0.7, 0.6],
            "top2": [0.1, 0.1, 0.1, 0.8],
            "top3": [0.1, 0.1, 0.1, 0.7],
            "finetune": [0.1, 0.1, 0.1, 0.8],
        }
    )
    rows = lecture_table({"similar": result, "different": result}).splitlines()
    similar, different = rows[2], rows[3]
    little, lot = similar.split(" | ")[1:3]
    assert "✓ Agrees" in little and "**freeze, retrain the last layer** 70.0%" in little
    assert "✗ Measured: at k = all *train from scratch* (90.0%) beats the advice (80.0%)" in lot
    # different, little data: reuse beats scratch by more than the spread (0 with one seed): not 'trouble'
    assert "✗ At k = 1, *freeze, retrain the last layer* gains +30.0 points (one seed: no spread)" in different


def test_an_agreement_within_the_spread_over_seeds_says_so():
    # two seeds: fine-tuning wins with every example by +0.4 and +5.0 points: a mean of 2.7 within the sample
    # std of 3.3 (the population std, 2.3, would have called it a clear win)
    cfg = CompareConfig(ks=(1, 2, 5, ALL), seeds=(0, 1))
    base = {s: np.full((4, 2), 0.1) for s in STRATEGIES}
    base["scratch"] = np.array([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.80, 0.80]])
    base["finetune"] = np.array([[0.1, 0.1], [0.1, 0.1], [0.1, 0.1], [0.804, 0.85]])
    result = Comparison(cfg, {(t, s): a for t in ("similar", "different") for s, a in base.items()})
    lot = lecture_table({"similar": result, "different": result}).splitlines()[3].split(" | ")[2]
    assert "✓ Agrees, though its margin over scratch is within the spread over seeds (k = all: +2.7 ± 3.3 points" in lot


def test_the_full_comparison_fills_the_lecture_table_with_the_measured_winners():
    at = run_page(full="true", seeds=SEEDS)
    assert not at.exception
    assert len(lines(figure(at, "Target accuracy"))) == len(STRATEGIES)
    table = next(m.value for m in at.markdown if m.value.startswith("| | very little data"))
    measured = {t: results().get_or_make(view_config(t, True, 2), lambda: None) for t in ("similar", "different")}
    assert table == lecture_table(measured)
    for target, result in measured.items():
        for k in (1, 2, 5, ALL):
            best, accuracy = result.winner(target, k)
            assert f"k = {'all' if k == ALL else k}: **{STRATEGIES[best].label}** {accuracy:.1%}" in table


# From the user trial: captions read off the numbers they describe --------------------------------


def synthetic(target: str, means: dict[str, tuple[float, float]], ks=(1, ALL)) -> Comparison:
    """A comparison whose every seed has these accuracies at the smallest and the largest k."""
    config = CompareConfig(targets=(target,), strategies=tuple(means), ks=ks, seeds=(0, 1))
    return Comparison(config, {(target, s): np.array([[lo, lo], [hi, hi]]) for s, (lo, hi) in means.items()})


def test_the_accuracy_caption_names_the_winner_its_own_numbers_show():
    # As at 2 seeds on the similar target: the last two layers win with every example, not fine-tuning.
    result = synthetic(
        "similar", {"scratch": (0.28, 0.83), "last": (0.41, 0.68), "top2": (0.36, 0.856), "finetune": (0.40, 0.842)}
    )
    words = target_caption(result, "similar")
    assert "freeze, retrain the last layer, 41.0%) beats training from scratch (28.0%)" in words
    assert "At every example the best is retrain the last two layers (85.6%)" in words
    assert "fine-tuning everything is best" not in words
    lost = target_caption(synthetic("different", {"scratch": (0.28, 0.58), "last": (0.22, 0.35)}), "different")
    assert "does not beat training from scratch (28.0%)" in lost


def test_the_probe_caption_names_the_best_and_worst_depth_at_the_k_shown():
    probes = {
        target: Comparison(
            CompareConfig(targets=(target,), strategies=(), probes=(0, 1, 2, 3), ks=(ALL,), seeds=(0,)),
            {(target, probe_name(d)): np.array([[acc]]) for d, acc in enumerate(accs)},
        )
        for target, accs in (("similar", (0.396, 0.704, 0.844, 0.764)), ("different", (0.396, 0.6, 0.5, 0.42)))
    }
    words = probe_caption(probes, ALL)
    assert "similar target the best features are conv 2 (2) (84.4%), the worst pixels (0) (39.6%)" in words
    assert "different target the best features are conv 1 (1) (60.0%), the worst pixels (0) (39.6%)" in words


def test_present_mode_hides_the_sidebar_hints_and_keeps_a_neutral_sentence(default_page):
    hint = "in the sidebar"
    assert hint in texts(default_page)  # the normal view points at the sidebar's switches
    at = run_page(seeds=SEEDS, view="present")
    assert not at.exception
    assert hint not in texts(at)
    assert [box.value for box in at.info] == ["The table fills from the full comparison on both targets."]
    assert "The default view: scratch against a new last layer at k = 1 and 5." in texts(at)


def test_the_paired_gain_sentence_gives_the_sample_std_over_seeds(default_page, source):
    expected = compare(source, view_config("similar", False, 2))
    diff = expected.accuracy[("similar", "last")] - expected.accuracy[("similar", "scratch")]
    spread = np.abs(diff[:, 0] - diff[:, 1]) / np.sqrt(2)  # two seeds: the sample std, by its definition
    words = next(m.value for m in default_page.markdown if m.value.startswith("**Last layer only − scratch**"))
    for k, mean, std in zip((1, 5), diff.mean(axis=1), spread):
        assert f"k = {k}: {mean * 100:+.1f} ± {std * 100:.1f}" in words
