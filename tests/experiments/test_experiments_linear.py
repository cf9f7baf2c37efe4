"""src/gradstep/experiments/linear.py: linear models on 1, 7, 28 and 56 days, their error table and weights."""

import re

from gradstep.experiments import linear
from gradstep.experiments.common import Settings


def test_tables_show_mean_and_spread_over_seeds_beside_the_lecture(reproduced):
    out, studies, _ = reproduced
    errors, weights = studies["linear"].tables
    assert [len(errors.rows), len(weights.rows)] == [4, 2]
    assert [row[0] for row in errors.rows] == ["1", "7", "28", "56"]
    assert all(re.fullmatch(r"\d+\.\d{3} ± \d+\.\d{3}", cell) for row in errors.rows for cell in row[1:4])
    assert [row[-2:] for row in errors.rows] == [["0.48", "0.58"], ["0.38", "0.49"], ["0.33", "0.46"],
                                                 ["0.32", "0.46"]]
    assert weights.rows[1] == ["book", "0.05", "0.79", "-0.31", "0.12", "-0.01", "-0.10", "0.30", "0.18"]
    assert (out / "linear_test.png").read_bytes()[:4] == b"\x89PNG"


def test_finding_quotes_the_tables_means(reproduced, means):
    _, studies, _ = reproduced
    study = studies["linear"]
    errors = study.tables[0]
    assert f"test error L′ goes {means(errors, 2)}k" in study.finding
    assert f"training error L goes {means(errors, 1)}k" in study.finding


# hand-made results, 2 seeds: (mean, half the gap between the seeds) in k views, per days
TRAIN = {1: (0.50, 0.01), 7: (0.40, 0.01), 28: (0.35, 0.01), 56: (0.30, 0.01)}
TEST = {1: (0.60, 0.02), 7: (0.55, 0.02), 28: (0.52, 0.02), 56: (0.49, 0.02)}
YEAR = {1: (0.70, 0.03), 7: (0.65, 0.03), 28: (0.62, 0.03), 56: (0.60, 0.03)}


def _results(year=True):
    results = {}
    for days in linear.DAYS:
        for seed, sign in ((0, -1), (1, 1)):
            results[("linear", days, seed)] = {
                part: 1e3 * (numbers[days][0] + sign * numbers[days][1])
                for part, numbers in (("train", TRAIN), ("test", TEST), ("year", YEAR))}
            if not year:
                results[("linear", days, seed)]["year"] = None
    results[("linear", 7, 0)]["weights"] = {"b": 50.0, "w": [0.10, -0.90, 0.30, 0.05, 0.60, 0.00, 0.02]}
    results[("linear", 7, 1)]["weights"] = {"b": 999.0, "w": [0.5, 0.4, 0.3, 0.2, 0.1, 0.0, -0.7]}
    for seed in (0, 1):
        results[("linear", 56, seed)].update(dates=["2021-01-01", "2021-01-02"], truth=[1000.0 + seed, 1100.0],
                                             prediction=[900.0 + seed, 1200.0])
    return results


def test_report_puts_each_part_in_its_column(tmp_path):
    study = linear.report(Settings(seeds=2), _results(), tmp_path)
    errors, weights = study.tables
    assert errors.rows == [
        ["1", "0.500 ± 0.014", "0.600 ± 0.028", "0.700 ± 0.042", "0.48", "0.58"],
        ["7", "0.400 ± 0.014", "0.550 ± 0.028", "0.650 ± 0.042", "0.38", "0.49"],
        ["28", "0.350 ± 0.014", "0.520 ± 0.028", "0.620 ± 0.042", "0.33", "0.46"],
        ["56", "0.300 ± 0.014", "0.490 ± 0.028", "0.600 ± 0.042", "0.32", "0.46"],
    ]
    assert weights.rows[0] == ["gradstep", "0.05", "0.10", "-0.90", "0.30", "0.05", "0.60", "0.00", "0.02"]
    assert (tmp_path / "linear_test.png").read_bytes()[:4] == b"\x89PNG"


def test_finding_quotes_the_test_and_training_means_and_the_heaviest_weights(tmp_path, monkeypatch):
    monkeypatch.setattr(linear, "prediction_plot", lambda *args, **kwargs: None)
    study = linear.report(Settings(seeds=2), _results(), tmp_path)
    assert study.finding == (
        "Over 1, 7, 28 and 56 days the test error L′ goes 0.600 → 0.550 → 0.520 → 0.490k (falls at every step; the "
        "lecture: 0.58 → 0.49 → 0.46 → 0.46) and the training error L goes 0.500 → 0.400 → 0.350 → 0.300k (falls "
        "at every step; the lecture: 0.48 → 0.38 → 0.33 → 0.32). The 7-day model leans most on w2 = -0.90 (2 days "
        "before) and w5 = 0.60 (5 days before).")


def test_figure_shows_seed_0s_56_day_model_on_the_test_days(tmp_path, monkeypatch):
    drawn = []
    monkeypatch.setattr(linear, "prediction_plot", lambda *args, **kwargs: drawn.append((args, kwargs)))
    linear.report(Settings(seeds=2), _results(), tmp_path)
    (args, kwargs), = drawn
    assert args == (["2021-01-01", "2021-01-02"], [1000.0, 1100.0], [900.0, 1200.0], tmp_path / "linear_test.png")
    assert kwargs["title"] == "56-day linear model on the test days: MAE 0.470k" and kwargs["t"].lang == "en"
    assert kwargs["thousands"] is True  # its tables are in thousands, so its figure is too


def test_a_series_without_2021_has_a_dash_for_the_year(tmp_path, monkeypatch):
    monkeypatch.setattr(linear, "prediction_plot", lambda *args, **kwargs: None)
    study = linear.report(Settings(seeds=2), _results(year=False), tmp_path)
    assert [row[3] for row in study.tables[0].rows] == ["–"] * 4
    assert [row[2] for row in study.tables[0].rows][0] == "0.600 ± 0.028"
