"""src/gradstep/data/standardizer.py: one mean and std from the training days (each day once), and back."""

import json

import numpy as np
import pandas as pd
import pytest

from gradstep.data import LECTURE_TEST, Standardizer, load_pageviews, make_windows, split_windows
from gradstep.errors import InputError


def _series(values, start="2021-01-01"):
    return pd.Series(np.asarray(values, dtype="float64"), index=pd.date_range(start, periods=len(values), freq="D"))


@pytest.fixture(scope="module")
def pageviews():
    return load_pageviews()


def test_fit_counts_each_day_once_by_hand():
    """Days 1, 2, 4, 8, 16 with days=2: X = [2, 1], [4, 2], [8, 4], y = 4, 8, 16 hold each day 1 to 3 times.
    Each day once: mean 31/5 = 6.2, std √(148.8/5). Counting every cell would give 49/9, y alone 28/3, and the
    sample std (ddof=1) √(148.8/4)."""
    windows = make_windows(_series([1, 2, 4, 8, 16]), days=2)
    scaler = Standardizer.fit(windows)
    assert scaler.mean == pytest.approx(6.2, rel=1e-12)
    assert scaler.std == pytest.approx(np.sqrt(29.76), rel=1e-12)


def test_fit_on_a_later_part_leaves_out_the_days_before_its_windows():
    """Without the first target, day 1 (value 1) is in no window: days 2, 4, 8, 16 give mean 7.5, std √28.75."""
    scaler = Standardizer.fit(make_windows(_series([1, 2, 4, 8, 16]), days=2).select(slice(1, None)))
    assert scaler.mean == pytest.approx(7.5, rel=1e-12)
    assert scaler.std == pytest.approx(np.sqrt(28.75), rel=1e-12)


def test_fit_uses_only_the_training_days():
    values = 100 + 10 * np.sin(np.arange(100)) + np.arange(100)
    series = _series(values, start="2022-01-01")
    split = split_windows(make_windows(series, 5), train=("2022-01-01", "2022-02-28"), test=("2022-03-01", "2022-04-10"))
    training_days = series[:"2022-02-28"]
    scaler = Standardizer.fit(split.train)
    assert scaler.mean == pytest.approx(training_days.mean())
    assert scaler.std == pytest.approx(training_days.std(ddof=0))


def _fit_after_changing(series, dates, valid_days=0):
    changed = series.copy()
    changed[dates] = 1e9
    return Standardizer.fit(split_windows(make_windows(changed, 7), valid_days=valid_days).train)


def test_no_leakage_from_test_or_validation_days(pageviews):
    fitted = Standardizer.fit(split_windows(make_windows(pageviews, 7), valid_days=30).train)
    test_days = pd.date_range(*LECTURE_TEST)
    later_days = pd.date_range("2021-02-15", "2024-11-08")
    valid_days = pd.date_range("2020-12-02", "2020-12-31")
    assert _fit_after_changing(pageviews, test_days, valid_days=30) == fitted
    assert _fit_after_changing(pageviews, later_days, valid_days=30) == fitted
    assert _fit_after_changing(pageviews, valid_days, valid_days=30) == fitted


def test_changing_a_training_day_changes_the_fit(pageviews):
    fitted = Standardizer.fit(split_windows(make_windows(pageviews, 7)).train)
    assert _fit_after_changing(pageviews, pd.DatetimeIndex(["2018-06-01"])) != fitted
    assert _fit_after_changing(pageviews, pd.DatetimeIndex(["2017-01-01"])) != fitted


def test_constant_training_values_are_refused():
    windows = make_windows(_series(np.full(100, 5.0)), 7)
    with pytest.raises(InputError, match="all 5 \\(a constant series\\)"):
        Standardizer.fit(split_windows(windows).train)


def test_transform_and_inverse_by_hand_and_round_trip():
    scaler = Standardizer(mean=10.0, std=4.0)
    assert scaler.transform(np.array([10, 18, 4])).tolist() == [0.0, 2.0, -1.5]
    assert scaler.inverse(np.array([0.0, 2.0, -1.5])).tolist() == [10.0, 18.0, 4.0]
    assert float(scaler.transform(14)) == 1.0 and float(scaler.inverse(1)) == 14.0
    x = np.random.default_rng(0).normal(1e4, 3e3, size=(5, 7))
    np.testing.assert_allclose(scaler.inverse(scaler.transform(x)), x, rtol=1e-12)
    np.testing.assert_allclose(scaler.transform(scaler.inverse(x)), x, rtol=1e-12)


def test_linear_weights_are_the_same_on_standardized_data(pageviews):
    split = split_windows(make_windows(pageviews, 7))
    scaler = Standardizer.fit(split.train)

    def weights(X, y):
        return np.linalg.lstsq(np.column_stack([X, np.ones(len(y))]), y, rcond=None)[0][:-1]

    raw = weights(split.train.X, split.train.y)
    scaled = weights(scaler.transform(split.train.X), scaler.transform(split.train.y))
    np.testing.assert_allclose(scaled, raw, rtol=1e-6, atol=1e-9)


def test_to_dict_and_from_dict_round_trip_through_json():
    scaler = Standardizer(mean=10.5, std=4.25)
    assert scaler.to_dict() == {"mean": 10.5, "std": 4.25}
    assert Standardizer.from_dict(json.loads(json.dumps(scaler.to_dict()))) == scaler
    assert Standardizer.from_dict({"mean": 3, "std": 2}) == Standardizer(mean=3.0, std=2.0)


@pytest.mark.parametrize("saved", [{"mean": 1.0}, {"std": 1.0}, {"mean": "a lot", "std": 1.0},
                                   {"mean": 1.0, "std": None}, None, [1.0, 2.0]])
def test_from_dict_refuses_missing_or_non_numbers(saved):
    with pytest.raises(InputError, match='a saved standardizer needs numbers "mean" and "std", got '):
        Standardizer.from_dict(saved)


@pytest.mark.parametrize("saved", [{"mean": 1.0, "std": 0.0}, {"mean": 1.0, "std": -2.0},
                                   {"mean": 1.0, "std": float("nan")}, {"mean": float("inf"), "std": 1.0}])
def test_from_dict_refuses_a_std_that_cannot_divide_or_an_infinite_mean(saved):
    with pytest.raises(InputError, match="a saved standardizer needs a finite mean and a positive std, got "):
        Standardizer.from_dict(saved)


def test_small_but_varying_values_can_be_standardized():
    """A std below 1 is still a std: only a constant series is refused."""
    scaler = Standardizer.fit(make_windows(_series([0.1, 0.2, 0.1, 0.3, 0.2]), days=2))
    assert scaler.mean == pytest.approx(0.18, rel=1e-12)
    assert 0 < scaler.std < 1
    assert Standardizer.from_dict({"mean": 0.0, "std": 0.5}) == Standardizer(mean=0.0, std=0.5)


def test_constant_message_word_for_word():
    windows = make_windows(_series(np.full(20, 500.0)), 7)
    with pytest.raises(InputError) as caught:
        Standardizer.fit(windows)
    assert str(caught.value) == ("the training values are all 500 (a constant series), so they cannot be "
                                 "standardized; use a page or file whose values vary")
