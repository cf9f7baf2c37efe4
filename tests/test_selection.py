"""Choosing on validation data: lag importance, rolling-origin and shuffled folds, cross_validate and choose()."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from gradstep import run as runs
from gradstep.data import load_pageviews
from gradstep.errors import InputError
from gradstep.selection import (choose, cross_validate, lag_importance, ranked_lags, rolling_origin, shuffled_kfold,
                                top_lags)
from gradstep.spec import RunSpec

TINY = RunSpec().replace(days=7, epochs=2)


@pytest.fixture(scope="module")
def views():
    return load_pageviews("Standard_deviation")


def seventh_day_series(days=900, seed=0):
    """y_t = 0.9·y_{t−7} + noise around 1000: of x_1..x_10, only x_7 tells anything about y_t."""
    rng = np.random.default_rng(seed)
    values = np.zeros(days)
    for t in range(days):
        values[t] = (0.9 * values[t - 7] if t >= 7 else 0.0) + rng.normal(0, 100)
    return pd.Series(1000 + values, index=pd.date_range("2015-01-01", periods=days, freq="D"))


@pytest.fixture(scope="module")
def seventh():
    series = seventh_day_series()
    spec = RunSpec().replace(days=10, epochs=30, lr=0.01, valid_days=120)
    return runs.fit(spec, series)


# ----- lag importance ------------------------------------------------------------------------------------------------

def test_permutation_importance_puts_the_day_the_series_depends_on_first(seventh):
    importance = lag_importance(seventh, seed=1)
    assert list(importance.index) == list(range(1, 11)) and importance.index.name == "lag"
    assert ranked_lags(importance)[0] == 7
    assert importance[7] > 10 * importance.drop(7).abs().max()  # the others are noise around 0


def test_lag_importance_is_measured_on_validation_rows_and_records_nothing(seventh):
    metrics, scored = json.dumps(seventh.metrics), list(seventh.scored)
    first = lag_importance(seventh, seed=3, repeats=2)
    assert first.equals(lag_importance(seventh, seed=3, repeats=2))
    assert not first.equals(lag_importance(seventh, seed=4, repeats=2))
    on_train = lag_importance(seventh, part="train", seed=3, repeats=2)
    assert not first.equals(on_train) and ranked_lags(on_train)[0] == 7
    assert json.dumps(seventh.metrics) == metrics and seventh.scored == scored == ["train", "valid"]


def test_lag_importance_of_a_model_on_lags_covers_the_lags_it_reads():
    run = runs.fit(RunSpec().replace(days=10, lags=(1, 7, 10), epochs=30, lr=0.01, valid_days=120),
                   seventh_day_series())
    importance = lag_importance(run, repeats=2)
    assert list(importance.index) == [1, 7, 10] and ranked_lags(importance)[0] == 7


def test_lag_importance_refuses_the_test_days_and_a_run_without_validation(views):
    run = runs.fit(TINY, views)
    with pytest.raises(InputError) as raised:
        lag_importance(run, part="test")
    assert str(raised.value) == ("lag_importance() takes part='valid' (or 'train'), got part='test'; lags are chosen "
                                 "before the test days are scored, once, after the choice")
    with pytest.raises(InputError, match="^the run has no valid days to shuffle; fit it with a validation part"):
        lag_importance(run)
    with pytest.raises(InputError, match="^repeats=0 is out of range"):
        lag_importance(run, part="train", repeats=0)


def test_ranked_and_top_lags():
    importance = pd.Series({1: 0.5, 2: -0.1, 7: 3.0, 14: 0.5})
    assert ranked_lags(importance) == (7, 1, 14, 2)  # ties: the more recent day first
    assert ranked_lags(importance.iloc[::-1]) == (7, 1, 14, 2)
    assert top_lags(importance, 3) == (1, 7, 14)  # sorted: a value for lags=
    RunSpec().replace(lags=top_lags(importance, 3))
    with pytest.raises(InputError, match="^m=5 is out of range"):
        top_lags(importance, 5)


# ----- rolling origin -------------------------------------------------------------------------------------------------

def test_rolling_folds_train_before_and_validate_on_their_own_days(views):
    folds = rolling_origin(TINY, views, folds=3, fold_days=28)
    starts = ["2020-10-09", "2020-11-06", "2020-12-04"]  # 3 × 28 days, the last ending on 2020-12-31
    for fold, start in zip(folds, starts):
        train, valid = fold.split.train, fold.split.valid
        assert valid.dates[0] == pd.Timestamp(start) and len(valid) == 28
        assert valid.dates[-1] == pd.Timestamp(start) + pd.Timedelta(days=27) == fold.series.index[-1]
        assert train.dates[-1] == pd.Timestamp(start) - pd.Timedelta(days=1)  # every day before it
        assert train.dates[0] == pd.Timestamp("2017-01-08") and len(fold.split.test) == 0
        assert fold.spec.data.train == ("2017-01-08", valid.dates[-1].date().isoformat())
        assert fold.spec.data.valid_days == 28 and fold.spec.data.test is None
        assert fold.spec.model == TINY.model and fold.spec.train == TINY.train
    assert folds[-1].series.index[-1] == pd.Timestamp("2020-12-31")  # the training part's end: no test day


def test_a_rolling_fold_never_trains_on_or_reads_a_day_after_it(views):
    """Every day after fold 0's first validation day is changed: its training is the same; and every day after its
    last: its scores are the same, though the later folds' dates do not move."""
    fold = rolling_origin(TINY, views, folds=3, fold_days=28)[0]
    start, end = fold.split.valid.dates[0], fold.split.valid.dates[-1]
    base = fold.fit()
    later = views.copy()
    later.loc[start:] *= 50
    changed = rolling_origin(TINY, later, folds=3, fold_days=28)[0].fit()
    assert all(np.array_equal(a.data, b.data) for a, b in zip(base.model.parameters(), changed.model.parameters()))
    assert changed.standardizer_ == base.standardizer_ and changed.metrics["train"] == base.metrics["train"]
    after = views.copy()
    after.loc[end + pd.Timedelta(days=1):] = 1e9
    unread = rolling_origin(TINY, after, folds=3, fold_days=28)[0]
    assert unread.series.max() < 1e9 and unread.fit().metrics == base.metrics
    assert base.scored == ["train", "valid"] and base.score_test() == {}


def test_rolling_folds_refuse_early_stopping_and_too_many_folds(views):
    with pytest.raises(InputError) as raised:
        rolling_origin(TINY.replace(valid_days=20, patience=3), views)
    assert str(raised.value) == ("cross-validation scores each fold on its validation days, and early stopping "
                                 "(patience=3) would choose its epoch on those same days; drop patience")
    with pytest.raises(InputError, match="folds=99"):
        rolling_origin(TINY, views, folds=99, fold_days=28)
    with pytest.raises(InputError, match="^fold_days=0 is out of range"):
        rolling_origin(TINY, views, folds=2, fold_days=0)


# ----- shuffled k-fold -----------------------------------------------------------------------------------------------

def test_shuffled_folds_partition_the_training_part_and_train_on_later_days(views):
    spec = TINY.replace(valid_days=30)
    folds = shuffled_kfold(spec, views, folds=4, seed=0)
    parts = runs.split(spec, views)
    pool = parts.train.dates.append(parts.valid.dates)
    held = pd.DatetimeIndex(np.concatenate([fold.split.valid.dates for fold in folds]))
    assert held.sort_values().equals(pool) and held.is_unique  # each training-part day validated once
    for fold in folds:
        train, valid = fold.split.train, fold.split.valid
        assert train.dates.append(valid.dates).sort_values().equals(pool) and len(valid) in (len(pool) // 4,
                                                                                            len(pool) // 4 + 1)
        assert train.dates.is_monotonic_increasing and valid.dates.is_monotonic_increasing
        assert train.dates[-1] > valid.dates[0]  # the leak: it trains on days after days it validates on
        assert fold.series.index[-1] == pd.Timestamp("2020-12-31") and len(fold.split.test) == 0
    again = shuffled_kfold(spec, views, folds=4, seed=0)
    assert all(a.split.valid.dates.equals(b.split.valid.dates) for a, b in zip(folds, again))
    other = shuffled_kfold(spec, views, folds=4, seed=1)
    assert not folds[0].split.valid.dates.equals(other[0].split.valid.dates)
    rows = np.concatenate([parts.train.X, parts.valid.X])
    np.testing.assert_array_equal(folds[0].split.valid.X, rows[np.isin(pool, folds[0].split.valid.dates)])


# ----- cross_validate -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["rolling", "shuffled"])
def test_cross_validate_returns_plain_json_and_never_scores_the_test_days(views, monkeypatch, scheme):
    parts = []
    score = runs.Run._score
    monkeypatch.setattr(runs.Run, "_score", lambda self, part: parts.append(part) or score(self, part))
    result = cross_validate(TINY.to_dict(), scheme, folds=3, fold_days=28, seed=0, series=views)
    assert json.loads(json.dumps(result)) == result
    assert result["scheme"] == scheme and len(result["folds"]) == 3 and "test" not in parts
    assert set(result) == {"scheme", "folds", "train", "valid", "valid_std"}
    assert result["valid"] == pytest.approx(np.mean([fold["valid"] for fold in result["folds"]]))
    for fold in result["folds"]:
        assert set(fold) == {"train", "valid", "train_rows", "valid_rows", "valid_dates"}
        assert fold["train"] > 0 and fold["valid"] > 0
    if scheme == "rolling":
        assert [fold["valid_dates"] for fold in result["folds"]] == [
            ["2020-10-09", "2020-11-05"], ["2020-11-06", "2020-12-03"], ["2020-12-04", "2020-12-31"]]
    assert choose({"cv": result}) == "cv"


def test_shuffled_cross_validation_validates_on_the_rolling_folds_days_and_trains_on_all_others(views):
    """The two schemes differ only in what they train on: the same 84 days are validated once each, at random."""
    rolling = cross_validate(TINY, "rolling", folds=3, fold_days=28, series=views)
    shuffled = cross_validate(TINY, "shuffled", folds=3, fold_days=28, seed=0, series=views)
    assert [fold["valid_rows"] for fold in shuffled["folds"]] == [28, 28, 28]
    assert all(fold["valid_dates"][0] >= "2020-10-09" for fold in shuffled["folds"])
    assert sorted(fold["valid_dates"][1] for fold in shuffled["folds"])[-1] <= "2020-12-31"
    pool = len(runs.split(TINY, views).train) + len(runs.split(TINY, views).valid)
    assert all(fold["train_rows"] == pool - 28 for fold in shuffled["folds"])
    assert [fold["train_rows"] for fold in rolling["folds"]] == [pool - 84, pool - 56, pool - 28]
    folds = shuffled_kfold(TINY, views, folds=3, seed=0, within=("2020-10-09", "2020-12-31"))
    held = pd.DatetimeIndex(np.concatenate([fold.split.valid.dates for fold in folds])).sort_values()
    assert held.equals(pd.date_range("2020-10-09", "2020-12-31"))


def test_cross_validate_is_the_folds_fits(views):
    result = cross_validate(TINY, "rolling", folds=2, fold_days=28, series=views)
    fits = [fold.fit() for fold in rolling_origin(TINY, views, 2, 28)]
    assert [fold["valid"] for fold in result["folds"]] == [run.metrics["valid"]["mae"] for run in fits]
    assert [fold["train"] for fold in result["folds"]] == [run.metrics["train"]["mae"] for run in fits]


def test_cross_validate_refuses_an_unknown_scheme(views):
    with pytest.raises(InputError, match="^scheme='kfold' is not a choice; it must be one of 'rolling', 'shuffled'"):
        cross_validate(TINY, "kfold", series=views)


# ----- choose ---------------------------------------------------------------------------------------------------------

def test_choose_picks_the_lowest_validation_error():
    assert choose({"a": {"train": 1.0, "valid": 30.0}, "b": {"train": 50.0, "valid": 20.0},
                   "c": {"valid": {"mae": 25.0, "mse": 1.0}}}) == "b"
    assert choose({"a": {"valid": 2.0}, "b": {"valid": 2.0}}) == "a"  # the first of equals
    assert choose({"a": {"train": 1.0, "valid": 30.0}, "b": {"train": 50.0, "valid": 20.0}}, by="train") == "a"


def test_choose_takes_runs(views):
    spec = TINY.replace(valid_days=30, epochs=1)
    fitted = {"7 days": runs.fit(spec, views), "14 days": runs.fit(spec.replace(days=14), views)}
    best = min(fitted, key=lambda name: fitted[name].metrics["valid"]["mae"])
    assert choose(fitted) == best
    fitted[best].score_test()  # once a candidate has seen the test days, no choice among them is clean
    with pytest.raises(InputError) as raised:
        choose(fitted)
    assert str(raised.value) == (f"candidate {best!r} has been scored on the test days, which are scored once, after "
                                 "the choice; choose among results not scored on them")


@pytest.mark.parametrize("candidates", [
    {"a": {"valid": 1.0}, "b": {"valid": 2.0, "test": 3.0}},
    {"a": {"valid": 1.0, "scored": ["train", "valid", "test"]}},
    {"a": {"valid": 1.0, "test": None}},
])
def test_choose_refuses_candidates_scored_on_the_test_days(candidates):
    with pytest.raises(InputError, match="has been scored on the test days, which are scored once, after the choice"):
        choose(candidates)


def test_choose_refuses_to_choose_on_the_test_days():
    with pytest.raises(InputError) as raised:
        choose({"a": {"valid": 1.0}}, by="test")
    assert str(raised.value) == ("choose(by='test') would choose on the test days, which are scored once, after the "
                                 "choice; choose by='valid'")


@pytest.mark.parametrize("candidates,words", [
    ({}, "choose() needs a dict of name → result with at least one candidate"),
    ([("a", {"valid": 1.0})], "choose() needs a dict"),
    ({"a": {"train": 1.0}}, "candidate 'a' has no valid MAE (got None)"),
    ({"a": {"valid": float("nan")}}, "candidate 'a' has no valid MAE (got nan)"),
    ({"a": {"valid": "1.0"}}, "candidate 'a' has no valid MAE (got 1.0)"),
    ({"a": 1.0}, "candidate 'a' is a float; give a Run or a dict of part → MAE"),
])
def test_choose_refuses_what_it_cannot_compare(candidates, words):
    with pytest.raises(InputError) as raised:
        choose(candidates)
    assert str(raised.value).startswith(words)


# ----- refused arguments: exact one-line messages naming the parameter --------------------------------------------

SEED_RANGE = "it must be a whole number from 0, at most 4294967295"


def trend_series(days=200):
    """y_t = 100 + t: the naive forecast x_1 is off by exactly one view each day."""
    return pd.Series(np.arange(days) + 100.0, index=pd.date_range("2015-01-01", periods=days, freq="D"))


@pytest.fixture(scope="module")
def naive_run():
    return runs.fit(RunSpec().replace(kind="naive", days=3, valid_days=10), trend_series())


@pytest.mark.parametrize("kwargs, message", [
    ({"seed": -1}, f"seed=-1 is out of range; {SEED_RANGE}"),
    ({"seed": 2**32}, f"seed=4294967296 is out of range; {SEED_RANGE}"),
    ({"seed": 1.5}, f"seed=1.5 is not a whole number; {SEED_RANGE}"),
    ({"repeats": 0}, "repeats=0 is out of range; it must be a whole number from 1, at most 1000"),
    ({"repeats": 1001}, "repeats=1001 is out of range; it must be a whole number from 1, at most 1000"),
    ({"part": "valid", "seed": 0, "repeats": 1, "run": "saved"},
     "this run keeps its scores, not its windows (a model read back from disk); fit the spec again to measure the "
     "importance of its days"),
    ({"run": "no valid"}, "the run has no valid days to shuffle; fit it with a validation part, e.g. valid_days=90"),
])
def test_lag_importance_refuses_with_one_line_naming_the_parameter(naive_run, views, kwargs, message):
    kwargs = dict(kwargs)
    run = kwargs.pop("run", naive_run)
    if run == "saved":
        run = dataclasses.replace(naive_run, split_=None)
    elif run == "no valid":
        run = runs.fit(TINY.replace(kind="naive"), views)
    with pytest.raises(InputError) as raised:
        lag_importance(run, **kwargs)
    assert str(raised.value) == message


def test_lag_importance_is_the_mean_error_with_the_day_shuffled_minus_the_error(naive_run):
    """The naive forecast reads x_1 only: shuffling x_1 among the rows costs, on average over the permutations,
    mean_ik |x1_k − y_i| − MAE; shuffling x_2 or x_3 costs nothing. The bounds of seed and repeats are allowed."""
    importance = lag_importance(naive_run, repeats=1000)
    windows = naive_run.split_.valid
    base = np.abs(naive_run.predict(windows.X) - windows.y).mean()
    expected = np.abs(windows.X[:, 0][None, :] - windows.y[:, None]).mean() - base
    assert importance.name == "importance" and list(importance.index) == [1, 2, 3]
    assert importance[1] == pytest.approx(expected, abs=0.05) and expected > 1
    assert abs(importance[2]) < 1e-9 and abs(importance[3]) < 1e-9
    assert lag_importance(naive_run, repeats=3).equals(lag_importance(naive_run, seed=0, repeats=3))  # seed 0 default
    assert lag_importance(naive_run, seed=2**32 - 1, repeats=1).index.tolist() == [1, 2, 3]


def test_ranked_lags_breaks_ties_by_the_more_recent_day_among_many():
    values = [2, 1, 1, 0, 0, 0, 0, 0, 0, 2, 1, 2, 1, 1, 2, 2, 1, 1, 1, 2]
    importance = pd.Series([float(v) for v in values], index=range(1, 21)).iloc[::-1]
    assert ranked_lags(importance) == (1, 10, 12, 15, 16, 20, 2, 3, 11, 13, 14, 17, 18, 19, 4, 5, 6, 7, 8, 9)
    assert top_lags(importance, 1) == (1,) and top_lags(importance, 20) == tuple(range(1, 21))
    with pytest.raises(InputError) as raised:
        top_lags(importance, 0)
    assert str(raised.value) == "m=0 is out of range; it must be a whole number from 1, at most 20"


@pytest.mark.parametrize("kwargs, message", [
    ({"folds": 0}, "folds=0 is out of range; it must be a whole number from 1, at most 100"),
    ({"folds": 101}, "folds=101 is out of range; it must be a whole number from 1, at most 100"),
    ({"fold_days": 0}, "fold_days=0 is out of range; it must be a whole number from 1, at most 3650"),
    ({"fold_days": 3651}, "fold_days=3651 is out of range; it must be a whole number from 1, at most 3650"),
    ({"fold_days": 7.5}, "fold_days=7.5 is not a whole number; it must be a whole number from 1, at most 3650"),
])
def test_rolling_origin_refuses_with_one_line_naming_the_parameter(views, kwargs, message):
    with pytest.raises(InputError) as raised:
        rolling_origin(TINY, views, **kwargs)
    assert str(raised.value) == message


def test_rolling_folds_take_their_size_and_a_single_fold_of_one_day(views):
    folds = rolling_origin(TINY, views, folds=2, fold_days=7)
    assert [(str(f.split.valid.dates[0].date()), len(f.split.valid)) for f in folds] == [("2020-12-18", 7),
                                                                                      ("2020-12-25", 7)]
    (one,) = rolling_origin(TINY, views, folds=1, fold_days=1)
    assert list(one.split.valid.dates) == [pd.Timestamp("2020-12-31")] and one.series.index[-1] == one.split.valid.dates[0]


def test_a_fold_names_no_test_days_and_its_run_hashes_the_series_it_read(views):
    spec = TINY.replace(test=("2021-01-01", "2021-06-30"))
    fold = rolling_origin(spec, views, folds=1, fold_days=7)[0]
    assert fold.spec.data.test is None and len(fold.split.test) == 0
    run = fold.fit()
    assert run.data_sha256 == runs.data_hash(fold.series) != runs.data_hash(views)


@pytest.mark.parametrize("kwargs, message", [
    ({"folds": 1}, "folds=1 is out of range; it must be a whole number from 2, at most 100"),
    ({"folds": 101}, "folds=101 is out of range; it must be a whole number from 2, at most 100"),
    ({"folds": 2.5}, "folds=2.5 is not a whole number; it must be a whole number from 2, at most 100"),
    ({"seed": -1}, f"seed=-1 is out of range; {SEED_RANGE}"),
    ({"seed": 2**32}, f"seed=4294967296 is out of range; {SEED_RANGE}"),
    ({"seed": 0.5}, f"seed=0.5 is not a whole number; {SEED_RANGE}"),
    ({"folds": 3, "within": ("2020-12-27", "2020-12-31")},
     "the training part has 5 days to validate on, too few for folds=3; use fewer folds"),
])
def test_shuffled_kfold_refuses_with_one_line_naming_the_parameter(views, kwargs, message):
    with pytest.raises(InputError) as raised:
        shuffled_kfold(TINY, views, **kwargs)
    assert str(raised.value) == message


def test_shuffled_kfold_defaults_and_bounds(views):
    folds = shuffled_kfold(TINY, views)
    assert len(folds) == 5  # scikit-learn's KFold default
    assert all(a.split.valid.dates.equals(b.split.valid.dates) for a, b in zip(folds, shuffled_kfold(TINY, views, 5, 0)))
    two = shuffled_kfold(TINY, views, folds=2, seed=2**32 - 1, within=("2020-12-28", "2020-12-31"))  # 4 = 2 × 2 days
    assert [len(fold.split.valid) for fold in two] == [2, 2]
    assert [len(fold.split.valid) for fold in shuffled_kfold(TINY, views, 3, within=("2020-12-26", "2020-12-31"))] == \
        [2, 2, 2]


def test_cross_validate_defaults_to_the_rolling_scheme_the_specs_series_and_seed_0(views):
    result = cross_validate(TINY, folds=1, fold_days=7)
    assert result == cross_validate(TINY, "rolling", folds=1, fold_days=7, series=views)
    assert result["scheme"] == "rolling" and result["folds"][0]["valid_rows"] == 7
    assert result["folds"][0]["valid_dates"] == ["2020-12-25", "2020-12-31"]
    doubled = cross_validate(TINY, folds=1, fold_days=7, series=views * 2)
    assert doubled["valid"] != result["valid"]  # the series given is the one read
    shuffled = cross_validate(TINY, "shuffled", folds=2, fold_days=7, series=views)
    assert shuffled == cross_validate(TINY, "shuffled", folds=2, fold_days=7, seed=0, series=views)
    assert [fold["valid_rows"] for fold in shuffled["folds"]] == [7, 7]
    assert all("2020-12-18" <= fold["valid_dates"][0] for fold in shuffled["folds"])
    other = cross_validate(TINY, "shuffled", folds=2, fold_days=7, seed=1, series=views)
    assert [f["valid_dates"] for f in other["folds"]] != [f["valid_dates"] for f in shuffled["folds"]]


@pytest.mark.parametrize("candidates, message", [
    ({"a": {"valid": "x" * 60}}, f"candidate 'a' has no valid MAE (got {'x' * 40}); choose among results scored on "
                                 "valid"),
    ([("a", {"valid": 1.0}), ("b", {"valid": 2.0})],
     "choose() needs a dict of name → result with at least one candidate, got [('a', {'valid': 1.0}), ('b', {'valid': "),
])
def test_choose_cuts_what_it_shows_of_a_long_value(candidates, message):
    with pytest.raises(InputError) as raised:
        choose(candidates)
    assert str(raised.value) == message


def test_a_whole_float_seed_is_taken_as_that_seed(views):
    """seed=3.0 passes the check as 3, so it must also be used as 3 (not handed to NumPy as a float)."""
    spec = TINY.replace(valid_days=30)
    assert [fold.split.valid.dates.equals(other.split.valid.dates) for fold, other in zip(
        shuffled_kfold(spec, views, folds=3, seed=3.0), shuffled_kfold(spec, views, folds=3, seed=3))] == [True] * 3
    run = runs.fit(spec, views)
    assert lag_importance(run, seed=3.0).equals(lag_importance(run, seed=3))
