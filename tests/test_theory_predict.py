"""The mean-field prediction against the activation lab's own simulation."""

import warnings
from dataclasses import replace

import numpy as np
import pytest
from threadpoolctl import ThreadpoolController

from engine import SimConfig, simulate
from engine.theory.predict import MIN_WIDTH, NotApplicable, Prediction, predict, predict_unchecked

SEEDS = range(4)


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """As the app runs (engine/runtime.py): two BLAS threads spin against the simulation's own on a loaded machine."""
    with ThreadpoolController().limit(limits=1, user_api="blas"):
        yield


def measured(cfg: SimConfig) -> dict[str, np.ndarray]:
    """Per-layer stds over SEEDS: {'pre'|'act'|'grad': (seeds, depth)} plus the activation means."""
    runs = [simulate(replace(cfg, seed=s)) for s in SEEDS]
    return {
        "pre": np.array([[layer.pre.std for layer in r.layers] for r in runs]),
        "act": np.array([[layer.act.std for layer in r.layers] for r in runs]),
        "act_mean": np.array([[layer.act.mean for layer in r.layers] for r in runs]),
        "grad": np.array([[layer.grad.std for layer in r.layers] for r in runs]),
    }


def assert_within_sampling_error(values: np.ndarray, predicted: np.ndarray, what: str) -> None:
    """The seed mean within 4 standard errors (plus 1% for the theory's finite-width error) of the prediction."""
    mean = values.mean(axis=0)
    sem = values.std(axis=0, ddof=1) / np.sqrt(values.shape[0])
    bound = 4 * sem + 0.01 * np.abs(predicted) + 1e-12
    assert np.all(np.abs(mean - predicted) <= bound), f"{what}: measured {mean}, predicted {predicted}"


WIDE = {
    "tanh, W = 0.05 randn (lecture)": SimConfig(activation="tanh", init="gaussian", scale=0.05),
    "tanh, Xavier": SimConfig(activation="tanh", init="xavier"),
    "ReLU, Kaiming": SimConfig(activation="relu", init="kaiming_normal"),
    "GELU, Kaiming": SimConfig(activation="gelu", init="kaiming_normal"),
    "tanh, Xavier, bias 0.5 and input mean 1.5": SimConfig(activation="tanh", init="xavier", bias=0.5, in_mean=1.5),
    "ReLU, orthogonal gain sqrt 2, uneven sizes": SimConfig(
        activation="relu", init="orthogonal", gain=2**0.5, sizes=(1024, 2048, 512, 1024, 2048)
    ),
}


@pytest.mark.parametrize("name", list(WIDE))
def test_wide_nets_measure_what_the_theory_predicts(name):
    cfg = replace(WIDE[name], batch=16)
    if cfg.sizes == SimConfig().sizes:
        cfg = replace(cfg, sizes=SimConfig.sizes_from(6, 2048))
    prediction = predict(cfg)
    assert isinstance(prediction, Prediction), prediction
    m = measured(cfg)
    assert_within_sampling_error(m["pre"], prediction.pre_std, "pre-activation std")
    assert_within_sampling_error(m["act"], prediction.act_std, "activation std")
    assert_within_sampling_error(m["act_mean"], prediction.act_mean, "activation mean")
    assert_within_sampling_error(m["grad"], prediction.grad_std, "gradient std")


def test_a_constant_bias_is_a_mean_shift_not_a_variance():
    # Treating the lab's bias as random (variance b^2) would predict a zero mean for tanh.
    cfg = SimConfig(activation="tanh", init="xavier", bias=0.5, sizes=SimConfig.sizes_from(3, 2048))
    prediction = predict(cfg)
    assert np.all(prediction.theory.pre_mean == 0.5)
    assert np.all(prediction.act_mean > 0.25)


def test_width_4_is_refused_and_the_raw_prediction_is_far_off():
    cfg = SimConfig(activation="relu", init="kaiming_normal", sizes=SimConfig.sizes_from(10, 4), batch=64)
    refusal = predict(cfg)
    assert isinstance(refusal, NotApplicable)
    assert "4 units" in refusal.reason and str(MIN_WIDTH) in refusal.reason
    raw = predict_unchecked(cfg)
    act = measured(cfg)["act"].mean(axis=0)
    assert abs(act[-1] / raw.act_std[-1] - 1) > 0.3


@pytest.mark.parametrize(
    "change,words",
    [
        ({"bn": "before"}, "Batch norm"),
        ({"init": "constant", "scale": 0.01}, "constant initialization"),
        ({"init": "zeros"}, "constant initialization"),
        ({"init": "kaiming_uniform", "sizes": (8, 512, 512)}, "not Gaussian"),
        ({"sizes": (512, 512, 32, 512)}, "Layer 2 has 32 units"),
        ({"depth_bad": True}, "not valid"),
    ],
)
def test_settings_outside_the_theory_are_refused_with_a_reason(change, words):
    cfg = SimConfig(sizes=(512,) * 4)
    cfg = replace(cfg, sizes=(512,) * 300) if change.pop("depth_bad", False) else replace(cfg, **change)
    refusal = predict(cfg)
    assert isinstance(refusal, NotApplicable) and words in refusal.reason


def test_uniform_and_orthogonal_weights_are_predicted_with_their_caveat():
    uniform = predict(SimConfig(init="kaiming_uniform", activation="relu", sizes=(512,) * 4))
    orthogonal = predict(SimConfig(init="orthogonal", sizes=(512,) * 4))
    assert "approximate" in uniform.notes[0]
    assert "Jacobian" in orthogonal.notes[0]
    # A uniform bound a has variance a^2 / 3: Kaiming uniform's is exactly Kaiming normal's.
    normal = predict(SimConfig(init="kaiming_normal", activation="relu", sizes=(512,) * 4))
    np.testing.assert_allclose(uniform.sigma_w2, normal.sigma_w2, rtol=1e-12)


def test_deep_narrow_nets_carry_a_note_that_single_draws_wander():
    deep = predict(SimConfig(activation="relu", init="kaiming_normal", sizes=(128,) * 51))
    shallow = predict(SimConfig(activation="relu", init="kaiming_normal", sizes=(128,) * 6))
    assert any("one random draw" in note for note in deep.notes)
    assert not any("one random draw" in note for note in shallow.notes)


def test_an_overflowing_net_is_predicted_as_non_finite_data_without_warnings():
    cfg = SimConfig(activation="relu", init="gaussian", scale=50.0, sizes=(1024,) * 201, batch=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prediction = predict(cfg)
    assert np.isfinite(prediction.act_std[0]) and not np.isfinite(prediction.act_std[-1])
