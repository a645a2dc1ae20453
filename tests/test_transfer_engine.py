"""The transfer lab's engine: conv net gradients against finite differences, its pieces against direct
definitions, and the tasks' splits and picks."""

import numpy as np
import pytest
from scipy.signal import correlate2d

from engine.transfer import layers as ops
from engine.transfer.compare import CompareConfig, Comparison, compare, config_problems, seed_spread
from engine.transfer.convnet import ConvArch, features, first_layer_filters, init_params, loss_and_grad
from engine.transfer.data import ALL, ImageSetup, pick_examples, pixel_permutation, target_task
from engine.transfer.probe import probe_accuracy
from engine.transfer.source import SourceConfig, SourceNet
from tests.gradcheck import numerical_gradient, relative_error


def test_conv3x3_forward_is_a_zero_padded_cross_correlation():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 5, 6, 3)), rng.standard_normal((27, 4)), rng.standard_normal(4)
    out, _ = ops.conv3x3_forward(x, w, b)
    kernels = w.reshape(3, 3, 3, 4)  # (row, column, in channel, filter): im2col's column order
    for n in range(2):
        for f in range(4):
            direct = sum(correlate2d(x[n, :, :, c], kernels[:, :, c, f], mode="same") for c in range(3)) + b[f]
            np.testing.assert_allclose(out[n, :, :, f], direct, atol=1e-12)


def test_col2im_is_the_adjoint_of_im2col():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 6, 3))
    cols = rng.standard_normal((2 * 4 * 6, 27))
    assert np.isclose(np.sum(ops.im2col(x) * cols), np.sum(x * ops.col2im(cols, x.shape)))


def test_conv3x3_backward_matches_numerical_gradient():
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((2, 4, 4, 2)), rng.standard_normal((18, 3)), rng.standard_normal(3)
    dout = rng.standard_normal((2, 4, 4, 3))

    def loss():
        return float(np.sum(ops.conv3x3_forward(x, w, b)[0] * dout))

    dx, dw, db = ops.conv3x3_backward(dout, ops.conv3x3_forward(x, w, b)[1])
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-7
    assert relative_error(dw, numerical_gradient(loss, w)) < 1e-7
    assert relative_error(db, numerical_gradient(loss, b)) < 1e-7


def test_maxpool2_backward_matches_numerical_gradient_and_never_counts_a_tie_twice():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 6, 3))
    dout = rng.standard_normal((2, 2, 3, 3))
    dx = ops.maxpool2_backward(dout, ops.maxpool2_forward(x)[1])
    numeric = numerical_gradient(lambda: float(np.sum(ops.maxpool2_forward(x)[0] * dout)), x)
    assert relative_error(dx, numeric) < 1e-7
    tied = np.zeros((1, 2, 2, 1))  # one window, four equal entries: the gradient goes to one of them
    dx = ops.maxpool2_backward(np.ones((1, 1, 1, 1)), ops.maxpool2_forward(tied)[1])
    assert dx.sum() == 1.0 and np.count_nonzero(dx) == 1


@pytest.mark.parametrize("start", [0, 1, 2, 3])
def test_net_gradient_from_any_start_layer_matches_numerical_gradient(start):
    """The whole net's gradient (L2 included) from depth-`start` features; frozen layers get exactly 0."""
    arch = ConvArch(side=4, channels=(2, 3), hidden=(4,), classes=3)
    rng = np.random.default_rng(4)
    theta = init_params(arch, rng, "float64")
    theta += 0.1 * rng.standard_normal(theta.size)  # nonzero biases, so every path is exercised
    x = features(arch, theta, rng.standard_normal((5, 16)), start)
    y = rng.integers(0, 3, 5)
    _, grad = loss_and_grad(arch, theta, x, y, start, l2=0.1)
    numeric = numerical_gradient(lambda: loss_and_grad(arch, theta, x, y, start, l2=0.1)[0], theta)
    trained = arch.layer_span(start)
    assert relative_error(grad[trained], numeric[trained]) < 1e-7
    assert not grad[: trained.start].any()


def test_first_layer_filters_are_the_conv_kernels_as_images():
    arch = ConvArch()
    theta = init_params(arch, np.random.default_rng(5), "float64")
    filters = first_layer_filters(arch, theta)
    image = np.zeros((1, arch.side, arch.side, 1))
    image[0, 5, 5, 0] = 1.0  # a single bright pixel: filter f's response at (5 - di, 5 - dj) is its (1 + di, 1 + dj)
    out, _ = ops.conv3x3_forward(image, theta[arch.slices[0][0]].reshape(arch.weight_shapes[0]), np.zeros(16))
    assert filters.shape == (16, 3, 3)
    np.testing.assert_allclose(out[0, 4:7, 4:7, :].transpose(2, 0, 1)[:, ::-1, ::-1], filters)


def test_picks_are_k_per_class_seeded_and_all_means_every_example():
    task = target_task(ImageSetup(), "similar")
    picked = pick_examples(task, 5, seed=0)
    assert np.array_equal(np.bincount(task.y_train[picked]), [5] * 5)
    assert np.array_equal(picked, pick_examples(task, 5, seed=0))
    assert not np.array_equal(picked, pick_examples(task, 5, seed=1))
    assert np.array_equal(pick_examples(task, ALL, seed=3), np.arange(len(task.y_train)))


def test_different_target_is_the_similar_one_under_one_pixel_permutation():
    setup = ImageSetup()
    similar, different = target_task(setup, "similar"), target_task(setup, "different")
    order = pixel_permutation(setup)
    assert np.array_equal(different.x_test, similar.x_test[:, order])
    assert np.array_equal(different.y_train, similar.y_train)
    splits = [similar.x_train, similar.x_val, similar.x_test]
    rows = {row.tobytes() for split in splits for row in split}
    assert len(rows) == sum(len(split) for split in splits)  # no image in two splits


def test_linear_probe_separates_separable_features():
    rng = np.random.default_rng(6)
    centres = 4 * rng.standard_normal((3, 10))
    y = np.repeat(np.arange(3), 20)
    x = centres[y] + rng.standard_normal((60, 10))
    assert probe_accuracy(x[::2], y[::2], x[1::2], y[1::2], 3, l2=1e-2) == 1.0
    shuffled = rng.permutation(y[::2])  # labels unrelated to the features: chance on held-out points
    assert probe_accuracy(x[::2], shuffled, x[1::2], y[1::2], 3, l2=1e-2) < 0.7


def test_a_bad_comparison_config_is_refused_with_every_reason_before_any_training():
    cfg = CompareConfig(targets=("similar", "nope"), strategies=("last", "magic"), probes=(4,), ks=(1, -2), seeds=())
    problems = config_problems(cfg)
    for word in ("nope", "magic", "probe depth 4", "-2", "seeds"):
        assert any(word in p for p in problems), word
    assert config_problems(CompareConfig()) == []
    untrained = SourceNet(SourceConfig(), init_params(ConvArch(), np.random.default_rng(0)), 0.0, np.zeros(0), 0.0)
    with pytest.raises(ValueError, match="magic"):
        compare(untrained, cfg)


def test_the_spread_over_seeds_is_the_sample_std_and_one_seed_has_none():
    cfg = CompareConfig(targets=("similar",), strategies=("scratch", "last"), ks=(1, 5), seeds=(0, 1))
    accuracy = {("similar", "scratch"): np.array([[0.4, 0.6], [0.5, 0.5]]), ("similar", "last"): np.full((2, 2), 0.7)}
    result = Comparison(cfg, accuracy)
    # Two seeds 0.2 apart: the sample std is 0.2 / √2 (the population std would be 0.1).
    assert np.allclose(result.spread("similar", "scratch"), [0.2 / np.sqrt(2), 0.0])
    assert np.allclose(result.gain("similar", "last")[1], [0.2 / np.sqrt(2), 0.0])
    assert np.array_equal(seed_spread(np.array([[0.3], [0.9]])), [0.0, 0.0])
