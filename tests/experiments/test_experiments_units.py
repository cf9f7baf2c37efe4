"""src/gradstep/experiments/units.py: one layer of 10, 100 and 1000 sigmoids or ReLUs."""

import re

import pytest

from gradstep.experiments import units
from gradstep.experiments.common import Settings


def _relu_rows(table):
    return type(table)(table.title, table.columns, [row for row in table.rows if row[1] == "relu"])


def test_table_rows_and_the_lectures_relu_numbers(reproduced):
    _, studies, _ = reproduced
    study = studies["units"]
    assert [len(table.rows) for table in study.tables] == [6]
    table = study.tables[0]
    assert [row[:2] for row in table.rows] == [[u, kind] for kind in ("sigmoid", "relu") for u in ("10", "100", "1000")]
    assert all(re.fullmatch(r"\d+\.\d{3} ± \d+\.\d{3}", cell) for row in table.rows for cell in row[2:5])
    assert [row[-2:] for row in table.rows if row[1] == "relu"] == [["0.32", "0.45"], ["0.28", "0.43"], ["0.27", "0.43"]]
    assert [row[-2:] for row in table.rows if row[1] == "sigmoid"] == [["–", "–"]] * 3
    assert [name for name, _ in study.figures] == ["units.png"] and not study.claims


def test_finding_quotes_the_tables_means(reproduced, means):
    _, studies, _ = reproduced
    study = studies["units"]
    relu = _relu_rows(study.tables[0])
    assert f"ReLUs the training error L goes {means(relu, 2)}k" in study.finding
    assert f"the test error L′ goes {means(relu, 3)}k" in study.finding


# hand-made results, 2 seeds: means in k views per (kind, part), one per number of units; seeds ± 0.005
MEANS = {("relu", "train"): (0.40, 0.35, 0.30), ("relu", "test"): (0.50, 0.48, 0.49),
         ("sigmoid", "train"): (0.60, 0.55, 0.52), ("sigmoid", "test"): (0.70, 0.72, 0.74)}


def _results():
    results = {}
    for kind in ("sigmoid", "relu"):
        for i, u in enumerate(units.UNITS):
            for seed, sign in ((0, -1), (1, 1)):
                results[("units", kind, u, seed)] = {
                    "train": 1e3 * (MEANS[kind, "train"][i] + sign * 0.005),
                    "test": 1e3 * (MEANS[kind, "test"][i] + sign * 0.005),
                    "year": 1e3 * (0.9 + i / 100) if kind == "relu" else None}
    return results


def test_report_puts_each_kind_and_part_in_its_place(tmp_path, record):
    drawn = record(units, "units_plot")
    study = units.report(Settings(seeds=2), _results(), tmp_path)
    assert study.tables[0].rows == [
        ["10", "sigmoid", "0.600 ± 0.007", "0.700 ± 0.007", "–", "–", "–"],
        ["100", "sigmoid", "0.550 ± 0.007", "0.720 ± 0.007", "–", "–", "–"],
        ["1000", "sigmoid", "0.520 ± 0.007", "0.740 ± 0.007", "–", "–", "–"],
        ["10", "relu", "0.400 ± 0.007", "0.500 ± 0.007", "0.900 ± 0.000", "0.32", "0.45"],
        ["100", "relu", "0.350 ± 0.007", "0.480 ± 0.007", "0.910 ± 0.000", "0.28", "0.43"],
        ["1000", "relu", "0.300 ± 0.007", "0.490 ± 0.007", "0.920 ± 0.000", "0.27", "0.43"],
    ]
    (sizes, numbers, where), = drawn
    assert sizes == units.UNITS and where == tmp_path / "units.png"
    for (kind, part), means in MEANS.items():
        assert [mean for mean, _ in numbers[kind][part]] == pytest.approx(means)
        assert [spread for _, spread in numbers[kind][part]] == pytest.approx([0.00707] * 3, rel=1e-3)


def test_finding_describes_each_kind_and_part_with_the_lecture_only_for_relus(tmp_path, record):
    record(units, "units_plot")
    study = units.report(Settings(seeds=2), _results(), tmp_path)
    assert study.finding == (
        "With 10, 100 and 1000 ReLUs the training error L goes 0.400 → 0.350 → 0.300k (falls at every step; the "
        "lecture: 0.32 → 0.28 → 0.27) and the test error L′ goes 0.500 → 0.480 → 0.490k (lowest with 100 units; "
        "the lecture: 0.45 → 0.43 → 0.43). With sigmoids L goes 0.600 → 0.550 → 0.520k (falls at every step) and "
        "L′ goes 0.700 → 0.720 → 0.740k (rises at every step).")
