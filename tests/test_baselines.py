"""The baselines (naive y_{t−1}, seasonal naive y_{t−7}), MASE's scale, and the baselines as fixed models."""

import numpy as np
import pandas as pd
import pytest

from gradstep import nn, run as runs
from gradstep.baselines import baseline_errors, baseline_predictions, mase_scale
from gradstep.errors import InputError
from gradstep.spec import DataSpec, ModelSpec, RunSpec


def series(values, start="2021-01-01"):
    return pd.Series(np.asarray(values, dtype=float), index=pd.date_range(start, periods=len(values), freq="D"))


def test_baseline_predictions_are_the_value_lag_days_before_or_nan():
    s = series(np.arange(10) * 10.0)
    dates = s.index[[0, 3, 9]]
    np.testing.assert_array_equal(baseline_predictions(s, dates, 1), [np.nan, 20.0, 80.0])
    np.testing.assert_array_equal(baseline_predictions(s, dates, 7), [np.nan, np.nan, 20.0])


def test_baseline_errors_by_hand_on_the_days_each_baseline_has():
    s = series([1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
    dates = s.index[7:]  # days 8..10: truth 128, 256, 512
    result = baseline_errors(s, dates, s.iloc[7:].to_numpy())
    assert result["naive"] == {"mae": (64 + 128 + 256) / 3, "mse": (64**2 + 128**2 + 256**2) / 3}
    assert result["seasonal_naive"]["mae"] == pytest.approx(((128 - 1) + (256 - 2) + (512 - 4)) / 3)
    early = baseline_errors(s, s.index[1:3], s.iloc[1:3].to_numpy())
    assert set(early) == {"naive"}  # no value a week before: the seasonal naive is left out, not faked


def test_mase_scale_is_the_seasonal_naive_mae_and_none_when_zero():
    weekly = series(np.tile([5, 1, 1, 1, 1, 1, 9], 4))
    assert mase_scale(weekly, weekly.index[7:], weekly.iloc[7:].to_numpy()) is None  # a perfect weekly cycle
    trend = series(np.arange(21.0))
    assert mase_scale(trend, trend.index[7:], trend.iloc[7:].to_numpy()) == 7.0


@pytest.mark.parametrize("kind, lag", [("naive", 1), ("seasonal_naive", 7)])
def test_the_baselines_as_models_predict_the_lagged_value_and_are_not_trained(kind, lag):
    data = runs.load_series(DataSpec()).loc["2019-01-01":"2021-03-01"]
    spec = RunSpec(model=ModelSpec(kind=kind, dtype="float64"), data=DataSpec(days=14))
    run = runs.fit(spec, data)
    X = run.split_.train.X
    np.testing.assert_allclose(run.predict(X), X[:, lag - 1], rtol=1e-12)
    assert run.history.empty and run.epochs_run == 0
    assert run.metrics["train"] == pytest.approx(run.baselines["train"][kind])
    assert run.mase("train") == pytest.approx(run.metrics["train"]["mae"] / run.mase_scale)


def test_lag_model_weights():
    model = nn.lag_model(5, 3)
    np.testing.assert_array_equal(model.state_dict()["0.weight"], [[0, 0, 1, 0, 0]])
    np.testing.assert_array_equal(model.state_dict()["0.bias"], [0])


def test_baseline_specs_are_checked():
    with pytest.raises(InputError, match=r"seasonal_naive baseline reads the value 7 days before, so it needs days=7 "
                                         r"or more \(got days=3\)"):
        RunSpec(model=ModelSpec(kind="seasonal_naive"), data=DataSpec(days=3))
    with pytest.raises(InputError, match=r"an ensemble of it is the same model \(got ensemble=3\); drop ensemble"):
        RunSpec(model=ModelSpec(kind="naive", ensemble=3))


def test_an_ensemble_is_the_mean_of_members_trained_from_consecutive_seeds():
    data = runs.load_series(DataSpec()).loc["2019-01-01":"2021-03-01"]
    spec = RunSpec(model=ModelSpec(kind="relu", units=4, ensemble=3), data=DataSpec(days=7)).replace(epochs=3)
    run = runs.fit(spec, data)
    singles = [runs.fit(spec.replace(ensemble=1, seed=seed), data) for seed in range(3)]
    X = run.split_.train.X
    np.testing.assert_allclose(run.predict(X), np.mean([one.predict(X) for one in singles], axis=0), rtol=1e-5)
    assert list(run.history["member"].unique()) == [0, 1, 2] and run.epochs_run == 3
    assert set(run.model.state_dict()) == set(runs.parameter_shapes(spec.model, 7))
    assert next(iter(run.model.state_dict())) == "0.0.weight"  # member 0's first layer, as torch's ModuleList
    with pytest.raises(ValueError, match="at least one member"):
        nn.Ensemble()
