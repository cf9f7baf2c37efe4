"""Rolling-origin backtests: folds inside the training part that never see their future, errors by horizon
step, the choice among candidates, and intervals from those errors."""

import numpy as np
import pandas as pd
import pytest

from gradstep import backtest as bt, run as runs
from gradstep.baselines import baseline_errors
from gradstep.errors import InputError
from gradstep.forecast import Forecaster
from gradstep.spec import BASELINES, DataSpec, ModelSpec, RunSpec


@pytest.fixture(scope="module")
def views():
    return runs.load_series(DataSpec()).loc[:"2021-03-31"]  # the lecture's split: train 2017-2020


NAIVE = RunSpec(model=ModelSpec(kind="naive", dtype="float64"), data=DataSpec(days=7))
SEASONAL = RunSpec(model=ModelSpec(kind="seasonal_naive", dtype="float64"), data=DataSpec(days=7))


def test_folds_tile_the_end_of_the_training_part(views):
    folds = bt.folds(NAIVE, views, n_folds=3, fold_days=10)
    assert folds == [{"train": ("2017-01-08", "2020-12-01"), "test": ("2020-12-02", "2020-12-11")},
                     {"train": ("2017-01-08", "2020-12-11"), "test": ("2020-12-12", "2020-12-21")},
                     {"train": ("2017-01-08", "2020-12-21"), "test": ("2020-12-22", "2020-12-31")}]
    with_valid = RunSpec(data=DataSpec(days=7, valid_days=30))
    assert bt.folds(with_valid, views, 1, 10)[0]["test"][1] == "2020-12-31"  # validation days are training days
    short = views.loc["2019-06-01":]  # no lecture split: the last 45 days are the test days
    assert bt.folds(NAIVE, short, 1, 10)[0]["test"] == ("2021-02-05", "2021-02-14")


def test_a_shorter_test_part_is_the_longest_that_makes_room_for_a_fold(views):
    """100 days: the default 45-day test leaves a linear model on 7 days no fold (44 days needed + 28); the last 21
    days do (79 − 7 − 44 = 28), the last 28 do not. Catches a search from the shortest, one that ignores specs, or
    one that ignores n_folds."""
    tiny = views.iloc[-100:]
    linear = RunSpec(data=DataSpec(days=7))
    assert not bt.fitting({"linear": linear}, tiny)
    test = bt.shorter_test({"linear": linear, "wide": linear.replace(days=56)}, tiny)
    assert test == ("2021-03-11", "2021-03-31")
    assert bt.fitting({"linear": linear.replace(test=test)}, tiny) == {"linear": 1}
    four_weeks = ("2021-03-04", "2021-03-31")
    assert not bt.fitting({"linear": linear.replace(test=four_weeks)}, tiny)
    assert bt.shorter_test({"wide": linear.replace(days=56)}, tiny) is None  # no test part makes room for it
    assert bt.shorter_test({"linear": linear.replace(test=("2021-03-25", "2021-03-31"))}, tiny) is None  # not shorter
    assert bt.shorter_test({"linear": linear}, views.iloc[-60:]) is None
    longer = views.iloc[-121:]  # 2 folds need 7 + 44 + 56 training days: the last 14 days leave 107, 21 only 100
    assert bt.shorter_test({"linear": linear}, longer, n_folds=2) == ("2021-03-18", "2021-03-31")
    assert bt.shorter_test({"linear": linear}, longer) == ("2021-03-04", "2021-03-31")
    assert bt.shorter_test({"linear": linear}, views.iloc[-120:], n_folds=2) == ("2021-03-25", "2021-03-31")
    assert bt.shorter_test({"linear": linear}, tiny, fold_days=21) == ("2021-03-04", "2021-03-31")  # 72 − 51 = 21


def test_too_short_a_training_part_names_the_folds_that_fit(views):
    with pytest.raises(InputError, match=r"^a backtest of folds=60 × 28 days needs at least 44 training days before "
                                         r"its first fold with days=7, and the training part 2017-01-08\.\.2020-12-31 "
                                         r"has room for 50; use folds=50 or fewer"):
        bt.folds(NAIVE, views, n_folds=60)


def test_no_fold_trains_on_or_reads_its_own_future_or_the_test_days(views, monkeypatch):
    seen = []
    real_fit = runs.fit

    def spy(spec, series, **options):
        seen.append((spec.data.train, spec.data.test, series.index[-1]))
        return real_fit(spec, series, **options)
    monkeypatch.setattr(runs, "fit", spy)
    result = bt.backtest(RunSpec(data=DataSpec(days=7)).replace(epochs=2), views, n_folds=3, fold_days=14)
    assert len(seen) == 4  # the 3 folds and, first, the same 14 days a year (52 weeks) before the test days
    assert seen[0][1] == ("2020-01-03", "2020-01-16") and seen[1][1] == ("2020-11-20", "2020-12-03")
    for (train, test, last_read), row in zip(seen, result.table.itertuples()):
        assert train[1] < test[0] and pd.Timestamp(last_read) == pd.Timestamp(test[1])
        assert tuple(row.test) == test and pd.Timestamp(test[1]) < pd.Timestamp("2021-01-01")


def test_the_fold_a_year_before_comes_only_when_asked_and_when_it_fits(views):
    assert len(bt.folds(NAIVE, views, 3, 14)) == 3 and len(bt.folds(NAIVE, views, 3, 14, season=True)) == 4
    # 25 folds of 14 days start on 2020-01-17, right after the year before's; 26 start on its first day
    assert len(bt.folds(NAIVE, views, 25, 14, season=True)) == 26
    assert len(bt.folds(NAIVE, views, 26, 14, season=True)) == 26
    assert len(bt.backtest(NAIVE, views, 2, 7, 1, season=False).table) == 2
    # no lecture split: the test days are the last 45, so the training part ends on 2020-11-16
    recent = views.loc["2019-06-01":"2020-12-31"]  # 2019-06-08..2019-11-18 before the year before's: 164 ≥ 44
    assert bt.folds(NAIVE, recent, 1, 28, season=True)[0]["test"] == ("2019-11-19", "2019-12-16")
    assert len(bt.folds(NAIVE, views.loc["2019-10-01":"2020-12-31"], 1, 28, season=True)) == 1  # 42 days < 44


def test_the_fold_a_year_before_needs_exactly_the_days_the_others_do(views):
    """Training part 2019-10-06..2020-11-16 (the last 45 days test): the year before's fold starts 2019-11-19,
    44 days after the first target day, which is what days=7 needs (7 + 7 + 30); a day later it does not fit.
    A spec that needs more (linear on 56 days) leaves every spec without it."""
    fits = views.loc["2019-09-29":"2020-12-31"]
    assert bt.folds(NAIVE, fits, 1, 28, season=True)[0]["test"] == ("2019-11-19", "2019-12-16")
    assert len(bt.folds(NAIVE, views.loc["2019-09-30":"2020-12-31"], 1, 28, season=True)) == 1
    longer = RunSpec(data=DataSpec(days=56))
    assert bt.same_season([NAIVE], fits, 1, 28) and not bt.same_season([NAIVE, longer], fits, 1, 28)
    assert not bt.same_season([NAIVE], views.loc["2020-06-01":"2020-07-01"], 1, 28)  # no room at all


def test_the_naive_backtest_errors_by_hand(views):
    result = bt.backtest(NAIVE, views, n_folds=2, fold_days=14, horizon=3)
    y = views
    for row in result.table.itertuples():
        days = pd.date_range(*row.test, freq="D")
        expected = np.abs(y.loc[days].to_numpy() - y.shift(1).loc[days].to_numpy()).mean()
        assert row.mae == pytest.approx(expected)
    level = y.rolling(7).mean()  # the mean of the last 7 days at each origin
    fold_days = [pd.date_range(*row.test, freq="D") for row in result.table.itertuples()]
    for step in range(3):  # h days ahead the naive forecast is still the value at the origin
        expected = np.concatenate([np.abs(y.loc[days[step:]].to_numpy() - y.shift(step + 1).loc[days[step:]].to_numpy())
                                   / level.shift(step + 1).loc[days[step:]].to_numpy() for days in fold_days])
        np.testing.assert_allclose(result.scores[step], expected, rtol=1e-9)
    assert [len(step) for step in result.scores] == [42, 39, 36]  # 3 folds: 2 and the one a year before
    assert result.mae == pytest.approx(result.table["mae"].mean())
    assert result.std == pytest.approx(result.table["mae"].std(ddof=0))


def test_the_level_is_floored_at_a_hundredth_of_the_training_mean(views):
    run = runs.fit(NAIVE, views)
    X = np.zeros((2, 7))
    X[1, :7] = 700.0
    np.testing.assert_allclose(bt.local_level(run, X), [0.01 * run.standardizer_.mean, 700.0])


def test_forecast_paths_are_recursive(views):
    run = runs.fit(SEASONAL, views)
    X = np.arange(1.0, 8.0)[None, :]  # newest first: yesterday 1, a week ago 7
    np.testing.assert_allclose(bt.forecast_paths(run, X, 10)[0], [7, 6, 5, 4, 3, 2, 1, 7, 6, 5], rtol=1e-9)


def test_to_dict_is_plain_json(views):
    import json
    result = bt.backtest(NAIVE, views, n_folds=2, fold_days=7, horizon=2).to_dict()
    assert json.loads(json.dumps(result)) == result
    assert set(result) == {"folds", "mae", "std", "scores"} and len(result["scores"]) == 2


def test_candidates_are_the_baselines_linear_models_networks_and_the_pooled_ones():
    chosen = bt.candidates(RunSpec(data=DataSpec(page="Christmas", days=3)).replace(epochs=50, units=7))
    assert list(chosen) == ["naive", "seasonal naive", "linear 7 days", "linear 14 days", "linear 28 days",
                            "linear 56 days", "linear a year", "sigmoid 100 units", "relu 2 × 100",
                            "relu 2 × 100 a year", "linear a year all pages", "relu 2 × 100 all pages",
                            "relu 2 × 100 a year all pages", "sigmoid 100 units valid a year before",
                            "relu 2 × 100 valid a year before", "relu 2 × 100 a year valid a year before",
                            "relu 2 × 100 all pages valid a year before",
                            "relu 2 × 100 a year all pages valid a year before"]
    assert all(spec.data.page == "Christmas" for spec in chosen.values())
    assert {name: spec.data.valid_at for name, spec in chosen.items()} == {
        name: "year_before" if name.endswith(bt.SEASON) else None for name in chosen}
    assert all(spec == chosen[name.removesuffix(bt.SEASON)].replace(valid_at="year_before")
               for name, spec in chosen.items() if name.endswith(bt.SEASON))
    relu = chosen["relu 2 × 100"]
    assert (relu.model.units, relu.model.layers, relu.data.days, relu.data.valid_days, relu.train.patience,
            relu.train.epochs) == (100, 2, 56, 28, 10, 200)
    assert chosen["linear 28 days"].train.patience is None and chosen["linear 28 days"].data.days == 28


def test_the_trained_candidates_read_windows_relative_to_their_level_and_the_baselines_do_not():
    chosen = bt.candidates(RunSpec(data=DataSpec(page="Christmas")))
    assert {name: spec.data.scale for name, spec in chosen.items()} == {
        name: None if name in ("naive", "seasonal naive") else "window" for name in chosen}
    augmented = bt.candidates(RunSpec().replace(augment="scale"))  # it scales standardised values: dropped
    assert {spec.regularization.augment for spec in augmented.values()} == {None}
    assert augmented == chosen | {name: spec.replace(page=None) for name, spec in chosen.items()}


def fake(maes: dict, monkeypatch):
    """Replace backtest() by one returning the given MAE per model description, to test the choice alone."""
    def backtest(spec, series, *args, **kwargs):
        mae = maes[spec.describe()]
        table = pd.DataFrame({"train": [("a", "b")], "test": [("c", "d")], "mae": [mae]})
        return bt.Backtest(spec, table, [np.zeros(3)])
    monkeypatch.setattr(bt, "backtest", backtest)


MAES = {"naive (yesterday's value)": 9.0, "seasonal naive (the value a week before)": 8.0,
        "linear, 7 days": 7.0, "linear, 14 days": 6.0, "linear, 28 days": 5.0, "linear, 56 days": 4.5,
        "sigmoid, 100 units, 56 days": 4.0, "relu, 2 layers of 100, 56 days": 5.5,
        "linear, 43 of 371 days (1–28, 357–371)": 6.5, "relu, 2 layers of 100, 43 of 371 days (1–28, 357–371)": 7.5,
        "linear, 43 of 371 days (1–28, 357–371), trained on the built-in pages too": 8.5,
        "relu, 2 layers of 100, 56 days, trained on the built-in pages too": 9.5,
        "relu, 2 layers of 100, 43 of 371 days (1–28, 357–371), trained on the built-in pages too": 10.5}
MAES |= {f"{model}, validated a year before": mae + 7.0 for model, mae in list(MAES.items())[6:]}
TINY = pd.Series(np.arange(10.0), index=pd.date_range("2021-01-01", periods=10))  # too short for a year before


@pytest.mark.parametrize("ensemble_mae, chosen", [(3.0, "sigmoid 100 units, mean of 3 seeds"),
                                                  (4.0, "sigmoid 100 units"), (4.5, "sigmoid 100 units")])
def test_choose_takes_the_lowest_mae_and_an_ensemble_only_when_it_is_lower(monkeypatch, ensemble_mae, chosen):
    fake({**MAES, "sigmoid, 100 units, 56 days, mean of 3 seeds": ensemble_mae}, monkeypatch)
    name, best, table = bt.choose(bt.candidates(RunSpec()), TINY, blend=1)
    assert name == chosen and best.spec.model.ensemble == (3 if "mean" in chosen else 1)
    assert list(table["mae"]) == sorted(table["mae"]) and len(table) == 19


def test_a_baseline_winner_gets_no_ensemble(monkeypatch):
    fake({**MAES, "seasonal naive (the value a week before)": 1.0}, monkeypatch)
    name, best, table = bt.choose(bt.candidates(RunSpec()), TINY, blend=1)
    assert name == "seasonal naive" and len(table) == 18


def test_conformal_takes_the_rank_that_guarantees_the_level():
    scores = np.arange(1.0, 10.0)[::-1]
    assert bt.conformal(scores, 80) == 8.0  # n = 9: the ⌈10 × 0.8⌉ = 8th smallest
    assert bt.conformal(np.arange(100.0), 50) == 50.0  # n = 100: the ⌈101 × 0.5⌉ = 51st smallest
    assert bt.conformal([3.0, 1.0], 99) == 3.0  # never past the largest


def test_forecast_scales_the_interval_with_the_level_and_evaluate_calibrates_online(views):
    forecaster = Forecaster(SEASONAL).fit(views)
    forecaster.run.scored.append("test")
    forecaster.backtest = {"folds": [], "mae": 1.0, "std": 0.0, "scores": [[0.3, 0.1, 0.2], [0.0, 0.5, 9.0]]}
    history = views.loc[:"2020-12-31"]  # ends with the training part: only the backtest's scores calibrate
    frame = forecaster.forecast(history, horizon=2, level=50)
    week_ago, level = history.iloc[-7:-5].to_numpy(), history.iloc[-7:].mean()
    np.testing.assert_allclose(frame["forecast"], week_ago, rtol=1e-9)
    np.testing.assert_allclose(frame["upper"], week_ago + np.array([0.2, 0.5]) * level, rtol=1e-9)
    np.testing.assert_allclose(frame["lower"], np.maximum(week_ago - np.array([0.2, 0.5]) * level, 0), rtol=1e-9)
    assert list(frame["date"]) == list(pd.date_range("2021-01-01", periods=2))
    with pytest.raises(InputError, match=r"^horizon=3 is out of range; this model forecasts 1 to 2 days ahead"):
        forecaster.forecast(history, horizon=3)
    later = forecaster.forecast(views, horizon=1, level=50)  # the days after training calibrate too
    test = forecaster.run.split_.test
    seen = np.abs(views.loc["2021-01-01":].to_numpy() - views.shift(7).loc["2021-01-01":].to_numpy())
    seen /= views.rolling(7).mean().shift(1).loc["2021-01-01":].to_numpy()
    width = bt.conformal([0.3, 0.1, 0.2, *seen], 50) * views.iloc[-7:].mean()
    assert later["upper"].iloc[0] == pytest.approx(later["forecast"].iloc[0] + width)
    result = forecaster.evaluate(views, level=50)
    scores = np.abs(test.y - test.X[:, 6]) / test.X.mean(axis=1)
    expected = [score <= bt.conformal([0.3, 0.1, 0.2, *scores[:day]], 50) for day, score in enumerate(scores)]
    assert result["test"]["interval_coverage"] == pytest.approx(np.mean(expected))
    assert "interval_coverage" not in result["train"]


@pytest.mark.parametrize("days", [slice(None, "2021-02-13"), slice("2017-01-09", None)])
def test_evaluate_on_data_without_the_model_s_days_says_to_give_that_data(views, days):
    """Catches the split's advice passed on, to choose other dates: evaluate scores the model's own days."""
    forecaster = Forecaster(SEASONAL).fit(views)
    with pytest.raises(InputError) as refusal:
        forecaster.evaluate(views.loc[days])
    part = views.loc[days]
    assert str(refusal.value) == (
        f"the data ({part.index[0]:%Y-%m-%d}..{part.index[-1]:%Y-%m-%d}) does not hold the days the model was "
        "trained and tested on (2017-01-08..2021-02-14); give the data the model was trained on, or a newer export "
        "of it")
    assert forecaster.evaluate(views.loc["2017-01-08":"2021-02-14"])["test"]["mae"] == pytest.approx(
        forecaster.score_test()["mae"])  # exactly the model's days are enough
    with pytest.raises(InputError, match="^the series has a value that is not a number on 2019-05-01"):
        forecaster.evaluate(views.mask(views.index == "2019-05-01"))


def test_evaluate_scores_the_model_s_own_dates_on_a_newer_export(views):
    """A model trained on chosen dates, evaluated on data that goes on: each part is scored on the model's days,
    not on the defaults for the longer data. Catches the split's train or test dates dropped."""
    spec = SEASONAL.replace(train=("2018-01-01", "2019-05-16"), test=("2019-06-01", "2019-06-30"))  # not the
    # 45 days after the training part, the test part's default when train is given
    forecaster = Forecaster(spec).fit(views.loc[:"2019-06-30"])
    results = forecaster.evaluate(views)
    assert results["train"]["mae"] == pytest.approx(forecaster.metrics["train"]["mae"])
    assert results["test"]["mae"] == pytest.approx(forecaster.score_test()["mae"])
    forecaster = Forecaster(SEASONAL).fit(views.loc[:"2019-06-30"])  # the default: the last 45 days then
    assert forecaster.evaluate(views.loc[:"2019-08-31"])["test"]["mae"] == pytest.approx(
        forecaster.score_test()["mae"])


def test_an_interval_never_narrows_further_ahead():
    """Step 2's errors are smaller than step 1's (few, and missing the rare large one): its interval keeps step
    1's width. Catches each step's quantile alone, and a maximum over later steps instead of earlier ones."""
    scores = [[0.1, 0.2, 0.9, 0.3], [0.05, 0.1, 0.1, 0.2], [0.4, 0.6, 1.0, 0.5]]
    assert bt.widths(scores, 50).tolist() == [0.3, 0.3, 0.6]
    assert bt.widths(scores[1:], 50).tolist() == [0.1, 0.6]


@pytest.mark.parametrize(("counts", "level", "step"), [
    ([4, 4, 3], 80, 3),    # 4 scores reach 80 % (the 4th of 4), 3 do not
    ([99, 98], 99, 2),
    ([100, 99], 99, None),
    ([1, 1], 50, None),    # the 1st of 1 at 50 %
    ([19, 18], 95, 2),
])
def test_too_few_names_the_first_step_whose_scores_cannot_reach_the_level(counts, level, step):
    """Catches the rank taken as n·level (off by one: 3 scores would reach 80 %) or a step counted from 0."""
    assert bt.too_few([np.ones(n) for n in counts], level) == step


@pytest.mark.parametrize(("n", "level"), [(1, 50), (4, 80), (9, 90), (10, 90), (98, 98), (99, 99), (3, 75)])
def test_reachable_is_the_highest_whole_level_n_scores_reach(n, level):
    """n scores reach the level given and not one percent more (no step is too few at that level)."""
    assert bt.reachable(n) == level
    assert bt.too_few([np.ones(n)], level) is None and bt.too_few([np.ones(n)], level + 1) == 1


def test_forecast_notes_the_steps_with_too_few_errors_for_the_level(views):
    """Catches a silent interval at a level the backtest's errors cannot reach: there it is the largest error
    seen at every level, the same for 90 % as for 99 %."""
    forecaster = Forecaster(SEASONAL).fit(views)
    forecaster.backtest = {"folds": [], "mae": 1.0, "std": 0.0, "scores": [list(np.linspace(0, 1, n))
                                                                         for n in (10, 9, 4)]}
    history = views.loc[:"2020-12-31"]
    assert forecaster.forecast(history, horizon=3, level=80).attrs["notes"] == []
    assert forecaster.forecast(history, horizon=3, level=90).attrs["notes"] == [
        "from 3 days ahead on, the backtest has too few errors per step for the 90 % interval (as few as 4): those "
        "intervals are as wide as the largest error seen, and hold less often than 90 % of the time; use level=80 "
        "or less, or train the model again on more folds"]
    assert "for the 99 % interval (as few as 9)" in forecaster.forecast(history, 2, level=99).attrs["notes"][0]
    assert forecaster.forecast(history, 1, level=95).attrs["notes"][0].startswith(
        "from 1 day ahead on, the backtest has too few errors per step for the 95 % interval (as few as 10): ")
    forecaster.backtest["scores"] = [[0.5] * 10, [0.5] * 3, [0.5] * 12]
    assert forecaster.forecast(history, 3).attrs["notes"][0].startswith(
        "from 2 days ahead on, the backtest has too few errors per step for the 80 % interval (as few as 3): ")
    assert "use level=75 or less" in forecaster.forecast(history, 3).attrs["notes"][0]  # 3 errors, not the last 12


def test_forecast_defaults_clips_at_zero_and_reads_exactly_its_days(views):
    """One day by default; lower and upper floored at 0, not above (a series of values below 1); a series of
    exactly ``days`` days is enough; without a backtest the bounds are NaN. Catches a default of 2 days, a floor
    of 1, ``<=`` for ``<``, and bounds of None."""
    forecaster = Forecaster(SEASONAL).fit(views / 100_000)
    forecaster.backtest = {"folds": [], "mae": 1.0, "std": 0.0, "scores": [[2.0, 2.0, 2.0]]}
    week = views.loc["2020-12-25":"2020-12-31"] / 100_000
    frame = forecaster.forecast(week, level=50)
    width = 2.0 * week.mean()
    assert len(frame) == 1 and frame["lower"].iloc[0] == 0.0 < frame["forecast"].iloc[0] < width
    assert frame["upper"].iloc[0] == pytest.approx(week.iloc[0] + width) and frame["upper"].iloc[0] < 1
    with pytest.raises(InputError, match=r"^the model reads the last days=7 days to predict; the data has only 6$"):
        forecaster.forecast(week.iloc[1:])
    forecaster.backtest = None
    frame = forecaster.forecast(week, 2)
    bounds = frame[["lower", "upper"]]
    assert bounds.dtypes.tolist() == [np.float64] * 2 and bounds.isna().all(axis=None)


@pytest.mark.parametrize("growth", [1, -1])
def test_evaluate_ahead_scores_each_test_day_as_predict_forecast_it_that_far_ahead(views, growth):
    """Step h's forecast of test day t is predict's from the data up to t − h; the baselines are made h days
    before too; each interval is calibrated on the backtest's step-h scores and the test days its origin knew,
    and no narrower than a nearer step's (the backtest's scores shrinking with the step with growth=-1).
    Catches a step scored one-step (no recursion), baselines of yesterday at every step, and calibration on
    other scores than predict's at that origin (test days the origin could not know, or whose forecast at that
    step was made before the test days, or a nearer step's wider interval not kept)."""
    forecaster = Forecaster(RunSpec(data=DataSpec(days=7)).replace(epochs=3)).fit(views)
    base = [list(np.linspace(0.01, 0.3, 15) * (step + 1 if growth > 0 else 3 - step)) for step in range(3)]
    forecaster.backtest = {"folds": [], "mae": 1.0, "std": 0.0, "scores": base}
    assert "test" not in forecaster.run.scored
    rows = forecaster.evaluate_ahead(views, 3, level=50)
    assert "test" in forecaster.run.scored  # the test days were looked at
    one_step = forecaster.evaluate(views, level=50)["test"]
    assert rows[0]["mae"] == pytest.approx(one_step["mae"]) and rows[0]["interval_coverage"] == one_step[
        "interval_coverage"]
    days = pd.date_range("2021-01-01", "2021-02-14")
    truth = views.loc[days].to_numpy()
    for step, row in enumerate(rows, 1):
        origins = days - pd.Timedelta(days=step)
        predicted = pd.DataFrame([forecaster.forecast(views.loc[:origin], step, level=50).iloc[-1]
                                  for origin in origins])
        prediction = predicted["forecast"].to_numpy()
        assert row["ahead"] == step and row["mae"] == pytest.approx(np.abs(truth - prediction).mean())
        assert row["naive"]["mae"] == pytest.approx(np.abs(truth - views.loc[origins].to_numpy()).mean())
        week_before = views.loc[days - pd.Timedelta(days=7)].to_numpy()
        assert row["seasonal_naive"]["mae"] == pytest.approx(np.abs(truth - week_before).mean())
        inside = (predicted["lower"].to_numpy() <= truth) & (truth <= predicted["upper"].to_numpy())
        assert row["interval_coverage"] == pytest.approx(np.mean(inside)), step
    with pytest.raises(InputError, match=r"^horizon=4 is out of range; this model forecasts 1 to 3 days ahead"):
        forecaster.evaluate_ahead(views, 4)
    with pytest.raises(InputError, match=r"^the data does not hold the model's test days 2021-01-01\.\.2021-02-14; "
                                         r"give the data the model was trained on, or a newer export of it$"):
        forecaster.evaluate_ahead(views.loc[:"2021-01-31"], 2)
    assert forecaster.run.scored.count("test") == 1
    with pytest.raises(InputError, match=r"^the data holds 7 days before .*: use horizon=1 or less, or data"):
        forecaster.evaluate_ahead(views.loc["2020-12-25":], 2)
    with pytest.raises(InputError, match=r"^the data holds 8 days before the model's test days; forecasts horizon=3 "
                                         r"days ahead of each read the days=7 days before their origin, 9 in all: "
                                         r"use horizon=2 or less, or data that starts earlier$"):
        forecaster.evaluate_ahead(views.loc["2020-12-24":], 3)
    assert len(forecaster.evaluate_ahead(views.loc["2020-12-24":], 2)) == 2
    with pytest.raises(InputError, match=r"^the data holds 6 days before .*, 7 in all: use data that starts earlier$"):
        forecaster.evaluate_ahead(views.loc["2020-12-26":], 1)


def test_coverage_at_a_step_counts_ties_inside_and_calibrates_on_what_each_origin_knew(views):
    """Step 2, 50 %: test days 0, 1 and 2 are calibrated on the backtest's scores alone (quantile 1.0): no step-2
    forecast of a test day made from the day before the test days or later had come true by their origins;
    day 3 (origin day 1) on those and day 1's score (quantile 2.0), not day 0's, whose forecast was made before
    the test days. A score equal to its quantile (day 2) is inside. Catches `<` for `<=`, and calibration on
    other days. With step 1's backtest scores all 9, step 1's interval is the wider, and step 2's as wide: every
    day is inside (catches step 2's interval narrower than step 1's)."""
    forecaster = Forecaster(RunSpec(data=DataSpec(days=7)).replace(epochs=1)).fit(views)
    scores = [np.zeros(4), np.array([0.1, 3.0, 1.0, 1.5])]
    forecaster.backtest = {"folds": [], "mae": 1.0, "std": 0.0, "scores": [[0.0], [0.5, 1.0, 2.0]]}
    assert forecaster._coverage(scores, 2, 50) == pytest.approx(3 / 4)
    forecaster.backtest["scores"][0] = [9.0]
    assert forecaster._coverage(scores, 2, 50) == 1.0


def test_baselines_made_further_ahead_read_the_last_value_and_weekday_known_then(views):
    dates = pd.date_range("2021-01-10", periods=3)
    truth = views.loc[dates].to_numpy()
    for ahead, lags in ((1, (1, 7)), (3, (3, 7)), (7, (7, 7)), (8, (8, 14)), (14, (14, 14))):
        errors = baseline_errors(views, dates, truth, ahead)
        for name, lag in zip(("naive", "seasonal_naive"), lags):
            expected = np.abs(truth - views.loc[dates - pd.Timedelta(days=lag)].to_numpy()).mean()
            assert errors[name]["mae"] == pytest.approx(expected), (ahead, name)


def test_compare_in_worker_processes_gives_the_same_numbers_and_order(views, monkeypatch):
    """The candidates' backtests in 2 processes (costliest first) equal those run here one after another, and
    come back in the order given, each told to on_done once."""
    small = {"linear": RunSpec(data=DataSpec(days=7)).replace(epochs=5), "naive": NAIVE, "seasonal": SEASONAL,
             "relu": RunSpec(model=ModelSpec(kind="relu", units=8)).replace(epochs=5, days=14)}
    pools = []

    def spy(workers):
        pools.append(workers)
        return real(workers)
    real = bt.open_executor
    monkeypatch.setattr(bt, "open_executor", spy)
    told = []
    results = {1: bt.compare(small, views, n_folds=2),
               2: bt.compare(small, views, n_folds=2, workers=2,
                             on_done=lambda name, result: told.append((name, result.mae)))}
    bt.compare({"naive": NAIVE}, views, workers=256)  # one job: no process for it
    assert pools == [2]  # here by default, in processes when asked
    (here, here_done), (there, there_done) = results[1], results[2]
    pd.testing.assert_frame_equal(here.drop(columns="seconds"), there.drop(columns="seconds"))
    assert list(here_done) == list(there_done) == list(small)
    assert sorted(told) == sorted((name, result.mae) for name, result in here_done.items())
    for name in small:
        assert len(here_done[name].paths) == len(there_done[name].paths) == 3  # 2 folds and the year before
        for ours, theirs in zip(here_done[name].paths, there_done[name].paths):
            for a, b in zip(ours, theirs):
                np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("workers", [0, 257, True, 2.0, "2"])
def test_compare_refuses_a_wrong_number_of_workers(views, workers):
    with pytest.raises(InputError, match=f"workers must be a whole number from 1 to 256, got {workers!r}"):
        bt.compare({"naive": NAIVE}, views, workers=workers)


def test_the_costliest_candidates_start_first():
    """cost orders the jobs: the networks on the built-in pages too first, then the linear model on them, then the
    others, the baselines last."""
    chosen = bt.candidates(RunSpec())
    order = sorted(chosen, key=lambda name: -bt.cost(chosen[name]))
    assert order[:5] == ["relu 2 × 100 all pages", "relu 2 × 100 a year all pages",
                         "relu 2 × 100 all pages valid a year before",
                         "relu 2 × 100 a year all pages valid a year before", "linear a year all pages"]
    assert set(order[-2:]) == {"naive", "seasonal naive"} and bt.cost(chosen["naive"]) > 0
    assert {bt.cost(chosen[name]) for name in order[5:-2]} == {1.0}


def test_compare_hands_the_executor_each_spec_with_its_cost_and_the_folds_asked(views, monkeypatch):
    """What the worker processes receive: one job per spec, named by it, with its cost (so the costliest start
    first) and the folds, fold days, horizon and season of the call."""
    import contextlib

    class Recording:
        def __init__(self):
            self.jobs = []

        def submit(self, jobs):
            self.jobs += list(jobs)

        def finished(self):
            return ((job.key, job.run()) for job in self.jobs)
    recording = Recording()
    monkeypatch.setattr(bt, "open_executor", lambda workers: contextlib.nullcontext(recording))
    specs = {"seasonal": SEASONAL, "naive": NAIVE}
    table, done = bt.compare(specs, views, n_folds=2, fold_days=14, horizon=3, workers=2)
    assert [job.key for job in recording.jobs] == [("seasonal",), ("naive",)]
    assert [job.cost for job in recording.jobs] == [bt.cost(SEASONAL), bt.cost(NAIVE)]
    assert {key: value for key, value in recording.jobs[0].kwargs.items() if key != "series"} == {
        "spec": SEASONAL, "n_folds": 2, "fold_days": 14, "horizon": 3, "season": True}
    assert len(done["naive"].table) == 3 and len(done["naive"].scores) == 3


def test_compare_s_table_ranks_by_mae_keeps_ties_in_the_given_order_and_counts_from_zero(views):
    table, done = bt.compare({"b": NAIVE, "c": SEASONAL, "a": NAIVE}, views, n_folds=2)
    assert list(table.columns) == ["candidate", "model", "mae", "std", "seconds"]
    assert list(table.index) == [0, 1, 2] and list(table["mae"]) == sorted(table["mae"])
    naive_first = table["mae"].iloc[0] == done["a"].mae
    assert list(table["candidate"]) == (["b", "a", "c"] if naive_first else ["c", "b", "a"])
    assert list(table["std"]) == [done[name].std for name in table["candidate"]] and done["a"].std > 0
    assert list(table["model"]) == [done[name].spec.describe() for name in table["candidate"]]



@pytest.mark.parametrize("end, fits", [("2018-04-15", 0), ("2018-04-17", 0), ("2018-04-18", 1), ("2018-05-16", 2)])
def test_a_pooled_candidates_folds_each_have_pooled_windows_before_their_validation_days(end, fits):
    """A daily file of 2015-01-01..2018-04-15 (a real one: Puerto Rico's deaths) left --model auto one fold for the
    yearly pooled ReLU network, whose training, its 28 validation days set aside, ended before the built-in pages'
    first window of 371 days (2018-01-07): fit refused it ("pool='pages' adds no windows"). With the last 45 days
    for the test, a file to 2018-04-18 is the first whose last fold (2018-02-05..2018-03-04) trains to that day.
    Catches a room that forgets the validation days (a fold from the first file on, with no pooled windows) or
    is off by one day: every fold counted must leave the pool some windows."""
    s = pd.Series(1.0, index=pd.date_range("2015-01-01", end, freq="D"))
    for name, spec in bt.candidates(RunSpec()).items():
        if spec.data.pool is None:
            continue
        for fold in bt.folds(spec, s, bt.max_folds(spec, s)):
            train_end = pd.Timestamp(fold["train"][1]) - pd.Timedelta(days=spec.data.valid_days)
            assert len(runs.pooled(spec.data, train_end)), (name, fold)
    assert bt.max_folds(bt.candidates(RunSpec())["relu 2 × 100 a year all pages"], s) == fits
