"""The transfer lab's texts: the lecture's 2x2 table beside the measurements, and why they may disagree."""

from __future__ import annotations

from dataclasses import dataclass

from engine.transfer import ALL, STRATEGIES, Comparison

SMALL_KS = (1, 2, 5)  # the lecture's "very little data"
LARGE_K = ALL  # "quite a lot": every example of the pool (about 100 a class)
REUSE = tuple(s for s in STRATEGIES if s != "scratch")


@dataclass(frozen=True)
class Advice:
    """The lecture's advice for one cell, the strategies that follow it (None: 'you're in trouble'),
    and why a measurement on this page may differ from it."""

    text: str
    follows: tuple[str, ...] | None
    why: str


ADVICE: dict[tuple[str, str], Advice] = {
    ("similar", "little"): Advice(
        "Use a linear classifier on the top layer",
        ("last",),
        "This net has 42 thousand weights, not the lecture's millions: fine-tuning all of it with a tenth of "
        "the rate below the new top adapts the features without overfitting 5 to 25 examples.",
    ),
    ("similar", "lot"): Advice(
        "Fine-tune a few layers",
        ("top2", "top3", "finetune"),
        "With about 100 examples a class and a small net, training from scratch catches up.",
    ),
    ("different", "little"): Advice(
        "You're in trouble… try a linear classifier from different stages",
        None,
        "A reuse strategy beat scratch by more than the spread over seeds: the permuted pixels kept "
        "something the source net's features could use.",
    ),
    ("different", "lot"): Advice(
        "Fine-tune a larger number of layers",
        ("top3", "finetune"),
        "Permuted pixels share no neighbourhoods with the source's images: a convolution's features of "
        "nearby pixels do not apply, so reusing more of them does not help.",
    ),
}


def _pct(value: float) -> str:
    return f"{value:.1%}"


def gain_points(mean: float, spread: float, seeds: int) -> str:
    """A paired gain with its spread: '+13.0 ± 7.5 points' (± the sample std over seeds); one seed has none."""
    if seeds < 2:
        return f"{mean * 100:+.1f} points (one seed: no spread)"
    return f"{mean * 100:+.1f} ± {spread * 100:.1f} points"


def _winners(result: Comparison, target: str, ks: tuple[int, ...]) -> str:
    """Each k's winner and its accuracy, with scratch's beside it when scratch did not win."""
    parts = []
    for k in ks:
        best, accuracy = result.winner(target, k)
        part = f"k = {'all' if k == ALL else k}: **{STRATEGIES[best].label}** {_pct(accuracy)}"
        if best != "scratch":
            part += f" (scratch {_pct(float(result.mean(target, 'scratch')[result.config.ks.index(k)]))})"
        parts.append(part)
    return "<br>".join(parts)


def disagreement(result: Comparison, target: str, size: str) -> str | None:
    """A sentence saying where the measurement and the lecture's advice part, or None where they agree."""
    advice = ADVICE[(target, size)]
    ks = SMALL_KS if size == "little" else (LARGE_K,)
    if advice.follows is None:
        gains = [(k, s, *result.gain(target, s)) for k in ks for s in REUSE]
        helped = [
            (k, s, mean[result.config.ks.index(k)], spread[result.config.ks.index(k)])
            for k, s, mean, spread in gains
            if mean[result.config.ks.index(k)] > spread[result.config.ks.index(k)]
        ]
        if not helped:
            return None
        k, s, mean, spread = helped[0]
        gain = gain_points(mean, spread, len(result.config.seeds))
        return f"At k = {k}, *{STRATEGIES[s].label}* gains {gain}. {advice.why}"
    missed = []
    for k in ks:
        best, accuracy = result.winner(target, k)
        if best in advice.follows:
            continue
        i = result.config.ks.index(k)
        advised = max(float(result.mean(target, s)[i]) for s in advice.follows)
        missed.append(
            f"at k = {'all' if k == ALL else k} *{STRATEGIES[best].label}* ({_pct(accuracy)}) "
            f"beats the advice ({_pct(advised)})"
        )
    if not missed:
        return None
    return "Measured: " + "; ".join(missed) + ". " + advice.why


def _margin_note(result: Comparison, target: str, ks: tuple[int, ...]) -> str:
    """', though …' where a winning reuse strategy's paired gain over scratch is within its spread over seeds
    (or where one seed gives no spread to judge it by)."""
    seeds = len(result.config.seeds)
    notes = []
    for k in ks:
        best, _ = result.winner(target, k)
        if best == "scratch":
            continue
        i = result.config.ks.index(k)
        mean, spread = (float(a[i]) for a in result.gain(target, best))
        if seeds < 2 or mean <= spread:
            notes.append(f"k = {'all' if k == ALL else k}: {gain_points(mean, spread, seeds)}")
    if not notes:
        return ""
    if seeds < 2:
        return ", though from one seed, with no spread to judge its margin over scratch by (" + "; ".join(notes) + ")"
    return ", though its margin over scratch is within the spread over seeds (" + "; ".join(notes) + ")"


def lecture_table(results: dict[str, Comparison]) -> str:
    """The lecture's table as markdown: per target and data size, its advice, the measured winners, where they part."""
    lines = [
        "| | very little data (k = 1, 2, 5) | quite a lot of data (k = all, about 100 a class) |",
        "|---|---|---|",
    ]
    for target, name in (("similar", "very similar dataset"), ("different", "very different dataset")):
        cells = []
        for size, ks in (("little", SMALL_KS), ("lot", (LARGE_K,))):
            advice = ADVICE[(target, size)]
            cell = f"Lecture: *{advice.text}*.<br>Measured: {_winners(results[target], target, ks)}"
            verdict = disagreement(results[target], target, size)
            cell += (
                f"<br>✓ Agrees{_margin_note(results[target], target, ks)}." if verdict is None else f"<br>✗ {verdict}"
            )
            cells.append(cell)
        lines.append(f"| **{name}** | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


PLAIN_DIGITS = (
    "**Where the obvious toy setting contradicts the lecture.** On the plain, centred 8×8 digits "
    "(source 0-4, target 5-9) training from scratch wins at every size, for an MLP (k = 1 / 5 / 20: scratch "
    "71% / 91% / 96%, a new last layer on frozen features 57% / 75% / 90%) and for this page's conv net "
    "(k = 5: scratch 89.3%, last layer 83.3%). The centred digits have almost no nuisance variation: five "
    "examples of a class already show nearly all of it, so a source net adds nothing that five examples do "
    "not teach. ImageNet features help because a photo's object can be anywhere, at any size and pose. This "
    "page therefore draws every digit on a 12×12 canvas with a random shift (±2 px), rotation (±15°), scale "
    "and stroke width, and the source net sees each of the 751 training digits of 0-4 drawn 20 times "
    "(15,020 images): large and diverse relative to the target. The measurements of every option tried are "
    "in docs/transfer.md."
)

SETUP = (
    "**Source**: digits 0-4, each of 751 drawn 20 times (15,020 images on a 12×12 canvas, randomly shifted, "
    "rotated, scaled, some thickened). **Similar target**: digits 5-9 drawn the same way (new classes, the "
    "same kind of images). **Different target**: the same images under one fixed pixel permutation (the same "
    "pixel statistics, but no neighbourhoods a convolution could reuse). **Net**: conv 3×3 ×16 → pool → conv "
    "3×3 ×32 → pool → dense 128 → output, 42,437 weights; every strategy trains this same architecture "
    "150 Adam steps with its own learning rate, tuned on a validation split with seeds not shown here. "
    "Accuracies are on 250 test images of the target."
)
