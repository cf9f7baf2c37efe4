"""src/gradstep/experiments/common.py: the words and numbers every study's report is made of, and train_model."""

import numpy as np
import pandas as pd
import pytest

from gradstep.experiments.common import (
    Job,
    Settings,
    covers,
    k,
    lecture,
    mean_k,
    movement,
    path,
    seeded,
    summary,
    train_model,
    training_job,
    trend,
)
from gradstep.experiments.common import test_description as describe_test_days
from gradstep.spec import DataSpec, ModelSpec, RunSpec, TrainSpec


@pytest.mark.parametrize("means, spreads, words", [
    ([0.5, 0.4, 0.3], [0.01, 0.01, 0.01], "falls at every step"),
    ([0.3, 0.4, 0.5], [0.01, 0.01, 0.01], "rises at every step"),
    ([0.5, 0.3, 0.4], [0.01, 0.01, 0.01], "lowest with b"),
    ([0.4, 0.5, 0.3], [0.0, 0.0, 0.0], "lowest with c"),
    ([0.5, 0.5, 0.4], [0.0, 0.0, 0.0], "lowest with c"),
    ([0.5, 0.49, 0.48], [0.02, 0.02, 0.02], "falls at every step; all within the spread over seeds"),
    ([0.5, 0.45, 0.4], [0.02, 0.02, 0.02], "falls at every step"),
    # the range (0.1) is within twice the largest spread (2 × 0.06), not twice the others (2 × 0.01)
    ([0.4, 0.3, 0.35], [0.01, 0.06, 0.01], "lowest with b; all within the spread over seeds"),
    ([0.4, 0.3, 0.35], [0.05, 0.05, 0.05], "lowest with b"),
])
def test_trend_words_follow_the_numbers(means, spreads, words):
    assert trend(means, spreads, ["a", "b", "c"]) == words


def test_k_is_mean_and_sample_std_in_thousands():
    assert k([400.0, 600.0]) == "0.500 ± 0.141"          # std with ddof=1: 0.1414; ddof=0 would give 0.100
    assert k([1000.0, 2000.0, 6000.0]) == "3.000 ± 2.646"
    assert k([400.0, 600.0], spread=False) == "0.500"
    assert k([512.3456]) == "0.512"
    assert k([400.0, None]) == "–" and k([None]) == "–"


def test_mean_k_and_summary_in_thousands():
    assert mean_k([400.0, 600.0, 1100.0]) == pytest.approx(0.7)
    runs = [{"train": 400.0, "test": 900.0}, {"train": 600.0, "test": 1300.0}]
    assert summary(runs, "train") == pytest.approx((0.5, np.sqrt(0.02)))
    assert summary(runs, "test") == pytest.approx((1.1, np.sqrt(0.08)))
    assert summary(runs[:1], "test") == (0.9, 0.0)


def test_movement_path_and_lecture_numbers():
    numbers = [(0.5, 0.01), (0.4, 0.01), (0.45, 0.01)]
    assert movement(numbers, ["1 day", "7 days", "28 days"], [0.48, 0.38, 0.33]) == \
        "goes 0.500 → 0.400 → 0.450k (lowest with 7 days; the lecture: 0.48 → 0.38 → 0.33)"
    assert movement([(0.3, 0.1), (0.2, 0.1)], ["a", "b"]) == \
        "goes 0.300 → 0.200k (falls at every step; all within the spread over seeds)"
    assert path([1.23456, 2.5], 2) == "1.23 → 2.50"
    assert lecture(0.456) == "0.46" and lecture(None) == "–"


def test_settings_seeds_and_jobs():
    assert Settings(quick=True).epochs(200, 8) == 8 and Settings(quick=False).epochs(200, 8) == 200
    assert list(seeded(Settings(seeds=3))) == [0, 1, 2]
    assert Job(("pow",), pow, {"base": 2, "exp": 10}).run() == 1024
    job = training_job(("linear", 7, 1), ModelSpec("linear"), TrainSpec(epochs=3, seed=1), Settings(), days=7,
                       cost=0.3, weights=True)
    assert job.key == ("linear", 7, 1) and job.function is train_model and job.cost == 0.3
    assert job.kwargs["weights"] is True
    spec = RunSpec.from_dict(job.kwargs["spec"])
    assert spec.data.days == 7 and spec.train.seed == 1 and spec.train.epochs == 3


def test_the_built_in_page_covers_the_lecture():
    assert covers(DataSpec(), "2021-02-14") and covers(DataSpec(), "2021-12-31")
    assert describe_test_days(DataSpec()).startswith("train 2017-01-01..2020-12-31, test 2021-01-01..2021-02-14")


def test_a_studys_numbers_match_an_independent_recomputation():
    """train_model's "train" and "test" are the MAE of its own predictions, recomputed here from the linear model's
    weights in views (y = b + Σ wj xj) on the windows built by hand: reporting one part as another fails."""
    from gradstep.data import load_pageviews
    spec = RunSpec(model=ModelSpec("linear"), train=TrainSpec(epochs=3)).replace(days=7, dtype="float64")
    result = train_model(spec.to_dict(), predictions=True, weights=True)
    views = load_pageviews().to_numpy()
    dates = load_pageviews().index
    w, b = np.asarray(result["weights"]["w"]), result["weights"]["b"]

    def mae(first, last):
        rows = [i for i in range(7, len(views)) if first <= dates[i] <= last]
        X = np.stack([views[i - 7:i][::-1] for i in rows])
        return np.abs(b + X @ w - views[rows]).mean()
    assert result["train"] == pytest.approx(mae(pd.Timestamp("2017-01-01"), pd.Timestamp("2020-12-31")), rel=1e-9)
    assert result["test"] == pytest.approx(mae(pd.Timestamp("2021-01-01"), pd.Timestamp("2021-02-14")), rel=1e-9)
    assert result["year"] == pytest.approx(mae(pd.Timestamp("2021-01-01"), pd.Timestamp("2021-12-31")), rel=1e-9)
    assert result["test"] == pytest.approx(np.abs(np.subtract(result["prediction"], result["truth"])).mean())
    assert result["epochs"] == 3


def test_train_model_on_a_series_not_covering_2021_tests_its_last_45_days_and_has_no_year(tmp_path):
    from gradstep.data import load_pageviews
    series = load_pageviews("Standard_deviation").loc["2022-06-01":"2023-12-31"]
    csv = tmp_path / "views.csv"
    series.rename("Views").rename_axis("Date").to_frame().to_csv(csv)
    data = DataSpec(csv=str(csv))
    assert not covers(data, "2021-02-14")
    assert describe_test_days(data).startswith("the series spans 2022-06-01..2023-12-31, not the lecture's 2017–2021")
    spec = RunSpec(data=data, model=ModelSpec("linear", dtype="float64"), train=TrainSpec(epochs=2)).replace(days=7)
    result = train_model(spec.to_dict(), predictions=True)
    assert result["year"] is None
    assert result["dates"] == [f"{d:%Y-%m-%d}" for d in pd.date_range("2023-11-17", "2023-12-31")]
    assert result["truth"] == series.loc["2023-11-17":].tolist()
    assert result["test"] == pytest.approx(np.abs(np.subtract(result["prediction"], result["truth"])).mean())
    assert k([result["year"]]) == "–"


def test_a_series_ending_in_2021_takes_the_lectures_split_without_the_year(tmp_path):
    """Covering 2017-01-01..2021-06-30: the run path splits as the lecture does, and there is no whole year 2021."""
    from gradstep.data import load_pageviews
    csv = tmp_path / "views.csv"
    load_pageviews().loc[:"2021-06-30"].rename("Views").rename_axis("Date").to_frame().to_csv(csv)
    data = DataSpec(csv=str(csv))
    assert covers(data, "2021-02-14") and not covers(data, "2021-12-31")
    assert describe_test_days(data) == ("train 2017-01-01..2020-12-31, test 2021-01-01..2021-02-14 as in the "
                                        "lecture")
    spec = RunSpec(data=data, model=ModelSpec("linear"), train=TrainSpec(epochs=1)).replace(days=7)
    assert train_model(spec.to_dict())["year"] is None
