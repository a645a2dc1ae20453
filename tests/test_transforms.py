"""Preprocessing transforms: fitted on training data, applied to any split, inverted."""

import numpy as np
import pytest

from engine.transforms import channel_means, fit, mean_image


@pytest.fixture
def splits():
    rng = np.random.default_rng(0)
    mixing = np.array([[3.0, 0.0, 0.0], [1.5, 0.5, 0.0], [0.2, 0.1, 0.05]])
    make = lambda n: rng.standard_normal((n, 3)) @ mixing + np.array([10.0, -4.0, 2.0])  # noqa: E731
    return make(500), make(200)


def test_centered_training_data_has_mean_zero(splits):
    train, _ = splits
    np.testing.assert_allclose(fit("center", train).apply(train).mean(axis=0), 0, atol=1e-12)


def test_standardized_training_data_has_std_one(splits):
    train, _ = splits
    np.testing.assert_allclose(fit("standardize", train, eps=0.0).apply(train).std(axis=0), 1, rtol=1e-12)


def test_pca_decorrelates_with_decreasing_variances(splits):
    train, _ = splits
    rotated = fit("pca", train).apply(train)
    cov = np.cov(rotated.T, bias=True)
    np.testing.assert_allclose(cov - np.diag(np.diag(cov)), 0, atol=1e-9)
    assert np.all(np.diff(np.diag(cov)) < 0)


def test_whitened_covariance_is_the_identity(splits):
    train, _ = splits
    white = fit("whiten", train, eps=0.0).apply(train)
    np.testing.assert_allclose(np.cov(white.T, bias=True), np.eye(3), atol=1e-9)


@pytest.mark.parametrize("kind", ["center", "standardize", "pca", "whiten"])
def test_test_data_is_transformed_with_the_training_statistics(splits, kind):
    train, test = splits
    fitted = fit(kind, train)
    expected = test - train.mean(axis=0)  # the training mean, not the test mean
    if kind == "standardize":
        expected = expected / np.sqrt(train.var(axis=0) + fitted.eps)
    if kind in ("pca", "whiten"):
        expected = expected @ fitted.components.T
    if kind == "whiten":
        expected = expected / np.sqrt(fitted.variances + fitted.eps)
    np.testing.assert_allclose(fitted.apply(test), expected)
    assert not np.allclose(fitted.apply(test).mean(axis=0), 0, atol=1e-3)  # test stats were not refitted


@pytest.mark.parametrize("kind", ["center", "standardize", "pca", "whiten"])
def test_inverse_round_trips(splits, kind):
    train, test = splits
    fitted = fit(kind, train)
    np.testing.assert_allclose(fitted.inverse(fitted.apply(test)), test, atol=1e-9)


def test_pca_projection_keeps_the_leading_components(splits):
    train, _ = splits
    fitted = fit("pca", train, keep=1)
    assert fitted.apply(train).shape == (500, 1)
    full = fit("pca", train)
    np.testing.assert_allclose(np.abs(fitted.components[0]), np.abs(full.components[0]))


def test_image_means():
    images = np.random.default_rng(1).random((10, 4, 5, 3))
    assert mean_image(images).shape == (4, 5, 3)
    np.testing.assert_allclose(channel_means(images), images.reshape(-1, 3).mean(axis=0))


def test_a_feature_constant_in_training_is_only_centred():
    # As scikit-learn's StandardScaler: scale 1, not 1 / sqrt(eps), for zero training variance.
    rng = np.random.default_rng(3)
    train = np.column_stack([rng.normal(2.0, 3.0, 50), np.full(50, 5.0)])
    test = np.column_stack([rng.normal(2.0, 3.0, 20), np.linspace(4.0, 7.0, 20)])
    fitted = fit("standardize", train)
    out = fitted.apply(test)
    np.testing.assert_allclose(out[:, 1], test[:, 1] - 5.0)
    np.testing.assert_allclose(out[:, 0], (test[:, 0] - train[:, 0].mean()) / np.sqrt(train[:, 0].var() + fitted.eps))
    np.testing.assert_allclose(fitted.inverse(out), test)


def test_standardized_digits_match_scikit_learn_even_for_pixels_constant_in_training():
    from sklearn.preprocessing import StandardScaler

    from engine.data import digits, split

    images, _ = digits()
    for seed in range(20):  # a split in which some pixel is constant in train but not in test
        train_idx, test_idx = split(len(images), 0.3, seed)
        train, test = images[train_idx], images[test_idx]
        constant = train.var(axis=0) == 0
        if np.any(test[:, constant] != train[0, constant]):
            break
    else:
        pytest.fail("no split with a pixel constant in training only")
    expected = StandardScaler().fit(train).transform(test)
    np.testing.assert_allclose(fit("standardize", train, eps=0.0).apply(test), expected, atol=1e-12)
    # With the default eps too, a pixel never lit in training stays within the pixel range (0..16).
    assert np.abs(fit("standardize", train).apply(test)[:, constant]).max() <= 16
