"""The Forecaster: the lecture's task end to end in Python through the one run path, saved and reloaded."""

import copy
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from gradstep import run as runs
from gradstep.data import Standardizer, load_pageviews
from gradstep.errors import InputError
from gradstep.forecast import Forecaster
from gradstep.spec import BASELINES, RunSpec

SIGMOID = RunSpec().replace(kind="sigmoid", days=7, units=8, epochs=3, seed=2, valid_days=30)


@pytest.fixture(scope="module")
def views():
    return load_pageviews("Standard_deviation")


@pytest.fixture(scope="module")
def trained(views):
    return Forecaster(SIGMOID).fit(views)


@pytest.fixture(scope="module")
def saved(trained, tmp_path_factory):
    directory = tmp_path_factory.mktemp("saved")
    trained.save(directory)
    return directory


def windows_of(views, days, rows=range(100, 110)):
    return np.stack([views.to_numpy()[i - days:i][::-1] for i in rows])


def test_fit_goes_through_the_run_path_and_leaves_the_test_days_unscored(views, monkeypatch):
    calls = []
    fit = runs.fit
    monkeypatch.setattr(runs, "fit", lambda *args, **kwargs: calls.append(args[0]) or fit(*args, **kwargs))
    forecaster = Forecaster(SIGMOID).fit(views)
    assert calls == [SIGMOID] and isinstance(forecaster.run, runs.Run)
    assert set(forecaster.metrics) == {"train", "valid"} and forecaster.run.scored == ["train", "valid"]
    assert forecaster.run.ranges["test"] == ["2021-01-01", "2021-02-14"]
    assert forecaster.run.ranges["valid"] == ["2020-12-02", "2020-12-31"]
    assert 100 < forecaster.metrics["valid"]["mae"] < 5000
    assert Forecaster().spec == RunSpec()


def test_score_test_records_the_test_days(views):
    forecaster = Forecaster(RunSpec().replace(days=7, epochs=2)).fit(views)
    test = forecaster.score_test()
    assert set(forecaster.metrics) == {"train", "test"} and forecaster.run.scored == ["train", "test"]
    assert test == forecaster.metrics["test"] and test["mse"] >= test["mae"] ** 2


def test_saved_model_reloads_and_predicts_the_same_numbers(trained, views, saved):
    loaded, meta = Forecaster.load(saved)
    X = windows_of(views, 7)
    assert np.array_equal(trained.predict(X), loaded.predict(X))
    assert loaded.predict_next(views) == trained.predict_next(views)
    assert loaded.spec == trained.spec == RunSpec.from_dict(meta["spec"])
    assert loaded.run.standardizer_ == trained.run.standardizer_
    assert loaded.run.ranges == trained.run.ranges
    assert loaded.metrics == trained.metrics and loaded.run.scored == ["train", "valid"]
    assert loaded.evaluate(views) == copy.deepcopy(trained).evaluate(views)
    assert loaded.run.scored == ["train", "valid", "test"]  # evaluate looked at the test days
    assert not loaded.run.model.training  # ready to predict: dropout off
    with np.load(saved / "model.npz", allow_pickle=False) as archive:
        assert sorted(archive.files) == ["0.bias", "0.weight", "2.bias", "2.weight"]
        assert archive["0.weight"].shape == (8, 7) and archive["0.weight"].dtype == np.float32
        assert np.array_equal(archive["2.weight"], trained.run.model[2].weight.data)


def test_model_json_holds_the_spec_and_what_was_scored(trained, views, saved):
    meta = json.loads((saved / "model.json").read_text())
    assert meta["spec"] == trained.spec.to_dict()
    assert meta["scored"] == ["train", "valid"] and set(meta["metrics"]) == {"train", "valid"}
    assert meta["split"] == trained.run.ranges
    assert meta["standardizer"] == trained.run.standardizer_.to_dict()
    assert meta["data_sha256"] == runs.data_hash(views)
    assert meta["epochs_run"] == 3 and meta["updates_per_epoch"] == trained.run.updates_per_epoch
    assert meta["gradstep_version"]


def test_scoring_the_test_days_is_saved(views, tmp_path):
    forecaster = Forecaster(RunSpec().replace(days=7, epochs=1, valid_days=10)).fit(views)
    forecaster.score_test()
    forecaster.save(tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text())
    assert meta["scored"] == ["train", "valid", "test"] and meta["metrics"]["test"] == forecaster.metrics["test"]
    loaded, _ = Forecaster.load(tmp_path)
    assert loaded.run.scored == ["train", "valid", "test"]


def test_evaluate_recomputes_each_part_on_the_same_dates(trained, views):
    result = trained.evaluate(views)
    assert set(result) == {"train", "valid", "test"}
    for part in ("train", "valid"):
        assert {key: result[part][key] for key in ("mae", "mse")} == trained.metrics[part]
        assert {key: result[part][key] for key in BASELINES} == trained.run.baselines[part]
        assert result[part]["mase"] == trained.run.mase(part)
    test = trained.run.split_.test
    assert {key: result["test"][key] for key in ("mae", "mse")} == runs.errors(trained.predict(test.X), test.y)
    assert "interval_coverage" not in result["test"]  # no backtest, no interval
    doubled = views * 2
    assert trained.evaluate(doubled)["train"] != result["train"]


def test_predict_next_uses_the_last_days_newest_first(views):
    forecaster = Forecaster(RunSpec().replace(days=3, epochs=1)).fit(views)
    layer = forecaster.run.model[0]
    forecaster.run.standardizer_ = Standardizer(mean=0.0, std=1.0)
    for position in range(3):
        layer.weight.data[...] = 0.0
        layer.weight.data[0, position] = 1.0  # x_{position+1}: the value position+1 days before
        layer.bias.data[...] = 0.0
        date, value = forecaster.predict_next(views)
        assert date == pd.Timestamp("2024-11-09")
        assert value == pytest.approx(views.iloc[-1 - position])
    with pytest.raises(InputError, match="days=3"):
        forecaster.predict_next(views.iloc[:2])


def test_linear_model_by_gradient_descent_matches_least_squares_on_the_real_data(views):
    spec = RunSpec().replace(kind="linear", days=1, dtype="float64", loss="mse", optimizer="sgd", lr=0.1,
                             epochs=300, batch_size=None)
    forecaster = Forecaster(spec).fit(views)
    parts, scaler = runs.prepare(spec, views)
    x, y = scaler.transform(parts.train.X)[:, 0], scaler.transform(parts.train.y)
    (w, b), *_ = np.linalg.lstsq(np.stack([x, np.ones_like(x)], axis=1), y, rcond=None)
    layer = forecaster.run.model[0]
    assert abs(layer.weight.item() - w) < 1e-6 and abs(layer.bias.item() - b) < 1e-6
    assert 0.5 < w < 1.0  # yesterday's views carry most of today's


def test_no_test_day_value_reaches_the_standardizer_or_the_model(views):
    spec = RunSpec().replace(days=7, epochs=2, valid_days=30)
    changed = views.copy()
    changed.loc["2021-01-01":] *= 50
    base, moved = Forecaster(spec).fit(views), Forecaster(spec).fit(changed)
    assert base.run.standardizer_ == moved.run.standardizer_ and base.metrics == moved.metrics
    assert np.array_equal(base.run.model[0].weight.data, moved.run.model[0].weight.data)
    assert base.score_test() != moved.score_test()
    earlier = views.copy()
    earlier.loc["2019-06-01"] *= 50
    assert Forecaster(spec).fit(earlier).run.standardizer_ != base.run.standardizer_


def test_dropout_network_trains_and_is_deterministic(views):
    spec = RunSpec().replace(kind="relu", days=7, units=8, dropout=0.2, epochs=2, seed=1)
    first, second = (Forecaster(spec).fit(views) for _ in range(2))
    assert first.metrics == second.metrics
    assert np.array_equal(first.predict(windows_of(views, 7)), second.predict(windows_of(views, 7)))


def test_early_stopping_through_the_forecaster(views):
    spec = RunSpec().replace(days=7, optimizer="sgd", lr=0.5, epochs=200, patience=2, valid_days=45)
    forecaster = Forecaster(spec).fit(views)
    assert forecaster.run.stopped_early_at is not None and len(forecaster.run.history) < 200
    assert forecaster.run.ranges["valid"] == ["2020-11-17", "2020-12-31"]
    assert set(forecaster.metrics) == {"train", "valid"}


def test_an_untrained_forecaster_says_so():
    forecaster = Forecaster()
    for use in (lambda: forecaster.predict(np.zeros((1, 56))), lambda: forecaster.metrics,
                lambda: forecaster.score_test(), lambda: forecaster.save("never-written")):
        with pytest.raises(InputError, match="not trained yet"):
            use()


def test_predict_refuses_rows_of_the_wrong_length(trained):
    with pytest.raises(InputError, match="days=7"):
        trained.predict(np.zeros((2, 8)))


# ----- loading refuses what is not a saved model -----------------------------------------------------------------

def copy_of(saved, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(saved, target)
    return target


def edit_json(directory, edit):
    meta = json.loads((directory / "model.json").read_text())
    edit(meta)
    (directory / "model.json").write_text(json.dumps(meta))


def test_loading_refuses_what_is_not_a_directory(saved, tmp_path):
    with pytest.raises(InputError, match="is not a directory"):
        Forecaster.load(tmp_path / "missing")
    with pytest.raises(InputError, match="is not a directory"):
        Forecaster.load(saved / "model.json")
    with pytest.raises(InputError, match="no model.json"):
        Forecaster.load(tmp_path)


@pytest.mark.parametrize("text", ["{not json", "", '{"spec": '])
def test_loading_refuses_broken_json(saved, tmp_path, text):
    directory = copy_of(saved, tmp_path)
    (directory / "model.json").write_text(text)
    with pytest.raises(InputError, match="cannot read"):
        Forecaster.load(directory)


@pytest.mark.parametrize("edit", [
    lambda meta: meta.update(spec={"model": {"kind": "sigmoid", "units": 9}, "data": {"days": 7}}),
    lambda meta: meta["spec"]["data"].update(days=8),
    lambda meta: meta["spec"]["model"].update(kind="linear"),
    lambda meta: meta["spec"]["model"].update(kind="relu", units=8, layers=2),
], ids=["units", "days", "kind", "layers"])
def test_loading_refuses_a_spec_that_does_not_fit_the_arrays(saved, tmp_path, edit):
    directory = copy_of(saved, tmp_path)
    edit_json(directory, edit)
    with pytest.raises(InputError, match="does not hold this model.s weights|do not belong to this model.json"):
        Forecaster.load(directory)


@pytest.mark.parametrize("edit", [
    lambda meta: meta.pop("spec"),
    lambda meta: meta["spec"]["model"].update(units=0),
    lambda meta: meta["spec"].update(optim={}),
    lambda meta: meta.update(standardizer={"mean": 1.0, "std": 0.0}),
    lambda meta: meta.update(split={"train": None}),
    lambda meta: meta.pop("scored"),
], ids=["no spec", "bad field", "unknown section", "zero std", "split", "no scored"])
def test_loading_refuses_broken_metadata(saved, tmp_path, edit):
    directory = copy_of(saved, tmp_path)
    edit_json(directory, edit)
    with pytest.raises(InputError, match="model.json"):
        Forecaster.load(directory)


def test_loading_refuses_a_json_that_is_not_an_object(saved, tmp_path):
    directory = copy_of(saved, tmp_path)
    (directory / "model.json").write_text("[1, 2]")
    with pytest.raises(InputError):
        Forecaster.load(directory)


def test_loading_refuses_a_broken_or_missing_npz(saved, tmp_path):
    directory = copy_of(saved, tmp_path)
    (directory / "model.npz").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="the sha256 differs"):
        Forecaster.load(directory)
    edit_json(directory, lambda meta: meta.pop("npz_sha256"))
    with pytest.raises(InputError, match="cannot read the model file"):
        Forecaster.load(directory)
    (directory / "model.npz").unlink()
    with pytest.raises(InputError, match="no saved model"):
        Forecaster.load(directory)


def test_a_loaded_forecaster_cannot_score_again_without_its_windows(saved):
    loaded, _ = Forecaster.load(saved)
    for use in (loaded.score_test, lambda: loaded.run.score("train"), lambda: loaded.run.score("valid")):
        with pytest.raises(InputError):
            use()
    assert loaded.run.scored == ["train", "valid"] and "test" not in loaded.metrics


def test_saving_a_loaded_forecaster_keeps_its_training_record(saved, tmp_path):
    loaded, meta = Forecaster.load(saved)
    loaded.save(tmp_path)
    again = json.loads((tmp_path / "model.json").read_text())
    assert {key: again[key] for key in ("epochs_run", "updates_per_epoch")} == \
        {key: meta[key] for key in ("epochs_run", "updates_per_epoch")}


# ----- lags ---------------------------------------------------------------------------------------------------------

def test_a_model_on_lags_saves_reloads_forecasts_and_evaluates_the_same(views, tmp_path):
    trained = Forecaster(SIGMOID.replace(days=14, lags=(1, 7, 14))).fit(views)
    trained.save(tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text())
    assert meta["spec"]["data"]["lags"] == [1, 7, 14]
    with np.load(tmp_path / "model.npz", allow_pickle=False) as archive:
        assert archive["0.weight"].shape == (8, 3)
    loaded, _ = Forecaster.load(tmp_path)
    assert loaded.spec == trained.spec and loaded.spec.data.lags == (1, 7, 14)
    X = windows_of(views, 14)
    assert np.array_equal(loaded.predict(X), trained.predict(X))
    pd.testing.assert_frame_equal(loaded.forecast(views, 1), trained.forecast(views, 1))
    assert loaded.evaluate(views) == copy.deepcopy(trained).evaluate(views)


def test_a_window_scaled_model_saves_reloads_forecasts_and_evaluates_the_same(views, tmp_path):
    trained = Forecaster(SIGMOID.replace(days=14, scale="window")).fit(views)
    trained.save(tmp_path)
    assert json.loads((tmp_path / "model.json").read_text())["spec"]["data"]["scale"] == "window"
    loaded, _ = Forecaster.load(tmp_path)
    assert loaded.spec == trained.spec and loaded.spec.data.scale == "window"
    X = windows_of(views, 14)
    assert np.array_equal(loaded.predict(X), trained.predict(X))
    assert not np.allclose(loaded.predict(X), Forecaster(SIGMOID.replace(days=14)).fit(views).predict(X))
    pd.testing.assert_frame_equal(loaded.forecast(views, 3), trained.forecast(views, 3))
    assert loaded.evaluate(views) == copy.deepcopy(trained).evaluate(views)


def test_loading_refuses_lags_that_do_not_fit_the_weights(views, tmp_path):
    Forecaster(SIGMOID.replace(days=14, lags=(1, 7, 14))).fit(views).save(tmp_path)
    edit_json(tmp_path, lambda meta: meta["spec"]["data"].update(lags=[1, 7]))
    with pytest.raises(InputError, match=r"has shape \(8, 3\).*\(8, 2\)"):
        Forecaster.load(tmp_path)
    edit_json(tmp_path, lambda meta: meta["spec"]["data"].update(lags=[14, 7, 1]))
    with pytest.raises(InputError) as raised:
        Forecaster.load(tmp_path)
    assert str(raised.value) == (f"{tmp_path / 'model.json'} is not valid gradstep model metadata (lags=[14, 7, 1] is "
                                 "not in increasing order; give lags=(1, 7, 14)); train the model again")
