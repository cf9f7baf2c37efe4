"""src/gradstep/experiments/depth.py: 1 to 4 layers of 100 ReLUs, and the verdict on overfitting."""

import re

import pytest

from gradstep.experiments import depth
from gradstep.experiments.common import Settings

VERDICTS = ("overfitting, as the lecture's 4 layers show", "the deeper networks are harder to train here",
            "within the spread over seeds of it", "the deepest model is also the best on the test days")


def test_table_rows_and_the_lectures_numbers(reproduced):
    out, studies, _ = reproduced
    study = studies["depth"]
    assert [len(table.rows) for table in study.tables] == [4]
    table = study.tables[0]
    assert [row[0] for row in table.rows] == ["1", "2", "3", "4"]
    assert all(re.fullmatch(r"\d+\.\d{3} ± \d+\.\d{3}", cell) for row in table.rows for cell in row[1:5])
    assert [row[-2:] for row in table.rows] == [["0.28", "0.43"], ["0.18", "0.39"], ["0.14", "0.38"], ["0.10", "0.44"]]
    assert (out / "depth.png").read_bytes()[:4] == b"\x89PNG"


def test_finding_quotes_the_tables_means_and_gives_one_verdict(reproduced, means):
    _, studies, _ = reproduced
    study = studies["depth"]
    table = study.tables[0]
    assert f"the training error L goes {means(table, 1)}k" in study.finding
    assert f"the test error L′ goes {means(table, 3)}k" in study.finding
    assert sum(words in study.finding for words in VERDICTS) == 1


def _results(train, test, year=None, half=0.005, valid=(0.50, 0.45, 0.40, 0.48)):
    """2 seeds per depth: the given means (k views) ± half; the year falls with depth unless given; validation lowest
    at 3 layers unless given; seed 0 with a history and test predictions that name its depth."""
    year = year or (0.60, 0.55, 0.50, 0.45)
    results = {("depth", n, seed): {"train": 1e3 * (train[i] + sign * half), "test": 1e3 * (test[i] + sign * half),
                                    "valid": 1e3 * (valid[i] + sign * half),
                                    "year": None if year == "none" else 1e3 * year[i]}
               for i, n in enumerate(depth.LAYERS) for seed, sign in ((0, -1), (1, 1))}
    for n in depth.LAYERS:
        results[("depth", n, 0)].update(history={"epoch": [1, 2], "train_mae": [2.0 * n, n], "valid_mae": [3.0, n]},
                                        dates=["2021-01-01"], truth=[1.0], prediction=[float(n)])
    return results


@pytest.fixture
def drawn(record):
    record(depth, "curves_plot")
    record(depth, "prediction_plot")
    return record(depth, "depth_plot")


FALLING_TRAIN = (0.30, 0.20, 0.15, 0.10)


@pytest.mark.parametrize("train, test, half, verdict", [
    # 2 layers best on test, 4 clearly worse there (0.15 ≫ 2 × 0.007) yet best on train
    (FALLING_TRAIN, (0.45, 0.40, 0.42, 0.55), 0.005,
     "Beyond 2 layers more depth fits the training days better but the test days worse: overfitting, as the "
     "lecture's 4 layers show."),
    # the same test numbers, but train is best at 2 layers too
    ((0.30, 0.20, 0.25, 0.35), (0.45, 0.40, 0.42, 0.55), 0.005,
     "Beyond 2 layers more depth is worse on the test days, and no better on the training days: the deeper "
     "networks are harder to train here."),
    # 4 layers only 0.02 worse than 2 on test, with a spread of 0.028 per depth
    (FALLING_TRAIN, (0.45, 0.40, 0.41, 0.42), 0.02,
     "The test error is lowest with 2 layers, but the deepest model is within the spread over seeds of it, so these "
     "runs do not show the lecture's overfitting at 4 layers clearly."),
    (FALLING_TRAIN, (0.45, 0.40, 0.38, 0.37), 0.005,
     "Here the deepest model is also the best on the test days: no overfitting shows at 4 layers."),
])
def test_verdict_follows_the_test_and_train_means_and_the_spread(tmp_path, drawn, train, test, half, verdict):
    """The year falls with depth in every case, and train falls in most: judging by either instead of the test
    days, or ignoring the spread, picks another verdict."""
    study = depth.report(Settings(seeds=2), _results(train, test, half=half), tmp_path)
    assert study.finding.endswith(verdict)
    assert sum(words in study.finding for words in VERDICTS) == 1


def test_table_finding_and_figure_use_train_test_and_year_in_their_places(tmp_path, drawn):
    train, test = FALLING_TRAIN, (0.45, 0.40, 0.42, 0.55)
    study = depth.report(Settings(seeds=2), _results(train, test), tmp_path)
    assert study.tables[0].rows == [
        ["1", "0.300 ± 0.007", "0.500 ± 0.007", "0.450 ± 0.007", "0.600 ± 0.000", "0.28", "0.43"],
        ["2", "0.200 ± 0.007", "0.450 ± 0.007", "0.400 ± 0.007", "0.550 ± 0.000", "0.18", "0.39"],
        ["3", "0.150 ± 0.007", "0.400 ± 0.007", "0.420 ± 0.007", "0.500 ± 0.000", "0.14", "0.38"],
        ["4", "0.100 ± 0.007", "0.480 ± 0.007", "0.550 ± 0.007", "0.450 ± 0.000", "0.10", "0.44"],
    ]
    assert study.finding.startswith(
        "With 1 to 4 layers of 100 ReLUs the training error L goes 0.300 → 0.200 → 0.150 → 0.100k (falls at every "
        "step; the lecture: 0.28 → 0.18 → 0.14 → 0.10) and the test error L′ goes 0.450 → 0.400 → 0.420 → 0.550k "
        "(lowest with 2 layers; the lecture: 0.43 → 0.39 → 0.38 → 0.44). The validation days choose 3 layers. ")
    (layers, train_line, test_line, year_line, book, where), = drawn
    assert layers == (1, 2, 3, 4) and where == tmp_path / "depth.png"
    assert train_line == pytest.approx(train) and test_line == pytest.approx(test)
    assert year_line == pytest.approx([0.60, 0.55, 0.50, 0.45]) and book == [depth.LECTURE[n] for n in (1, 2, 3, 4)]


def test_without_a_year_the_figure_has_no_year_line(tmp_path, drawn):
    study = depth.report(Settings(seeds=2), _results(FALLING_TRAIN, (0.45, 0.40, 0.42, 0.55), year="none"), tmp_path)
    assert [row[4] for row in study.tables[0].rows] == ["–"] * 4
    assert drawn[0][3] is None


def test_the_depth_is_chosen_on_validation_and_only_its_test_predictions_are_drawn(tmp_path, record):
    """Validation is lowest at 3 layers, the test days at 2: choosing by the test days would draw the 2-layer run."""
    record(depth, "depth_plot")
    curves = record(depth, "curves_plot")
    predictions = record(depth, "prediction_plot")
    results = _results(FALLING_TRAIN, (0.45, 0.40, 0.42, 0.55))
    study = depth.report(Settings(seeds=2), results, tmp_path)
    assert "The validation days choose 3 layers." in study.finding
    (dates, truth, prediction, where), = predictions
    assert prediction == [3.0] and where == tmp_path / "depth_test.png"
    (histories, where), = curves
    assert histories == {n: results[("depth", n, 0)]["history"] for n in depth.LAYERS}
    assert [name for name, _ in study.figures] == ["depth.png", "depth_curves.png", "depth_test.png"]
    assert "(3 layers)" in study.figures[2][1]


def test_the_jobs_hold_out_validation_days_and_keep_seed_0s_history_and_predictions():
    jobs = depth.jobs(Settings(seeds=2, quick=True))
    assert len(jobs) == 8 and all(job.kwargs["spec"]["data"]["valid_days"] == depth.VALID_DAYS for job in jobs)
    assert [(job.kwargs["history"], job.kwargs["predictions"]) for job in jobs] == [(True, True), (False, False)] * 4
