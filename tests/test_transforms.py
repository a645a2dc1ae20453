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
