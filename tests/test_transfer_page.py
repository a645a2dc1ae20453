"""AppTest: the transfer lab's page, its URL contract, and the measurements it shows."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from engine.transfer import (
    ALL,
    STRATEGIES,
    CompareConfig,
    Comparison,
    Layerwise,
    LayerwiseConfig,
    SourceConfig,
    StrategyRun,
    compare,
    probe_name,
    single_run,
)
from engine.transfer.artifact import load_source
from engine.transfer.compare import MAX_SEEDS
from tests import app_support
from tests.app_support import chart_figures
from ui.bounded_store import BoundedStore
from ui.transfer_text import ADVICE, MIN_SEEDS, SHORT, lecture_table
from ui.transfer_view import (
    MAX_COMPARISONS,
    MAX_RUNS,
    curve_text,
    kept_with_more_seeds,
    layerwise_text,
    probe_caption,
    probe_config,
    results,
    stores,
    target_caption,
    view_config,
)

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
    assert any(ADVICE[("similar", "little")].text in box.value for box in at.markdown)  # the advice alone
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


def _comparison(accuracy: dict[str, np.ndarray], seeds: int) -> Comparison:
    """A comparison on both targets at k = 1, 2, 5, all: per strategy its (4, seeds) accuracies."""
    cfg = CompareConfig(ks=(1, 2, 5, ALL), seeds=tuple(range(seeds)))
    return Comparison(
        cfg, {(t, s): np.asarray(a, float) for t in ("similar", "different") for s, a in accuracy.items()}
    )


def _cells(result: Comparison, probes: dict[str, Comparison] | None = None) -> dict[tuple[str, str], str]:
    table = lecture_table({"similar": result, "different": result}, probes)
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]
    return {
        (target, size): row[column]
        for target, row in (("similar", rows[1]), ("different", rows[2]))
        for size, column in (("little", 1), ("lot", 2))
    }


def _seeded(means: dict[str, list[float]], noise: list[float]) -> dict[str, np.ndarray]:
    """Per strategy: its mean at each k, plus a per-seed offset that only scratch carries (so every paired
    margin over scratch has the noise's spread, and margins between reuse strategies none)."""
    return {s: np.array(m, float)[:, None] + np.array(noise)[None, :] * (s == "scratch") for s, m in means.items()}


FIVE = [0.0, 0.0, 0.0, 0.0, 0.0]
MEANS = {  # similar: last layer wins at k <= 5 (the advice); with every example scratch wins
    "scratch": [0.2, 0.3, 0.4, 0.9],
    "last": [0.5, 0.6, 0.7, 0.6],
    "top2": [0.1, 0.1, 0.1, 0.8],
    "top3": [0.1, 0.1, 0.1, 0.7],
    "finetune": [0.1, 0.1, 0.1, 0.8],
}


def test_an_agreement_with_advice_that_covers_several_strategies_names_the_one_that_won():
    # "Fine-tune a few layers" with fine-tune all the winner read as a bare ✓ (a trial: "though the
    # winner is fine-tune all"): the cell says which advised strategy won.
    means = {**MEANS, "finetune": [0.1, 0.1, 0.1, 0.95]}
    lot = _cells(_comparison(_seeded(means, FIVE), MIN_SEEDS))[("similar", "lot")]
    assert (
        "✓ Agrees: fine-tune all won, one of the strategies this advice covers "
        "(last two layers, last three layers, fine-tune all)" in lot
    )
    assert "Agrees: " not in _cells(_comparison(_seeded(MEANS, FIVE), MIN_SEEDS))[("similar", "little")]


def test_the_table_calls_a_disagreement_only_where_the_paired_margin_exceeds_the_spread():
    clear = _cells(_comparison(_seeded(MEANS, FIVE), MIN_SEEDS))
    assert "✓ Agrees." in clear[("similar", "little")]
    assert (
        "✗ Beats the advice by more than the spread: k = all: scratch +10.0 ± 0.0 points over last two layers (80.0%)"
        in (clear[("similar", "lot")])
    )
    # scratch's per-seed noise gives the margin a sample std of 15.8 points: +10 is within it
    noisy = _cells(_comparison(_seeded(MEANS, [0.2, -0.2, 0.0, 0.1, -0.1]), MIN_SEEDS))
    lot = noisy[("similar", "lot")]
    assert "✗" not in lot
    assert "≈ Within the spread, the measurement cannot tell them apart: k = all: scratch +10.0 ± 15.8 points" in lot


def test_with_too_few_seeds_no_verdict_claims_agreement_or_disagreement():
    for seeds in range(2, MIN_SEEDS):
        cells = _cells(_comparison(_seeded(MEANS, FIVE[:seeds]), seeds))
        for cell in cells.values():
            assert "✓" not in cell and "✗" not in cell and "≈" not in cell
            assert "? " in cell and f"{seeds} seeds are too few to tell a margin from noise: use 5 or more" in cell
        assert "The means follow the advice" in cells[("similar", "little")]


def test_the_trouble_cell_names_the_best_linear_probe_and_says_no_reuse_beats_scratch():
    means = {**MEANS, "scratch": [0.6, 0.7, 0.8, 0.9]}  # scratch beats every reuse strategy at k <= 5
    result = _comparison(_seeded(means, FIVE), MIN_SEEDS)
    cfg = CompareConfig(strategies=(), probes=(0, 1, 2, 3), ks=(1, 2, 5, ALL), seeds=tuple(range(MIN_SEEDS)))
    depth_means = {0: 0.55, 1: 0.5, 2: 0.45, 3: 0.3}  # the pixels' probe is not one of the source net's stages
    probes = Comparison(
        cfg,
        {
            (t, probe_name(d)): np.full((4, MIN_SEEDS), m)
            for t in ("similar", "different")
            for d, m in depth_means.items()
        },
    )
    cell = _cells(result, {"similar": probes, "different": probes})[("different", "little")]
    assert "Best linear probe, conv 1 (1): 50.0% / 50.0% / 50.0%" in cell
    assert "✓ \u201cYou're in trouble\u201d holds: no reuse strategy or linear probe beats scratch" in cell
    # a probe above scratch by less than the spread is not 'trouble holds' but 'cannot tell'
    depth_means[1] = 0.65
    noisy = _comparison(_seeded(means, [0.2, -0.2, 0.0, 0.1, -0.1]), MIN_SEEDS)
    probes = Comparison(
        cfg,
        {
            (t, probe_name(d)): np.full((4, MIN_SEEDS), m)
            for t in ("similar", "different")
            for d, m in depth_means.items()
        },
    )
    cell = _cells(noisy, {"similar": probes, "different": probes})[("different", "little")]
    assert "≈ Within the spread" in cell and "the linear probe on conv 1 (1) gains +5.0 ± 15.8 points" in cell


def test_the_full_comparison_fills_the_lecture_table_with_the_measured_winners():
    at = run_page(full="true", seeds=SEEDS)
    assert not at.exception
    assert len(lines(figure(at, "Target accuracy"))) == len(STRATEGIES)
    table = next(m.value for m in at.markdown if "very little data (k = 1, 2, 5)" in m.value)
    measured = {t: results(view_config(t, True, 2)).peek(view_config(t, True, 2)) for t in ("similar", "different")}
    probes = {"different": results(probe_config("different", 2)).peek(probe_config("different", 2))}
    assert table == lecture_table(measured, probes)
    assert "2 seeds are too few to tell a margin from noise" in table and "✓ Agrees" not in table
    assert "Best linear probe, " in table  # the advice for very different data with very little of it
    for target, result in measured.items():
        for k in (1, 2, 5, ALL):
            best, accuracy = result.winner(target, k)
            assert f"k = {'all' if k == ALL else k}: <b>{SHORT[best]}</b> {accuracy:.1%}" in table


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
    assert "the best of the three reuse strategies shown, freeze, retrain the last layer (41.0%), beats" in words
    assert "With every example, the best of the four strategies shown is retrain the last two layers (85.6%)" in words
    lost = target_caption(synthetic("different", {"scratch": (0.28, 0.58), "last": (0.22, 0.35)}), "different")
    assert "freeze, retrain the last layer (22.0%) does not beat training from scratch (28.0%)" in lost
    assert "With every example, the better of the two strategies shown is train from scratch (58.0%)" in lost
    assert "best" not in lost.replace("the better of", "")


def test_the_default_view_claims_best_only_over_the_two_strategies_it_ran(default_page, source):
    expected = compare(source, view_config("similar", False, 2))
    winner, accuracy = expected.winner("similar", 5)
    words = " ".join(c.value for c in default_page.caption)
    assert f"With k = 5, the better of the two strategies shown is {STRATEGIES[winner].label} ({accuracy:.1%})" in words
    assert "the best reuse strategy" not in words and "the best is" not in words


def test_the_probe_caption_names_the_best_and_worst_depth_at_the_k_shown():
    probes = {
        target: Comparison(
            CompareConfig(targets=(target,), strategies=(), probes=(0, 1, 2, 3), ks=(ALL,), seeds=(0,)),
            {(target, probe_name(d)): np.array([[acc]]) for d, acc in enumerate(accs)},
        )
        for target, accs in (("similar", (0.396, 0.704, 0.844, 0.764)), ("different", (0.396, 0.6, 0.5, 0.42)))
    }
    words = probe_caption(probes, ALL)
    assert "similar target the best of the four depths is conv 2 (2) (84.4%), the worst pixels (0) (39.6%)" in words
    assert "different target the best of the four depths is conv 1 (1) (60.0%), the worst pixels (0) (39.6%)" in words
    assert "one seed is too few to tell a margin from noise: use 5 or more" in words


def test_present_mode_hides_the_sidebar_hints_and_keeps_a_neutral_sentence(default_page):
    hint = "in the sidebar"
    assert hint in texts(default_page)  # the normal view points at the sidebar's switches
    at = run_page(seeds=SEEDS, view="present")
    assert not at.exception
    assert hint not in texts(at)
    assert not at.info  # no pointer to a switch the audience cannot see
    assert any(ADVICE[("different", "lot")].text in box.value for box in at.markdown)
    assert "The default view: scratch against a new last layer at k = 1 and 5." in texts(at)


def test_the_paired_gain_sentence_gives_the_sample_std_over_seeds(default_page, source):
    expected = compare(source, view_config("similar", False, 2))
    diff = expected.accuracy[("similar", "last")] - expected.accuracy[("similar", "scratch")]
    spread = np.abs(diff[:, 0] - diff[:, 1]) / np.sqrt(2)  # two seeds: the sample std, by its definition
    words = next(m.value for m in default_page.markdown if m.value.startswith("**Last layer only − scratch**"))
    for k, mean, std in zip((1, 5), diff.mean(axis=1), spread):
        assert f"k = {k}: {mean * 100:+.1f} ± {std * 100:.1f}" in words
    assert "2 seeds are too few to tell a margin from noise: use 5 or more" in words


def test_browsing_learning_curves_or_default_views_never_evicts_a_full_comparison():
    cfg = view_config("similar", True, 5)
    kept = Comparison(cfg, {})
    results(cfg).get_or_make(cfg, lambda: kept)
    # Stand-ins under keys the page never asks for (it would find them), more than each store holds.
    for seed in range(MAX_RUNS + 10):
        stores()["runs"].get_or_make(("stand-in", seed), lambda: object())
    # The seeds slider moved end to end on both targets: more default views than MAX_COMPARISONS.
    assert 2 * (MAX_SEEDS - 1) > MAX_COMPARISONS  # enough to evict it from a shared store
    for seeds in range(2, MAX_SEEDS + 1):
        for target in ("similar", "different"):
            view = replace(view_config(target, False, seeds), steps=1)
            results(view).get_or_make(view, lambda: object())
    assert results(cfg).peek(cfg) is kept


def test_fewer_seeds_reuse_a_kept_comparisons_first_seeds_with_identical_numbers(source):
    three = CompareConfig(targets=("similar",), strategies=("scratch", "last"), ks=(1,), seeds=(0, 1, 2))
    two = CompareConfig(targets=("similar",), strategies=("scratch", "last"), ks=(1,), seeds=(0, 1))
    store = BoundedStore(4)
    store.get_or_make(three, lambda: compare(source, three))
    cut = kept_with_more_seeds(store, two)
    fresh = compare(source, two)
    assert cut is not None and cut.config == two
    for key, values in fresh.accuracy.items():
        assert np.array_equal(cut.accuracy[key], values)
    assert kept_with_more_seeds(store, replace(two, seeds=(1, 2))) is None  # not seeds 0..n-1: run anew


def _run(loss: float, accuracy: float) -> StrategyRun:
    return StrategyRun(accuracy, accuracy, np.array([1.0, loss]))


def test_the_learning_curve_caption_follows_what_the_two_runs_show():
    scratch_both = curve_text({"last": ("", _run(0.054, 0.26)), "scratch": ("", _run(0.0002, 0.324))})
    assert "Here 'train from scratch' both fits its examples better and does better on the test images" in (
        scratch_both
    )
    assert "is not a better net" not in scratch_both
    assert "(final loss 0.054 for 'last', 0.0002 from scratch; test 26.0% against 32.4%)" in scratch_both
    memorizes = curve_text({"last": ("", _run(0.054, 0.5)), "scratch": ("", _run(0.0002, 0.3))})
    assert "training from scratch fits its examples better yet does worse on the test images" in memorizes
    overfits = curve_text({"top3": ("", _run(0.001, 0.3)), "scratch": ("", _run(0.05, 0.5))})
    assert "Here 'top3' fits its examples better yet does worse" in overfits and "not a better net" in overfits


def test_the_layer_by_layer_text_says_fine_tuning_recovers_part_and_how_far_below_base_b():
    accuracy = {
        "BnB": np.array([0.95333, 0.967, 0.96]),
        "BnB+": np.array([0.953, 0.96, 0.96]),
        "AnB": np.array([0.92666, 0.907, 0.72]),  # shown as 92.7%: 2.6 points below BnB's 95.3%
        "AnB+": np.array([0.933, 0.92, 0.88]),
    }
    words = layerwise_text(Layerwise(LayerwiseConfig(base=SourceConfig()), 0.98, 0.973, accuracy))
    assert (
        "Fine-tuning recovers part of the loss**: AnB+ reaches 88.0% at n = 3 against AnB's 72.0%, still 9.3 "
        "points below base B (97.3%)" in words
    )
    assert "92.7% against B's own (BnB) 95.3%, 2.6 points apart. One seed" in words
