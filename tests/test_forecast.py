"""The Forecaster: the lecture's task end to end in Python, saved and reloaded."""

import json

import numpy as np
import pandas as pd
import pytest

from gradstep.data import load_pageviews
from gradstep.errors import InputError
from gradstep.forecast import Forecaster, ModelConfig, TrainConfig


@pytest.fixture(scope="module")
def views():
    return load_pageviews("Standard_deviation")


@pytest.fixture(scope="module")
def trained(views):
    return Forecaster(ModelConfig("sigmoid", days=7, units=8), TrainConfig(epochs=3, seed=2)).fit(views, progress=False)


def test_fit_reports_each_part_in_views(trained):
    assert set(trained.metrics) == {"train", "test"}
    assert trained.split_ranges["test"] == ["2021-01-01", "2021-02-14"]
    assert 100 < trained.metrics["test"]["mae"] < 5000
    assert trained.metrics["test"]["mse"] >= trained.metrics["test"]["mae"] ** 2


def test_saved_model_reloads_and_predicts_the_same_numbers(trained, views, tmp_path):
    trained.save(tmp_path, source={"page": "Standard_deviation"})
    loaded, meta = Forecaster.load(tmp_path)
    X = np.stack([views.to_numpy()[i - 7:i][::-1] for i in range(100, 110)])
    assert np.array_equal(trained.predict(X), loaded.predict(X))
    assert loaded.predict_next(views) == trained.predict_next(views)
    assert loaded.evaluate(views) == trained.metrics
    assert meta["gradstep_version"] and meta["model"]["units"] == 8
    with np.load(tmp_path / "model.npz", allow_pickle=False) as archive:
        assert sorted(archive.files) == ["0.bias", "0.weight", "2.bias", "2.weight"]


def test_predict_next_uses_the_last_days_newest_first(views):
    forecaster = Forecaster(ModelConfig("linear", days=3), TrainConfig(epochs=1))
    forecaster.fit(views, progress=False)
    layer = forecaster.model[0]
    layer.weight.data[...] = [[1.0, 0.0, 0.0]]
    layer.bias.data[...] = 0.0
    forecaster.scaler = type(forecaster.scaler)(mean=0.0, std=1.0)
    date, value = forecaster.predict_next(views)
    assert date == pd.Timestamp("2024-11-09") and value == pytest.approx(views.iloc[-1])


def test_linear_model_by_gradient_descent_matches_least_squares_on_the_real_data(views):
    forecaster = Forecaster(ModelConfig("linear", days=1, dtype="float64"),
                            TrainConfig(loss="mse", optimizer="sgd", lr=0.1, epochs=300, batch_size=None))
    forecaster.fit(views, progress=False)
    parts = forecaster.split(views)
    x, y = forecaster.scaler.transform(parts.train.X)[:, 0], forecaster.scaler.transform(parts.train.y)
    (w, b), *_ = np.linalg.lstsq(np.stack([x, np.ones_like(x)], axis=1), y, rcond=None)
    assert abs(forecaster.model[0].weight.item() - w) < 1e-6 and abs(forecaster.model[0].bias.item() - b) < 1e-6


def test_loading_refuses_broken_directories(trained, tmp_path):
    with pytest.raises(InputError, match="is not a directory"):
        Forecaster.load(tmp_path / "missing")
    with pytest.raises(InputError, match="no model.json"):
        Forecaster.load(tmp_path)
    trained.save(tmp_path, source={"page": "Standard_deviation"})
    meta = json.loads((tmp_path / "model.json").read_text())
    meta["model"]["units"] = 9
    (tmp_path / "model.json").write_text(json.dumps(meta))
    with pytest.raises(InputError, match="does not fit"):
        Forecaster.load(tmp_path)
    (tmp_path / "model.npz").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="cannot read the model file"):
        Forecaster.load(tmp_path)


def test_no_test_day_value_reaches_the_standardizer_or_the_model(views):
    def fit(series):
        return Forecaster(ModelConfig("linear", days=7), TrainConfig(epochs=2, valid_days=30)).fit(series, progress=False)
    changed = views.copy()
    changed.loc["2021-01-01":] *= 50
    base, moved = fit(views), fit(changed)
    assert base.scaler == moved.scaler and base.metrics["train"] == moved.metrics["train"]
    assert base.metrics["test"] != moved.metrics["test"]
    earlier = views.copy()
    earlier.loc["2019-06-01"] *= 50
    assert fit(earlier).scaler != base.scaler


def test_model_config_refuses_nonsense():
    with pytest.raises(InputError, match="unknown model"):
        ModelConfig("cnn").build(0)
    with pytest.raises(InputError, match="dropout"):
        ModelConfig("relu", dropout=1.5).build(0)


def test_dropout_network_trains_and_is_deterministic(views):
    runs = [Forecaster(ModelConfig("relu", days=7, units=8, dropout=0.2), TrainConfig(epochs=2, seed=1)).fit(
        views, progress=False).metrics for _ in range(2)]
    assert runs[0] == runs[1]


def test_early_stopping_through_the_forecaster(views):
    forecaster = Forecaster(ModelConfig("linear", days=7),
                            TrainConfig(optimizer="sgd", lr=0.5, epochs=200, patience=2, valid_days=45))
    forecaster.fit(views, progress=False)
    assert forecaster.history.stopped_early_at is not None
    assert forecaster.split_ranges["valid"] == ["2020-11-17", "2020-12-31"]
    assert set(forecaster.metrics) == {"train", "valid", "test"}
