"""Batch transforms: Gaussian input noise and scale augmentation, and how a RegularizationSpec picks them."""

import numpy as np
import pytest

from gradstep import run as runs
from gradstep.data import Standardizer, load_pageviews, make_windows
from gradstep.regularizers import SCALE_SPREAD, batch_transform, gaussian_noise, scaling
from gradstep.spec import RegularizationSpec, RunSpec


@pytest.fixture(scope="module")
def views():
    return load_pageviews("Standard_deviation")


@pytest.fixture(scope="module")
def windows(views):
    return make_windows(views, 7)


@pytest.fixture(scope="module")
def scaler(windows):
    return Standardizer.fit(windows)


@pytest.mark.parametrize("std", [0.05, 0.3, 1.5])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gaussian_noise_changes_x_by_the_given_std_and_leaves_y(std, dtype):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40_000, 5)).astype(dtype)
    y = rng.normal(size=(40_000, 1)).astype(dtype)
    X_before, y_before = X.copy(), y.copy()
    X_new, y_new = gaussian_noise(std)(X, y, np.random.default_rng(1))
    assert np.array_equal(X, X_before) and np.array_equal(y, y_before)  # the batch itself is not changed in place
    assert np.array_equal(y_new, y)
    assert X_new.dtype == dtype and X_new.shape == X.shape
    noise = (X_new - X).astype(np.float64)
    # 200,000 draws: the sample std is within ~0.3% of std, the mean within ~3 std/√n
    assert noise.std() == pytest.approx(std, rel=0.01)
    assert abs(noise.mean()) < 0.01 * std
    assert abs(np.corrcoef(noise[:, 0], noise[:, 1])[0, 1]) < 0.02  # independent per value, not per row


def test_gaussian_noise_draws_from_the_generator_it_is_given():
    X, y = np.zeros((10, 3)), np.zeros((10, 1))
    noise = gaussian_noise(0.5)
    assert np.array_equal(noise(X, y, np.random.default_rng(3))[0], noise(X, y, np.random.default_rng(3))[0])
    assert not np.array_equal(noise(X, y, np.random.default_rng(3))[0], noise(X, y, np.random.default_rng(4))[0])


def test_gaussian_noise_adds_the_generators_draws():
    X, y = np.arange(12.0).reshape(4, 3), np.ones((4, 1))
    X_new, _ = gaussian_noise(0.5)(X, y, np.random.default_rng(3))
    np.testing.assert_array_equal(X_new, X + np.random.default_rng(3).normal(0.0, 0.5, (4, 3)))


def test_scaling_keeps_each_raw_window_proportional_to_its_target(windows, scaler):
    X_raw, y_raw = windows.X, windows.y.reshape(-1, 1)
    X, y = scaler.transform(X_raw), scaler.transform(y_raw)
    X_new, y_new = scaling(scaler)(X, y, np.random.default_rng(0))
    X_back, y_back = scaler.inverse(X_new), scaler.inverse(y_new)
    factor = y_back / y_raw  # (rows, 1): one factor per row
    assert np.allclose(X_back, factor * X_raw, rtol=1e-9, atol=0)
    assert np.allclose(X_back / y_back, X_raw / y_raw, rtol=1e-9, atol=0)  # the window's shape is kept
    log_factor = np.log(factor.ravel())
    assert np.unique(np.round(log_factor, 12)).size == len(log_factor)  # a different factor for each row
    assert abs(log_factor.mean()) < 0.01 and log_factor.std() == pytest.approx(SCALE_SPREAD, rel=0.1)


def test_scaling_with_another_spread_and_float32(windows, scaler):
    X = scaler.transform(windows.X).astype(np.float32)
    y = scaler.transform(windows.y).astype(np.float32).reshape(-1, 1)
    X_new, y_new = scaling(scaler, 0.3)(X, y, np.random.default_rng(1))
    assert X_new.dtype == np.float32 and y_new.dtype == np.float32
    factor = scaler.inverse(y_new) / windows.y.reshape(-1, 1)
    assert np.allclose(scaler.inverse(X_new), factor * windows.X, rtol=1e-4)
    assert np.log(factor).std() == pytest.approx(0.3, rel=0.1)


def test_no_regularization_means_no_transform(scaler):
    assert batch_transform(RegularizationSpec(), scaler) is None
    assert batch_transform(RegularizationSpec(l1=0.5, weight_decay=0.5), scaler) is None  # penalties are not batches


def test_batch_transform_picks_what_the_spec_asks_for(windows, scaler):
    X, y = scaler.transform(windows.X), scaler.transform(windows.y).reshape(-1, 1)

    noise_only = batch_transform(RegularizationSpec(input_noise=0.2), scaler)
    expected = gaussian_noise(0.2)(X, y, np.random.default_rng(7))
    got = noise_only(X, y, np.random.default_rng(7))
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], y)

    scale_only = batch_transform(RegularizationSpec(augment="scale"), scaler)
    expected = scaling(scaler)(X, y, np.random.default_rng(7))
    got = scale_only(X, y, np.random.default_rng(7))
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])

    both = batch_transform(RegularizationSpec(augment="scale", input_noise=0.2), scaler)
    rng = np.random.default_rng(7)  # augmentation first, then noise, from the same generator
    expected = gaussian_noise(0.2)(*scaling(scaler)(X, y, rng), rng)
    got = both(X, y, np.random.default_rng(7))
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])


def test_fit_applies_the_transforms_to_every_training_batch_only(views, monkeypatch):
    calls = []

    def spying(regularization, scaler):
        transform = batch_transform(regularization, scaler)

        def spy(X, y, rng):
            calls.append(len(X))
            return transform(X, y, rng)
        return None if transform is None else spy

    monkeypatch.setattr(runs, "batch_transform", spying)
    spec = RunSpec().replace(days=7, epochs=2, batch_size=100, valid_days=45, input_noise=0.3)
    run = runs.fit(spec, views)
    n = len(run.split_.train)
    assert sum(calls) == 2 * n and len(calls) == 2 * run.updates_per_epoch
    assert max(calls) == 100
    plain = runs.fit(spec.replace(input_noise=0.0), views)
    scaled = runs.fit(spec.replace(input_noise=0.0, augment="scale"), views)
    weights = [r.model[0].weight.data for r in (run, plain, scaled)]
    assert not np.array_equal(weights[0], weights[1]) and not np.array_equal(weights[2], weights[1])
