"""The diagnosis a student reads first: it names the true cause, measured, or says nothing."""

import math
import re
from dataclasses import replace

import pytest

from engine import SimConfig, simulate
from engine.config import estimate_cost
from engine.diagnose import DEEPER, EXTRA_SECONDS, Finding, diagnose
from ui.activation_params import PRESETS, build_config, preset_values

CONTRADICTIONS = (("vanish", "explode"), ("too small", "too large"))


def config(preset: str = "custom", **values) -> SimConfig:
    """The config of a page URL: a preset and explicit control values, as ui.activation_params builds it."""
    merged = preset_values(preset)
    merged.update(values)
    return build_config(merged)


def words(findings: list[Finding]) -> str:
    return " ".join(f.text for f in findings)


def assert_consistent(findings: list[Finding]) -> None:
    text = words(findings).lower()
    for one, other in CONTRADICTIONS:
        assert not (one in text and other in text), text


def rms_ratio(result) -> float:
    """Layer 1's back-propagated gradient relative to the top layer's, measured."""
    return result.layers[0].grad.rms / result.layers[-1].grad.rms


@pytest.mark.parametrize("bias", [-5.0, -0.5])
def test_a_negative_bias_that_silences_relus_is_named_not_the_init(bias):
    findings = diagnose(simulate(config(act="relu", init="kaiming_normal", bias=bias)))
    assert f"bias b = {bias:g}" in findings[0].text
    assert "init" not in findings[0].text.lower()
    assert "too small" not in words(findings)
    assert_consistent(findings)


def test_a_large_input_offset_is_named_as_the_cause_of_saturation():
    findings = diagnose(simulate(config(act="tanh", init="xavier", in_mean=100.0)))
    saturation = next(f for f in findings if "saturated" in f.text)
    assert "the input (mean 100" in saturation.text and "not the init" in saturation.text
    assert "too small" not in words(findings) and "too large" not in words(findings)


def test_an_input_that_saturates_layer_1_of_a_small_init_net_is_the_saturations_cause_not_the_gradients():
    # A trial found "…the weights are too small for tanh… Cause: the input…, not the init": the
    # saturation's cause read as the shrinking gradient's, denying the sentence before it.
    result = simulate(config(act="tanh", init="gaussian", std=0.01, in_std=50.0))
    assert result.layers[0].frac_saturated > 0.5 and result.layers[1].frac_saturated < 0.05  # the net described
    findings = diagnose(result)
    saturation = next(f.text for f in findings if "saturated" in f.text)
    said_for_saturation, gradients = saturation.split(" In this net ")
    assert "Cause of the saturation: the input (mean 0, std 50" in said_for_saturation
    assert "weights are too small" in gradients and "Cause" not in gradients
    assert "the init is too small" in words(findings)  # the fading that follows layer 1 is the init's


def test_saturation_in_layer_1_alone_is_not_said_to_hold_the_later_layers_scale():
    result = simulate(config(act="tanh", init="xavier", in_mean=5.0))
    assert result.layers[0].frac_saturated > 0.3
    assert all(layer.frac_saturated < 0.05 for layer in result.layers[1:])  # the net described
    assert "pinned near their limits" not in words(diagnose(result))


def test_an_input_near_the_float_limit_is_named_as_the_cause_of_overflow():
    result = simulate(SimConfig(init="xavier", in_mean=1e308))
    (finding,) = diagnose(result)
    assert result.overflow_layer == 1
    assert "Cause: the input itself" in finding.text and "too large" not in finding.text


def test_zero_weights_are_named_as_the_cause_for_relu():
    findings = diagnose(simulate(config(act="relu", init="zeros")))
    text = words(findings)
    assert findings[0].text.startswith("W = 0") and "symmetry is never broken" in text
    assert "dead for every input" in text  # z = b = 0 for every input: dead by construction
    assert "alike" not in text and "too small" not in text


def test_zero_weights_with_a_bias_claim_identical_gradients_only_where_they_are():
    result = simulate(config(act="tanh", init="zeros", bias=0.5))
    # The top layer's weights get act(b) times each output's own gradient: they differ by unit.
    assert result.layers[-1].weight_grad_std > 0
    assert all(layer.weight_grad_std == 0 for layer in result.layers[:-1])
    text = diagnose(result)[0].text
    assert "every weight gradient is 0 except layer 6's" in text
    assert "The units of every layer below the top are identical" in text and "of a layer are" not in text


@pytest.mark.parametrize("std", [0.05, 1.0])
def test_saturation_says_what_the_local_and_the_propagated_gradients_do_here(std):
    result = simulate(config(act="tanh", init="gaussian", std=std))
    findings = diagnose(result)
    saturation = next(f for f in findings if "saturated" in f.text)
    assert "local gradient φ′(z)" in saturation.text
    ratio = rms_ratio(result)
    assert ratio > 1  # the weights amplify the gradient more than φ′ takes away
    pattern = r"(grows|explodes) \(?([0-9.e+]+)?×? ?from layer 6 down to layer 1 ?\(?([0-9.e+]+)?"
    verb, before, after = re.search(pattern, saturation.text).groups()
    assert verb == ("explodes" if ratio > 100 else "grows")
    assert float(before or after) == pytest.approx(ratio, rel=0.03)
    assert "Yet in this net" in saturation.text and "vanish" not in words(findings)
    # Against the same net with Xavier init, measured: larger weight gradients at layer 1.
    xavier = simulate(replace(result.config, init="xavier"))
    relative = result.layers[0].weight_grad_std / xavier.layers[0].weight_grad_std
    xavier_phrase = r"([0-9.e+]+)× those of the same net with Xavier init \(σ = 1/√Din\) at layer 1"
    quoted = re.search(xavier_phrase, saturation.text)
    assert relative > 1 and float(quoted.group(1)) == pytest.approx(relative, rel=0.03)  # quoted to 2-3 digits
    assert "too large" in saturation.text
    assert_consistent(findings)


def test_a_relu_net_is_compared_with_true_kaiming_init_not_xavier_under_its_name():
    # The reference was built with gain 1, which makes kaiming_normal's std 1/√Din: Xavier's. The
    # diagnosis then said a Xavier ReLU net's gradients were "1× those of the same net with Kaiming init".
    result = simulate(config(act="relu", init="xavier", depth=10))
    kaiming = simulate(replace(result.config, init="kaiming_normal", gain=None))
    assert kaiming.layers[0].weight_std == pytest.approx(math.sqrt(2 / result.config.sizes[0]), rel=1e-6)
    relative = result.layers[0].weight_grad_std / kaiming.layers[0].weight_grad_std
    phrase = r"([0-9.e+-]+)× those of the same net with Kaiming init \(σ = √\(2/Din\)\) at layer 1"
    quoted = re.search(phrase, words(diagnose(result)))
    assert relative < 0.1 and float(quoted.group(1)) == pytest.approx(relative, rel=0.03)
    # Kaiming's own net is not compared with itself.
    assert "the same net with Kaiming init" not in words(diagnose(kaiming))


def test_a_drift_is_quoted_as_measured_on_the_deeper_net_never_extrapolated():
    cfg = config(act="tanh", init="xavier")
    findings = diagnose(simulate(cfg))
    deep = simulate(replace(cfg, sizes=(cfg.sizes[0],) * (DEEPER + 1)))
    assert "over 50 layers" not in words(findings)
    quoted = re.search(r"Measured on a 50-layer net of this kind: std ([0-9.e+-]+) at layer 50", words(findings))
    assert float(quoted.group(1)) == pytest.approx(deep.layers[-1].act.std, rel=0.03)


def test_a_constant_init_gets_no_statement_about_deeper_nets():
    findings = diagnose(simulate(config(act="tanh", init="constant")))
    assert "50 layers" not in words(findings) and "50-layer" not in words(findings)
    assert "Symmetry is never broken" in words(findings)


def test_relus_silent_on_this_batch_are_not_called_dead():
    findings = diagnose(simulate(config(act="relu", init="kaiming_normal")))
    assert "holds" in findings[0].text
    silent = next(f for f in findings if "ReLUs output 0" in f.text)
    assert "for all 16 examples of this batch" in silent.text and "not every input" in silent.text
    assert silent.level == "info" and "dead" not in words(findings)


def test_deeper_and_reference_nets_are_run_only_within_the_work_budget():
    asked = []

    def measure(cfg: SimConfig):
        asked.append(cfg)
        return simulate(cfg)

    cheap = diagnose(simulate(config(act="relu", init="xavier")), measure)
    assert "Measured on a 50-layer net" in words(cheap) and asked
    # The 2016 lecture net at 50 layers would take several seconds: no statement about it.
    costly = config(act="tanh", init="xavier", depth=10, width=500, batch=1000)
    asked.clear()
    findings = diagnose(simulate(costly), measure)
    assert "50-layer" not in words(findings)
    assert all(estimate_cost(cfg).seconds <= EXTRA_SECONDS for cfg in asked)
    # Without a way to measure, no claim beyond this net is made.
    assert "50-layer" not in words(diagnose(simulate(config(act="relu", init="xavier")), measure=None))


LECTURE = {
    # preset (or preset with a setting): the lead finding's words and the cause it names
    "tanh-0.01": ("Activations collapse toward 0", "the init is too small"),
    "tanh-0.05": ("saturated", "the init is too large"),
    # Its std halves over the 6 layers (0.63 to 0.29): slow, but not "holds".
    "tanh-xavier": ("The activation scale changes slowly with depth, by a factor of 0.86 per layer", ""),
    "relu-xavier": ("The signal fades with depth", "the init is too small"),
    "relu-kaiming": ("The activation scale holds", ""),
    "zero-init": ("W = 0", "symmetry is never broken"),
    "tanh-0.01-2016": ("Activations collapse toward 0", "the back-propagated gradient vanishes from layer 10"),
    "glorot-standard": ("Activations collapse toward 0", "the init is too small"),
    "glorot-normalized": ("The activation scale changes slowly with depth", ""),
    "tanh-0.05 bn=before": ("Batch norm (FC → BN → activation)", "The activation scale holds"),
}


def test_every_lecture_preset_is_covered():
    assert {name.split()[0] for name in LECTURE} == set(PRESETS) - {"custom"}


@pytest.mark.parametrize("name", list(LECTURE))
def test_lecture_presets_lead_with_their_story_and_name_its_cause(name):
    preset, *setting = name.split()
    extra = dict(s.split("=") for s in setting)
    findings = diagnose(simulate(config(preset, **extra)))
    lead, cause = LECTURE[name]
    assert lead in findings[0].text
    assert cause in words(findings)
    assert_consistent(findings)
    if extra:  # batch norm normalizes the saturating preset: nothing saturates, nothing blames the init
        assert "saturated" not in words(findings) and "too large" not in words(findings)


def test_a_saturated_net_is_not_reassured_by_its_steady_scale():
    texts = [f.text for f in diagnose(simulate(config(preset="tanh-0.05")))]
    assert "saturated" in texts[0]
    assert not any("holds" in text for text in texts)
    assert any("not a healthy signal" in text for text in texts)


def signal_words(findings: list[Finding]) -> str:
    """The finding on the activation scale across layers."""
    return next(f.text for f in findings if "std" in f.text and "at layer 1" in f.text)


def test_a_few_percent_per_layer_compounded_over_depth_is_growth_with_its_cause_not_a_steady_scale():
    # sigma * sqrt(Din) = 1.5 against ReLU's sqrt(2): 6% per layer, some 30x over 60 layers.
    grown = simulate(config(act="relu", init="gaussian", std=1.5 / 32, width=1024, depth=60))
    assert grown.layers[-1].act.std > 10 * grown.layers[0].act.std  # the net the words describe
    text = signal_words(diagnose(grown))
    assert "holds" not in text and "grows with depth" in text
    assert "σ√Din = 1.5 is 6.1% above PyTorch's gain for relu (1.41)" in text
    # At ReLU's own gain a wide net does hold: the words follow the scale, not the depth.
    level = simulate(config(act="relu", init="gaussian", std=2**0.5 / 64, width=4096, depth=60))
    assert "holds across layers" in signal_words(diagnose(level))


def test_kaimings_relu_gain_on_a_leaky_relu_is_named_with_the_gain_that_keeps_the_scale():
    result = simulate(config(act="leaky_relu", slope=0.3, init="kaiming_normal", width=1024, depth=60))
    assert result.layers[-1].act.std > 5 * result.layers[0].act.std
    text = signal_words(diagnose(result))
    assert "holds" not in text and "Kaiming's default √2 is ReLU's gain" in text
    kept = math.sqrt(2 / (1 + 0.3**2))
    assert f"set gain g = {kept:.4g}" in text
    # That gain does keep it: the advice is measured, not only derived.
    fixed = simulate(config(act="leaky_relu", slope=0.3, init="kaiming_normal", gain=kept, width=4096, depth=60))
    assert "holds across layers" in signal_words(diagnose(fixed))


def test_a_narrow_net_at_its_activations_own_gain_is_not_told_a_gain_would_fix_its_drift():
    result = simulate(config(act="relu", init="kaiming_normal", width=256, depth=60))
    text = signal_words(diagnose(result))
    assert "gain would correct" not in text and "too small" not in text and "too large" not in text


def test_xaviers_tanh_is_said_to_drift_at_every_depth_until_it_collapses():
    text = signal_words(diagnose(simulate(config(act="tanh", init="xavier", depth=DEEPER))))
    assert "holds" not in text and "changes slowly with depth" in text


def test_a_std_that_drops_then_stays_is_said_to_settle_as_the_deeper_net_measures():
    cfg = config(act="sigmoid", init="xavier")
    result = simulate(cfg)
    assert result.layers[-1].act.std < 0.7 * result.layers[0].act.std  # a drop, not a steady scale
    text = signal_words(diagnose(result))
    deep = simulate(replace(cfg, sizes=(cfg.sizes[0],) * (DEEPER + 1)))
    quoted = re.search(r"settles over the first layers .*std ([0-9.e+-]+) at layer 50", text)
    assert float(quoted.group(1)) == pytest.approx(deep.layers[-1].act.std, rel=0.03)


@pytest.mark.parametrize(
    "values",
    [dict(act="relu", init="xavier", depth=30), dict(act="tanh", init="xavier", depth=200, width=1024)],
    ids=["relu-xavier-30", "tanh-xavier-200"],
)
def test_a_vanishing_gradient_under_weights_too_small_blames_the_weights_not_phi_prime(values):
    # ReLU's φ′ rms is 0.71 whatever the init (its √2 gain makes up for it); tanh's is near 1 here.
    text = words(diagnose(simulate(config(**values))))
    assert "φ′(z) are small" not in text
    assert f"the weights are too small for {values['act']}" in text


def test_a_sigmoids_vanishing_gradient_is_its_small_local_gradients():
    text = words(diagnose(simulate(config(act="sigmoid", init="xavier"))))
    assert "vanishes" in text and "the local gradients φ′(z) are small" in text


def test_a_narrow_nets_collapse_at_its_activations_gain_is_put_down_to_chance_not_the_init():
    result = simulate(config(act="relu", init="kaiming_normal", width=2, depth=10))
    findings = diagnose(result)
    text = words(findings)
    assert findings[0].text.startswith("Activations collapse toward 0")
    assert "In a net this narrow (2 units)" in text and "the init's scale is not the cause" in text
    assert "too small" not in text and "make the examples alike" not in text
    assert "in a layer of 2 units" in text


def test_a_difference_within_sampling_noise_is_not_read_as_a_trend():
    result = simulate(config(act="relu", init="kaiming_normal", width=8, depth=10))
    first, last = result.layers[0].act.std, result.layers[-1].act.std
    assert not 1 / 1.25 < last / first < 1.25  # a visible difference
    text = signal_words(diagnose(result))
    assert "as far as each layer's 8 units × 16 examples can tell" in text
    assert "changes slowly" not in text and "fades" not in text


@pytest.mark.parametrize("bn", ["before", "after"])
def test_batch_norm_on_a_batch_of_one_is_not_said_to_restore_unit_variance(bn):
    result = simulate(config(bn=bn, batch=1))
    assert result.layers[-1].act.std == 0  # nothing passes batch norm: its every output is β
    text = words(diagnose(result))
    assert "unit variance" not in text and "With a batch of one" in text
