"""valid_at="year_before": validation days a year (52 weeks) before the day after the training part, in the
split, the spec, the backtest's room and end, the saved model and the command line; every test names the broken
implementation it catches."""

import json

import numpy as np
import pandas as pd
import pytest

from gradstep import backtest as bt, run as runs
from gradstep.cli import main
from gradstep.data import load_pageviews, make_windows, split_windows
from gradstep.errors import InputError
from gradstep.forecast import Forecaster
from gradstep.spec import YEAR, DataSpec, ModelSpec, RunSpec, TrainSpec


@pytest.fixture(scope="module")
def pageviews():
    return load_pageviews()


def days_of(part):
    return f"{part.dates[0]:%Y-%m-%d}", f"{part.dates[-1]:%Y-%m-%d}", len(part)


def test_the_validation_days_are_the_same_weekdays_a_year_before_and_the_rest_trains(pageviews):
    """The lecture's training part ends on Thursday 2020-12-31: its validation days start 364 days before
    Friday 2021-01-01, on Friday 2020-01-03. Catches 365 days (a Thursday), a block counted from the last day
    instead of the day after, one that ends a day late, or training days lost after the block."""
    windows = make_windows(pageviews, 7)
    split = split_windows(windows, valid_days=28, valid_at="year_before")
    assert days_of(split.valid) == ("2020-01-03", "2020-01-30", 28)
    assert split.valid.dates[0].day_name() == pd.Timestamp("2021-01-01").day_name() == "Friday"
    assert days_of(split.train) == ("2017-01-08", "2020-12-31", 1454 - 28)
    fit = windows.between(pd.Timestamp("2017-01-08"), pd.Timestamp("2020-12-31"))
    assert sorted(split.train.dates.append(split.valid.dates)) == list(fit.dates)
    assert split.train.between(pd.Timestamp("2020-01-03"), pd.Timestamp("2020-01-30")).X.shape == (0, 7)
    np.testing.assert_array_equal(split.valid.y, pageviews["2020-01-03":"2020-01-30"].to_numpy())
    assert days_of(split.test) == ("2021-01-01", "2021-02-14", 45)


def test_a_year_of_validation_days_is_the_last_year_and_more_is_refused(pageviews):
    """valid_days=364 reaches exactly to the training part's end, the same days as validating on the last ones.
    Catches a refusal of 364 (>= for >) or a block that runs past the training part unnoticed."""
    windows = make_windows(pageviews, 7)
    year = split_windows(windows, valid_days=YEAR, valid_at="year_before")
    last = split_windows(windows, valid_days=YEAR)
    assert list(year.valid.dates) == list(last.valid.dates) and list(year.train.dates) == list(last.train.dates)
    with pytest.raises(InputError) as error:
        split_windows(windows, valid_days=YEAR + 1, valid_at="year_before")
    assert str(error.value) == ("valid_at='year_before' validates on the valid_days days from 364 days before the "
                                "training part ends, and valid_days=365 reaches past its end; use valid_days=364 or "
                                "fewer")


def test_a_training_part_shorter_than_a_year_is_refused_with_the_date_it_must_start_by(pageviews):
    """Catches a block that silently starts before the training part (fewer validation days than asked), and a
    refusal of a training part that starts exactly on the block's first day."""
    windows = make_windows(pageviews, 7)
    with pytest.raises(InputError) as error:
        split_windows(windows, train=("2020-01-04", "2020-12-31"), valid_days=28, valid_at="year_before")
    assert str(error.value) == ("valid_at='year_before' validates on 2020-01-03..2020-01-30, a year before the "
                                "training part ends, and it starts on 2020-01-04; start the train range by "
                                "2020-01-03, or drop valid_at='year_before'")
    exact = split_windows(windows, train=("2020-01-03", "2020-12-31"), valid_days=28, valid_at="year_before")
    assert days_of(exact.valid) == ("2020-01-03", "2020-01-30", 28) and days_of(exact.train)[0] == "2020-01-31"


def test_an_unknown_valid_at_is_refused(pageviews):
    with pytest.raises(InputError, match=r"^valid_at='end' is not one of None, 'year_before'$"):
        split_windows(make_windows(pageviews, 7), valid_days=28, valid_at="end")


@pytest.mark.parametrize("valid_days, words", [(0, "gives none"), (YEAR + 1, "reaches past a year")])
def test_the_spec_refuses_valid_at_without_validation_days_or_with_more_than_a_year(valid_days, words):
    """Catches a spec that lets valid_at stand with no validation days (early stopping on nothing) or more than a
    year of them (a block past the training part's end), found only when the data is read."""
    with pytest.raises(InputError) as error:
        DataSpec(valid_days=valid_days, valid_at="year_before")
    assert str(error.value) == (f"valid_at='year_before' places the validation days, and valid_days={valid_days} "
                                f"{words}; use valid_days from 1 to 364, e.g. valid_days=28")
    assert DataSpec(valid_days=1, valid_at="year_before").valid_days == 1
    assert DataSpec(valid_days=YEAR, valid_at="year_before").valid_days == YEAR


def test_the_spec_names_it_and_keeps_it_through_json():
    """Catches a description that hides where the model was validated, or a field lost in to_dict."""
    spec = RunSpec(data=DataSpec(days=7, valid_days=28, valid_at="year_before"))
    assert spec.describe() == "linear, 7 days, validated a year before"
    assert RunSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    assert RunSpec.from_dict({"data": {"days": 7}}).data.valid_at is None


SEASONAL = RunSpec(data=DataSpec(days=7, valid_days=28, valid_at="year_before"),
                   train=TrainSpec(epochs=3, patience=2, batch_size=256), model=ModelSpec(dtype="float64"))


def series(length, start="2019-01-01"):
    index = pd.date_range(start, periods=length, freq="D")
    return pd.Series(100 + 10 * np.sin(np.arange(length) * 2 * np.pi / 7) + np.arange(length) * 0.1, index=index)


def test_the_training_part_ends_on_its_last_training_day_and_a_fold_needs_a_year_before_it():
    """499 days from 2019-01-01: the last 45 test, the training targets 2019-01-08..2020-03-29 (447 days). A fold
    needs a year (364 days) of them before it, not days + n_inputs + valid_days + 30 = 72: 83 left, 2 folds of 28
    (a third would start 363 days in), each validating on the 28 days a year before it. Catches an end taken from
    the validation days (a year early), or a room that ignores valid_at (folds whose block is not there)."""
    s = series(499)
    assert bt.training_end(SEASONAL, s) == pd.Timestamp("2020-03-29")
    assert bt.max_folds(SEASONAL, s) == 2 and bt.max_folds(SEASONAL.replace(valid_at=None), s) == 13
    folds = bt.folds(SEASONAL, s, 2)
    assert [fold["test"] for fold in folds] == [("2020-02-03", "2020-03-01"), ("2020-03-02", "2020-03-29")]
    for fold in folds:
        parts = runs.split(SEASONAL.replace(train=fold["train"], test=fold["test"]), s.loc[:fold["test"][1]])
        start = pd.Timestamp(fold["test"][0]) - pd.Timedelta(days=YEAR)
        assert days_of(parts.valid) == (f"{start:%Y-%m-%d}", f"{start + pd.Timedelta(days=27):%Y-%m-%d}", 28)
        assert parts.train.dates[-1] == pd.Timestamp(fold["test"][0]) - pd.Timedelta(days=1)


def test_a_saved_model_validated_a_year_before_evaluates_and_calibrates_after_its_training_part(tmp_path):
    """The model's training part ends on 2020-03-29, its validation days a year before: evaluate splits the series
    again the same way, and the days after the training part (not after the validation days) calibrate the
    intervals. Catches an end taken from the validation days: evaluate would end the training part on 2019-04-28
    and the scores would count nearly a year of training days as unseen."""
    s = series(499)
    spec = SEASONAL.replace(train=("2019-01-08", "2020-03-29"))
    forecaster = Forecaster(spec).fit(s)
    forecaster.backtest = bt.backtest(spec, s, n_folds=1).to_dict()
    assert runs.fit_days(forecaster.run.ranges) == (pd.Timestamp("2019-01-08"), pd.Timestamp("2020-03-29"))
    assert forecaster.run.ranges["valid"] == ["2019-04-01", "2019-04-28"]
    forecaster.save(tmp_path / "m")
    loaded, meta = Forecaster.load(tmp_path / "m")
    assert meta["split"]["valid"] == ["2019-04-01", "2019-04-28"]
    results = loaded.evaluate(s)
    for part in ("train", "valid"):
        assert results[part]["mae"] == pytest.approx(forecaster.run.metrics[part]["mae"], rel=1e-9)
    assert results["test"]["mae"] == pytest.approx(forecaster.score_test()["mae"], rel=1e-9)
    scores = loaded._scores(s, 1)
    assert len(scores[0]) == len(forecaster.backtest["scores"][0]) + len(s.loc["2020-03-30":])


def test_the_command_line_offers_it_and_says_so(capsys, tmp_path):
    """Catches a flag that does not reach the spec, or a saved spec without it."""
    out = tmp_path / "m"
    code = main(["train", "--days", "7", "--valid-days", "28", "--valid-at", "year_before", "--patience", "2",
                 "--epochs", "3", "--quiet", "--folds", "0", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0 and "valid 2020-01-03..2020-01-30 (28 days)" in text
    assert json.loads((out / "model.json").read_text())["spec"]["data"]["valid_at"] == "year_before"
    code = main(["train", "--days", "7", "--valid-at", "year_before", "--quiet", "--out", str(tmp_path / "n")])
    err = capsys.readouterr().err
    assert code == 2 and "--valid-at year_before places the validation days, and --valid-days 0 gives none" in err
    assert not (tmp_path / "n").exists()
    code = main(["train", "--days", "7", "--valid-days", "28", "--valid-at", "year_before", "--train",
                 "2020-06-01:2020-12-31", "--quiet", "--out", str(tmp_path / "n")])
    err = capsys.readouterr().err
    assert code == 2 and err.endswith("start the train range by 2020-01-03, or drop --valid-at year_before\n")
    assert not (tmp_path / "n").exists()


def test_a_cross_validation_fold_validates_on_its_own_days_and_its_spec_says_so():
    """rolling_origin's folds validate on the fold's days, after the days they train on, whatever the spec's
    valid_at: catches a fold spec that still names the year before, which would split its series otherwise."""
    from gradstep.selection import rolling_origin
    s = series(499)
    spec = SEASONAL.replace(patience=None)
    for fold, days in zip(rolling_origin(spec, s, folds=2), bt.folds(spec, s, 2)):
        assert fold.spec.data.valid_at is None and fold.spec.data.valid_days == 28
        assert days_of(fold.split.valid) == (*days["test"], 28)
        assert fold.spec.data.train == (days["train"][0], days["test"][1])


def test_a_model_whose_validation_days_open_its_training_part_evaluates():
    """The validation block may start on the training part's first day: its training days then start after
    the block. Catches evaluate splitting again from the first training day (it refused its own model: "start
    the train range by ...") or checking the data from there."""
    s = series(499)
    spec = SEASONAL.replace(train=("2019-03-31", "2020-03-28"))
    forecaster = Forecaster(spec).fit(s)
    assert forecaster.run.ranges["valid"] == ["2019-03-31", "2019-04-27"]
    assert forecaster.run.ranges["train"] == ["2019-04-28", "2020-03-28"]
    assert runs.fit_days(forecaster.run.ranges) == (pd.Timestamp("2019-03-31"), pd.Timestamp("2020-03-28"))
    results = forecaster.evaluate(s)
    for part in ("train", "valid"):
        assert results[part]["mae"] == pytest.approx(forecaster.run.metrics[part]["mae"], rel=1e-9)
    with pytest.raises(InputError, match=r"does not hold the days the model was trained and tested on \(2019-03-31"):
        forecaster.evaluate(s.loc["2019-04-01":])


def test_shuffled_folds_of_a_spec_validated_a_year_before_read_up_to_their_last_day():
    """Its training part lists the days after the block before the block's own: catches a fold cut at the last
    row in that order (the block's last day) instead of its latest day, which drops the later training days
    from the fold's series and range; and a fold that validates on the first day whose range starts after it."""
    from gradstep.selection import shuffled_kfold
    s = series(499)
    for fold in shuffled_kfold(SEASONAL.replace(patience=None), s, folds=4, within=("2020-02-03", "2020-03-29")):
        last = max(fold.split.train.dates.max(), fold.split.valid.dates.max())
        assert last == pd.Timestamp("2020-03-29") and fold.series.index[-1] == last
        assert fold.spec.data.train == ("2019-01-08", "2020-03-29")
        assert fold.split.train.dates.is_monotonic_increasing
    firsts = {fold.spec.data.train[0] for fold in shuffled_kfold(SEASONAL.replace(patience=None), s, folds=4)}
    assert firsts == {"2019-01-08"}  # also the fold that validates on the first day: its range starts there


def test_auto_takes_no_valid_at_from_the_spec_and_the_command_line_says_so(capsys, tmp_path):
    """Catches candidates keeping the spec's valid_at: the baselines and linear models (valid_days=0) were then
    refused, naming a valid_days the user never gave."""
    chosen = bt.candidates(SEASONAL)
    assert {name: spec.data.valid_at for name, spec in chosen.items()} == {
        name: "year_before" if name.endswith(bt.SEASON) else None for name in chosen}
    code = main(["train", "--model", "auto", "--valid-days", "28", "--valid-at", "year_before", "--quiet",
                 "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err
    assert code == 2 and "--valid-at does not apply to --model auto; drop it" in err


def test_rolling_cross_validation_of_such_a_spec_has_the_folds_of_one_without_it():
    """Its folds validate on their own days, so they need no year before them: catches the room of valid_at
    counted for folds that do not use it (fewer folds than the training part has room for)."""
    from gradstep.selection import rolling_origin
    s = series(499)
    spec = SEASONAL.replace(patience=None)
    assert bt.max_folds(spec, s) == 2
    seasonal, plain = rolling_origin(spec, s, folds=10), rolling_origin(spec.replace(valid_at=None), s, folds=10)
    assert [fold.spec for fold in seasonal] == [fold.spec for fold in plain] and len(seasonal) == 10
