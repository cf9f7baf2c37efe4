"""src/gradstep/backtest.py and baselines.py: the folds' room and messages, the scores by horizon step on
small hand-computed series, the JSON of a backtest, the candidates' exact specs, and compare/choose/fitting
on fabricated backtests (their arguments, tables, order on ties and on_done calls); every test names the
broken implementation it catches."""

import types

import numpy as np
import pandas as pd
import pytest

from gradstep import backtest as bt
from gradstep.baselines import baseline_errors, baseline_predictions, mase_scale
from gradstep.errors import InputError
from gradstep.spec import DataSpec, ModelSpec, RunSpec, TrainSpec


def series(values, start="2021-01-01"):
    return pd.Series(np.asarray(values, dtype=float), index=pd.date_range(start, periods=len(values), freq="D"))


NAIVE = RunSpec(model=ModelSpec(kind="naive", dtype="float64"), data=DataSpec(days=7))
VALID = RunSpec(model=ModelSpec(kind="linear"), data=DataSpec(days=7, valid_days=10))


# ---- _room, max_folds and folds: how many folds fit, and the message when they do not ----------------------
# A series of N days from 2021-01-01 (no lecture split): the last 45 days are the test days, so the training
# part's targets run from day `days` (0-based) to day N-46: N-45-days days; a fold needs
# days + n_inputs + valid_days + 30 (2*days + valid_days + 30 without lags).

@pytest.mark.parametrize("spec, length, fold_days, fits", [
    pytest.param(NAIVE, 150, 1, 150 - 45 - 7 - 44, id="naive-150days-by1"),  # 54: needed = 2*7 + 0 + 30
    pytest.param(VALID, 150, 1, 150 - 45 - 7 - 54, id="valid10-150days-by1"),  # 44: needed = 2*7 + 10 + 30
    pytest.param(VALID, 150, 11, (150 - 45 - 7 - 54) // 11, id="valid10-150days-by11"),
    pytest.param(VALID, 100, 28, 0, id="valid10-100days-none"),  # 48 - 54 < 0: no room at all
])
def test_max_folds_counts_the_days_after_those_a_fold_needs(spec, length, fold_days, fits):
    """Catches a needed-days count that subtracts valid_days, an off-by-one day span, or a floor of 1 fold."""
    assert bt.max_folds(spec, series(np.arange(length) + 1.0), fold_days) == fits


def test_folds_take_exactly_as_many_folds_as_fit():
    """Catches a check refusing n_folds equal to the room (>= instead of >)."""
    s = series(np.arange(150) + 1.0)
    fits = bt.max_folds(VALID, s, 11)
    assert fits == 4
    assert len(bt.folds(VALID, s, n_folds=fits, fold_days=11)) == 4
    with pytest.raises(InputError, match="has room for 4; use folds=4 or fewer"):
        bt.folds(VALID, s, n_folds=5, fold_days=11)


def test_folds_with_no_room_say_so_in_the_whole_message():
    """Catches advice "use folds=0 or fewer" when nothing fits, or a changed wording of the message's end."""
    s = series(np.arange(100) + 1.0)  # training targets 2021-01-08..2021-02-24: 48 days, a fold needs 54
    with pytest.raises(InputError) as error:
        bt.folds(VALID, s, n_folds=1, fold_days=28)
    assert str(error.value) == (
        "a backtest of folds=1 × 28 days needs at least 54 training days before its first fold with days=7, "
        "and the training part 2021-01-08..2021-02-24 has room for 0; use folds=0 (no backtest, so no "
        "intervals), fewer days, or a longer training part")


def test_folds_with_some_room_end_the_message_the_same_way():
    """Catches a changed wording of "training part" at the message's end when some folds fit."""
    with pytest.raises(InputError) as error:
        bt.folds(NAIVE, series(np.arange(150) + 1.0), n_folds=3, fold_days=28)
    assert str(error.value) == (
        "a backtest of folds=3 × 28 days needs at least 44 training days before its first fold with days=7, "
        "and the training part 2021-01-08..2021-04-15 has room for 1; use folds=1 or fewer, fewer days, or a "
        "longer training part")


# ---- local_level and step_scores on hand-computable rows ----------------------------------------------------

class FakeRun:
    """A run standing in for a trained one: the naive forecast (x1, yesterday), recording the rows it is given."""

    def __init__(self, days: int, mean: float = 100.0):
        self.spec = RunSpec(model=ModelSpec(kind="naive"), data=DataSpec(days=days))
        self.standardizer_ = types.SimpleNamespace(mean=mean)
        self.rows = []

    def predict(self, X):
        X = np.asarray(X, dtype=np.float64)
        self.rows.append(X.copy())
        return X[:, 0].copy()


def test_local_level_floor_is_a_hundredth_of_a_small_training_mean():
    """Catches a floor of about 1 instead of 1e-9 (wrong for series whose training mean is below 100)."""
    level = bt.local_level(FakeRun(7, mean=50.0), np.array([[0.0] * 7, [0.2] * 7]))
    np.testing.assert_array_equal(level, [0.5, 0.5])
    assert bt.local_level(FakeRun(7, mean=0.0), np.zeros((1, 7)))[0] == 1e-9


def test_local_level_is_the_mean_of_the_newest_7_of_9_days():
    """Catches a level over the newest 8 days instead of 7."""
    X = np.array([[1.0, 2, 3, 4, 5, 6, 7, 100, 1000], [7.0, 7, 7, 7, 7, 7, 7, 0, 0]])
    np.testing.assert_array_equal(bt.local_level(FakeRun(9, mean=1.0), X), [4.0, 7.0])


def test_local_level_of_float32_rows_is_computed_in_float64():
    """Catches a level averaged in the rows' own float32 (no dtype=float64): 8/7 rounded to float32."""
    X = np.array([[1, 1, 1, 1, 1, 1, 2]], dtype=np.float32)
    level = bt.local_level(FakeRun(7, mean=1.0), X)
    assert level.dtype == np.float64 and level[0] == 8 / 7


VALUES = [5.0, 1.0, 3.0, 2.0, 6.0, 4.0, 9.0, 7.0]  # 2021-01-01 .. 2021-01-08


@pytest.mark.filterwarnings("error")  # a deprecated frequency alias ("d") warns in pandas 3
@pytest.mark.parametrize("dtype", ["float64", "object"])
def test_step_scores_by_hand(dtype):
    """Catches origins without their full days of history dropped (> or >= days+1), origins with too few
    kept (>= days-2), a forecast from the last day, a deprecated "d" frequency, and object-dtype scores."""
    s = series(VALUES).astype(dtype)
    run = FakeRun(3)
    # start 2021-01-02, end 2021-01-06: origins 01-01..01-05 at positions 0..4; positions 0 and 1 have fewer
    # than 3 days of history, so the origins are positions 2, 3, 4 with rows (newest first):
    scores = bt.step_scores(run, s, pd.Timestamp("2021-01-02"), pd.Timestamp("2021-01-06"), horizon=2)
    assert len(run.rows) == 2 and all(rows.shape == (3, 3) for rows in run.rows)
    np.testing.assert_array_equal(run.rows[0], [[3, 1, 5], [2, 3, 1], [6, 2, 3]])
    level = np.array([3 + 1 + 5, 2 + 3 + 1, 6 + 2 + 3]) / 3
    # one step ahead: targets 2, 6, 4 against the naive forecasts 3, 2, 6
    expected_1 = np.array([abs(2 - 3), abs(6 - 2), abs(4 - 6)]) / level
    # two steps ahead: targets 6, 4 (the third, 9 on 01-07, is past end), the naive forecasts still 3, 2
    expected_2 = np.array([abs(6 - 3), abs(4 - 2)]) / level[:2]
    assert [step.dtype for step in scores] == [np.float64, np.float64]
    np.testing.assert_allclose(scores[0], expected_1, rtol=1e-15)
    np.testing.assert_allclose(scores[1], expected_2, rtol=1e-15)


def test_step_scores_with_no_origin_with_history_are_empty_per_step():
    """Catches an empty result of length 1 (zeros(1)) per step or a crash (zeros(None), range(None))."""
    run = FakeRun(3)
    scores = bt.step_scores(run, series(VALUES), pd.Timestamp("2021-01-01"), pd.Timestamp("2021-01-02"), horizon=3)
    assert len(scores) == 3 and all(step.shape == (0,) for step in scores) and run.rows == []


# ---- backtest and Backtest.to_dict -----------------------------------------------------------------------------

def test_backtest_keeps_its_spec_and_times_itself(monkeypatch):
    """Catches a backtest that drops its spec (None) or its time (None, 0.0, or end + start)."""
    monkeypatch.setattr(bt, "time", types.SimpleNamespace(perf_counter=iter([100.0, 103.5]).__next__))
    result = bt.backtest(NAIVE, series(np.arange(150) + 1.0), n_folds=1, fold_days=7, horizon=2)
    assert result.spec == NAIVE and result.seconds == 3.5
    assert list(result.table["test"]) == [("2021-04-09", "2021-04-15")]


def test_to_dict_by_hand():
    """Catches renamed keys ("train", "mae") and scores rounded to a whole number or to 9 places, not 8."""
    table = pd.DataFrame({"train": [("2021-01-01", "2021-02-01"), ("2021-01-01", "2021-02-08")],
                          "test": [("2021-02-02", "2021-02-08"), ("2021-02-09", "2021-02-15")],
                          "mae": [1.0, 3.0]})
    result = bt.Backtest(NAIVE, table, [np.array([0.123456789, 2.5]), np.array([1.000000004])])
    assert result.to_dict() == {
        "folds": [{"train": ["2021-01-01", "2021-02-01"], "test": ["2021-02-02", "2021-02-08"], "mae": 1.0},
                  {"train": ["2021-01-01", "2021-02-08"], "test": ["2021-02-09", "2021-02-15"], "mae": 3.0}],
        "mae": 2.0, "std": 1.0, "scores": [[0.12345679, 2.5], [1.0]]}


# ---- candidates: every field of every candidate ------------------------------------------------------------------

BASE = RunSpec(model=ModelSpec(kind="sigmoid", units=7, layers=3, dropout=0.25, dtype="float64", ensemble=3),
               data=DataSpec(page="Christmas", days=5, valid_days=9),
               train=TrainSpec(epochs=500, lr=0.01, patience=4, seed=11))

Y = bt.YEARLY
#        name                             kind              units layers days valid patience epochs lags pool batch
EXPECTED = [("naive",                        "naive",          100, 1, 7, 0, None, 500, None, None, 32),
            ("seasonal naive",               "seasonal_naive", 100, 1, 7, 0, None, 500, None, None, 32),
            ("linear 7 days",                "linear",         100, 1, 7, 0, None, 500, None, None, 32),
            ("linear 14 days",               "linear",         100, 1, 14, 0, None, 500, None, None, 32),
            ("linear 28 days",               "linear",         100, 1, 28, 0, None, 500, None, None, 32),
            ("linear 56 days",               "linear",         100, 1, 56, 0, None, 500, None, None, 32),
            ("linear a year",                "linear",         100, 1, 371, 0, None, 500, Y, None, 32),
            ("sigmoid 100 units",            "sigmoid",        100, 1, 56, 28, 10, 500, None, None, 32),
            ("relu 2 × 100",                 "relu",           100, 2, 56, 28, 10, 500, None, None, 32),
            ("relu 2 × 100 a year",          "relu",           100, 2, 371, 28, 10, 500, Y, None, 32),
            ("linear a year all pages",      "linear",         100, 1, 371, 0, None, 500, Y, "pages", 256),
            ("relu 2 × 100 all pages",       "relu",           100, 2, 56, 28, 10, 500, None, "pages", 256),
            ("relu 2 × 100 a year all pages", "relu",          100, 2, 371, 28, 10, 500, Y, "pages", 256)]
EXPECTED += [(name + bt.SEASON, *row[1:]) for name in bt.NETWORKS for row in EXPECTED if row[0] == name]


def test_candidates_set_every_field_from_a_spec_unlike_them():
    """Catches a candidate keeping the spec's ensemble, layers, dropout, kind, valid_days, patience, lags or
    augmentation, a baseline on 8 days or scaled, the sigmoid without early stopping, a year of other days
    than 1..28 and 357..371, a pool on the wrong candidates or with the spec's batch size, or validation days
    a year before on other candidates than the five networks' twins."""
    chosen = bt.candidates(BASE.replace(lags=(1, 2, 3, 4, 5), augment="scale", batch_size=32))
    assert list(chosen) == [row[0] for row in EXPECTED]
    assert Y == (*range(1, 29), *range(357, 372))
    for name, kind, units, layers, days, valid, patience, epochs, lags, pool, batch in EXPECTED:
        spec = chosen[name]
        assert (spec.model.kind, spec.model.units, spec.model.layers, spec.model.dropout, spec.model.ensemble,
                spec.data.days, spec.data.valid_days, spec.train.patience, spec.train.epochs, spec.data.lags,
                spec.data.pool, spec.train.batch_size, spec.regularization.augment) == \
            (kind, units, layers, 0.0, 1, days, valid, patience, epochs, lags, pool, batch, None), name
        assert spec.data.scale == (None if kind in ("naive", "seasonal_naive") else "window"), name
        assert spec.data.valid_at == ("year_before" if name.endswith(bt.SEASON) else None), name
        assert (spec.data.page, spec.model.dtype, spec.train.lr, spec.train.seed) == ("Christmas", "float64", 0.01, 11)


def test_only_the_all_pages_candidates_pool_whatever_the_spec_says():
    """Catches the spec's pool kept on the other candidates (the baselines, unscaled, are then refused)."""
    chosen = bt.candidates(RunSpec().replace(scale="window", pool="pages"))
    assert {name: spec.data.pool for name, spec in chosen.items()} == {
        name: "pages" if "all pages" in name else None for name in chosen}


def test_candidates_networks_train_at_least_200_epochs():
    """Catches the networks' epochs not raised to 200 for a spec with fewer."""
    chosen = bt.candidates(BASE.replace(epochs=50))
    assert [chosen[name].train.epochs for name in ("linear 7 days", "sigmoid 100 units", "relu 2 × 100",
                                                   "relu 2 × 100 a year all pages")] == [50, 200, 200, 200]


# ---- compare, choose and fitting on fabricated backtests ------------------------------------------------------

SERIES = series(np.arange(10.0))  # passed through, never read by the fake backtest


class FakeBacktest:
    """Stands in for backtest(): MAE by model description (folds mae±1, so std 1), seconds 0.5, 1.0, … by call;
    records each call's arguments as the real signature binds them."""

    def __init__(self, maes: dict):
        self.maes, self.calls = maes, []

    def __call__(self, spec, series, n_folds=bt.FOLDS, fold_days=bt.FOLD_DAYS, horizon=bt.HORIZON, season=True):
        self.calls.append((spec, series, n_folds, fold_days, horizon, season))
        mae = self.maes[spec.describe()]
        table = pd.DataFrame({"train": [("a", "b")] * 2, "test": [("c", "d")] * 2, "mae": [mae - 1, mae + 1]})
        return bt.Backtest(spec, table, [np.zeros(3)], 0.5 * len(self.calls))


# ties everywhere: a sort that is not stable reorders them
TIED = {"naive (yesterday's value)": 5.0, "seasonal naive (the value a week before)": 4.0,
        "linear, 7 days": 5.0, "linear, 14 days": 4.0, "linear, 28 days": 5.0, "linear, 56 days": 4.0,
        "sigmoid, 100 units, 56 days": 5.0, "relu, 2 layers of 100, 56 days": 4.0,
        "linear, 43 of 371 days (1–28, 357–371)": 5.0, "relu, 2 layers of 100, 43 of 371 days (1–28, 357–371)": 5.0,
        "linear, 43 of 371 days (1–28, 357–371), trained on the built-in pages too": 5.0,
        "relu, 2 layers of 100, 56 days, trained on the built-in pages too": 5.0,
        "relu, 2 layers of 100, 43 of 371 days (1–28, 357–371), trained on the built-in pages too": 5.0}
# the candidates at 5.0 after linear 28 days, in their order (the seconds are their calls': 0.5 × call)
LATER = [("linear a year", "linear, 43 of 371 days (1–28, 357–371)", 5.0, 3.5),
         ("sigmoid 100 units", "sigmoid, 100 units, 56 days", 5.0, 4.0),
         ("relu 2 × 100 a year", "relu, 2 layers of 100, 43 of 371 days (1–28, 357–371)", 5.0, 5.0),
         ("linear a year all pages", "linear, 43 of 371 days (1–28, 357–371), trained on the built-in pages too", 5.0, 5.5),
         ("relu 2 × 100 all pages", "relu, 2 layers of 100, 56 days, trained on the built-in pages too", 5.0, 6.0),
         ("relu 2 × 100 a year all pages",
          "relu, 2 layers of 100, 43 of 371 days (1–28, 357–371), trained on the built-in pages too", 5.0, 6.5)]
YEAR_RELU = "relu, 2 layers of 100, 43 of 371 days (1–28, 357–371)"
LATER += [("sigmoid 100 units" + bt.SEASON, "sigmoid, 100 units, 56 days, validated a year before", 5.0, 7.0),
          ("relu 2 × 100" + bt.SEASON, "relu, 2 layers of 100, 56 days, validated a year before", 5.0, 7.5),
          ("relu 2 × 100 a year" + bt.SEASON, f"{YEAR_RELU}, validated a year before", 5.0, 8.0),
          ("relu 2 × 100 all pages" + bt.SEASON,
           "relu, 2 layers of 100, 56 days, trained on the built-in pages too, validated a year before", 5.0, 8.5),
          ("relu 2 × 100 a year all pages" + bt.SEASON,
           f"{YEAR_RELU}, trained on the built-in pages too, validated a year before", 5.0, 9.0)]
TIED |= {model: mae for _, model, mae, _ in LATER[-5:]}


def rows(*entries):
    return pd.DataFrame([{"candidate": c, "model": m, "mae": mae, "std": 1.0, "seconds": s} for c, m, mae, s in entries])


def test_compare_passes_its_arguments_and_tells_on_done_each_result(monkeypatch):
    """Catches the series, n_folds, fold_days or horizon not passed through (None, dropped or shifted), and
    on_done called without the name or the result."""
    fake = FakeBacktest(TIED)
    monkeypatch.setattr(bt, "backtest", fake)
    specs = bt.candidates(RunSpec())
    told = []
    table, done = bt.compare(specs, SERIES, 2, 9, 5, on_done=lambda *args: told.append(args))
    assert [call[1:] for call in fake.calls] == [(SERIES, 2, 9, 5, False)] * 18  # 10 days: no room a year before
    assert all(call[1] is SERIES for call in fake.calls)
    assert [call[0] for call in fake.calls] == list(specs.values())
    assert list(done) == list(specs) and list(specs.values()) == [result.spec for result in done.values()]
    assert len(told) == 18 and all(name == expected and result is done[name]
                                  for (name, result), expected in zip(told, specs))


def test_compare_and_choose_backtest_everyone_on_the_year_before_when_all_have_room(monkeypatch):
    """Catches the year before's fold dropped (season=False passed) by compare or by choose's ensemble."""
    from gradstep.data import load_pageviews
    fake = FakeBacktest({**WIN, "seasonal naive (the value a week before)": 4.0})
    monkeypatch.setattr(bt, "backtest", fake)
    views = load_pageviews("Standard_deviation")
    name, _, _ = bt.choose(bt.candidates(RunSpec()), views, blend=1)
    assert name == "linear 14 days" and len(fake.calls) == 19
    assert [call[5] for call in fake.calls] == [True] * 19


def test_compare_table_is_ranked_stably_with_exact_columns(monkeypatch):
    """Catches renamed columns, a model described with days=None, an "index" column (drop=False), and a sort
    that is not stable on ties (the default quicksort)."""
    monkeypatch.setattr(bt, "backtest", FakeBacktest(TIED))
    table, _ = bt.compare(bt.candidates(RunSpec()), SERIES)
    expected = rows(("seasonal naive", "seasonal naive (the value a week before)", 4.0, 1.0),
                    ("linear 14 days", "linear, 14 days", 4.0, 2.0),
                    ("linear 56 days", "linear, 56 days", 4.0, 3.0),
                    ("relu 2 × 100", "relu, 2 layers of 100, 56 days", 4.0, 4.5),
                    ("naive", "naive (yesterday's value)", 5.0, 0.5),
                    ("linear 7 days", "linear, 7 days", 5.0, 1.5),
                    ("linear 28 days", "linear, 28 days", 5.0, 2.5), *LATER)
    pd.testing.assert_frame_equal(table, expected)


# the linear 14 days model wins, tied with three others; its ensemble ties it too
WIN = {**TIED, "linear, 14 days": 3.0, "linear, 56 days": 3.0, "relu, 2 layers of 100, 56 days": 3.0,
       "seasonal naive (the value a week before)": 3.0, "linear, 14 days, mean of 3 seeds": 3.0,
       "linear, 14 days, mean of 2 seeds": 2.0}


def test_choose_passes_its_arguments_to_both_backtests_and_on_done(monkeypatch):
    """Catches the series, n_folds, fold_days, horizon or on_done not passed to compare or to the ensemble's
    backtest, and on_done told the ensemble without its label or result."""
    fake = FakeBacktest({**WIN, "seasonal naive (the value a week before)": 4.0})
    monkeypatch.setattr(bt, "backtest", fake)
    told = []
    name, best, table = bt.choose(bt.candidates(RunSpec()), SERIES, 2, 9, 5, blend=1, on_done=lambda *args: told.append(args))
    assert [call[1:] for call in fake.calls] == [(SERIES, 2, 9, 5, False)] * 19
    assert all(call[1] is SERIES for call in fake.calls)
    assert fake.calls[-1][0] == bt.candidates(RunSpec())["linear 14 days"].replace(ensemble=3)
    assert [args[0] for args in told] == [*bt.candidates(RunSpec()), "linear 14 days, mean of 3 seeds"]
    assert told[-1][1].spec.model.ensemble == 3 and told[-1][1].seconds == 9.5
    assert name == "linear 14 days" and best.spec.model.ensemble == 1


def test_choose_table_adds_the_ensemble_row_stably_with_exact_columns(monkeypatch):
    """Catches renamed columns of the ensemble's row, its model described with days=None, an "index" column,
    and a sort that is not stable on ties; the default of 3 seeds."""
    monkeypatch.setattr(bt, "backtest", FakeBacktest(WIN))
    name, best, table = bt.choose(bt.candidates(RunSpec()), SERIES, blend=1)
    expected = rows(("seasonal naive", "seasonal naive (the value a week before)", 3.0, 1.0),
                    ("linear 14 days", "linear, 14 days", 3.0, 2.0),
                    ("linear 56 days", "linear, 56 days", 3.0, 3.0),
                    ("relu 2 × 100", "relu, 2 layers of 100, 56 days", 3.0, 4.5),
                    ("linear 14 days, mean of 3 seeds", "linear, 14 days, mean of 3 seeds", 3.0, 9.5),
                    ("naive", "naive (yesterday's value)", 5.0, 0.5),
                    ("linear 7 days", "linear, 7 days", 5.0, 1.5),
                    ("linear 28 days", "linear, 28 days", 5.0, 2.5), *LATER)
    # seasonal_naive ties the winner but comes first: the winner is the first row, a baseline: no ensemble
    assert name == "seasonal naive"
    pd.testing.assert_frame_equal(table, expected.drop(index=4).reset_index(drop=True))
    monkeypatch.setattr(bt, "backtest", FakeBacktest({**WIN, "seasonal naive (the value a week before)": 4.0}))
    name, best, table = bt.choose(bt.candidates(RunSpec()), SERIES, blend=1)
    expected = rows(("linear 14 days", "linear, 14 days", 3.0, 2.0),
                    ("linear 56 days", "linear, 56 days", 3.0, 3.0),
                    ("relu 2 × 100", "relu, 2 layers of 100, 56 days", 3.0, 4.5),
                    ("linear 14 days, mean of 3 seeds", "linear, 14 days, mean of 3 seeds", 3.0, 9.5),
                    ("seasonal naive", "seasonal naive (the value a week before)", 4.0, 1.0),
                    ("naive", "naive (yesterday's value)", 5.0, 0.5),
                    ("linear 7 days", "linear, 7 days", 5.0, 1.5),
                    ("linear 28 days", "linear, 28 days", 5.0, 2.5), *LATER)
    assert name == "linear 14 days" and best.spec.model.ensemble == 1  # a tie is not lower: the single model
    pd.testing.assert_frame_equal(table, expected)


@pytest.mark.parametrize("seeds, label", [pytest.param(1, None, id="seeds1"),
                                         pytest.param(2, "linear 14 days, mean of 2 seeds", id="seeds2")])
def test_choose_backtests_an_ensemble_for_every_seeds_above_one(monkeypatch, seeds, label):
    """Catches an ensemble of seeds=1 (>= 1) or none for seeds=2 (> 2)."""
    fake = FakeBacktest({**WIN, "seasonal naive (the value a week before)": 4.0})
    monkeypatch.setattr(bt, "backtest", fake)
    name, best, table = bt.choose(bt.candidates(RunSpec()), SERIES, seeds=seeds, blend=1)
    assert len(fake.calls) == 18 + (label is not None)
    assert name == (label or "linear 14 days") and best.spec.model.ensemble == seeds
    assert list(table["candidate"])[:2] == ([label, "linear 14 days"] if label else ["linear 14 days", "linear 56 days"])


def test_fitting_counts_the_folds_each_candidate_has_room_for():
    """Catches rooms not computed from (spec, series, fold_days) as given, or a spec too short to split
    counted as 1 fold instead of left out."""
    s = series(np.arange(150) + 1.0)
    # the training part's targets: 150 - 45 - days days; a fold needs days + n_inputs + valid_days + 30 before it;
    # 56 days (linear 56, sigmoid, relu) cannot even be split: 56 + 57 + 45 > 150
    assert bt.fitting(bt.candidates(RunSpec()), s, 10) == {
        "naive": (98 - 44) // 10, "seasonal naive": (98 - 44) // 10, "linear 7 days": (98 - 44) // 10,
        "linear 14 days": (91 - 58) // 10}  # linear 28 days: 77 - 86 < 0, no room
    with pytest.raises(InputError):
        bt.max_folds(bt.candidates(RunSpec())["linear 56 days"], s, 10)


# ---- baselines ----------------------------------------------------------------------------------------------------

def test_baseline_predictions_of_a_whole_number_series_are_float64():
    """Catches predictions left in the series' own dtype (int64, which cannot hold the NaN of a missing day)."""
    s = pd.Series(np.arange(10), index=pd.date_range("2021-01-01", periods=10, freq="D"))
    prediction = baseline_predictions(s, s.index[7:], 7)
    assert prediction.dtype == np.float64
    np.testing.assert_array_equal(prediction, [0.0, 1.0, 2.0])


@pytest.mark.parametrize("shape", ["column", "object"])
def test_baseline_errors_take_a_column_or_object_truth(shape):
    """Catches truth not flattened (reshape(None): a (3, 1) column broadcasts to 3 × 3 errors) or not
    converted to float64 (an object array makes the errors objects, which isfinite refuses)."""
    s = series([1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
    truth = s.iloc[7:].to_numpy()
    truth = truth.reshape(-1, 1) if shape == "column" else truth.astype(object)
    result = baseline_errors(s, s.index[7:], truth)
    assert result == {"naive": {"mae": (64 + 128 + 256) / 3, "mse": (64**2 + 128**2 + 256**2) / 3},
                      "seasonal_naive": {"mae": (127 + 254 + 508) / 3, "mse": (127**2 + 254**2 + 508**2) / 3}}


def test_mase_scale_is_none_without_a_value_a_week_before():
    """Catches a missing seasonal naive looked up in None (.get on None) instead of in {}."""
    s = series(np.arange(10.0) + 1)
    assert mase_scale(s, s.index[1:5], s.iloc[1:5].to_numpy()) is None
